/**
 * A typed-array reader of the numeric columns of Parquet files as shardline's own writer writes
 * them (`parquet_writer.ts`): v1 data pages, uncompressed, definition levels in the RLE /
 * bit-packing hybrid, doubles PLAIN and integers DELTA_BINARY_PACKED. It reads only the column
 * chunks asked for (ranged reads of a file) and decodes them straight into Float64Arrays (null:
 * NaN), with far less CPU than fetching DuckDB result chunks through the native binding
 * (`bench/index.ts`); anything
 * else (compression, another encoding or writer) answers undefined and the caller reads through
 * DuckDB.
 *
 * @module
 */

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

const TYPE = { INT64: 2, DOUBLE: 5 } as const;
const ENC = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5 } as const;

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
  const tail = await read(size - 8, 8);
  const len = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  if (String.fromCharCode(...tail.subarray(4)) !== "PAR1" || len > size - 12) return undefined;
  const meta = new Thrift(await read(size - 8 - len, len)).struct();
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
): Promise<Float64Array | undefined> {
  const chunks = layout.chunks.get(name);
  if (!chunks) return undefined;
  const out = new Float64Array(layout.rows);
  let at = 0;
  for (const c of chunks) {
    if (c.codec !== 0 || (c.type !== TYPE.DOUBLE && c.type !== TYPE.INT64)) return undefined;
    const bytes = await read(c.offset, c.size);
    const t = new Thrift(bytes);
    const page = t.struct();
    const header = page.get(5) as Fields | undefined;
    if (Number(page.get(1)) !== 0 || !header) return undefined; // a v1 data page only
    const values = Number(header.get(1));
    const encoding = Number(header.get(2));
    let pos = t.pos;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const levelsLength = view.getUint32(pos, true);
    const present = new Uint8Array(values);
    const defined = hybrid(bytes, pos + 4, pos + 4 + levelsLength, present);
    pos += 4 + levelsLength;
    const dense = new Float64Array(defined);
    if (encoding === ENC.PLAIN && c.type === TYPE.DOUBLE) {
      for (let i = 0; i < defined; i++) dense[i] = view.getFloat64(pos + i * 8, true);
    } else if (encoding === ENC.DELTA_BINARY_PACKED && c.type === TYPE.INT64) {
      if (!deltaBinaryPacked(bytes, pos, dense)) return undefined;
    } else return undefined;
    for (let i = 0, k = 0; i < values; i++) out[at + i] = present[i] ? dense[k++]! : Number.NaN;
    at += values;
  }
  return at === layout.rows ? out : undefined;
}

/** Decodes 1-bit definition levels into `out`; returns how many are 1. */
function hybrid(bytes: Uint8Array, pos: number, end: number, out: Uint8Array): number {
  let i = 0, ones = 0;
  while (pos < end && i < out.length) {
    let header = 0, shift = 0, b: number;
    do {
      b = bytes[pos++]!;
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (header & 1) {
      const count = (header >>> 1) * 8;
      for (let k = 0; k < count && i < out.length; k++) {
        const bit = (bytes[pos + (k >> 3)]! >> (k & 7)) & 1;
        out[i++] = bit;
        ones += bit;
      }
      pos += header >>> 1;
    } else {
      const run = Math.floor(header / 2), v = bytes[pos++]! & 1;
      out.fill(v, i, Math.min(out.length, i + run));
      if (v) ones += Math.min(out.length, i + run) - i;
      i += run;
    }
  }
  return ones;
}

/** DELTA_BINARY_PACKED values into `out` (its length); false past 2^53 or 52-bit deltas. */
function deltaBinaryPacked(bytes: Uint8Array, pos: number, out: Float64Array): boolean {
  const varint = () => {
    let n = 0, shift = 0, b: number;
    do {
      b = bytes[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  };
  const zigzag = () => {
    const n = varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  };
  const blockSize = varint(), miniblocks = varint();
  const total = varint();
  let value = zigzag();
  const per = blockSize / miniblocks;
  if (total === 0) return true;
  out[0] = value;
  let i = 1;
  while (i < total) {
    const min = zigzag();
    const widths = bytes.subarray(pos, pos + miniblocks);
    pos += miniblocks;
    for (let m = 0; m < miniblocks && i < total; m++) {
      const width = widths[m]!;
      if (width > 52) return false;
      const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
      for (let k = 0, bit = 0; k < per; k++, bit += width) {
        let d: number;
        if (width <= 25) {
          const b = pos + (bit >> 3);
          const word = (bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) |
            (bytes[b + 3]! << 24)) >>> 0;
          d = (word >>> (bit & 7)) & mask;
        } else {
          d = 0;
          for (let w = 0; w < width; w++) {
            d += ((bytes[pos + ((bit + w) >> 3)]! >> ((bit + w) & 7)) & 1) * 2 ** w;
          }
        }
        if (i < total) {
          value += min + d;
          out[i++] = value;
        }
      }
      pos += per * width / 8;
    }
  }
  return Number.isSafeInteger(value);
}

type Value = number | bigint | Uint8Array | Value[] | Fields | boolean;
type Fields = Map<number, Value>;

/** A reader of Thrift's compact protocol (what Parquet's footer and page headers are written in). */
class Thrift {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  varint(): number {
    let n = 0, shift = 0, b: number;
    do {
      b = this.bytes[this.pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  }
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  value(type: number): Value {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.bytes[this.pos++]!;
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.pos += 8;
        return 0;
      case 8: {
        const n = this.varint();
        const out = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case 9:
      case 10: {
        const head = this.bytes[this.pos++]!;
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const elem = head & 15;
        const out: Value[] = [];
        for (let i = 0; i < size; i++) {
          out.push(elem === 1 || elem === 2 ? this.bytes[this.pos++] === 1 : this.value(elem));
        }
        return out;
      }
      case 12:
        return this.struct();
      default:
        throw new TypeError(`Thrift type ${type} not supported`);
    }
  }
  struct(): Fields {
    const out: Fields = new Map();
    let id = 0;
    for (;;) {
      const b = this.bytes[this.pos++]!;
      if (b === 0) return out;
      const delta = b >> 4;
      id = delta ? id + delta : this.zigzag();
      out.set(id, this.value(b & 15));
    }
  }
}
