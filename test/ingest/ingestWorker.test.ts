import { describe, expect, it } from 'vitest';
import type { MessageOutcome, MessageSink, ReceivedMessage } from '../../services/ingest/index.ts';
import { IngestWorker } from '../../services/ingest/index.ts';
import type { DeliveredRecord, IngestLog } from '../../services/ports/index.ts';

/** A pipeline that stores whatever it is given (the worker's own checks are under test here). */
class StoringSink implements MessageSink {
  readonly received: ReceivedMessage[] = [];
  submit(messages: readonly ReceivedMessage[]): Promise<MessageOutcome[]> {
    this.received.push(...messages);
    return Promise.resolve(messages.map((received) => ({ status: 'stored', messageId: received.message.messageId, leadId: null, events: 1 })));
  }
}

const unusedLog = {} as IngestLog;

function record(data: Record<string, unknown>, extra: Partial<DeliveredRecord> = {}): DeliveredRecord {
  return { id: String(data.messageId), type: 'segment.track', source: '/test', time: '2026-11-24T10:00:00.000Z', key: 'userId:u-1', data, position: 'topic/0@1', ...extra };
}

describe('ingest worker: what it refuses before the pipeline', () => {
  const big = 'x'.repeat(33 * 1024);

  it('refuses a message over 32 KiB (its JSON) and an unknown call type, and passes the rest to the pipeline', async () => {
    const sink = new StoringSink();
    const worker = new IngestWorker({ log: unusedLog, pipeline: sink });
    const small = { type: 'track', userId: 'u-1', event: 'Content Viewed', messageId: 'm-small' };
    const verdicts = await worker.handle([
      record(small),
      record({ ...small, messageId: 'm-odd-type' }, { id: 'm-odd-type', type: 'segment.purchase' }),
      record({ ...small, messageId: 'm-big', properties: { note: big } }, { id: 'm-big' }),
    ]);
    expect(verdicts[0]).toEqual({ ok: true });
    expect(verdicts[1]).toMatchObject({ ok: false, error: expect.stringMatching(/^type: "segment.purchase" is not one of segment.identify, /) as unknown });
    expect(verdicts[2]).toMatchObject({ ok: false, error: expect.stringMatching(/^data: is \d+ bytes; a message may be at most 32768 bytes \(32 KiB\)$/) as unknown });
    expect(sink.received.map((received) => received.message.messageId)).toEqual(['m-small']);
    expect(worker.tally).toMatchObject({ records: 3, stored: 1, deadLettered: 2 });
  });
});
