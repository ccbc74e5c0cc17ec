import type { YAMLError } from 'yaml';
import { LineCounter, parseDocument } from 'yaml';
import type { DocumentIssue, JourneyIssue } from './journeyIssue.ts';
import { documentError, placeIssue } from './journeyIssue.ts';
import type { JourneyDocument } from './journeySchema.ts';
import { journeyDocumentSchema } from './journeySchema.ts';
import { checkShape } from './shapeIssues.ts';
import { keysAtOffset, locateKeys, offsetPosition } from './sourceLocation.ts';
import { findJourneyIssues } from './validateJourney.ts';

/**
 * Reads a journey as its author wrote it (YAML, or JSON) and checks everything: the syntax, the
 * shape (journeySchema.ts) and the rules (validateJourney.ts). Every issue says where it is, by
 * document path and by line and column, so that an editor, a pull-request check or the API can
 * point at the line to fix.
 *
 *   const parsed = parseJourneySource(text, { fileName: 'webinar-follow-up.yaml' });
 *   if (!parsed.ok) for (const issue of parsed.issues) console.error(`${issue.line}:${issue.column} ${issue.path} ${issue.message}`);
 */
export type JourneyParseResult =
  | { readonly ok: true; readonly journey: JourneyDocument; readonly warnings: JourneyIssue[] }
  | { readonly ok: false; readonly issues: JourneyIssue[]; readonly warnings: JourneyIssue[] };

export interface JourneyParseOptions {
  /** Used to tell JSON from YAML when `format` is `auto` (`.json`, `.yaml`, `.yml`). */
  readonly fileName?: string;
  /** Default `auto`: by the file name's extension, else JSON when the text starts with `{`. */
  readonly format?: 'yaml' | 'json' | 'auto';
}

/** YAML anchors may be reused this many times: enough for any journey, too few for a "billion laughs". */
const MAX_ALIAS_COUNT = 100;

export function parseJourneySource(text: string, options: JourneyParseOptions = {}): JourneyParseResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = new LineCounter();
  if (chooseFormat(source, options) === 'json') {
    const jsonIssue = jsonSyntaxIssue(source);
    if (jsonIssue !== null) return { ok: false, issues: [jsonIssue], warnings: [] };
  }
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, logLevel: 'silent', uniqueKeys: true });
  const yamlIssue = (problem: YAMLError, severity: 'error' | 'warning'): JourneyIssue => {
    const position = offsetPosition(lines, problem.pos[0]);
    if (problem.code !== 'DUPLICATE_KEY') return { path: '', message: `is not valid YAML: ${yamlMessage(problem)}`, line: position.line, column: position.column, severity };
    const at = keysAtOffset(doc, problem.pos[0]);
    const key = at.at(-1) ?? source.slice(problem.pos[0], problem.pos[1]);
    return { ...placeIssue(documentError(at, `is a duplicate: ${String(key)} is already written above at the same level; write each field once (YAML would keep only the last one)`), position), severity };
  };
  const warnings = doc.warnings.map((warning) => yamlIssue(warning, 'warning'));
  if (doc.errors.length > 0) return { ok: false, issues: doc.errors.map((error) => yamlIssue(error, 'error')), warnings };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `cannot be read: ${error instanceof Error ? error.message : String(error)}`, line: null, column: null, severity: 'error' }], warnings };
  }
  if (raw === null || raw === undefined) {
    return { ok: false, issues: [{ path: '', message: 'is empty: a journey starts with apiVersion: nudge/v1 and kind: Journey', line: 1, column: 1, severity: 'error' }], warnings };
  }

  const yaml = { text: source, doc, lines };
  const place = (issue: DocumentIssue): JourneyIssue => placeIssue(issue, locateKeys(yaml, issue.at, issue.on, issue.offset));
  const shape = checkShape(journeyDocumentSchema, raw);
  if (!shape.ok) return { ok: false, issues: inSourceOrder(shape.issues.map(place)), warnings };
  const found = inSourceOrder(findJourneyIssues(shape.data).map(place));
  const errors = found.filter((issue) => issue.severity === 'error');
  const allWarnings = [...warnings, ...found.filter((issue) => issue.severity === 'warning')];
  return errors.length > 0 ? { ok: false, issues: errors, warnings: allWarnings } : { ok: true, journey: shape.data, warnings: allWarnings };
}

function chooseFormat(source: string, options: JourneyParseOptions): 'yaml' | 'json' {
  if (options.format === 'yaml' || options.format === 'json') return options.format;
  const name = options.fileName?.toLowerCase() ?? '';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  return source.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/**
 * JSON is YAML, but YAML forgives what JSON does not (a trailing comma, a comment, an unquoted
 * key): a file that says it is JSON is held to JSON, so that other JSON tools can read it too.
 */
function jsonSyntaxIssue(source: string): JourneyIssue | null {
  try {
    JSON.parse(source);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(source, message);
    const before = source.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/, .*is not valid JSON$/s, '');
    return { path: '', message: `is not valid JSON: ${reason}`, line, column, severity: 'error' };
  }
}

/** V8 gives a position for most errors; for "Unexpected token 'x'" the first such character outside a string. */
function jsonErrorOffset(source: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const token = /^Unexpected token '(.)'/u.exec(message)?.[1];
  if (token === undefined) return source.length;
  let inString = false;
  for (let at = 0; at < source.length; at++) {
    const char = source[at];
    if (inString && char === '\\') at += 1;
    else if (char === '"') inString = !inString;
    else if (!inString && char === token) return at;
  }
  return source.length;
}

/** YAML's message without its own position suffix (the issue carries the line). */
function yamlMessage(problem: YAMLError): string {
  const first = problem.message.split('\n')[0] ?? problem.message;
  const reason = first.replace(/ at line \d+, column \d+:?$/, '');
  return problem.code === 'TAB_AS_INDENT' ? `${reason} (indent with spaces)` : reason;
}

function inSourceOrder(issues: JourneyIssue[]): JourneyIssue[] {
  const key = (issue: JourneyIssue): number => (issue.line ?? Number.MAX_SAFE_INTEGER) * 10_000 + (issue.column ?? 0);
  return issues.map((issue, index) => ({ issue, index })).sort((a, b) => key(a.issue) - key(b.issue) || a.index - b.index).map(({ issue }) => issue);
}
