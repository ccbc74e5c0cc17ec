import type { Document, LineCounter, Node } from 'yaml';
import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { DocumentKey } from './journeyIssue.ts';

/**
 * Where a document path is in the YAML text, so that an issue found on the parsed object (by zod
 * or by the validator) can say "line 14" and an editor can jump there.
 */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A YAML text as parsed, with what it takes to find a position in it. */
export interface YamlSource {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/**
 * The position of the value at `at`; of its key when asked (`on: 'key'`), when the value is a
 * map or a list (the line that names it reads better than its first item), or when the value is
 * empty. A path that does not exist (a missing field) points at the nearest part that does.
 */
export function locateKeys(source: YamlSource, at: readonly DocumentKey[], on: 'key' | 'value' = 'value', offset?: number): SourcePosition | null {
  const { doc, lines } = source;
  let node: unknown = doc.contents;
  let key: Node | null = null;
  let complete = true;
  for (const step of at) {
    const next = child(node, step);
    if (next === null) {
      complete = false;
      break;
    }
    ({ node, key } = next);
  }
  const range = isScalar(node) ? node.range : undefined;
  const pointAtValue = complete && on === 'value' && range !== undefined && range !== null && range[1] > range[0];
  if (pointAtValue && offset !== undefined) {
    const inside = characterOffset(source.text, node as Scalar, offset);
    if (inside !== null) return offsetPosition(lines, inside);
  }
  return position(lines, pointAtValue ? (node as Node) : (key ?? (node as Node | null)));
}

/**
 * Where a character of a scalar's value is in the source, when the value is written on one line
 * as it reads (plain, or quoted without escapes); null otherwise (block text, escapes).
 */
function characterOffset(text: string, scalar: Scalar, offset: number): number | null {
  const [start, end] = scalar.range!;
  const value = scalar.value;
  if (typeof value !== 'string') return null;
  const written = text.slice(start, end);
  const quoted = scalar.type === Scalar.QUOTE_DOUBLE || scalar.type === Scalar.QUOTE_SINGLE;
  if (!quoted && scalar.type !== Scalar.PLAIN) return null;
  const opening = quoted ? 1 : 0;
  if (written.slice(opening, written.length - opening) !== value) return null;
  return start + opening + offset;
}

/** The keys of the innermost map key or list item at a character offset: where a YAML error is. */
export function keysAtOffset(doc: Document.Parsed, offset: number): DocumentKey[] {
  const keys: DocumentKey[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => contains(item.key as Node | null, offset) || contains(item.value as Node | null, offset));
      if (!pair || !isScalar(pair.key)) return keys;
      keys.push(String(pair.key.value));
      if (contains(pair.key, offset)) return keys;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item as Node | null, offset));
      if (index < 0) return keys;
      keys.push(index);
      node = node.items[index];
    } else {
      return keys;
    }
  }
}

/** The 1-based line and column of a character offset. */
export function offsetPosition(lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function child(node: unknown, step: DocumentKey): { node: unknown; key: Node | null } | null {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(step));
    return pair ? { node: pair.value, key: pair.key as Node } : null;
  }
  if (isSeq(node) && typeof step === 'number' && step < node.items.length) return { node: node.items[step], key: null };
  return null;
}

function contains(node: Node | null | undefined, offset: number): boolean {
  const range = node?.range;
  return range !== undefined && range !== null && offset >= range[0] && offset < Math.max(range[1], range[0] + 1);
}

function position(lines: LineCounter, node: Node | null): SourcePosition | null {
  const offset = node?.range?.[0];
  return offset === undefined ? null : offsetPosition(lines, offset);
}
