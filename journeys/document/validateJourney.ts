import { parseDuration } from './duration.ts';
import { conditionIssues } from './conditionRules.ts';
import { eventNameWarnings } from './eventNameRules.ts';
import { graphIssues } from './journeyGraph.ts';
import type { DocumentIssue, DocumentKey, JourneyIssue } from './journeyIssue.ts';
import { documentError, placeIssue } from './journeyIssue.ts';
import type { JourneyDocument, SuggestNode } from './journeySchema.ts';
import { templateIssues } from './templateRules.ts';

/**
 * Everything about a journey that its shape (journeySchema.ts) cannot say, checked before it can
 * be saved or published (journeys/docs/validation.md): references name nodes, every node can be
 * reached, facts, params, paths and operators are known, values fit their operators, durations
 * and templates parse, email suggestions have a subject and a body, and no cycle runs without a
 * wait. Probable typos in event names are warnings.
 *
 *   const problems = validateJourney(parsed.journey).filter((issue) => issue.severity === 'error');
 *
 * Lines and columns are null here: `parseJourneySource` runs the same checks and places each
 * issue in the YAML.
 */
export function validateJourney(doc: JourneyDocument): JourneyIssue[] {
  return findJourneyIssues(doc).map((issue) => placeIssue(issue, null));
}

/** The issues with their paths as keys, for the loader to find in the source. */
export function findJourneyIssues(doc: JourneyDocument): DocumentIssue[] {
  return [...graphIssues(doc), ...triggerIssues(doc), ...nodeIssues(doc)];
}

function triggerIssues(doc: JourneyDocument): DocumentIssue[] {
  const issues = eventNameWarnings(doc.trigger.event, ['trigger', 'event']);
  if (doc.trigger.when) issues.push(...conditionIssues(doc.trigger.when, ['trigger', 'when']));
  if (doc.reentry !== 'never' && doc.reentry !== 'always') {
    issues.push(...durationIssues(doc.reentry, ['reentry'], ' (reentry is never, always or a duration)'));
  }
  doc.exitWhen.forEach((rule, index) => issues.push(...conditionIssues(rule.when, ['exitWhen', index, 'when'])));
  return issues;
}

function nodeIssues(doc: JourneyDocument): DocumentIssue[] {
  return Object.entries(doc.nodes).flatMap(([id, node]): DocumentIssue[] => {
    const at = (...keys: DocumentKey[]): DocumentKey[] => ['nodes', id, ...keys];
    switch (node.type) {
      case 'branch':
        return node.branches.flatMap((branch, index) => conditionIssues(branch.when, at('branches', index, 'when')));
      case 'suggest':
        return suggestionIssues(node, at);
      case 'wait': {
        const issues = [...optionalDuration(node.for, at('for')), ...optionalDuration(node.timeout, at('timeout'))];
        if (node.until) {
          issues.push(...eventNameWarnings(node.until.event, at('until', 'event')));
          if (node.until.when) issues.push(...conditionIssues(node.until.when, at('until', 'when')));
        }
        return issues;
      }
      case 'exit':
        return [];
      default: {
        const unknown: never = node;
        throw new TypeError(`unknown node type in ${JSON.stringify(unknown)}`);
      }
    }
  });
}

function suggestionIssues(node: SuggestNode, at: (...keys: DocumentKey[]) => DocumentKey[]): DocumentIssue[] {
  const issues = [...optionalDuration(node.dueIn, at('dueIn')), ...optionalDuration(node.expiresIn, at('expiresIn'))];
  for (const field of ['title', 'body', 'subject'] as const) {
    const text = node[field];
    if (text !== undefined) issues.push(...templateIssues(text, at(field)));
  }
  if (node.action === 'email') {
    // The rep sends the draft: without a subject or a body there is nothing to send.
    if (!node.subject?.trim()) issues.push(documentError(at('subject'), 'an email suggestion needs a subject: the subject line of the draft the rep sends'));
    if (!node.body?.trim()) issues.push(documentError(at('body'), 'an email suggestion needs a body: the text of the draft the rep sends'));
  }
  return issues;
}

function optionalDuration(text: string | undefined, at: readonly DocumentKey[]): DocumentIssue[] {
  return text === undefined ? [] : durationIssues(text, at);
}

function durationIssues(text: string, at: readonly DocumentKey[], hint = ''): DocumentIssue[] {
  const parsed = parseDuration(text);
  return parsed.ok ? [] : [documentError(at, `${parsed.message}${hint}`)];
}
