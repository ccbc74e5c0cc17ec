import { describe, expect, it } from 'vitest';
import { jsonBytesOver } from '../../services/ingest/messageSize.ts';

const exact = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const texts = ['', 'plain', 'ünïcødé', '𝄞 emoji 🚀', 'quote " and \\ backslash', 'control \u0000\u0001\n\t', 'lone \ud800 surrogate', '<script>alert(1)</script>', "'; DROP TABLE leads; --"];
const numbers = [0, -0, 1, -1.5, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 123456789.123456];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.35) return texts[Math.floor(next() * texts.length)]!.repeat(1 + Math.floor(next() * 40));
  if (pick < 0.5) return numbers[Math.floor(next() * numbers.length)];
  if (pick < 0.55) return next() < 0.5;
  if (pick < 0.6) return null;
  if (pick < 0.8) return Array.from({ length: Math.floor(next() * 6) }, () => value(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(next() * 6); i++) object[`${texts[Math.floor(next() * texts.length)]}${i}`] = value(next, depth + 1);
  if (next() < 0.2) object.left_out = undefined;
  return object;
}

describe('jsonBytesOver: a message’s size as JSON, measured only when it may pass the limit', () => {
  it('gives the exact UTF-8 size of the JSON when it is over the limit, and null when it is not, at every limit around it', () => {
    const next = random(42);
    for (let i = 0; i < 400; i++) {
      const message = { type: 'track', event: 'Viewed', properties: value(next, 0) };
      const size = exact(message);
      for (const limit of [0, 10, size - 1, size, size + 1, 32 * 1024]) {
        expect(jsonBytesOver(message, limit)).toBe(size > limit ? size : null);
      }
    }
  });

  it('measures arrays whose undefined items JSON writes as null', () => {
    const message = { items: [undefined, undefined, undefined] };
    expect(exact(message)).toBe('{"items":[null,null,null]}'.length);
    expect(jsonBytesOver(message, 25)).toBe(26);
    expect(jsonBytesOver(message, 26)).toBeNull();
  });

  it('finds a message of 40 KB of multi-byte text over 32 KiB, and a typical tracked call far under it', () => {
    const large = { type: 'track', properties: { note: 'é'.repeat(20_000) } };
    expect(jsonBytesOver(large, 32 * 1024)).toBe(exact(large));
    const typical = { type: 'track', event: 'Viewed pricing', userId: 'user-1', properties: { url: 'https://example.com/pricing?utm_source=google', title: 'Pricing' }, context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0' } };
    expect(jsonBytesOver(typical, 32 * 1024)).toBeNull();
  });
});
