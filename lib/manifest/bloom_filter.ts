/**
 * {@linkcode BloomFilter}: the membership summary of a high-cardinality `set` field.
 *
 * @module
 */
import { murmur3 } from "./_murmur3.ts";
import { fromBase64, toBase64 } from "../util/base64.ts";

/** The portable form of a bloom filter, as stored in a manifest header. */
export interface BloomFilterJson {
  /** Number of bits. */
  m: number;
  /** Number of hash functions. */
  k: number;
  /**
   * How bit positions are derived: `"murmur3_x86_32"` means, over the UTF-8 bytes of the value,
   * `h1 = murmur3(bytes, 0)`, `h2 = murmur3(bytes, 1)` and bit `i` (0 <= i < k) at
   * `(h1 + i * h2) mod m`; bit `j` is `(byte[j >> 3] >> (j & 7)) & 1`.
   */
  hash: "murmur3_x86_32";
  /** The bit array, base64. */
  base64: string;
}

/** Options for {@linkcode BloomFilter.forCapacity}. */
export interface BloomFilterOptions {
  /** Target false-positive rate at the given capacity. @default 0.01 */
  falsePositiveRate?: number;
}

const encoder = new TextEncoder();

/**
 * A bloom filter over strings: never a false negative; false positives at about the rate it was
 * sized for.
 *
 * @example
 * ```ts
 * import { BloomFilter } from "./bloom_filter.ts";
 * const bloom = BloomFilter.forCapacity(1000);
 * bloom.add("outdoor");
 * const copy = BloomFilter.fromJSON(bloom.toJSON());
 * if (!copy.has("outdoor")) throw new Error("bloom filters have no false negatives");
 * ```
 */
export class BloomFilter {
  /** Number of bits. */
  readonly m: number;
  /** Number of hash functions. */
  readonly k: number;
  /** The bits, least significant bit first within each byte. */
  readonly bits: Uint8Array;

  constructor(m: number, k: number, bits?: Uint8Array) {
    if (!(Number.isInteger(m) && m > 0 && Number.isInteger(k) && k > 0)) {
      throw new RangeError(`Cannot make a bloom filter with m=${m}, k=${k}`);
    }
    this.m = m;
    this.k = k;
    this.bits = bits ?? new Uint8Array(Math.ceil(m / 8));
    if (this.bits.length !== Math.ceil(m / 8)) {
      throw new RangeError(`Bloom filter bits hold ${this.bits.length} bytes, m=${m} needs more`);
    }
  }

  /** A filter sized for `n` distinct values at `options.falsePositiveRate`. */
  static forCapacity(n: number, options: BloomFilterOptions = {}): BloomFilter {
    const p = options.falsePositiveRate ?? 0.01;
    const items = Math.max(1, n);
    const m = Math.max(64, Math.ceil((-items * Math.log(p)) / (Math.LN2 * Math.LN2) / 8) * 8);
    const k = Math.max(1, Math.round((m / items) * Math.LN2));
    return new BloomFilter(m, k);
  }

  /** Reads the portable form; rejects unknown hash schemes. */
  static fromJSON(json: BloomFilterJson): BloomFilter {
    if (json.hash !== "murmur3_x86_32") {
      throw new TypeError(`Cannot read bloom filter: unknown hash "${json.hash}"`);
    }
    return new BloomFilter(json.m, json.k, fromBase64(json.base64));
  }

  /** Adds a value. */
  add(value: string): void {
    const bytes = encoder.encode(value);
    const h1 = murmur3(bytes, 0);
    const h2 = murmur3(bytes, 1);
    for (let i = 0; i < this.k; i++) {
      const j = (h1 + i * h2) % this.m;
      this.bits[j >>> 3]! |= 1 << (j & 7);
    }
  }

  /** False when the value was certainly never added. */
  has(value: string): boolean {
    const bytes = encoder.encode(value);
    const h1 = murmur3(bytes, 0);
    const h2 = murmur3(bytes, 1);
    for (let i = 0; i < this.k; i++) {
      const j = (h1 + i * h2) % this.m;
      if ((this.bits[j >>> 3]! & (1 << (j & 7))) === 0) return false;
    }
    return true;
  }

  /** The union with a filter of the same `m` and `k` (a filter of both value sets). */
  union(other: BloomFilter): BloomFilter {
    if (other.m !== this.m || other.k !== this.k) {
      throw new RangeError(
        `Cannot union bloom filters of different shapes (m=${this.m}, k=${this.k} and m=${other.m}, k=${other.k})`,
      );
    }
    const bits = this.bits.slice();
    for (let i = 0; i < bits.length; i++) bits[i]! |= other.bits[i]!;
    return new BloomFilter(this.m, this.k, bits);
  }

  /** The portable form. */
  toJSON(): BloomFilterJson {
    return { m: this.m, k: this.k, hash: "murmur3_x86_32", base64: toBase64(this.bits) };
  }
}
