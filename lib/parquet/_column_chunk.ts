/**
 * One column chunk of the Parquet writer: an optional dictionary page and one v1 data
 * page (definition levels, repetition levels for lists, values), appended to the file; returns
 * what the footer records of it.
 *
 * Encodings are chosen so that the bytes are compact without a compressor where that is cheap:
 * sample keys DELTA_BYTE_ARRAY (consecutive keys share most bytes), integers and timestamps
 * DELTA_BINARY_PACKED, doubles and booleans PLAIN, low-cardinality strings as a dictionary.
 * Only chunks of raw string bytes (high-cardinality strings: DELTA_LENGTH_BYTE_ARRAY) are
 * zstd-compressed: on doubles zstd buys little for its CPU, and nearly nothing on the packed
 * encodings.
 *
 * @module
 */
import zlib from "node:zlib";
import type { ThriftWriter } from "./_thrift.ts";
import { bitWidth, type Sink } from "./_encodings.ts";
import type { KeyColumn, ListColumn, StringColumn } from "./column_data.ts";
import { boolStats, doubleStats, int64Stats, type Stats, stringStats } from "./_statistics.ts";
import type { ParquetOutColumn, ParquetSchemaColumn } from "./parquet_writer.ts";

/** Page compression. */
export type Codec = "zstd" | "none";

/** What the footer records of a column chunk. */
export interface ChunkMeta {
  column: ParquetSchemaColumn;
  codec: Codec;
  encodings: number[];
  numValues: number;
  uncompressed: number;
  compressed: number;
  offset: number;
  dataOffset: number;
  dictOffset?: number;
  stats: Stats;
}

const ENC = {
  PLAIN: 0,
  RLE: 3,
  DELTA_BINARY_PACKED: 5,
  DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7,
  RLE_DICTIONARY: 8,
} as const;
/** Integers delta-encoded when within this magnitude (their deltas are then safe integers). */
const DELTA_LIMIT = 2 ** 52;
/** Longest key kept as a bound (bytes). */
const MAX_STAT = 256;
const PAGE = { DATA: 0, DICTIONARY: 2 } as const;
/** Dictionary encoding only when distinct strings are at most this share of the values. */
const DICT_SHARE = 0.5;
/** ... and their characters at most this many. */
const DICT_MAX_CHARS = 1 << 20;
const ZSTD_LEVEL = { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } };

/** The chunk's page writer: page bodies go into `page`, then (compressed) into `out`. */
class Pages {
  uncompressed = 0;
  compressed = 0;
  /** The chunk's codec: `"none"` unless the chunk holds raw string bytes (see the module doc). */
  codec: Codec = "none";
  constructor(
    readonly out: Sink,
    readonly page: Sink,
    readonly header: ThriftWriter,
    readonly allowed: Codec,
  ) {
    page.pos = 0;
    page.unordered = false;
  }

  /** Appends the page in `page` (then empties it). */
  flush(type: number, numValues: number, encoding: number): void {
    const body = this.page.bytes();
    const packed = this.codec === "zstd" ? zlib.zstdCompressSync(body, ZSTD_LEVEL) : body;
    const h = this.header;
    h.reset();
    h.structBody((w) => {
      w.i32(1, type).i32(2, body.length).i32(3, packed.length);
      if (type === PAGE.DATA) {
        w.struct(5, (w) => w.i32(1, numValues).i32(2, encoding).i32(3, ENC.RLE).i32(4, ENC.RLE));
      } else w.struct(7, (w) => w.i32(1, numValues).i32(2, ENC.PLAIN));
    });
    const head = h.bytes();
    this.out.bytesOf(head);
    this.out.bytesOf(packed);
    this.uncompressed += head.length + body.length;
    this.compressed += head.length + packed.length;
    this.page.pos = 0;
  }

  /** A length-prefixed hybrid-encoded level section (`levels` undefined: all `constant`). */
  levels(levels: ArrayLike<number> | undefined, count: number, constant: number, width: number) {
    const page = this.page;
    const at = page.pos;
    page.u32(0);
    if (levels) page.hybrid(levels, 0, count, width);
    else if (count > 0) {
      page.varint(count * 2);
      page.u8(constant);
    }
    page.view.setUint32(at, page.pos - at - 4, true);
  }
}

/** Writes rows `[start, end)` of `column` as a chunk at the end of `out`. */
export function writeChunk(
  out: Sink,
  page: Sink,
  header: ThriftWriter,
  column: ParquetOutColumn,
  start: number,
  end: number,
  codec: Codec,
): ChunkMeta {
  const pages = new Pages(out, page, header, codec);
  const offset = out.pos;
  const written = column.data.kind === "list"
    ? listChunk(pages, column.data, start, end)
    : flatChunk(pages, column, start, end);
  return {
    column: { name: column.name, type: column.type }, // not the data: a file keeps its metas
    codec: pages.codec,
    offset,
    dataOffset: written.dataOffset ?? offset,
    ...(written.dataOffset !== undefined && { dictOffset: offset }),
    encodings: written.encodings,
    numValues: written.numValues,
    uncompressed: pages.uncompressed,
    compressed: pages.compressed,
    stats: written.stats,
  };
}

interface Written {
  /** Set when a dictionary page came first. */
  dataOffset?: number;
  encodings: number[];
  numValues: number;
  stats: Stats;
}

/** Definition levels (1 = present) of a flat column's rows, or undefined when none is null. */
function flatLevels(nulls: Uint8Array | undefined, start: number, end: number) {
  if (!nulls) return { levels: undefined, nullCount: 0 };
  const levels = new Uint8Array(end - start);
  let nullCount = 0;
  for (let i = start; i < end; i++) {
    if (nulls[i]) nullCount++;
    else levels[i - start] = 1;
  }
  return { levels: nullCount ? levels : undefined, nullCount };
}

function flatChunk(pages: Pages, column: ParquetOutColumn, start: number, end: number): Written {
  const data = column.data;
  const rows = end - start;
  if (data.kind === "string") return stringChunk(pages, data, start, end);
  if (data.kind === "keys") return keyChunk(pages, data, start, end);
  if (data.kind === "list") throw new TypeError("unreachable");
  const { levels, nullCount } = flatLevels(data.nulls, start, end);
  const nulls = nullCount ? data.nulls : undefined;
  pages.levels(levels, rows, 1, 1);
  let stats: Stats;
  let encoding: number = ENC.PLAIN;
  if (data.kind === "bool") {
    pages.page.booleans(data.values, start, end, nulls);
    stats = boolStats(data.values, start, end, nulls, nullCount);
  } else if (column.type === "double") {
    pages.page.doubles(data.values, start, end, nulls);
    stats = doubleStats(data.values, start, end, nulls, nullCount);
  } else {
    // int64 or timestamp (epoch ms in the column, micros in the file).
    const micros = column.type === "timestamp";
    const present = new Float64Array(rows - nullCount);
    let n = 0;
    let small = true; // unless a value of this chunk is too large (a bigint's always is)
    for (let i = start; i < end; i++) {
      if (nulls && nulls[i]) continue;
      const x = micros ? Math.round(data.values[i]! * 1000) : data.values[i]!;
      if (x > DELTA_LIMIT || x < -DELTA_LIMIT) small = false;
      present[n++] = x;
    }
    const big = micros ? undefined : shift(data.big, start, end, nulls);
    stats = int64Stats(present, 0, n, undefined, nullCount, big);
    if (small) {
      pages.page.deltaBinaryPacked(present, n);
      encoding = ENC.DELTA_BINARY_PACKED;
    } else pages.page.int64s(present, 0, n, undefined, big);
  }
  pages.flush(PAGE.DATA, rows, encoding);
  return { encodings: [ENC.RLE, encoding], numValues: rows, stats };
}

/** `big` (rows of the column) keyed by index among the chunk's non-null values instead. */
function shift(
  big: ReadonlyMap<number, bigint> | undefined,
  start: number,
  end: number,
  nulls: Uint8Array | undefined,
): ReadonlyMap<number, bigint> | undefined {
  if (!big) return undefined;
  const out = new Map<number, bigint>();
  for (const [row, b] of big) {
    if (row < start || row >= end) continue;
    let index = row - start;
    if (nulls) { for (let i = start; i < row; i++) index -= nulls[i]!; }
    out.set(index, b);
  }
  return out;
}

/** The chunk's distinct codes in first-seen order and each code's index among them. */
function localDict(dict: readonly string[], codes: Int32Array, from: number, to: number) {
  if (from === 0 && to === codes.length) {
    // The whole column: every dictionary entry is used, in first-seen order already.
    return { used: undefined, local: undefined, size: dict.length };
  }
  const local = new Int32Array(dict.length).fill(-1);
  const used: number[] = [];
  for (let k = from; k < to; k++) {
    const c = codes[k]!;
    if (c >= 0 && local[c]! < 0) local[c] = used.push(c) - 1;
  }
  return { used, local, size: used.length };
}

/**
 * The values of a string chunk (`codes[from..to)`, -1 skipped): a dictionary page and indices
 * when distinct values are few, else PLAIN. Returns the data page's encoding.
 */
function stringValues(
  pages: Pages,
  dict: readonly string[],
  codes: Int32Array,
  from: number,
  to: number,
  present: number,
): { encoding: number; dataOffset?: number; each: (visit: (s: string) => void) => void } {
  const page = pages.page;
  const { used, local, size } = localDict(dict, codes, from, to);
  let chars = 0;
  for (let d = 0; d < size && chars <= DICT_MAX_CHARS; d++) {
    chars += dict[used ? used[d]! : d]!.length;
  }
  const each = (visit: (s: string) => void) => {
    for (let d = 0; d < size; d++) visit(dict[used ? used[d]! : d]!);
  };
  if (size === 0 || size > present * DICT_SHARE || chars > DICT_MAX_CHARS) {
    const strings: string[] = [];
    for (let k = from; k < to; k++) if (codes[k]! >= 0) strings.push(dict[codes[k]!]!);
    pages.codec = pages.allowed;
    page.deltaLengthStrings(strings);
    return { encoding: ENC.DELTA_LENGTH_BYTE_ARRAY, each };
  }
  // Dictionary page first (the data page's levels wait in a second buffer meanwhile).
  const levelBytes = page.bytes().slice();
  page.pos = 0;
  for (let d = 0; d < size; d++) page.string(dict[used ? used[d]! : d]!);
  pages.flush(PAGE.DICTIONARY, size, ENC.PLAIN);
  const dataOffset = pages.out.pos;
  page.bytesOf(levelBytes);
  const indices = new Int32Array(present);
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = codes[k]!;
    if (c >= 0) indices[n++] = local ? local[c]! : c;
  }
  const width = Math.max(1, bitWidth(size - 1));
  page.u8(width);
  page.hybrid(indices, 0, n, width);
  return { encoding: ENC.RLE_DICTIONARY, dataOffset, each };
}

/** Sample keys: DELTA_BYTE_ARRAY (consecutive keys share most bytes), no compression needed. */
function keyChunk(pages: Pages, data: KeyColumn, start: number, end: number): Written {
  const rows = end - start;
  pages.levels(undefined, rows, 1, 1);
  const bounds = pages.page.deltaByteArray(
    data.bytes,
    data.offset(start),
    data.lengths.subarray(start, end),
    rows,
  );
  const stats = bounds && bounds.min.length <= MAX_STAT && bounds.max.length <= MAX_STAT
    ? { nullCount: 0, ...bounds }
    : { nullCount: 0 };
  pages.flush(PAGE.DATA, rows, ENC.DELTA_BYTE_ARRAY);
  return { encodings: [ENC.RLE, ENC.DELTA_BYTE_ARRAY], numValues: rows, stats };
}

function stringChunk(pages: Pages, data: StringColumn, start: number, end: number): Written {
  const rows = end - start;
  const page = pages.page;
  const codes = data.codes;
  let nullCount = 0;
  for (let i = start; i < end; i++) if (codes[i]! < 0) nullCount++;
  let levels: Uint8Array | undefined;
  if (nullCount) {
    levels = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) levels[i] = codes[start + i]! < 0 ? 0 : 1;
  }
  pages.levels(levels, rows, 1, 1);
  const values = stringValues(pages, data.dict, codes, start, end, rows - nullCount);
  const stats = stringStats(values.each, nullCount, page.unordered);
  pages.flush(PAGE.DATA, rows, values.encoding);
  return stringWritten(values, rows, stats);
}

/** LIST<VARCHAR>: levels per item (an empty or null list is one level entry without a value). */
function listChunk(pages: Pages, data: ListColumn, start: number, end: number): Written {
  const { offsets, nulls } = data;
  let entries = 0;
  for (let r = start; r < end; r++) entries += Math.max(1, offsets[r + 1]! - offsets[r]!);
  const rep = new Uint8Array(entries);
  const def = new Uint8Array(entries);
  let e = 0;
  let missing = 0;
  for (let r = start; r < end; r++) {
    const n = offsets[r + 1]! - offsets[r]!;
    if (n === 0) {
      def[e++] = nulls?.[r] ? 0 : 1;
      missing++;
      continue;
    }
    def[e] = 3;
    e++;
    for (let k = 1; k < n; k++) {
      rep[e] = 1;
      def[e++] = 3;
    }
  }
  pages.levels(rep, entries, 0, 1);
  pages.levels(def, entries, 3, 2);
  const from = offsets[start]!;
  const to = offsets[end]!;
  const values = stringValues(pages, data.dict, data.codes, from, to, to - from);
  const stats = stringStats(values.each, missing, pages.page.unordered);
  pages.flush(PAGE.DATA, entries, values.encoding);
  return stringWritten(values, entries, stats);
}

/** The chunk record of string values: dictionary-encoded when a dictionary page was written. */
function stringWritten(
  values: { dataOffset?: number; encoding: number },
  numValues: number,
  stats: Written["stats"],
): Written {
  return {
    dataOffset: values.dataOffset,
    encodings: values.dataOffset
      ? [ENC.PLAIN, ENC.RLE, ENC.RLE_DICTIONARY]
      : [ENC.RLE, values.encoding],
    numValues,
    stats,
  };
}
