/**
 * The journey language: the document's shape, reading it from YAML or JSON with line numbers,
 * the rules it must meet, durations and suggestion templates (journeys/docs/validation.md).
 *
 *   const parsed = parseJourneySource(yamlText, { fileName: 'webinar-follow-up.yaml' });
 *   if (parsed.ok) publish(parsed.journey); else show(parsed.issues);
 */
export type {
  AwaitedEvent,
  BranchNode,
  ExitNode,
  JourneyDocument,
  JourneyNode,
  SuggestionAction,
  SuggestionPriority,
  SuggestNode,
  WaitNode,
} from './journeySchema.ts';
export { factReferenceSchema, journeyDocumentSchema, journeyNodeSchema, suggestionActions, suggestionPriorities, topLevelConditionSchema } from './journeySchema.ts';
export type { JourneyIssue } from './journeyIssue.ts';
export type { JourneyParseOptions, JourneyParseResult } from './loadJourney.ts';
export { parseJourneySource } from './loadJourney.ts';
export { validateJourney } from './validateJourney.ts';
export { MAX_NODES, MAX_WALK_NODES } from './journeyGraph.ts';
export { durationMs, parseDuration } from './duration.ts';
export type { ParsedTemplate, TemplateParseResult, TemplatePart } from './template.ts';
export { parseTemplate, renderTemplate, templateVariables } from './template.ts';
