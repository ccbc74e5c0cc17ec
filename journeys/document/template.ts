/**
 * The template language of a suggestion's title, body and subject: text with variables,
 * `{{ lead.traits.firstName }}`, and an optional fallback for a missing value,
 * `{{ lead.traits.firstName | "there" }}`. Nothing else: no helpers, no expressions, no HTML, so
 * a template can be read, validated (every variable resolves to a known fact field) and rendered
 * without running anything the author wrote. `\{{` writes a literal `{{`.
 *
 *   const parsed = parseTemplate('Call {{lead.traits.firstName | "them"}}');
 *   if (parsed.ok) renderTemplate(parsed.template, { lead: { traits: {} } });   // 'Call them'
 */

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'variable';
      /** `lead.traits.firstName` → ['lead', 'traits', 'firstName']; digits index a list. */
      readonly path: readonly string[];
      /** Rendered when the value is missing, null or empty; null when the author gave none. */
      readonly fallback: string | null;
      /** Where the `{{` starts in the template text (0-based). */
      readonly offset: number;
    };

export interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
}

export type TemplateParseResult = { readonly ok: true; readonly template: ParsedTemplate } | { readonly ok: false; readonly message: string; readonly offset: number };

const SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_-]*|\d+)$/;
const PATH_CHAR = /[A-Za-z0-9_.$-]/;
const SPACE = /\s/;
const EXAMPLE = 'a variable is a path like lead.traits.firstName, with an optional fallback like | "there"';

class TemplateSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

export function parseTemplate(text: string): TemplateParseResult {
  try {
    return { ok: true, template: { parts: parseParts(text) } };
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

function parseParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let at = 0;
  while (at < text.length) {
    if (text.startsWith('\\{{', at)) {
      literal += '{{';
      at += 3;
    } else if (text.startsWith('{{', at)) {
      if (literal !== '') parts.push({ kind: 'text', text: literal });
      literal = '';
      const { part, end } = parseVariable(text, at);
      parts.push(part);
      at = end;
    } else {
      literal += text[at];
      at += 1;
    }
  }
  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return parts;
}

/** Reads `{{ path | "fallback" }}` starting at `open` (the first `{`). */
function parseVariable(text: string, open: number): { part: TemplatePart; end: number } {
  const where = `{{ at character ${open + 1}`;
  const unclosed = (): TemplateSyntaxError => new TemplateSyntaxError(`${where} is not closed: end the variable with }} (or write \\{{ for a literal {{)`, open);
  const unexpected = (at: number): TemplateSyntaxError =>
    text.startsWith('{{', at)
      ? new TemplateSyntaxError(`${where} is not closed before the next {{: end the variable with }}`, open)
      : new TemplateSyntaxError(`unexpected "${text[at]}" in the variable at character ${open + 1}: ${EXAMPLE}`, at);
  let at = skipSpace(text, open + 2);
  if (at >= text.length) throw unclosed();
  if (text.startsWith('}}', at)) throw new TemplateSyntaxError(`{{}} at character ${open + 1} is empty: name a value, like {{lead.traits.firstName}}`, open);
  const start = at;
  while (at < text.length && PATH_CHAR.test(text[at]!)) at += 1;
  const written = text.slice(start, at);
  if (written === '') throw unexpected(at);
  const path = written.split('.');
  if (!path.every((segment) => SEGMENT.test(segment))) {
    throw new TemplateSyntaxError(
      `"${written}" at character ${start + 1} is not a variable path: write names (letters, digits, _ and -) separated by dots, like lead.traits.firstName`,
      start,
    );
  }
  at = skipSpace(text, at);
  let fallback: string | null = null;
  if (text[at] === '|') {
    at = skipSpace(text, at + 1);
    if (text[at] !== '"') {
      const hint = text[at] === "'" ? 'write it in double quotes' : 'write a text in double quotes';
      throw new TemplateSyntaxError(`the fallback after | at character ${at + 1} is not quoted: ${hint}, like | "there"`, at);
    }
    ({ value: fallback, end: at } = readQuoted(text, at));
    at = skipSpace(text, at);
  }
  if (at >= text.length) throw unclosed();
  if (!text.startsWith('}}', at)) throw unexpected(at);
  return { part: { kind: 'variable', path, fallback, offset: open }, end: at + 2 };
}

/** A double-quoted text starting at `open`; `\"` and `\\` are its only escapes. */
function readQuoted(text: string, open: number): { value: string; end: number } {
  let value = '';
  let at = open + 1;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '"') return { value, end: at + 1 };
    if (char === '\\' && (text[at + 1] === '"' || text[at + 1] === '\\')) {
      value += text[at + 1];
      at += 2;
    } else {
      value += char;
      at += 1;
    }
  }
  throw new TemplateSyntaxError(`the fallback text at character ${open + 1} is not closed: end it with "`, open);
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && SPACE.test(text[at]!)) at += 1;
  return at;
}

/**
 * The text, with each variable replaced by its value in `scope`: a string as is, a number or a
 * boolean as written, a list as its items joined by ', '. A missing, null or empty value renders
 * the fallback, or nothing; an object (a whole `traits`) renders nothing, never `[object Object]`.
 */
export function renderTemplate(template: ParsedTemplate, scope: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      text += part.text;
    } else {
      const shown = display(resolve(scope, part.path));
      text += shown === null ? (part.fallback ?? '') : shown;
    }
  }
  return text;
}

/** The variables of a template, as paths (`['lead', 'traits', 'firstName']`), in order. */
export function templateVariables(template: ParsedTemplate): (readonly string[])[] {
  return template.parts.flatMap((part) => (part.kind === 'variable' ? [part.path] : []));
}

/** Own properties only, so that `{{lead.constructor}}` finds nothing rather than a function. */
function resolve(scope: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = scope;
  for (const key of path) {
    if (Array.isArray(value)) value = /^\d+$/.test(key) ? (value as unknown[])[Number(key)] : undefined;
    else if (typeof value === 'object' && value !== null && Object.hasOwn(value, key)) value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return value;
}

/** The text of a value; null when it is missing or empty (the fallback applies). */
function display(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(display).filter((item): item is string => item !== null && item !== '');
    return items.length === 0 ? null : items.join(', ');
  }
  return '';
}
