/**
 * One shard's normalized values of one manifest field, column-wise: what the aggregates count
 * (`Accumulator.addColumn`) and what the Parquet writer encodes. Built by the column builders
 * (`lib/manifest/_column_builders.ts`) as the samples are written.
 *
 * - {@linkcode NumberColumn}: `int`, `float`, `timestamp` (epoch milliseconds) in a Float64Array.
 * - {@linkcode BoolColumn}: 0/1 in a Uint8Array.
 * - {@linkcode StringColumn}: dictionary (distinct values, first-seen order) and codes per row.
 * - {@linkcode ListColumn}: list items as dictionary codes, `offsets` per row.
 * - {@linkcode KeyColumn}: the sample keys, prefix-compressed.
 *
 * Every column answers `value(row)` with the normalized value the per-value accumulator API
 * takes (`Accumulator.add`), so any aggregate can read any column.
 *
 * @module
 */
import { growI32 } from "../util/grow_array.ts";

const encoder = new TextEncoder();

/** A normalized non-null value of a row (the manifest's `ManifestValue`). */
export type ColumnValue = string | number | bigint | boolean | string[];

/** Common shape of the columns. */
interface BaseColumn {
  /** Rows. */
  readonly length: number;
  /** Null rows. */
  readonly nullCount: number;
  /** The normalized value of a row, or null. */
  value(row: number): ColumnValue | null;
}

/** Numbers (int, float, timestamp as epoch ms); `nulls[row]` is 1 for a null row. */
export class NumberColumn implements BaseColumn {
  readonly kind = "number";
  constructor(
    readonly values: Float64Array,
    readonly nulls: Uint8Array | undefined,
    readonly nullCount: number,
    /** Rows of an int column whose exact value is a bigint (`values` holds it rounded). */
    readonly big?: ReadonlyMap<number, bigint>,
  ) {}
  get length(): number {
    return this.values.length;
  }
  value(row: number): number | bigint | null {
    if (this.nulls?.[row]) return null;
    return this.big?.get(row) ?? this.values[row]!;
  }
}

/** Booleans as 0/1. */
export class BoolColumn implements BaseColumn {
  readonly kind = "bool";
  constructor(
    readonly values: Uint8Array,
    readonly nulls: Uint8Array | undefined,
    readonly nullCount: number,
  ) {}
  get length(): number {
    return this.values.length;
  }
  value(row: number): boolean | null {
    return this.nulls?.[row] ? null : this.values[row] === 1;
  }
}

/**
 * Strings: `dict` holds each distinct value once, `codes[row]` its index (-1: null); every entry
 * occurs in the column.
 */
export class StringColumn implements BaseColumn {
  readonly kind = "string";
  constructor(
    readonly dict: readonly string[],
    readonly codes: Int32Array,
    readonly nullCount: number,
  ) {}
  get length(): number {
    return this.codes.length;
  }
  value(row: number): string | null {
    const c = this.codes[row]!;
    return c < 0 ? null : this.dict[c]!;
  }
}

/**
 * Lists of strings: row `r`'s items are `dict[codes[k]]` for `offsets[r] <= k < offsets[r+1]`;
 * a null row has no items. Every dictionary entry occurs in the column.
 */
export class ListColumn implements BaseColumn {
  readonly kind = "list";
  constructor(
    readonly dict: readonly string[],
    readonly offsets: Int32Array,
    readonly codes: Int32Array,
    readonly nulls: Uint8Array | undefined,
    readonly nullCount: number,
  ) {}
  get length(): number {
    return this.offsets.length - 1;
  }
  value(row: number): string[] | null {
    if (this.nulls?.[row]) return null;
    const out: string[] = [];
    for (let k = this.offsets[row]!; k < this.offsets[row + 1]!; k++) {
      out.push(this.dict[this.codes[k]!]!);
    }
    return out;
  }
}

/**
 * A list column before its items are dictionary-coded: the items' text back to back, each
 * item's length, `offsets[r]` the first item of row `r` (as in {@linkcode ListColumn}). What the
 * list builder yields per sample cheaply; {@linkcode ListParts.column} codes it (in the encode
 * worker when there is one).
 */
export class ListParts {
  readonly kind = "list_parts";
  constructor(
    readonly text: string,
    readonly itemLengths: Int32Array,
    readonly offsets: Int32Array,
    readonly nulls: Uint8Array | undefined,
    readonly nullCount: number,
  ) {}

  /** The coded column: each distinct item once, in first-seen order. */
  column(): ListColumn {
    const bytes = encoder.encode(this.text);
    const codes = bytes.length === this.text.length
      ? codeAscii(this.text, bytes, this.itemLengths)
      : codeStrings(this.text, this.itemLengths);
    return new ListColumn(codes.dict, this.offsets, codes.codes, this.nulls, this.nullCount);
  }
}

interface Coded {
  dict: string[];
  codes: Int32Array;
}

/** Dictionary codes of the items of any text: a string per item, looked up in a Map. */
function codeStrings(text: string, itemLengths: Int32Array): Coded {
  const coder = new ItemCoder(itemLengths.length);
  let at = 0;
  for (let i = 0; i < itemLengths.length; i++) coder.add(text.slice(at, at += itemLengths[i]!));
  return coder.finish();
}

/**
 * Dictionary codes of string items given one at a time (each distinct item once, in first-seen
 * order), looked up in a Map. With `few`, {@linkcode ItemCoder.add} refuses an item (and the
 * coder is spent) once more than `few` and more than half of the items so far are distinct.
 */
export class ItemCoder {
  #codes: Int32Array;
  /** Items coded so far. */
  #length = 0;
  readonly #dict: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #few: number;

  /** `capacity`: items to make room for at first. */
  constructor(capacity: number, few = Infinity) {
    this.#codes = new Int32Array(Math.max(16, capacity));
    this.#few = few;
  }

  /** Codes the next item; false (nothing coded) when it would make too many distinct. */
  add(item: string): boolean {
    let c = this.#index.get(item);
    if (c === undefined) {
      const d = this.#dict.length;
      if (d >= this.#few && d * 2 > this.#length) return false;
      this.#index.set(item, c = this.#dict.push(item) - 1);
    }
    if (this.#length === this.#codes.length) this.#codes = growI32(this.#codes, this.#length + 1);
    this.#codes[this.#length++] = c;
    return true;
  }

  /** Codes a null (-1) as the next item. */
  addNull(): void {
    if (this.#length === this.#codes.length) this.#codes = growI32(this.#codes, this.#length + 1);
    this.#codes[this.#length++] = -1;
  }

  /** The distinct items and every item's code. */
  finish(): Coded {
    return { dict: this.#dict, codes: this.#codes.subarray(0, this.#length) };
  }
}

/**
 * Dictionary codes of the items of an ASCII text (`bytes` its bytes, one per char): an
 * open-addressing table over the items' bytes (FNV-1a), so that only distinct items become
 * strings; cheaper than a string and a Map lookup per item.
 */
function codeAscii(text: string, bytes: Uint8Array, itemLengths: Int32Array): Coded {
  const k = itemLengths.length;
  const codes = new Int32Array(k);
  const dict: string[] = [];
  // slots[s]: the code in slot s (-1: empty); hashes[s] its hash. starts/lens: each code's
  // first occurrence in `bytes`.
  let mask = 63;
  let slots = new Int32Array(mask + 1).fill(-1);
  let hashes = new Int32Array(mask + 1);
  let starts: Int32Array = new Int32Array(32);
  let lens: Int32Array = new Int32Array(32);
  let at = 0;
  for (let i = 0; i < k; i++) {
    const len = itemLengths[i]!;
    const end = at + len;
    let h = -2128831035; // FNV-1a offset basis (0x811c9dc5 as int32)
    for (let j = at; j < end; j++) h = Math.imul(h ^ bytes[j]!, 16777619);
    let s = h & mask;
    let c = slots[s]!;
    while (c >= 0) {
      if (hashes[s] === h && lens[c] === len) {
        const first = starts[c]!;
        let j = 0;
        while (j < len && bytes[first + j] === bytes[at + j]) j++;
        if (j === len) break;
      }
      s = (s + 1) & mask;
      c = slots[s]!;
    }
    if (c < 0) {
      c = dict.push(text.slice(at, end)) - 1;
      if (c === starts.length) {
        starts = growI32(starts, c + 1);
        lens = growI32(lens, c + 1);
      }
      starts[c] = at;
      lens[c] = len;
      slots[s] = c;
      hashes[s] = h;
      if (dict.length * 2 > mask) {
        // Rehash into a table twice the size (at most half full).
        const old = slots;
        const oldHashes = hashes;
        mask = mask * 2 + 1;
        slots = new Int32Array(mask + 1).fill(-1);
        hashes = new Int32Array(mask + 1);
        for (let q = 0; q < old.length; q++) {
          if (old[q]! < 0) continue;
          let t = oldHashes[q]! & mask;
          while (slots[t]! >= 0) t = (t + 1) & mask;
          slots[t] = old[q]!;
          hashes[t] = oldHashes[q]!;
        }
      }
    }
    codes[i] = c;
    at = end;
  }
  return { dict, codes };
}

/**
 * The sample keys before they are encoded: their text back to back and each key's length in
 * UTF-16 units. {@linkcode KeyParts.column} encodes the text in one call; a non-ASCII text (its
 * UTF-8 longer than its UTF-16) is encoded again key by key for the byte lengths.
 */
export class KeyParts {
  readonly kind = "key_parts";
  constructor(readonly text: string, readonly lengths: Int32Array) {}

  /** The encoded column. */
  column(): KeyColumn {
    const { text, lengths } = this;
    const bytes = encoder.encode(text);
    if (bytes.length === text.length) return new KeyColumn(bytes, lengths);
    // Key by key (joined, two halves of a split surrogate pair would merge).
    const parts: Uint8Array[] = [];
    const byteLengths = new Int32Array(lengths.length);
    let at = 0;
    let total = 0;
    for (let i = 0; i < lengths.length; i++) {
      const part = encoder.encode(text.slice(at, at + lengths[i]!));
      at += lengths[i]!;
      parts.push(part);
      byteLengths[i] = part.length;
      total += part.length;
    }
    const out = new Uint8Array(total);
    let p = 0;
    for (const part of parts) {
      out.set(part, p);
      p += part.length;
    }
    return new KeyColumn(out, byteLengths);
  }
}

const decoder = new TextDecoder();

/** The sample keys (never null): their UTF-8 back to back in `bytes`, and each one's length. */
export class KeyColumn implements BaseColumn {
  readonly kind = "keys";
  readonly nullCount = 0;
  #offsets: Float64Array | undefined;
  constructor(readonly bytes: Uint8Array, readonly lengths: Int32Array) {}
  get length(): number {
    return this.lengths.length;
  }
  /** Byte offset of row `row`'s key (of the end, for `row === length`). */
  offset(row: number): number {
    if (!this.#offsets) {
      const offsets = new Float64Array(this.length + 1);
      for (let r = 0; r < this.length; r++) offsets[r + 1] = offsets[r]! + this.lengths[r]!;
      this.#offsets = offsets;
    }
    return this.#offsets[row]!;
  }
  value(row: number): string {
    const at = this.offset(row);
    return decoder.decode(this.bytes.subarray(at, at + this.lengths[row]!));
  }
}

/** Any column. */
export type ColumnData = NumberColumn | BoolColumn | StringColumn | ListColumn | KeyColumn;

/** Occurrences of each dictionary entry of a string or list column. */
export function dictCounts(column: StringColumn | ListColumn): Float64Array {
  const counts = new Float64Array(column.dict.length);
  const codes = column.codes;
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k]!;
    if (c >= 0) counts[c]!++;
  }
  return counts;
}
