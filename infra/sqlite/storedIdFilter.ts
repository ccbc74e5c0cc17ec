import { BloomFilter } from 'bloomfilter';

/** The first layer's share of false positives; each later layer has half its predecessor's, so all together stay below twice this. */
const FIRST_LAYER_ERROR = 0.008;
/**
 * Fewest ids the first layer is made for (about 1.2 MB): a young store grows many times over, and
 * each layer is one more test for every new id.
 */
const MIN_CAPACITY = 1_048_576;

interface Layer {
  readonly filter: BloomFilter;
  readonly capacity: number;
  count: number;
}

/**
 * Every id added, in a Bloom filter that grows as ids come (a scalable Bloom filter: a new layer of
 * twice the capacity and half the error rate when the newest is full). `mayHold` is false only for
 * an id never added, and true for about one other id in a hundred; about 1.2 bytes an id.
 *
 *   const ids = new IdFilter(expected);
 *   ids.add(id);
 *   ids.mayHold(id); // true
 */
export class IdFilter {
  readonly #layers: Layer[] = [];

  /** Made for `expected` ids, at least `minCapacity`. */
  constructor(expected = 0, minCapacity = MIN_CAPACITY) {
    this.#grow(Math.max(minCapacity, Math.ceil(expected)));
  }

  add(id: string): void {
    let layer = this.#layers[this.#layers.length - 1]!;
    if (layer.count >= layer.capacity) layer = this.#grow(layer.capacity * 2);
    layer.filter.add(id);
    layer.count += 1;
  }

  mayHold(id: string): boolean {
    for (const layer of this.#layers) if (layer.filter.test(id)) return true;
    return false;
  }

  /** Ids added (an id added twice counts twice). */
  get added(): number {
    return this.#layers.reduce((sum, layer) => sum + layer.count, 0);
  }

  /** Memory the filter's bits take. */
  get bytes(): number {
    return this.#layers.reduce((sum, layer) => sum + layer.filter.buckets.byteLength, 0);
  }

  #grow(capacity: number): Layer {
    const error = FIRST_LAYER_ERROR / 2 ** this.#layers.length;
    // The optimal size and number of hashes for `capacity` ids at `error` false positives (at most
    // the library's 2^32 bits, 512 MiB: past that the layer answers "maybe" more often).
    const bits = Math.min(2 ** 32, Math.ceil((-capacity * Math.log(error)) / Math.LN2 ** 2));
    const hashes = Math.max(1, Math.round((bits / capacity) * Math.LN2));
    const layer: Layer = { filter: new BloomFilter(bits, hashes), capacity, count: 0 };
    this.#layers.push(layer);
    return layer;
  }
}
