/**
 * Column builders: one per manifest field of an open shard (or of a batch of its rows, see
 * `_row_capture.ts`), fed one value per sample and turned into a typed column
 * (`lib/parquet/column_data.ts`) when the batch or shard closes. Scalars are normalized as they arrive,
 * while the sample is still in the CPU cache, into growing typed arrays (strings as dictionary
 * codes), so nothing of the samples is kept alive but the distinct strings; list values are
 * kept as they are until then (see {@linkcode ListBuilder}).
 *
 * @module
 */
import type { ManifestValue } from "./aggregate.ts";
import { categoryKey } from "./categorical_aggregate.ts";
import {
  BoolColumn,
  type ColumnData,
  ItemCoder,
  type KeyColumn,
  KeyParts,
  ListColumn,
  ListParts,
  NumberColumn,
  StringColumn,
} from "../parquet/column_data.ts";
import { growF64, growU8 } from "../util/grow_array.ts";

/** Builds one column, a value per row. */
export interface ColumnBuilder {
  /** Adds the next row's value, as given in the sample. */
  push(value: unknown): void;
  /** The column of the rows so far. */
  finish(): ColumnData;
  /** The column, or a form whose last steps can run in the encode worker (lists). */
  finishParts?(): ColumnData | ListParts;
}

/** Rows a builder makes room for at first (the builder's owner passes last shard's count). */
const INITIAL = 256;
const INT64_LIMIT = 2 ** 63;

/** Epoch ms of a timestamp value (Date, ms, ISO string), or null. */
export function toMs(v: unknown): number | null {
  const ms = v instanceof Date
    ? v.getTime()
    : typeof v === "number"
    ? v
    : typeof v === "string"
    ? Date.parse(v)
    : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Numbers in a Float64Array, null rows marked; subclasses normalize (one `push` each). */
abstract class NumberBuilder implements ColumnBuilder {
  protected values: Float64Array;
  protected n = 0;
  #nulls: Uint8Array | undefined;
  #nullCount = 0;
  protected big: Map<number, bigint> | undefined;

  constructor(capacity = INITIAL) {
    this.values = new Float64Array(Math.max(16, capacity));
  }

  abstract push(value: unknown): void;

  protected grow(): void {
    this.values = growF64(this.values, this.n + 1);
    if (this.#nulls) this.#nulls = growU8(this.#nulls, this.values.length);
  }

  protected null(): void {
    (this.#nulls ??= new Uint8Array(this.values.length))[this.n] = 1;
    this.#nullCount++;
  }

  finish(): NumberColumn {
    return new NumberColumn(
      this.values.subarray(0, this.n),
      this.#nulls?.subarray(0, this.n),
      this.#nullCount,
      this.big,
    );
  }
}

/** `float`: numbers as they are (NaN kept), bigints as numbers, anything else null. */
export class FloatBuilder extends NumberBuilder {
  push(v: unknown): void {
    if (this.n === this.values.length) this.grow();
    if (typeof v === "number") this.values[this.n] = v;
    else if (typeof v === "bigint") this.values[this.n] = Number(v);
    else this.null();
    this.n++;
  }
}

/**
 * `int`: finite numbers truncated, bigints (exact beyond 2^53). A value outside int64 (the
 * schema allows uint64) cannot be stored: `finish` throws a RangeError naming the first one (not
 * `push`, which runs inside the ShardWriter's write, after the sample is in the tar).
 */
export class IntBuilder extends NumberBuilder {
  #outOfRange: number | bigint | undefined;

  push(v: unknown): void {
    if (this.n === this.values.length) this.grow();
    if (typeof v === "number") {
      if (v - v !== 0) this.null(); // NaN, ±Infinity
      else if (v >= INT64_LIMIT || v < -INT64_LIMIT) this.#tooBig(v);
      else this.values[this.n] = Math.trunc(v);
    } else if (typeof v === "bigint") {
      if (v >= 2n ** 63n || v < -(2n ** 63n)) this.#tooBig(v);
      else {
        const x = Number(v);
        this.values[this.n] = x;
        if (!Number.isSafeInteger(x)) (this.big ??= new Map()).set(this.n, v);
      }
    } else this.null();
    this.n++;
  }

  #tooBig(v: number | bigint): void {
    this.#outOfRange ??= v;
    this.null();
  }

  override finish(): NumberColumn {
    if (this.#outOfRange !== undefined) {
      throw new RangeError(
        `Cannot store ${this.#outOfRange} in a manifest int column: outside the int64 range`,
      );
    }
    return super.finish();
  }
}

/** `timestamp`: epoch ms of Dates, numbers and ISO strings; invalid ones null. */
export class TimeBuilder extends NumberBuilder {
  push(v: unknown): void {
    if (this.n === this.values.length) this.grow();
    const ms = v instanceof Date ? v.getTime() : toMs(v);
    if (ms === null || ms !== ms) this.null();
    else this.values[this.n] = ms;
    this.n++;
  }
}

/** `bool`: true/false, anything else null. */
export class BoolBuilder implements ColumnBuilder {
  #values: Uint8Array;
  #nulls: Uint8Array | undefined;
  #n = 0;
  #nullCount = 0;

  constructor(capacity = INITIAL) {
    this.#values = new Uint8Array(Math.max(16, capacity));
  }

  push(v: unknown): void {
    if (this.#n === this.#values.length) {
      this.#values = growU8(this.#values, this.#n + 1);
      if (this.#nulls) this.#nulls = growU8(this.#nulls, this.#values.length);
    }
    if (v === true) this.#values[this.#n] = 1;
    else if (v !== false) {
      (this.#nulls ??= new Uint8Array(this.#values.length))[this.#n] = 1;
      this.#nullCount++;
    }
    this.#n++;
  }

  finish(): BoolColumn {
    const n = this.#n;
    return new BoolColumn(
      this.#values.subarray(0, n),
      this.#nulls?.subarray(0, n),
      this.#nullCount,
    );
  }
}

/** The string of a `str` value (numbers, bigints, booleans stringified), or null. */
export function toStr(v: unknown): string | null {
  return typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
    ? String(v)
    : null;
}

/** `str`: dictionary codes (-1 for null). */
export class StringBuilder implements ColumnBuilder {
  readonly #coder: ItemCoder;
  #nullCount = 0;

  constructor(capacity = INITIAL) {
    this.#coder = new ItemCoder(capacity);
  }

  push(v: unknown): void {
    const s = typeof v === "string" ? v : toStr(v);
    if (s === null) {
      this.#coder.addNull();
      this.#nullCount++;
    } else this.#coder.add(s);
  }

  finish(): StringColumn {
    const { dict, codes } = this.#coder.finish();
    return new StringColumn(dict, codes, this.#nullCount);
  }
}

/**
 * Lists: each item normalized by the item type and stringified (`categoryKey`), null items
 * dropped; a value that is not an array is a null row. With `normalized`, string items are
 * taken as they are (already stringified). The lists are kept as they are until the batch or
 * shard closes (an array store per sample), then dictionary-coded as they are read
 * ({@linkcode ListColumn}) while their distinct items are few, else handed on as one text
 * ({@linkcode ListParts}) coded in the encode worker. (Coding each list as it arrives costs the
 * same in `bench/manifests.ts`.)
 */
export class ListBuilder implements ColumnBuilder {
  readonly #rows: unknown[];
  #n = 0;

  constructor(
    readonly normalize: (v: unknown) => ManifestValue | null,
    readonly timestamp: boolean,
    /** String items go in as they are (the item type is `str`, or the values are normalized). */
    readonly strings: boolean,
    capacity = INITIAL,
  ) {
    this.#rows = slots(capacity);
  }

  push(v: unknown): void {
    this.#rows[this.#n++] = v;
  }

  /**
   * The rows as a column coded here unless, at some item, more than 256 and more than half of
   * the items so far are distinct: while items repeat, a Map lookup per item costs the writer's
   * thread less than joining their text and posting it to the encode worker
   * (`bench/manifests.ts`). Else the items' text, coded where the column is encoded.
   */
  finishParts(): ListColumn | ListParts {
    const coder = new ItemCoder(this.#n * 2, FEW);
    const rows = this.#walk((item) => coder.add(item));
    if (rows) {
      const { dict, codes } = coder.finish();
      return new ListColumn(dict, rows.offsets, codes, rows.nulls, rows.nullCount);
    }
    const items: string[] = [];
    const { offsets, nulls, nullCount } = this.#walk((item) => items.push(item) > 0)!;
    const lengths = new Int32Array(items.length);
    for (let k = 0; k < items.length; k++) lengths[k] = items[k]!.length;
    return new ListParts(items.join(""), lengths, offsets, nulls, nullCount);
  }

  /**
   * Gives `take` each row's items in order, normalized and stringified (null items dropped), and
   * returns where each row's items start and the null rows; undefined once `take` refuses one.
   */
  #walk(
    take: (item: string) => boolean,
  ): { offsets: Int32Array; nulls: Uint8Array | undefined; nullCount: number } | undefined {
    const rows = this.#rows;
    const n = this.#n;
    const strings = this.strings;
    const offsets = new Int32Array(n + 1);
    let nulls: Uint8Array | undefined;
    let nullCount = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = rows[i];
      if (!Array.isArray(v)) {
        (nulls ??= new Uint8Array(n))[i] = 1;
        nullCount++;
      } else {
        for (let j = 0; j < v.length; j++) {
          const item = v[j];
          let text: string;
          if (typeof item === "string" && strings) text = item;
          else {
            const x = this.normalize(item);
            if (x === null) continue;
            text = categoryKey(x, this.timestamp);
          }
          if (!take(text)) return undefined;
          k++;
        }
      }
      offsets[i + 1] = k;
    }
    return { offsets, nulls, nullCount };
  }

  finish(): ListColumn {
    const column = this.finishParts();
    return column instanceof ListParts ? column.column() : column;
  }
}

/**
 * An array with room for `capacity` items, to be filled by index (cheaper than `push`, which
 * grows the array as it goes). At most 65536 at first, so that V8 keeps its elements fast.
 */
function slots<T>(capacity: number): T[] {
  return new Array(Math.min(capacity, 65536));
}

/** Distinct list items past which coding at the close may give up (see `ItemCoder`). */
const FEW = 256;

/**
 * Sample keys: kept as they are (an array store per sample, cheaper than copying each key's
 * chars into bytes while the writer's data fills the caches), joined into one string when
 * the batch or shard closes ({@linkcode KeyParts}); their UTF-8 is encoded from it in one call,
 * in the encode worker when there is one. The Parquet writer prefix-compresses them.
 */
export class KeyBuilder {
  readonly #keys: string[];
  #n = 0;

  constructor(capacity = INITIAL) {
    this.#keys = slots(capacity);
  }

  push(key: string): void {
    this.#keys[this.#n++] = key;
  }

  /** The keys as one string and each key's length (what goes to the encode worker). */
  finishParts(): KeyParts {
    const keys = this.#keys;
    const n = this.#n;
    keys.length = n;
    const lengths = new Int32Array(n);
    for (let i = 0; i < n; i++) lengths[i] = keys[i]!.length;
    return new KeyParts(keys.join(""), lengths);
  }

  finish(): KeyColumn {
    return this.finishParts().column();
  }
}
