import { isoTime } from './calendar.ts';
import type { DemoMessage } from './demoMessage.ts';
import type { DemoWorld, Person } from './demoWorld.ts';
import type { Session } from './journeyPlan.ts';
import { planJourney } from './journeyPlan.ts';
import { MinHeap } from '../core/index.ts';
import { createRandom } from './random.ts';
import { sessionMessages } from './sessionMessages.ts';

interface Journey {
  readonly person: Person;
  readonly sessions: readonly Session[];
  next: number;
  /** When the next session starts. */
  at: number;
  written: number;
}

interface Pending {
  readonly at: number;
  readonly person: number;
  readonly seq: number;
  readonly message: DemoMessage;
}

/**
 * Every message of the world, sorted by timestamp, as a lazy stream: people join when they are
 * first seen and leave after their last session, and only the messages of sessions under way are
 * held, so memory stays flat however many leads there are. Each message's id is
 * `<world prefix>-<person>-<n>`: unique, and the same for the same seed, leads and days.
 *
 *   for (const message of demoMessages(world)) out.write(`${JSON.stringify(message)}\n`);
 */
export function* demoMessages(world: DemoWorld): Generator<DemoMessage, void, undefined> {
  const people: Person[] = [...world.contacts, ...world.visitors].sort((a, b) => a.firstSeenAt - b.firstSeenAt || a.index - b.index);
  const journeys = new MinHeap<Journey>((a, b) => a.at < b.at || (a.at === b.at && a.person.index < b.person.index));
  const pending = new MinHeap<Pending>((a, b) => a.at < b.at || (a.at === b.at && (a.person < b.person || (a.person === b.person && a.seq < b.seq))));
  let arrived = 0;
  for (;;) {
    const nextArrival = people[arrived]?.firstSeenAt ?? Infinity;
    const nextJourney = journeys.peek();
    const nextSession = nextJourney?.at ?? Infinity;
    const nextMessage = pending.peek()?.at ?? Infinity;
    if (nextArrival === Infinity && nextSession === Infinity && nextMessage === Infinity) return;
    // A message goes out only when no person still to arrive and no session still to open can come before it.
    if (nextArrival <= nextSession && nextArrival <= nextMessage) {
      const person = people[arrived++]!;
      const sessions = planJourney(world, person);
      if (sessions.length > 0) journeys.push({ person, sessions, next: 0, at: sessions[0]!.at, written: 0 });
    } else if (nextSession <= nextMessage) {
      const journey = journeys.pop()!;
      const index = journey.next++;
      const random = createRandom(world.seed, 'session', journey.person.index, index);
      for (const { at, draft } of sessionMessages(random, journey.person, journey.sessions[index]!)) {
        if (at >= world.endMs) continue;
        const seq = journey.written++;
        pending.push({ at, person: journey.person.index, seq, message: { ...draft, messageId: `${world.idPrefix}-${journey.person.tag}-${seq}`, timestamp: isoTime(at) } });
      }
      if (journey.next < journey.sessions.length) {
        journey.at = journey.sessions[journey.next]!.at;
        journeys.push(journey);
      }
    } else {
      yield pending.pop()!.message;
    }
  }
}
