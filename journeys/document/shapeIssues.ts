import type { z } from 'zod';
import { closeMatches, didYouMean, listOf } from './closeMatches.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentError } from './journeyIssue.ts';

/**
 * Zod's verdict on a journey's shape, in words a marketer understands: "is required", "must be
 * one of call, email, …", "must be a text", "is not a field of a suggest node: the fields are …".
 * Messages the schema itself states (a slug, a node id) are kept as they are.
 *
 *   const checked = checkShape(journeyDocumentSchema, raw);
 *   if (!checked.ok) report(checked.issues);
 */
export type ShapeResult<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly issues: DocumentIssue[] };

export interface ShapeOptions {
  /** Where `input` sits in the document (for the params of a condition: its path + `params`). */
  readonly at?: readonly DocumentKey[];
  /** What `input` is, for "is not a field of …" (`the params of touches`). */
  readonly name?: string;
}

const REQUIRED = 'is required';
/** Replaced by `unionIssues`, which looks at the input to say which alternative was meant. */
const UNION = '\u0000union';

type RawIssue = z.core.$ZodRawIssue;
type FinalIssue = z.core.$ZodIssue;

export function checkShape<S extends z.ZodType>(schema: S, input: unknown, options: ShapeOptions = {}): ShapeResult<z.output<S>> {
  // The fields of each object that had an unknown key, keyed by the object itself: the final
  // issue no longer holds the schema, and "the fields are …" is the useful part of the message.
  const fieldsOf = new Map<object, readonly string[]>();
  const result = schema.safeParse(input, { error: (issue) => plainMessage(issue, fieldsOf) });
  if (result.success) return { ok: true, data: result.data };
  const translator = new IssueTranslator(input, options, fieldsOf);
  const issues = translator.translate(result.error.issues, []);
  // `valeu: 60` is one mistake: say "did you mean value?", not also "value is required".
  return { ok: false, issues: issues.filter((issue) => !(issue.message === REQUIRED && translator.wasMeant(issue.at))) };
}

function plainMessage(issue: RawIssue, fieldsOf: Map<object, readonly string[]>): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? REQUIRED : `must be ${expectedName(issue.expected)}, not ${kindOf(issue.input)}${quoteHint(issue.expected, issue.input)}`;
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, values) : '';
      return values.length === 1 ? `must be ${values[0]}${hint}` : `must be one of ${values.join(', ')}${hint}`;
    }
    case 'too_small':
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive ?? true);
    case 'too_big':
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive ?? true);
    case 'invalid_format':
      return 'is not in the expected format';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      if (typeof issue.input === 'object' && issue.input !== null) fieldsOf.set(issue.input, Object.keys(shape ?? {}));
      return 'is not a known field';
    }
    case 'invalid_union':
      return UNION;
    case 'invalid_key':
      return 'is not a valid name';
    case 'invalid_element':
      return 'is not valid';
    default:
      // `custom`: the schema's own refinements carry their message.
      return undefined;
  }
}

class IssueTranslator {
  readonly #input: unknown;
  readonly #at: readonly DocumentKey[];
  readonly #name: string | undefined;
  readonly #fieldsOf: Map<object, readonly string[]>;
  /** Fields that an unknown key was probably meant to be (`valeu` → `value`). */
  readonly #meant = new Set<string>();

  constructor(input: unknown, options: ShapeOptions, fieldsOf: Map<object, readonly string[]>) {
    this.#input = input;
    this.#at = options.at ?? [];
    this.#name = options.name;
    this.#fieldsOf = fieldsOf;
  }

  wasMeant(at: readonly DocumentKey[]): boolean {
    return this.#meant.has(JSON.stringify(at));
  }

  /** `base`: where (relative to the input) the issues' own paths start; not [] inside a union. */
  translate(issues: readonly FinalIssue[], base: readonly DocumentKey[]): DocumentIssue[] {
    return issues.flatMap((issue) => this.#one(issue, [...base, ...(issue.path as DocumentKey[])]));
  }

  #one(issue: FinalIssue, path: readonly DocumentKey[]): DocumentIssue[] {
    const at = [...this.#at, ...path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const value = valueAt(this.#input, path);
        const fields = (typeof value === 'object' && value !== null ? this.#fieldsOf.get(value) : undefined) ?? [];
        const what = this.#objectName(fields, value, path);
        return issue.keys.map((key) => {
          const [meant] = closeMatches(key, fields);
          if (meant !== undefined) this.#meant.add(JSON.stringify([...at, meant]));
          return documentError([...at, key], `is not a field of ${what}${meant === undefined ? '' : ` (did you mean ${meant}?)`}: the fields are ${listOf(fields)}`, 'key');
        });
      }
      case 'invalid_union': {
        // A node's `type` (a discriminated union); else a condition, unless the schema gave its own message (reentry).
        if ((issue as { discriminator?: string }).discriminator !== undefined) return this.#discriminator(issue, path);
        return issue.message === UNION ? this.#union(issue, path) : [documentError(at, issue.message)];
      }
      case 'invalid_key':
        return [documentError(at, issue.issues[0]?.message ?? issue.message, 'key')];
      case 'invalid_type':
        if (path.length === 0 && this.#at.length === 0) return [documentError(at, 'is not a journey: a journey is a set of fields that starts with apiVersion: nudge/v1 and kind: Journey')];
        return [documentError(at, issue.message)];
      default:
        return [documentError(at, issue.message)];
    }
  }

  /** A node whose `type` is missing or unknown: say so at `type`, or at the node when it has none. */
  #discriminator(issue: FinalIssue & { code: 'invalid_union' }, path: readonly DocumentKey[]): DocumentIssue[] {
    const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
    const owner = path.slice(0, -1);
    const node = valueAt(this.#input, owner);
    const type = isRecord(node) ? node.type : undefined;
    if (!isRecord(node)) return [documentError([...this.#at, ...owner], `must be a node: a set of fields that starts with type (${options.join(', ')})`)];
    if (type === undefined) return [documentError([...this.#at, ...owner], `needs a type: one of ${options.join(', ')}`, 'key')];
    const hint = typeof type === 'string' ? didYouMean(type, options) : '';
    return [documentError([...this.#at, ...path], `must be one of ${options.join(', ')}${hint}`)];
  }

  /**
   * The schema's only plain unions are conditions (`all` / `any` / `not`, and leaves in nested
   * positions). Zod reports every alternative's complaints; the input says which one was meant.
   */
  #union(issue: FinalIssue & { code: 'invalid_union' }, path: readonly DocumentKey[]): DocumentIssue[] {
    const at = [...this.#at, ...path];
    const value = valueAt(this.#input, path);
    const leafAllowed = issue.errors.length > 3;
    const shapes = `all: [ … ], any: [ … ] or not: { … }${leafAllowed ? ', or a test like { fact: lead, path: $.stage, operator: equal, value: sql }' : ''}`;
    if (!isRecord(value)) return [documentError(at, `must be a condition: ${shapes}`)];
    const groups = ['all', 'any', 'not'].filter((key) => Object.hasOwn(value, key));
    const leafKeys = ['fact', 'operator', 'value', 'path', 'params'].filter((key) => Object.hasOwn(value, key));
    if (groups.length > 1) return [documentError(at, `has both ${groups.join(' and ')}: a condition is one of all, any or not; put one inside the other`)];
    if (groups.length === 0 && leafKeys.length > 0 && !leafAllowed) {
      return [documentError(at, 'a `when` starts with all, any or not: put this test in a list, like all: [ { fact: …, operator: …, value: … } ]')];
    }
    if (groups.length === 0 && leafKeys.length === 0) {
      const conditionKeys = ['all', 'any', 'not', ...(leafAllowed ? ['fact', 'operator', 'value', 'path', 'params'] : [])];
      const typo = Object.keys(value)
        .map((key) => ({ key, meant: closeMatches(key, conditionKeys)[0] }))
        .find(({ meant }) => meant !== undefined);
      return [documentError(at, `is not a condition${typo ? ` (${typo.key}: did you mean ${typo.meant}?)` : ''}: write ${shapes}`)];
    }
    const best = issue.errors.map((errors, index) => ({ errors, index, score: mismatch(errors) })).sort((a, b) => a.score - b.score || a.index - b.index)[0];
    return best === undefined ? [documentError(at, `is not a condition: write ${shapes}`)] : this.translate(best.errors, path);
  }

  #objectName(fields: readonly string[], value: unknown, path: readonly DocumentKey[]): string {
    const has = (field: string): boolean => fields.includes(field);
    if (path.length === 0 && this.#name !== undefined) return this.#name;
    if (has('apiVersion')) return 'a journey';
    if (has('type') && isRecord(value) && typeof value.type === 'string') return `a ${value.type} node`;
    if (has('operator')) return 'a condition';
    if (fields.length > 0 && fields.every((field) => ['all', 'any', 'not'].includes(field))) return `an ${fields[0]} condition`;
    if (has('fact')) return 'a fact reference (a value that names a fact)';
    if (has('reason') && has('when')) return 'an exitWhen rule';
    if (has('anySuggestion')) return 'an until';
    if (has('event') && has('when')) return 'the trigger';
    if (has('when') && has('next')) return 'a branch';
    return this.#name ?? 'this part';
  }
}

/** How badly an alternative fits: unknown keys and missing fields right at the union's level. */
function mismatch(errors: readonly FinalIssue[]): number {
  let score = 0;
  for (const error of errors) {
    if (error.code === 'unrecognized_keys' && error.path.length === 0) score += error.keys.length;
    else if (error.path.length <= 1 && error.message === REQUIRED) score += 1;
    else if (error.path.length === 0) score += 1;
  }
  return score;
}

function valueAt(root: unknown, path: readonly DocumentKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isRecord(value) && Object.hasOwn(value, key)) value = value[key];
    else return undefined;
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a text';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a set of fields (name: value)';
    default:
      return `a ${expected}`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text "${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'a set of fields';
    default:
      return `a ${typeof value}`;
  }
}

/** `title: {{lead.x}}` unquoted is a YAML map; the author meant text. */
function quoteHint(expected: string, input: unknown): string {
  if (expected !== 'string' || !isRecord(input)) return '';
  const [first] = Object.keys(input);
  return first?.startsWith('{') ? ": YAML reads a value that starts with { as fields; put the text in quotes, like '{{lead.traits.firstName}} …'" : '';
}

function tooSmall(origin: string, minimum: number, inclusive: boolean): string {
  switch (origin) {
    case 'string':
      return minimum <= 1 ? 'must not be empty' : `must be at least ${minimum} characters long`;
    case 'array':
    case 'set':
      return `needs at least ${minimum} ${minimum === 1 ? 'item' : 'items'}`;
    default:
      return inclusive ? `must be ${minimum} or more` : `must be more than ${minimum}`;
  }
}

function tooBig(origin: string, maximum: number, inclusive: boolean): string {
  switch (origin) {
    case 'string':
      return `is too long: at most ${maximum} characters`;
    case 'array':
    case 'set':
      return `has too many items: at most ${maximum}`;
    default:
      return inclusive ? `must be ${maximum} or less` : `must be less than ${maximum}`;
  }
}
