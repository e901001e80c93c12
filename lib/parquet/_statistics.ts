/**
 * Column-chunk statistics for the Parquet writer: null count, min and max as Parquet's
 * plain bytes (`min_value` / `max_value`, type-defined order). DuckDB prunes row groups with
 * them, so they are left out wherever they could be wrong.
 *
 * @module
 */

/** Statistics of one column chunk. */
export interface Stats {
  nullCount: number;
  min?: Uint8Array;
  max?: Uint8Array;
}

const encoder = new TextEncoder();
/** Longest string kept as a bound (bytes); a longer one leaves the bounds out. */
const MAX_STRING_STAT = 256;

function f64(x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return b;
}

function i64(x: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, x, true);
  return b;
}

/**
 * Doubles of the non-null rows in `[start, end)`, zero bounds signed as Parquet asks. No bounds
 * when a NaN is among them: DuckDB orders NaN above every number and would prune by the max.
 */
export function doubleStats(
  values: Float64Array,
  start: number,
  end: number,
  nulls: Uint8Array | undefined,
  nullCount: number,
): Stats {
  let min = Infinity;
  let max = -Infinity;
  let any = false;
  for (let i = start; i < end; i++) {
    if (nulls && nulls[i]) continue;
    const x = values[i]!;
    if (x !== x) return { nullCount };
    any = true;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!any) return { nullCount };
  return { nullCount, min: f64(min === 0 ? -0 : min), max: f64(max === 0 ? 0 : max) };
}

/** Integers of the non-null rows (`big` holds the exact value of rows beyond 2^53). */
export function int64Stats(
  values: Float64Array,
  start: number,
  end: number,
  nulls: Uint8Array | undefined,
  nullCount: number,
  big?: ReadonlyMap<number, bigint>,
): Stats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    if (nulls && nulls[i]) continue;
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === Infinity) return { nullCount };
  let lo = BigInt(min);
  let hi = BigInt(max);
  if (big) {
    for (const [row, b] of big) {
      if (row < start || row >= end) continue;
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
  }
  return { nullCount, min: i64(lo), max: i64(hi) };
}

/** Booleans of the non-null rows. */
export function boolStats(
  values: Uint8Array,
  start: number,
  end: number,
  nulls: Uint8Array | undefined,
  nullCount: number,
): Stats {
  let seen = 0; // bit 0: false seen, bit 1: true seen
  for (let i = start; i < end && seen !== 3; i++) {
    if (nulls && nulls[i]) continue;
    seen |= values[i] ? 2 : 1;
  }
  if (!seen) return { nullCount };
  return {
    nullCount,
    min: new Uint8Array([seen & 1 ? 0 : 1]),
    max: new Uint8Array([seen & 2 ? 1 : 0]),
  };
}

/**
 * Strings: `each` visits the strings of the chunk. `unordered`: some string sorts differently
 * in UTF-16 (JS) and in UTF-8 bytes (Parquet), so no bounds.
 */
export function stringStats(
  each: (visit: (s: string) => void) => void,
  nullCount: number,
  unordered: boolean,
): Stats {
  if (unordered) return { nullCount };
  let min: string | undefined;
  let max: string | undefined;
  each((s) => {
    // Keys mostly ascend: one comparison each.
    if (max === undefined || s > max) {
      max = s;
      if (min === undefined) min = s;
    } else if (s < min!) min = s;
  });
  if (min === undefined || max === undefined) return { nullCount };
  const lo = encoder.encode(min);
  const hi = encoder.encode(max);
  if (lo.length > MAX_STRING_STAT || hi.length > MAX_STRING_STAT) return { nullCount };
  return { nullCount, min: lo, max: hi };
}
