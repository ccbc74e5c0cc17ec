// A child process for the crash test: appends one event at a time to the store given as argv[2]
// and prints each event id only after its append resolved (= the acknowledgement a client gets).
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';
import { newEvent } from '../../../services/core/index.ts';

const store = createSqliteEventStore({ path: process.argv[2]!, synchronous: 'full' });
for (let i = 0; ; i++) {
  const events = [newEvent({ type: 'TouchRecorded', data: { name: 'Content Viewed', i, padding: 'x'.repeat(200) } })];
  await store.append(`lead-${i % 50}`, events);
  process.stdout.write(`${events[0]!.id}\n`);
}
