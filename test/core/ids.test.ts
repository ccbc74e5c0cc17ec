import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { deriveId, isUuid, newId, sequentialIds } from '../../services/core/index.ts';

describe('ids', () => {
  it('new ids are UUIDv7 and sort in creation order', () => {
    const ids = Array.from({ length: 1_000 }, () => newId());

    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === '7')).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('new ids carry the time they were made and stay in order past 4,096 in one millisecond', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newId());
    const after = Date.now();
    const msOf = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(msOf(ids[0]!)).toBeGreaterThanOrEqual(before);
    // A millisecond's counter can overflow into the next: at most 20,000 / 2,048 ms ahead of the clock.
    expect(msOf(ids.at(-1)!)).toBeLessThanOrEqual(after + 10);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });

  it('derived ids are the same for the same parts and differ when any part differs', () => {
    const id = deriveId('segment', 'write-key-1', 'message-42');

    expect(isUuid(id)).toBe(true);
    expect(deriveId('segment', 'write-key-1', 'message-42')).toBe(id);
    expect(deriveId('segment', 'write-key-2', 'message-42')).not.toBe(id);
    expect(deriveId('segment', 'write-key-1', 'message-43')).not.toBe(id);
  });

  it('derived ids are the RFC UUIDv5 of the length-prefixed parts, as they were when first stored', () => {
    // Stored events carry these ids and a resent message must derive the same ones: this pins the
    // derivation to the uuid package's v5 for ASCII, unicode, empty and long parts.
    const namespace = '6f1c2b0e-5d4a-4c8e-9a57-2f3b8e1d7c40';
    const cases: string[][] = [
      ['segment', 'message-42', '0'],
      ['lead', ''],
      ['segment', 'ÿ-émoji-🚀-中文', '3'],
      ['account', 'x'.repeat(5_000)],
    ];
    for (const parts of cases) {
      const name = parts.map((part) => `${part.length}:${part}`).join('|');
      expect(deriveId(...parts)).toBe(uuidv5(name, namespace));
    }
    expect(deriveId('segment', 'message-42', '0')[14]).toBe('5');
    // Enough names for every variant digit (8, 9, a, b) to come up.
    const variants = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = deriveId('segment', `m-${i}`, '0');
      expect(id).toBe(uuidv5(`7:segment|${`m-${i}`.length}:m-${i}|1:0`, namespace));
      variants.add(id[19]!);
    }
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
  });

  it('derived ids cannot be confused by moving a separator between parts', () => {
    expect(deriveId('a|b', 'c')).not.toBe(deriveId('a', 'b|c'));
    expect(deriveId('ab', 'c')).not.toBe(deriveId('a', 'bc'));
  });

  it('sequential ids count up and are valid UUIDs', () => {
    const next = sequentialIds();

    expect([next(), next(), next()]).toEqual([
      '00000000-0000-7000-8000-000000000000',
      '00000000-0000-7000-8000-000000000001',
      '00000000-0000-7000-8000-000000000002',
    ]);
  });

  it('rejects what is not a UUID', () => {
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isUuid(42)).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });
});
