/**
 * A typed-array reader of Parquet files as shardline's own writer writes them
 * (`parquet_writer.ts`; page decoding in `_page_decode.ts`): numeric columns (v1 data pages,
 * uncompressed, doubles PLAIN and integers DELTA_BINARY_PACKED) straight into Float64Arrays
 * (null: NaN), and raw string columns (DELTA_LENGTH_BYTE_ARRAY, uncompressed or zstd) as one
 * text. It reads only the column chunks asked for (ranged reads of a file), with far less CPU
 * than fetching DuckDB result chunks through the native binding (`bench/index.ts`); anything
 * else (another codec, encoding or writer) answers undefined and the caller reads through DuckDB.
 *
 * @module
 */
import zlib from "node:zlib";
import { dataPage, definitionLevels, type Fields, Thrift, unpackDeltas } from "./_page_decode.ts";

/** Reads `length` bytes at `offset` of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** A file's column chunks by column name: per row group its offset, size and rows. */
export interface ParquetLayout {
  rows: number;
  chunks: Map<
    string,
    { offset: number; size: number; rows: number; type: number; codec: number }[]
  >;
}

const TYPE = { INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const ENC = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6 } as const;
const CODEC_ZSTD = 6;

/**
 * The layout of a Parquet file of `size` bytes, from its footer.
 *
 * @example
 * ```ts
 * import { readLayout, readNumberColumn } from "./parquet_reader.ts";
 * import { encodeParquet } from "./parquet_writer.ts";
 * import { NumberColumn } from "./column_data.ts";
 * const bytes = encodeParquet([{ name: "x", type: "int64", data: new NumberColumn(new Float64Array([3, 1, 4]), undefined, 0) }], 3);
 * const read = (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length));
 * const layout = await readLayout(read, bytes.length);
 * const x = layout && await readNumberColumn(read, layout, "x");
 * if (x?.join() !== "3,1,4") throw new Error();
 * ```
 */
export async function readLayout(read: ReadAt, size: number): Promise<ParquetLayout | undefined> {
  if (size < 12) return undefined;
  // One read for the footer and its length when the footer is small (a guess of 64 KiB).
  const guess = Math.min(size, 65536);
  const tail = await read(size - guess, guess);
  if (tail.length !== guess) return undefined;
  const len = new DataView(tail.buffer, tail.byteOffset).getUint32(guess - 8, true);
  const magic = String.fromCharCode(...tail.subarray(guess - 4));
  if (magic !== "PAR1" || len > size - 12) return undefined;
  const footer = len + 8 <= guess
    ? tail.subarray(guess - 8 - len, guess - 8)
    : await read(size - 8 - len, len);
  const meta = new Thrift(footer).struct();
  const chunks: ParquetLayout["chunks"] = new Map();
  for (const group of (meta.get(4) as Fields[] | undefined) ?? []) {
    const rows = Number(group.get(3));
    for (const chunk of (group.get(1) as Fields[] | undefined) ?? []) {
      const m = chunk.get(3) as Fields;
      const path = (m.get(3) as Uint8Array[]).map((b) => new TextDecoder().decode(b));
      if (path.length !== 1) continue; // lists: not numeric
      const offset = Number(m.get(11) ?? m.get(9));
      const entry = {
        offset,
        size: Number(m.get(7)),
        rows,
        type: Number(m.get(1)),
        codec: Number(m.get(4)),
      };
      const list = chunks.get(path[0]!);
      if (list) list.push(entry);
      else chunks.set(path[0]!, [entry]);
    }
  }
  return { rows: Number(meta.get(3)), chunks };
}

/**
 * Fetches the column chunks of `names` at once, with ranged reads merged where chunks lie at
 * most `gap` bytes apart (fewer requests to an object store, at the cost of reading the gaps),
 * and answers reads inside them from memory; other reads go to `read`.
 *
 * @example
 * ```ts
 * import { prefetchColumns, readLayout, readNumberColumn } from "./parquet_reader.ts";
 * import { encodeParquet } from "./parquet_writer.ts";
 * import { NumberColumn } from "./column_data.ts";
 * const col = (name: string) => ({ name, type: "double" as const, data: new NumberColumn(new Float64Array([1, 2]), undefined, 0) });
 * const bytes = encodeParquet([col("a"), col("b"), col("c")], 2);
 * let calls = 0;
 * const read = (offset: number, length: number) => (calls++, Promise.resolve(bytes.subarray(offset, offset + length)));
 * const layout = (await readLayout(read, bytes.length))!;
 * const cached = await prefetchColumns(read, layout, ["a", "c"]);
 * calls = 0;
 * const c = await readNumberColumn(cached, layout, "c");
 * if (c?.join() !== "1,2" || calls !== 0) throw new Error();
 * ```
 */
export async function prefetchColumns(
  read: ReadAt,
  layout: ParquetLayout,
  names: readonly string[],
  gap = 1 << 20,
): Promise<ReadAt> {
  const ranges = names.flatMap((n) => layout.chunks.get(n) ?? [])
    .map((c) => ({ offset: c.offset, end: c.offset + c.size }))
    .sort((a, b) => a.offset - b.offset);
  const merged: { offset: number; end: number }[] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r.offset - last.end <= gap) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  const held = await Promise.all(
    merged.map(async (r) => ({ ...r, bytes: await read(r.offset, r.end - r.offset) })),
  );
  return (offset, length) => {
    const h = held.find((h) => offset >= h.offset && offset + length <= h.end);
    if (!h || h.bytes.length !== h.end - h.offset) return read(offset, length);
    return Promise.resolve(h.bytes.subarray(offset - h.offset, offset - h.offset + length));
  };
}

/**
 * Column `name` as doubles (null: NaN); undefined when it is absent or not readable here.
 *
 * @example
 * ```ts
 * import { readLayout, readNumberColumn } from "./parquet_reader.ts";
 * import { encodeParquet } from "./parquet_writer.ts";
 * import { NumberColumn } from "./column_data.ts";
 * const values = new Float64Array([0.5, 0, 2.5]);
 * const bytes = encodeParquet([{ name: "y", type: "double", data: new NumberColumn(values, new Uint8Array([0, 1, 0]), 1) }], 3);
 * const read = (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length));
 * const y = await readNumberColumn(read, (await readLayout(read, bytes.length))!, "y");
 * if (y?.[0] !== 0.5 || !Number.isNaN(y[1]!) || y[2] !== 2.5) throw new Error();
 * ```
 */
export async function readNumberColumn(
  read: ReadAt,
  layout: ParquetLayout,
  name: string,
  into?: Float64Array,
): Promise<Float64Array | undefined> {
  const chunks = layout.chunks.get(name);
  if (!chunks) return undefined;
  if (into && into.length !== layout.rows) throw new RangeError("into: not one slot per row");
  const out = into ?? new Float64Array(layout.rows);
  let at = 0;
  for (const c of chunks) {
    if (c.codec !== 0 || (c.type !== TYPE.DOUBLE && c.type !== TYPE.INT64)) return undefined;
    const bytes = await read(c.offset, c.size);
    const page = dataPage(bytes, 0);
    if (!page || at + page.values > out.length) return undefined; // a v1 data page only
    const { values, encoding } = page;
    const { present, defined, end: pos } = definitionLevels(bytes, page.start, values);
    // Without nulls the values decode straight into their place in `out`.
    const dense = present ? new Float64Array(defined) : out.subarray(at, at + values);
    if (encoding === ENC.PLAIN && c.type === TYPE.DOUBLE) {
      if (pos + defined * 8 > bytes.length) return undefined;
      const from = bytes.byteOffset + pos;
      if (LITTLE_ENDIAN && from % 8 === 0) {
        dense.set(new Float64Array(bytes.buffer, from, defined));
      } else {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < defined; i++) dense[i] = view.getFloat64(pos + i * 8, true);
      }
    } else if (encoding === ENC.DELTA_BINARY_PACKED && c.type === TYPE.INT64) {
      if (unpackDeltas(bytes, pos, dense) < 0) return undefined;
    } else return undefined;
    if (present) {
      for (let i = 0, k = 0; i < values; i++) out[at + i] = present[i] ? dense[k++]! : Number.NaN;
    }
    at += values;
  }
  return at === layout.rows ? out : undefined;
}

/** A string column as one text: row `i` is `text.slice(starts[i], starts[i + 1])`. */
export interface TextColumn {
  /**
   * Every value's bytes back to back, one character per byte (windows-1252), so that offsets
   * in the text are byte offsets: search it with byte patterns decoded the same way
   * ({@linkcode byteText}).
   */
  text: string;
  /** `rows + 1` offsets into `text`. */
  starts: Float64Array;
  /** 1 where the row is null. */
  nulls: Uint8Array;
}

const BYTES = new TextDecoder("windows-1252");

/** `s`'s UTF-8 bytes as {@linkcode TextColumn.text} holds them: one character per byte. */
export function byteText(s: string): string {
  return BYTES.decode(new TextEncoder().encode(s));
}

/**
 * String column `name` as one {@linkcode TextColumn}, for columns as this writer writes raw
 * strings (v1 data pages, DELTA_LENGTH_BYTE_ARRAY, uncompressed or zstd); undefined otherwise
 * (a dictionary page, another encoding: the caller reads through DuckDB).
 *
 * @example
 * ```ts
 * import { readLayout, readTextColumn } from "./parquet_reader.ts";
 * import { encodeParquet } from "./parquet_writer.ts";
 * import { StringColumn } from "./column_data.ts";
 * const data = new StringColumn(['{"a":1}', '{"b":22}'], new Int32Array([0, -1, 1]), 1);
 * const bytes = encodeParquet([{ name: "j", type: "string", data }], 3);
 * const read = (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length));
 * const col = await readTextColumn(read, (await readLayout(read, bytes.length))!, "j");
 * if (col?.text.slice(col.starts[2], col.starts[3]) !== '{"b":22}' || col.nulls[1] !== 1) {
 *   throw new Error();
 * }
 * ```
 */
export async function readTextColumn(
  read: ReadAt,
  layout: ParquetLayout,
  name: string,
): Promise<TextColumn | undefined> {
  const chunks = layout.chunks.get(name);
  if (!chunks) return undefined;
  const rows = layout.rows;
  const nulls = new Uint8Array(rows);
  const lengths = new Float64Array(rows);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const c of chunks) {
    if (c.type !== TYPE.BYTE_ARRAY || (c.codec !== 0 && c.codec !== CODEC_ZSTD)) return undefined;
    const chunk = await read(c.offset, c.size);
    let pos = 0;
    while (pos < chunk.length && at < rows) {
      const page = dataPage(chunk, pos);
      if (!page) return undefined; // a v1 data page only
      const { values, encoding } = page;
      if (encoding !== ENC.DELTA_LENGTH_BYTE_ARRAY || at + values > rows) return undefined;
      const stored = chunk.subarray(page.start, page.start + page.size);
      pos = page.start + page.size;
      const body = c.codec === 0 ? stored : new Uint8Array(zlib.zstdDecompressSync(stored));
      const { present, defined, end: levelsEnd } = definitionLevels(body, 0, values);
      const dense = new Float64Array(defined);
      const end = unpackDeltas(body, levelsEnd, dense);
      if (end < 0) return undefined;
      let total = 0;
      for (let i = 0, k = 0; i < values; i++) {
        if (!present || present[i]) total += lengths[at + i] = dense[k++]!;
        else nulls[at + i] = 1;
      }
      if (end + total > body.length) return undefined;
      parts.push(body.subarray(end, end + total));
      at += values;
    }
  }
  if (at !== rows) return undefined;
  const starts = new Float64Array(rows + 1);
  for (let i = 0; i < rows; i++) starts[i + 1] = starts[i]! + lengths[i]!;
  const all = new Uint8Array(starts[rows]!);
  let o = 0;
  for (const p of parts) all.set(p, o), o += p.length;
  return { text: BYTES.decode(all), starts, nulls };
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
