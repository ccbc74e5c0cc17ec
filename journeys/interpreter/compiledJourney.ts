import type { CompiledCondition, RuleEvaluator, TopLevelCondition } from '../../services/ports/index.ts';
import type { JourneyDocument } from '../document/journeySchema.ts';
import { durationMs } from '../document/duration.ts';
import type { ParsedTemplate } from '../document/template.ts';
import { parseTemplate } from '../document/template.ts';

/**
 * One version of a journey, ready to run: conditions compiled once (per version, not per lead or
 * per event), durations in milliseconds, templates parsed. Built from a document that passed
 * validation; compiling an invalid one throws.
 */
export interface CompiledJourney {
  readonly id: string;
  readonly version: number;
  readonly document: JourneyDocument;
  readonly trigger: { readonly event: string; readonly when: CompiledCondition | null };
  /** null: never; 0: always; otherwise the window in ms. */
  readonly reentryMs: number | null;
  readonly exitWhen: readonly { readonly reason: string; readonly when: CompiledCondition }[];
  readonly branches: ReadonlyMap<string, readonly CompiledCondition[]>;
  readonly untilWhen: ReadonlyMap<string, CompiledCondition>;
  readonly templates: ReadonlyMap<string, { title: ParsedTemplate; body: ParsedTemplate | null; subject: ParsedTemplate | null }>;
  readonly durations: ReadonlyMap<string, { dueIn: number; expiresIn: number; wait: number | null; timeout: number | null }>;
}

const DEFAULT_EXPIRY_MS = 7 * 86_400_000;

export function compileJourney(document: JourneyDocument, version: number, evaluator: RuleEvaluator): CompiledJourney {
  const compile = (condition: TopLevelCondition | undefined): CompiledCondition | null =>
    condition === undefined ? null : evaluator.compile(condition);
  const branches = new Map<string, CompiledCondition[]>();
  const untilWhen = new Map<string, CompiledCondition>();
  const templates = new Map<string, { title: ParsedTemplate; body: ParsedTemplate | null; subject: ParsedTemplate | null }>();
  const durations = new Map<string, { dueIn: number; expiresIn: number; wait: number | null; timeout: number | null }>();
  for (const [id, node] of Object.entries(document.nodes)) {
    switch (node.type) {
      case 'branch':
        branches.set(
          id,
          node.branches.map((branch) => evaluator.compile(branch.when)),
        );
        break;
      case 'suggest':
        templates.set(id, {
          title: template(node.title),
          body: node.body === undefined ? null : template(node.body),
          subject: node.subject === undefined ? null : template(node.subject),
        });
        durations.set(id, {
          dueIn: node.dueIn === undefined ? 0 : durationMs(node.dueIn),
          expiresIn: node.expiresIn === undefined ? DEFAULT_EXPIRY_MS : durationMs(node.expiresIn),
          wait: null,
          timeout: null,
        });
        break;
      case 'wait':
        durations.set(id, {
          dueIn: 0,
          expiresIn: 0,
          wait: node.for === undefined ? null : durationMs(node.for),
          timeout: node.timeout === undefined ? null : durationMs(node.timeout),
        });
        if (node.until?.when) untilWhen.set(id, evaluator.compile(node.until.when));
        break;
      case 'exit':
        break;
      default: {
        const unknown: never = node;
        throw new TypeError(`unknown node type in ${JSON.stringify(unknown)}`);
      }
    }
  }
  return {
    id: document.id,
    version,
    document,
    trigger: { event: document.trigger.event, when: compile(document.trigger.when) },
    reentryMs: document.reentry === 'never' ? null : document.reentry === 'always' ? 0 : durationMs(document.reentry),
    exitWhen: document.exitWhen.map((rule) => ({ reason: rule.reason, when: evaluator.compile(rule.when) })),
    branches,
    untilWhen,
    templates,
    durations,
  };
}

function template(text: string): ParsedTemplate {
  const parsed = parseTemplate(text);
  if (!parsed.ok) throw new RangeError(`invalid template ${JSON.stringify(text)}: ${parsed.message}`);
  return parsed.template;
}
