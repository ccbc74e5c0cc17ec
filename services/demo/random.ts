/**
 * A small seeded pseudo-random stream: sfc32 (Chris Doty-Humphrey's Small Fast Counter, from
 * PractRand), seeded with the cyrb128 hash of a key. The demo never calls `Math.random`: every
 * draw comes from a stream named by the seed and what it is for (`createRandom(7, 'contact', 42)`),
 * so one person's draws do not shift when another person draws more, and the output is the same
 * on every machine.
 *
 *   const random = createRandom(seed, 'journey', contactIndex);
 *   const sessions = random.int(1, 4);
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of the values, each as likely as its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Log-normal with the given median; sigma is the spread of its logarithm. */
  logNormal(median: number, sigma: number): number;
  exponential(mean: number): number;
  poisson(mean: number): number;
  /** `length` lower-case hex digits. */
  hex(length: number): string;
  /** `length` characters of the alphabet (base62 by default). */
  token(length: number, alphabet?: string): string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function createRandom(...key: readonly (string | number)[]): Random {
  let [a, b, c, d] = cyrb128(key.join('|'));
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  // sfc32's first outputs still carry the seed's structure; skip them.
  for (let i = 0; i < 12; i++) next();

  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted: (entries) => {
      let total = 0;
      for (const [, weight] of entries) total += weight;
      let left = next() * total;
      for (const [value, weight] of entries) {
        left -= weight;
        if (left < 0) return value;
      }
      return entries[entries.length - 1]![0];
    },
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    logNormal: (median, sigma) => median * Math.exp(sigma * random.normal()),
    exponential: (mean) => -mean * Math.log(1 - next()),
    poisson: (mean) => {
      // Knuth's method for small means; the normal approximation where exp(-mean) would underflow.
      if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
      const limit = Math.exp(-mean);
      let count = 0;
      for (let product = next(); product > limit; product *= next()) count += 1;
      return count;
    },
    hex: (length) => random.token(length, '0123456789abcdef'),
    token: (length, alphabet = BASE62) => {
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      return text;
    },
  };
  return random;
}

/** cyrb128 (bryc): four 32-bit seeds from a string. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1_779_033_703;
  let h2 = 3_144_134_277;
  let h3 = 1_013_904_242;
  let h4 = 2_773_480_762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597_399_067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2_869_860_233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951_274_213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2_716_044_179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597_399_067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2_869_860_233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951_274_213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2_716_044_179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * A one-to-one scramble of a 32-bit number (lowbias32: xor-shifts and odd multipliers are
 * invertible), keyed: distinct indexes give distinct, random-looking ids, with no chance of a
 * collision that random ids would have.
 */
export function scramble32(value: number, key: number): number {
  let x = (value ^ key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Eight hex digits of a 32-bit number. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** A 32-bit key of a text, for `scramble32`. */
export function keyOf(...parts: readonly (string | number)[]): number {
  return cyrb128(parts.join('|'))[0];
}
