/**
 * Simple property paths, the only `path` a journey condition may have: `$`, then `.name`, `[0]`
 * or `['any name']` steps. json-rules-engine hands paths to jsonpath-plus, whose full language
 * (wildcards, filters, scripts, slices) is neither needed to read a lead's traits nor safe to
 * evaluate fast; restricted to this grammar, a path is a list of property keys, and
 * infra/rules resolves it exactly as jsonpath-plus does (test/infra/rules proves it).
 *
 *   parsePropertyPath("$.traits['first name']")   // { ok: true, keys: ['traits', 'first name'] }
 *   parsePropertyPath('$.traits.*')                // { ok: false, message: '"$.traits.*" is not a simple path: … write $.traits.country' }
 *
 * Some names mean something else to jsonpath-plus even inside quotes (`$` is the root, `..`
 * descends, `1:3` slices, `,` lists several, a leading `(` is a script, `@`, `~`, `^`, `*`,
 * `#`, `[`, `]` and `;` are operators or break its tokenizer), so they are refused rather than
 * read differently.
 */

export type PropertyPathKey = string | number;

export type ParsedPropertyPath = { readonly ok: true; readonly keys: PropertyPathKey[] } | { readonly ok: false; readonly message: string };

const NAME = /[A-Za-z_$][A-Za-z0-9_$-]*/y;
const INDEX = /(0|[1-9][0-9]*)\]/y;
/** Characters jsonpath-plus reads as syntax even inside `['…']`, plus quotes, backslash and control characters. */
const QUOTED_FORBIDDEN = /['"[\]\\;#^~,`@*\p{Cc}]/u;
/** jsonpath-plus reads such a name as an array slice (`[1:3]`), not as a property. */
const SLICE = /^(-?\d*):(-?\d*):?(\d*)$/u;

const EXAMPLE = 'write steps like $.traits.country, $.tags[0] or $.traits[\'first name\']';

export function parsePropertyPath(path: string): ParsedPropertyPath {
  if (typeof path !== 'string') return { ok: false, message: `a path must be text like $.traits.country` };
  if (path === '') return { ok: false, message: 'the path is empty: write $ for the whole fact, or a path like $.traits.country' };
  if (!path.startsWith('$')) {
    const dotted = path.startsWith('[') ? `$${path}` : `$.${path}`;
    const suggestion = parse(dotted).ok ? `write ${dotted}` : EXAMPLE;
    return { ok: false, message: `"${path}" must start with $ (the fact's value): ${suggestion}` };
  }
  return parse(path);
}

function parse(path: string): ParsedPropertyPath {
  const keys: PropertyPathKey[] = [];
  let at = 1;
  const fail = (why: string, suggestion = EXAMPLE): ParsedPropertyPath => ({
    ok: false,
    message: `"${path}" is not a simple path: ${why}; ${suggestion}`,
  });
  const parent = (): string => path.slice(0, at);
  while (at < path.length) {
    const char = path[at];
    if (char === '.') {
      if (path[at + 1] === '.') return fail('`..` (search at any depth) is not supported', `name each step, like ${parent()}.country`);
      if (path[at + 1] === '*') return fail('`*` (every property) is not supported', `name one property, like ${parent()}.country`);
      const segment = /^[^.[]*/u.exec(path.slice(at + 1))![0];
      NAME.lastIndex = at + 1;
      const name = NAME.exec(path)?.[0];
      if (name !== segment) {
        const quoted = segment !== '' && quotedNameProblem(segment) === undefined ? `${parent()}['${segment}']` : `${parent()}['first name']`;
        return fail(`a name after "." is letters, digits, _, $ and - (not starting with a digit)`, `quote other names: write ${quoted}`);
      }
      if (name === '$') return fail('a property named $ is read as the root', `write ${parent()}.country`);
      keys.push(name);
      at += 1 + name.length;
    } else if (char === '[') {
      const next = path[at + 1];
      if (next === "'") {
        const end = path.indexOf("']", at + 2);
        if (end < 0) return fail(`the quoted name after "${parent()}" does not end with ']`, `write ${parent()}['first name']`);
        const name = path.slice(at + 2, end);
        const problem = quotedNameProblem(name);
        if (problem !== undefined) return fail(problem, `write ${parent()}['first name']`);
        keys.push(name);
        at = end + 2;
      } else if (next !== undefined && next >= '0' && next <= '9') {
        INDEX.lastIndex = at + 1;
        const digits = INDEX.exec(path)?.[1];
        const index = digits === undefined ? Number.NaN : Number(digits);
        if (!Number.isSafeInteger(index)) return fail(`an index is a whole number without leading zeros, like [0]`, `write ${parent()}[0]`);
        keys.push(index);
        at += digits!.length + 2;
      } else if (next === '*') {
        return fail('`[*]` (every item) is not supported', `name one item, like ${parent()}[0]`);
      } else if (next === '?' || next === '(') {
        return fail('filters and script expressions are not supported', `name one item, like ${parent()}[0]`);
      } else if (next === '"') {
        return fail('quote names with single quotes', `write ${parent()}['first name']`);
      } else {
        return fail(`after "${parent()}[" comes an index like [0] or a quoted name like ['first name']`);
      }
    } else {
      return fail(`unexpected "${char}" after "${parent()}"`);
    }
  }
  return { ok: true, keys };
}

function quotedNameProblem(name: string): string | undefined {
  if (name === '') return 'a quoted name cannot be empty';
  const forbidden = QUOTED_FORBIDDEN.exec(name)?.[0];
  if (forbidden !== undefined) {
    const shown = /\p{Cc}/u.test(forbidden) ? `\\u${forbidden.charCodeAt(0).toString(16).padStart(4, '0')}` : forbidden;
    return `a quoted name cannot contain ${shown} (one of ' " [ ] \\ ; # ^ ~ , \` @ * or a control character)`;
  }
  if (name.startsWith('(') || name.startsWith('?(')) return 'a quoted name cannot start with ( or ?( (read as a script or a filter)';
  if (name === '$') return 'a property named $ is read as the root';
  if (name === '..') return 'a property named .. is read as a search at any depth';
  if (SLICE.test(name)) return `a name like ${name} is read as an array slice`;
  return undefined;
}
