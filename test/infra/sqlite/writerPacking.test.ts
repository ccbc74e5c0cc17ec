import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { AppendRequest } from '../../../infra/sqlite/sqliteAppender.ts';
import { type PackedRequests, packRequests, textOf, transferOf, unpackRequests } from '../../../infra/sqlite/writerPacking.ts';

/** The requests with data and metadata as text again (the writer gets them as UTF-8 bytes). */
function asText(requests: readonly AppendRequest[]): AppendRequest[] {
  return requests.map((request) => ({ ...request, events: request.events.map((event) => ({ ...event, data: textOf(event.data), metadata: textOf(event.metadata) })) }));
}

const requests: AppendRequest[] = [
  { stream: 'lead-1', expected: 'any', events: [{ id: 'a', type: 'TouchRecorded', data: '{"x":1}', metadata: '{"recordedAt":"2026-11-24T09:00:00.000Z"}' }] },
  { stream: 'lead-2', expected: 0, events: [] },
  { stream: 'lead-3', expected: 41, events: [{ id: 'b', type: 'T', data: '', metadata: '{}' }, { id: 'c', type: 'T', data: '"ünïcødé ✓ 𝄞 – 中文"', metadata: '{}' }] },
  { stream: 'lead-ß', expected: 'noStream', events: [{ id: 'd', type: 'T', data: '{"s":"\\u0000 \\ud800"}', metadata: '{}' }] },
  { stream: 'x', expected: 'streamExists', events: [{ id: 'e', type: 'T', data: 'null', metadata: '{"by":"Zoë"}' }] },
];

describe('the appends of a group commit, packed for the writer thread', () => {
  it('come back as they were: every expectation, events or none, any text', () => {
    const unpacked = unpackRequests(packRequests(requests));
    expect(unpacked.flatMap((request) => request.events).every((event) => event.data instanceof Uint8Array && event.metadata instanceof Uint8Array)).toBe(true);
    expect(asText(unpacked)).toEqual(requests);
    expect(unpackRequests(packRequests([]))).toEqual([]);
  });

  it('carry data and metadata as their exact UTF-8 bytes', () => {
    const [request] = unpackRequests(packRequests([requests[2]!]));
    expect(Buffer.from(request!.events[1]!.data as Uint8Array).equals(Buffer.from('"ünïcødé ✓ 𝄞 – 中文"', 'utf8'))).toBe(true);
  });

  it('have room for texts that take the most bytes UTF-8 allows (3 a code unit, 4 a pair)', () => {
    const texts = ['中'.repeat(5_000), '𝄞'.repeat(3_000), '\ud800'.repeat(2_000), `"${'–'.repeat(4_000)}"`];
    const worst: AppendRequest[] = [{ stream: 'lead-1', expected: 'any', events: texts.map((text, i) => ({ id: `w${i}`, type: 'T', data: text, metadata: text })) }];
    const [request] = unpackRequests(packRequests(worst));
    request!.events.forEach((event, i) => {
      expect(Buffer.from(event.data as Uint8Array).equals(Buffer.from(texts[i]!, 'utf8'))).toBe(true);
      expect(Buffer.from(event.metadata as Uint8Array).equals(Buffer.from(texts[i]!, 'utf8'))).toBe(true);
    });
  });

  it('pack bytes they were given as bytes (a request unpacked and packed again)', () => {
    expect(asText(unpackRequests(packRequests(unpackRequests(packRequests(requests)))))).toEqual(requests);
  });

  it('survive the copy to another thread', () => {
    const one: AppendRequest[] = [{ stream: 'lead-1', expected: 7, events: [{ id: 'a', type: 'T', data: '{"name":"Zoë"}', metadata: '{}' }] }];
    expect(asText(unpackRequests(structuredClone(packRequests(one))))).toEqual(one);
  });

  it('move their bytes to the other side of a port instead of copying them', async () => {
    const packed = packRequests(requests);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<PackedRequests>((resolve) => port2.once('message', resolve));
    port1.postMessage(packed, transferOf(packed));
    const arrived = await received;
    port1.close();
    port2.close();
    // Moved: gone from this side.
    expect(packed.bytes.byteLength).toBe(0);
    expect(asText(unpackRequests(arrived))).toEqual(requests);
    expect(transferOf(packRequests([]))).toEqual([]);
  });

  it('refuse strings or bytes that do not match their shape', () => {
    const packed = packRequests([{ stream: 'lead-1', expected: 'any', events: [{ id: 'a', type: 'T', data: '{}', metadata: '{}' }] }]);
    expect(() => unpackRequests({ ...packed, text: `${packed.text}!` })).toThrow(/strings do not match/);
    expect(() => unpackRequests({ ...packed, bytes: Buffer.concat([packed.bytes, Buffer.from('!')]) })).toThrow(/bytes do not match/);
    expect(() => unpackRequests({ ...packed, shape: Float64Array.from([-9, 1]) })).toThrow(/unknown expectation/);
  });
});
