/**
 * Histograms of numeric manifest fields, with bucket edges that every shard of a dataset shares,
 * so that shard histograms add up exactly.
 *
 * Two rules choose the edges:
 *
 * - `"fixed"`: the schema's `buckets` (ascending edges). Bucket `i` holds
 *   `edges[i] <= x < edges[i + 1]`, the last bucket also holds `x == edges[n]`; values outside
 *   are counted in `below` / `above`, so every value is counted once.
 * - `"decimal"` (default when the schema gives no buckets): one fixed grid for all data, with edges
 *   at `±d × 10^e` for `d = 1..9` and `e = -300..307`, plus `±1e308` and `±Number.MAX_VALUE` as
 *   the outermost edges (each edge is the double nearest the decimal `${d}e${e}`, so any language
 *   rebuilds the grid exactly). `[-1e-300, 1e-300)` is the bucket holding zero. A shard writes the
 *   grid buckets from its smallest to its largest value; a run of empty grid buckets is written as
 *   one bucket with count 0. Every non-empty bucket is thus exactly one grid bucket, and two shards'
 *   histograms merge by adding the counts of equal buckets. Resolution: 9 buckets per decade
 *   (relative width 11% to 100%). Infinite values count in the outermost buckets.
 *
 * @module
 */

/** A histogram as stored in a manifest header (`buckets` are the edges, one more than `counts`). */
export interface Histogram {
  /** How the edges were chosen (see the module doc). */
  rule: "fixed" | "decimal";
  /** Ascending bucket edges; empty when no value was counted. */
  buckets: number[];
  /** Count per bucket. */
  counts: number[];
  /** `"fixed"` only: values below the first edge. */
  below?: number;
  /** `"fixed"` only: values above the last edge. */
  above?: number;
}

let grid: Float64Array | undefined;

/** The decimal grid's edges, ascending (built once). */
function decimalGrid(): Float64Array {
  if (grid) return grid;
  const positive: number[] = [];
  for (let e = -300; e <= 307; e++) {
    for (let d = 1; d <= 9; d++) positive.push(Number(`${d}e${e}`));
  }
  positive.push(1e308, Number.MAX_VALUE);
  const edges = [...positive.map((x) => -x).reverse(), ...positive];
  grid = Float64Array.from(edges);
  return grid;
}

/** Index `i` of the bucket `[edges[i], edges[i+1])` holding `x` (the last bucket is closed). */
function bucketIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (edges[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The decimal-grid bucket `[lo, hi)` holding `x`.
 *
 * @example
 * ```ts
 * import { decimalBucket } from "./histogram.ts";
 * const [lo, hi] = decimalBucket(0.95);
 * if (lo !== 0.9 || hi !== 1) throw new Error(`unexpected ${lo}..${hi}`);
 * ```
 */
export function decimalBucket(x: number): [number, number] {
  const edges = decimalGrid();
  const i = bucketIndex(edges, clamp(x));
  return [edges[i]!, edges[i + 1]!];
}

/** Positive grid edges: `d × 10^e` for e = -300..307, d = 1..9, then 1e308 and MAX_VALUE. */
const POSITIVE = 608 * 9 + 2;

let octaves: Int32Array | undefined;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word of a double in `u32`. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Per binary exponent (biased, 0..2047) of a positive double, the largest `j` with
 * `pos[j] <= 2^exponent` (0 when none), where `pos[j] = grid[POSITIVE + j]`.
 */
function octaveStarts(edges: Float64Array): Int32Array {
  if (octaves) return octaves;
  octaves = new Int32Array(2048);
  let j = 0;
  for (let ex = 1; ex < 2047; ex++) {
    const v = 2 ** (ex - 1023);
    while (j + 1 < POSITIVE && edges[POSITIVE + j + 1]! <= v) j++;
    octaves[ex] = j;
  }
  return octaves;
}

/**
 * `bucketIndex(decimalGrid(), x)` for a clamped `x`, found from the binary exponent (a table
 * lookup, then the two or three grid edges within that power of two) instead of a 14-step
 * binary search; the binary search for the outermost buckets.
 */
function gridIndex(edges: Float64Array, x: number): number {
  return gridIndexIn(edges, edges.subarray(POSITIVE), octaveStarts(edges), x);
}

/** `gridIndex` with the positive edges (`pos`) and octave table at hand (hoisted out of loops). */
function gridIndexIn(edges: Float64Array, pos: Float64Array, octave: Int32Array, x: number) {
  const y = x < 0 ? -x : x;
  if (!(y >= 1e-300 && y < 1e308)) {
    return y < 1e-300 ? POSITIVE - 1 : bucketIndex(edges, x);
  }
  // j: index among the positive edges with pos[j] <= y < pos[j + 1].
  f64[0] = y;
  let j = octave[(u32[HIGH]! >>> 20) & 0x7ff]!;
  while (pos[j + 1]! <= y) j++;
  if (x > 0) return POSITIVE + j;
  // x = -y: the bucket [-pos[j], -pos[j-1]) holds it when -pos[j] <= x, i.e. y == pos[j].
  return pos[j] === y ? POSITIVE - 1 - j : POSITIVE - 2 - j;
}

/** `bucketIndex` for a few edges: a linear scan. */
function smallIndex(edges: Float64Array, x: number): number {
  const last = edges.length - 2;
  let i = 0;
  while (i < last && edges[i + 1]! <= x) i++;
  return i;
}

const MAX = Number.MAX_VALUE;

function clamp(x: number): number {
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, x));
}

/**
 * Counts values into a histogram under one of the two edge rules.
 *
 * @example
 * ```ts
 * import { HistogramAccumulator } from "./histogram.ts";
 * const h = new HistogramAccumulator([0, 0.5, 1]);
 * for (const x of [0.1, 0.7, 1, 2]) h.add(x);
 * const { counts, above } = h.finish();
 * if (counts.join() !== "1,2" || above !== 1) throw new Error("unexpected");
 * ```
 */
export class HistogramAccumulator {
  readonly #edges: Float64Array;
  readonly #fixed: boolean;
  readonly #first: number;
  readonly #last: number;
  readonly #counts: Uint32Array;
  #below = 0;
  #above = 0;

  /** `edges`: the schema's bucket edges; omitted: the decimal grid. */
  constructor(edges?: readonly number[]) {
    if (edges) {
      if (
        edges.length < 2 ||
        edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= edges[i - 1]!))
      ) {
        throw new RangeError(`Histogram edges must be finite, ascending, at least 2: [${edges}]`);
      }
    }
    this.#fixed = edges !== undefined;
    this.#edges = edges ? Float64Array.from(edges) : decimalGrid();
    this.#first = this.#edges[0]!;
    this.#last = this.#edges[this.#edges.length - 1]!;
    this.#counts = new Uint32Array(this.#edges.length - 1);
  }

  /** Counts one value (not NaN). */
  add(x: number): void {
    const edges = this.#edges;
    if (!this.#fixed) this.#counts[gridIndex(edges, clamp(x))]!++;
    else if (x < this.#first) this.#below++;
    else if (x > this.#last) this.#above++;
    else this.#counts[edges.length <= 16 ? smallIndex(edges, x) : bucketIndex(edges, x)]!++;
  }

  /**
   * Counts `values[i]` for every `i` not marked in `nulls` and not NaN (what `add` per value
   * does, in one loop per edge rule).
   */
  addAll(values: Float64Array, nulls?: Uint8Array): void {
    const edges = this.#edges;
    const counts = this.#counts;
    const n = values.length;
    if (!this.#fixed) {
      const pos = edges.subarray(POSITIVE);
      const octave = octaveStarts(edges);
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x !== x || (nulls && nulls[i])) continue;
        counts[gridIndexIn(edges, pos, octave, x < -MAX ? -MAX : x > MAX ? MAX : x)]!++;
      }
      return;
    }
    const first = this.#first;
    const last = this.#last;
    const small = edges.length <= 16;
    let below = 0;
    let above = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      if (x !== x || (nulls && nulls[i])) continue;
      if (x < first) below++;
      else if (x > last) above++;
      else counts[small ? smallIndex(edges, x) : bucketIndex(edges, x)]!++;
    }
    this.#below += below;
    this.#above += above;
  }

  /** The histogram in its stored form. */
  finish(): Histogram {
    const counts = this.#counts;
    if (this.#fixed) {
      return {
        rule: "fixed",
        buckets: Array.from(this.#edges),
        counts: Array.from(counts),
        below: this.#below,
        above: this.#above,
      };
    }
    return compressGrid(counts);
  }
}

/** Writes grid counts from first to last non-empty bucket, empty runs as one zero bucket. */
function compressGrid(counts: ArrayLike<number>): Histogram {
  const edges = decimalGrid();
  let first = 0;
  let last = counts.length - 1;
  while (first <= last && counts[first] === 0) first++;
  while (last >= first && counts[last] === 0) last--;
  if (first > last) return { rule: "decimal", buckets: [], counts: [] };
  const buckets = [edges[first]!];
  const out: number[] = [];
  for (let i = first; i <= last;) {
    if (counts[i]! > 0) {
      out.push(counts[i]!);
      buckets.push(edges[++i]!);
    } else {
      while (counts[i] === 0) i++;
      out.push(0);
      buckets.push(edges[i]!);
    }
  }
  return { rule: "decimal", buckets, counts: out };
}

/** Grid counts of a decimal histogram; undefined when a counted bucket is not a grid bucket. */
function gridCounts(h: Histogram, into: Float64Array): boolean {
  const edges = decimalGrid();
  for (let b = 0; b < h.counts.length; b++) {
    const count = h.counts[b]!;
    if (count === 0) continue;
    const lo = h.buckets[b]!;
    const i = bucketIndex(edges, lo);
    if (edges[i] !== lo || edges[i + 1] !== h.buckets[b + 1]) return false;
    into[i]! += count;
  }
  return true;
}

/**
 * Adds histograms of the same rule and edges exactly; `undefined` when they cannot be added
 * exactly (different fixed edges, or different rules, e.g. after a schema changed its buckets).
 *
 * @example
 * ```ts
 * import { HistogramAccumulator, mergeHistograms } from "./histogram.ts";
 * const a = new HistogramAccumulator(); a.add(3); a.add(0.5);
 * const b = new HistogramAccumulator(); b.add(3.5); b.add(700);
 * const sum = mergeHistograms([a.finish(), b.finish()]);
 * if (sum?.counts.reduce((x, y) => x + y) !== 4) throw new Error("counts must add up");
 * ```
 */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram | undefined {
  const [head] = histograms;
  if (!head) return undefined;
  if (histograms.some((h) => h.rule !== head.rule)) return undefined;
  if (head.rule === "fixed") {
    const edges = head.buckets.join();
    if (histograms.some((h) => h.buckets.join() !== edges)) return undefined;
    const sum = (f: (h: Histogram) => number) => histograms.reduce((s, h) => s + f(h), 0);
    return {
      rule: "fixed",
      buckets: [...head.buckets],
      counts: head.counts.map((_, i) => sum((h) => h.counts[i]!)),
      below: sum((h) => h.below ?? 0),
      above: sum((h) => h.above ?? 0),
    };
  }
  const counts = new Float64Array(decimalGrid().length - 1);
  for (const h of histograms) if (!gridCounts(h, counts)) return undefined;
  return compressGrid(counts);
}
