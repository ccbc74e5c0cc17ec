import { factCatalog, templateRoots } from '../facts/factCatalog.ts';
import { didYouMean, listOf } from './closeMatches.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentError } from './journeyIssue.ts';
import { parseTemplate } from './template.ts';

const roots: readonly string[] = templateRoots;

/**
 * Checks a suggestion text: it parses, and every variable names something a lead can have. A
 * variable that cannot resolve would render as nothing in every suggestion, so it is an error
 * here rather than a blank the rep discovers.
 */
export function templateIssues(text: string, at: readonly DocumentKey[]): DocumentIssue[] {
  const parsed = parseTemplate(text);
  if (!parsed.ok) return [{ ...documentError(at, parsed.message), offset: parsed.offset }];
  return parsed.template.parts.flatMap((part) => {
    if (part.kind === 'text') return [];
    const problem = variableProblem(part.path);
    return problem === null ? [] : [{ ...documentError(at, `{{${part.path.join('.')}}}: ${problem}`), offset: part.offset }];
  });
}

/**
 * Why a variable cannot resolve, or null when it can: its root is a template root, its first
 * field one of that fact's fields, and it goes deeper only under an open field (`traits`,
 * `properties`), whose keys are the lead's or the event's own, or into a list by index.
 */
function variableProblem(path: readonly string[]): string | null {
  const [root, field, ...rest] = path;
  if (root === undefined) return 'names nothing';
  if (!roots.includes(root)) return `${root} is not something a template can use${didYouMean(root, roots)}: start with ${roots.join(', ')}`;
  const { fields, openFields } = factCatalog[root]!;
  const known = fields ?? [];
  if (field === undefined) return `is the whole ${root}: name one of its fields, like ${root}.${known[0]}`;
  if (!known.includes(field)) return `${root} has no field ${field}${didYouMean(field, known)}: its fields are ${listOf(known, 20)}`;
  if (openFields.includes(field)) {
    return rest.length === 0 ? `${root}.${field} is a set of values: name one, like ${root}.${field}.${field === 'traits' ? 'firstName' : 'title'}` : null;
  }
  // Digits pick an item of a list (`lead.tags.0`); names lead nowhere below a closed field.
  return rest.every((key) => /^\d+$/.test(key)) ? null : `${root}.${field} has no fields: write {{${root}.${field}}}`;
}
