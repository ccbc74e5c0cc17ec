import type { JourneyDefinitionEvent } from '../../services/events/index.ts';
import type { RuleEvaluator } from '../../services/ports/index.ts';
import type { JourneyDocument } from '../document/journeySchema.ts';
import { journeyDocumentSchema } from '../document/journeySchema.ts';
import type { CompiledJourney } from './compiledJourney.ts';
import { compileJourney } from './compiledJourney.ts';
import type { JourneyRuntime } from './interpreter.ts';

/**
 * Every journey's definition, folded from the `journey-<id>` streams in global order: its
 * versions (compiled on first use, once), the published one, and whether it is active, paused or
 * archived. The runner and the simulator keep one and feed it the definition events as they come.
 */
export class JourneyCatalog {
  readonly #evaluator: RuleEvaluator;
  readonly #journeys = new Map<string, CatalogEntry>();
  /** Journeys sorted by id: the order in which one event is offered to them (deterministic). */
  #ordered: CatalogEntry[] = [];
  /** Published journeys by trigger event name: which journeys an event may enter. */
  #byTrigger = new Map<string, CatalogEntry[]>();

  constructor(evaluator: RuleEvaluator) {
    this.#evaluator = evaluator;
  }

  apply(event: JourneyDefinitionEvent): void {
    const id = event.data.journeyId;
    let entry = this.#journeys.get(id);
    if (!entry) {
      entry = new CatalogEntry(id, this.#evaluator);
      this.#journeys.set(id, entry);
      this.#ordered = [...this.#journeys.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    switch (event.type) {
      case 'JourneyDraftSaved':
        entry.addVersion(event.data.version, journeyDocumentSchema.parse(event.data.document));
        return;
      case 'JourneyPublished':
        entry.publish(event.data.version);
        this.#index();
        return;
      case 'JourneyPaused':
        entry.status = 'paused';
        return;
      case 'JourneyArchived':
        entry.status = 'archived';
        this.#index();
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(`unexpected journey definition event ${JSON.stringify(unknown)}`);
      }
    }
  }

  get(id: string): CatalogEntry | undefined {
    return this.#journeys.get(id);
  }

  all(): readonly CatalogEntry[] {
    return this.#ordered;
  }

  /** Published (active or paused) journeys whose trigger is this event name. */
  triggeredBy(eventName: string): readonly CatalogEntry[] {
    return this.#byTrigger.get(eventName) ?? [];
  }

  #index(): void {
    const byTrigger = new Map<string, CatalogEntry[]>();
    for (const entry of this.#ordered) {
      if (entry.status === 'archived') continue;
      const live = entry.live;
      if (!live) continue;
      const list = byTrigger.get(live.trigger.event) ?? [];
      list.push(entry);
      byTrigger.set(live.trigger.event, list);
    }
    this.#byTrigger = byTrigger;
  }
}

export class CatalogEntry implements JourneyRuntime {
  readonly id: string;
  status: JourneyRuntime['status'] = 'draft';
  publishedVersion: number | null = null;
  readonly #documents = new Map<number, JourneyDocument>();
  readonly #compiled = new Map<number, CompiledJourney>();
  readonly #evaluator: RuleEvaluator;

  constructor(id: string, evaluator: RuleEvaluator) {
    this.id = id;
    this.#evaluator = evaluator;
  }

  get live(): CompiledJourney | null {
    return this.publishedVersion === null ? null : (this.version(this.publishedVersion) ?? null);
  }

  get latestVersion(): number {
    return Math.max(0, ...this.#documents.keys());
  }

  document(version: number): JourneyDocument | undefined {
    return this.#documents.get(version);
  }

  addVersion(version: number, document: JourneyDocument): void {
    this.#documents.set(version, document);
  }

  publish(version: number): void {
    this.publishedVersion = version;
    this.status = 'active';
  }

  version(version: number): CompiledJourney | undefined {
    let compiled = this.#compiled.get(version);
    if (!compiled) {
      const document = this.#documents.get(version);
      if (!document) return undefined;
      compiled = compileJourney(document, version, this.#evaluator);
      this.#compiled.set(version, compiled);
    }
    return compiled;
  }
}
