/**
 * SDR queue benchmark: reads of one rep's queue (500 open suggestions among 100,000 leads) from
 * the queue read model, next to a baseline in the same run that reads the same 500 rows directly
 * (an array already in order: the least any read can do).
 *
 *   node bench/queue.ts            full run (about 20 s on 2 cores)
 *   node bench/queue.ts --quick    smoke run (a few seconds)
 *   node bench/queue.ts --json     also print the results as one JSON object, last line
 *
 * Target (issue #5): p99 ≤ 20 ms per read on one core. Nothing here asserts a timing.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RecordedEvent } from '../services/core/index.ts';
import { deriveId } from '../services/core/index.ts';
import type { QueueItem } from '../services/suggestions/index.ts';
import { compareQueueItems, SuggestionQueue } from '../services/suggestions/index.ts';
import { createRandom } from '../services/demo/random.ts';

const TARGET_P99_MS = 20;
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const actions = ['call', 'email', 'linkedin', 'task'] as const;

let position = 0;
function recorded(stream: string, type: string, data: Record<string, unknown>, at: string): RecordedEvent {
  position++;
  return { id: deriveId('bench-queue', String(position)), stream, revision: 0, position, type, data, metadata: { occurredAt: at, recordedAt: at, causationId: null, correlationId: null, schemaVersion: 1 } };
}

function build(leads: number, reps: number, busyOpen: number): SuggestionQueue {
  const random = createRandom('bench-queue', 7);
  const queue = new SuggestionQueue();
  const start = Date.parse('2026-03-01T00:00:00Z');
  for (let i = 0; i < leads; i++) {
    const owner = i < busyOpen ? 'rep-busy' : `rep-${i % reps}`;
    const at = new Date(start + Math.floor(random.next() * 86_400_000)).toISOString();
    queue.apply(recorded(`lead-${i}`, 'OwnerAssigned', { ownerId: owner, previousOwnerId: null, reason: 'bench' }, at));
    queue.apply(recorded(`lead-${i}`, 'LeadScoreChanged', { fit: 50, engagement: 10, total: Math.floor(random.next() * 100), band: 'B' }, at));
    queue.apply(
      recorded(
        `lead-${i}`,
        'SuggestionProposed',
        {
          suggestionId: deriveId('bench-suggestion', String(i)),
          leadId: String(i),
          journeyId: 'webinar-follow-up',
          version: 1,
          instanceId: deriveId('bench-instance', String(i)),
          node: 'call-now',
          action: actions[i % actions.length],
          priority: priorities[Math.floor(random.next() * 4)],
          title: `Suggestion ${i}`,
          body: null,
          subject: null,
          dueAt: new Date(start + Math.floor(random.next() * 2 * 86_400_000)).toISOString(),
          expiresAt: new Date(start + 7 * 86_400_000).toISOString(),
          ownerId: owner,
          reason: { journeyId: 'webinar-follow-up', journeyName: 'Webinar follow-up', version: 1, path: ['call-now'], decisions: [], trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: at }, event: null },
        },
        at,
      ),
    );
  }
  return queue;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(read: () => unknown, reads: number): { perSecond: number; p50: number; p99: number } {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < reads; i++) {
    const t0 = performance.now();
    read();
    times.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1_000;
  times.sort((a, b) => a - b);
  return { perSecond: reads / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
}

function main(): void {
  const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const leads = flags.quick ? 20_000 : 100_000;
  const reads = flags.quick ? 300 : 2_000;
  const queue = build(leads, 200, 500);
  const now = new Date('2026-03-02T12:00:00Z');
  const read = () => queue.queue('rep-busy', { now, capacity: 40 });
  const rows: QueueItem[] = [...read().today, ...read().later].sort(compareQueueItems);
  const baseline = () => rows.slice(0, 40).concat(rows.slice(40));
  console.log(`Nudge SDR queue benchmark${flags.quick ? ' (--quick)' : ''}: ${leads.toLocaleString('en-US')} leads, rep-busy has ${rows.length} open suggestions`);
  measure(read, Math.min(200, reads));
  measure(baseline, Math.min(200, reads));
  const results = { queue: [] as ReturnType<typeof measure>[], direct: [] as ReturnType<typeof measure>[] };
  for (let pair = 0; pair < 3; pair++) {
    results.queue.push(measure(read, reads));
    results.direct.push(measure(baseline, reads));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
  const queueP99 = median(results.queue.map((r) => r.p99));
  const row = (name: string, runs: ReturnType<typeof measure>[]) =>
    `  ${name.padEnd(22)}${Math.round(median(runs.map((r) => r.perSecond))).toLocaleString('en-US').padStart(12)} reads/s   p50 ${median(runs.map((r) => r.p50)).toFixed(3)} ms   p99 ${median(runs.map((r) => r.p99)).toFixed(3)} ms`;
  console.log('');
  console.log(row('queue read model', results.queue));
  console.log(row('the rows, directly', results.direct));
  const ratio = median(results.queue.map((r, i) => r.perSecond / results.direct[i]!.perSecond));
  console.log('');
  console.log(`  queue / direct: ${ratio.toFixed(3)}× (the queue filters, orders and splits the rows on every read)`);
  console.log(`  target p99 ≤ ${TARGET_P99_MS} ms per read: ${queueP99 <= TARGET_P99_MS ? 'PASS' : 'MISS'} (${queueP99.toFixed(3)} ms)`);
  if (flags.json) console.log(JSON.stringify({ leads, open: rows.length, queueP99Ms: queueP99, ratio }));
}

main();
