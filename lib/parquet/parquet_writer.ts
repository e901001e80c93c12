/**
 * A Parquet writer for typed columns, in TypeScript: the rows of a shard go from typed
 * columns to Parquet bytes in a few tight loops, with no native call per value (DuckDB's appender
 * makes one per value; `bench/manifests.ts` compares them). DuckDB reads every file.
 *
 * Layout: format version 1, every column OPTIONAL (as DuckDB writes them), row groups of up to
 * `rowGroupSize` rows, per column chunk an optional dictionary page and one v1 data page.
 * Encodings (see `_column_chunk.ts`): sample keys DELTA_BYTE_ARRAY; integers and timestamps
 * DELTA_BINARY_PACKED; doubles and booleans PLAIN; strings as a dictionary (RLE_DICTIONARY)
 * when distinct values are few, else DELTA_LENGTH_BYTE_ARRAY, zstd-compressed; levels in the
 * RLE / bit-packing hybrid. Lists use the standard three-level LIST layout
 * (`name.list.element`). Chunk statistics: null count, min and max, left out where they could
 * mislead DuckDB's pruning (doubles beside a NaN, strings whose UTF-16 order differs from their
 * byte order, long strings).
 *
 * @module
 */
import { ThriftWriter } from "./_thrift.ts";
import { Sink } from "./_encodings.ts";
import type { ColumnData } from "./column_data.ts";
import { type ChunkMeta, type Codec, writeChunk } from "./_column_chunk.ts";

/** How a column is stored (physical and logical type). */
export type ParquetType = "int64" | "double" | "boolean" | "timestamp" | "string" | "string_list";

/** A column of the file: its name and how it is stored. */
export interface ParquetSchemaColumn {
  name: string;
  type: ParquetType;
}

/** One column to write. */
export interface ParquetOutColumn extends ParquetSchemaColumn {
  data: ColumnData;
}

/** Options for {@linkcode encodeParquet}. */
export interface EncodeParquetOptions {
  /** Rows per row group. @default 122880 */
  rowGroupSize?: number;
  /** Compression of the chunks that need one (raw string bytes); `"none"`: no chunk. @default "zstd" */
  compression?: Codec;
}

const PHYSICAL = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const CONVERTED = { UTF8: 0, LIST: 3, TIMESTAMP_MICROS: 10, INT_64: 18 } as const;
const OPTIONAL = 1;
const REPEATED = 2;
const CODEC = { none: 0, zstd: 6 } as const;
const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

const physical: Record<ParquetType, number> = {
  int64: PHYSICAL.INT64,
  timestamp: PHYSICAL.INT64,
  double: PHYSICAL.DOUBLE,
  boolean: PHYSICAL.BOOLEAN,
  string: PHYSICAL.BYTE_ARRAY,
  string_list: PHYSICAL.BYTE_ARRAY,
};

/**
 * Parquet bytes of `rowCount` rows of `columns`.
 *
 * @example
 * ```ts
 * import { encodeParquet } from "./parquet_writer.ts";
 * import { NumberColumn } from "./column_data.ts";
 * const bytes = encodeParquet([{ name: "x", type: "double", data: new NumberColumn(new Float64Array([1, 2]), undefined, 0) }], 2);
 * if (new TextDecoder().decode(bytes.subarray(0, 4)) !== "PAR1") throw new Error("not Parquet");
 * ```
 */
export function encodeParquet(
  columns: readonly ParquetOutColumn[],
  rowCount: number,
  options: EncodeParquetOptions = {},
): Uint8Array {
  const file = new ParquetFileWriter(columns, options);
  file.add(columns, rowCount);
  return file.finish();
}

/** Output buffers of finished files, for the next ones (a file grows one to ~30 bytes a row). */
const spare: Sink[] = [];
/** Buffers past this size are not kept for the next file. */
const KEEP_BYTES = 16 << 20;
/** The page and page-header buffers of every file (each chunk is written synchronously). */
const scratch = { page: new Sink(1 << 16), header: new ThriftWriter() };

/**
 * A Parquet file written a batch of rows at a time (each batch its own row groups), so that a
 * shard's manifest can be encoded while the shard is still being written: {@linkcode add} per
 * batch, then {@linkcode finish}. Batches of `rowGroupSize` rows give the bytes
 * {@linkcode encodeParquet} gives for all the rows at once.
 */
export class ParquetFileWriter {
  readonly #schema: readonly ParquetSchemaColumn[];
  readonly #groupSize: number;
  readonly #codec: Codec;
  readonly #out: Sink;
  readonly #groups: { rows: number; chunks: ChunkMeta[] }[] = [];
  #rows = 0;

  constructor(columns: readonly ParquetSchemaColumn[], options: EncodeParquetOptions = {}) {
    this.#schema = columns.map(({ name, type }) => ({ name, type }));
    this.#groupSize = options.rowGroupSize ?? 122880;
    this.#codec = options.compression ?? "zstd";
    const out = this.#out = spare.pop() ?? new Sink(1 << 16);
    out.pos = 0;
    out.bytesOf(MAGIC);
  }

  /**
   * Appends `rowCount` rows of `columns` (the constructor's, in order) as row groups. No rows
   * add nothing, but to a file without rows (whose one row group is then empty).
   */
  add(columns: readonly ParquetOutColumn[], rowCount: number): void {
    if (rowCount === 0 && this.#groups.length > 0) return;
    const { page, header } = scratch;
    let start = 0;
    do {
      const end = Math.min(rowCount, start + this.#groupSize);
      const chunks = columns.map((column) =>
        writeChunk(this.#out, page, header, column, start, end, this.#codec)
      );
      this.#groups.push({ rows: end - start, chunks });
      start = end;
    } while (start < rowCount);
    this.#rows += rowCount;
  }

  /** The file's bytes (the footer appended); the writer is spent (its buffer goes to the next). */
  finish(): Uint8Array {
    const columns = this.#schema;
    const out = this.#out;
    const footer = new ThriftWriter();
    footer.structBody((w) => {
      w.i32(1, 1);
      w.structList(2, schemaElements(columns), (w, e) => e(w));
      w.i64(3, this.#rows);
      w.structList(4, this.#groups, (w, g) => {
        w.structList(1, g.chunks, writeChunkMeta);
        const sum = (f: (c: ChunkMeta) => number) => g.chunks.reduce((a, c) => a + f(c), 0);
        w.i64(2, sum((c) => c.uncompressed));
        w.i64(3, g.rows);
        w.i64(5, g.chunks[0]?.offset ?? 4);
        w.i64(6, sum((c) => c.compressed));
      });
      w.string(6, "shardline");
      w.structList(7, leafCount(columns), (w) => w.struct(1, () => {}));
    });
    const meta = footer.bytes();
    out.bytesOf(meta);
    out.u32(meta.length);
    out.bytesOf(MAGIC);
    const bytes = out.bytes().slice();
    if (out.buf.length <= KEEP_BYTES && spare.length < 4) spare.push(out);
    return bytes;
  }
}

function leafCount(columns: readonly ParquetSchemaColumn[]): null[] {
  return columns.map(() => null);
}

type Element = (w: ThriftWriter) => void;

function schemaElements(columns: readonly ParquetSchemaColumn[]): Element[] {
  const out: Element[] = [(w) => w.string(4, "schema").i32(5, columns.length)];
  for (const c of columns) {
    if (c.type === "string_list") {
      out.push((w) =>
        w.i32(3, OPTIONAL).string(4, c.name).i32(5, 1).i32(6, CONVERTED.LIST)
          .struct(10, (w) => w.struct(3, () => {}))
      );
      out.push((w) => w.i32(3, REPEATED).string(4, "list").i32(5, 1));
      out.push(leaf("element", "string"));
    } else out.push(leaf(c.name, c.type));
  }
  return out;
}

function leaf(name: string, type: Exclude<ParquetType, "string_list">): Element {
  return (w) => {
    w.i32(1, physical[type]).i32(3, OPTIONAL).string(4, name);
    if (type === "string") {
      w.i32(6, CONVERTED.UTF8).struct(10, (w) => w.struct(1, () => {}));
    } else if (type === "int64") w.i32(6, CONVERTED.INT_64);
    else if (type === "timestamp") {
      w.i32(6, CONVERTED.TIMESTAMP_MICROS).struct(
        10,
        (w) => w.struct(8, (w) => w.bool(1, true).struct(2, (w) => w.struct(2, () => {}))),
      );
    }
  };
}

function writeChunkMeta(w: ThriftWriter, c: ChunkMeta): void {
  w.i64(2, c.offset);
  w.struct(3, (w) => {
    w.i32(1, physical[c.column.type]);
    w.i32List(2, c.encodings);
    w.stringList(
      3,
      c.column.type === "string_list" ? [c.column.name, "list", "element"] : [
        c.column.name,
      ],
    );
    w.i32(4, CODEC[c.codec]);
    w.i64(5, c.numValues);
    w.i64(6, c.uncompressed);
    w.i64(7, c.compressed);
    w.i64(9, c.dataOffset);
    if (c.dictOffset !== undefined) w.i64(11, c.dictOffset);
    w.struct(12, (w) => {
      w.i64(3, c.stats.nullCount);
      if (c.stats.max) w.binary(5, c.stats.max);
      if (c.stats.min) w.binary(6, c.stats.min);
    });
  });
}
