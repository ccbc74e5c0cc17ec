import { describe, expect, it } from 'vitest';
import type { AppendRequest } from '../../../infra/sqlite/sqliteAppender.ts';
import { packRequests, unpackRequests } from '../../../infra/sqlite/writerPacking.ts';

describe('the appends of a group commit, packed for the writer thread', () => {
  it('come back as they were: every expectation, events or none, any text', () => {
    const requests: AppendRequest[] = [
      { stream: 'lead-1', expected: 'any', events: [{ id: 'a', type: 'TouchRecorded', data: '{"x":1}', metadata: '{"recordedAt":"2026-11-24T09:00:00.000Z"}' }] },
      { stream: 'lead-2', expected: 0, events: [] },
      { stream: 'lead-3', expected: 41, events: [{ id: 'b', type: 'T', data: '', metadata: '{}' }, { id: 'c', type: 'T', data: '"ünïcødé ✓ 𝄞"', metadata: '{}' }] },
      { stream: 'lead-ß', expected: 'noStream', events: [{ id: 'd', type: 'T', data: '{"s":"\\u0000 \\ud800"}', metadata: '{}' }] },
      { stream: 'x', expected: 'streamExists', events: [{ id: 'e', type: 'T', data: 'null', metadata: '{}' }] },
    ];
    expect(unpackRequests(packRequests(requests))).toEqual(requests);
    expect(unpackRequests(packRequests([]))).toEqual([]);
  });

  it('survive the copy to another thread', () => {
    const requests: AppendRequest[] = [{ stream: 'lead-1', expected: 7, events: [{ id: 'a', type: 'T', data: '{"name":"Zoë"}', metadata: '{}' }] }];
    expect(unpackRequests(structuredClone(packRequests(requests)))).toEqual(requests);
  });

  it('refuse strings that do not match their shape', () => {
    const packed = packRequests([{ stream: 'lead-1', expected: 'any', events: [{ id: 'a', type: 'T', data: '{}', metadata: '{}' }] }]);
    expect(() => unpackRequests({ ...packed, text: `${packed.text}!` })).toThrow(/do not match/);
    expect(() => unpackRequests({ ...packed, shape: Float64Array.from([-9, 1]) })).toThrow(/unknown expectation/);
  });
});
