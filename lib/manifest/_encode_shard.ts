/**
 * The CPU work of a shard's commit, as a pure function of its captured rows: the aggregates
 * counted over the columns, the Parquet bytes and their sha256 ({@linkcode encodeShard}). It runs
 * on the writer's thread or in the encode worker (`_encode_pool.ts`); the rows travel there as
 * {@linkcode ShardRows}, whose typed arrays are transferred (not copied): {@linkcode wireRows}
 * and {@linkcode readWireRows} convert the column classes to plain objects and back.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import { sha256Hex } from "../util/sha256.ts";
import type { Accumulator, AggregateOptions, AggregateSummary } from "./aggregate.ts";
import { aggregateKind } from "./aggregate.ts";
import {
  BoolColumn,
  type ColumnData,
  KeyColumn,
  KeyParts,
  ListColumn,
  ListParts,
  NumberColumn,
  StringColumn,
} from "../parquet/column_data.ts";
import { addRows } from "./_add_rows.ts";
import { manifestParquetColumns, manifestParquetSchema } from "./_field_columns.ts";
import { ParquetFileWriter } from "../parquet/parquet_writer.ts";

/** One shard's captured rows: what the commit encodes. */
export interface ShardRows {
  fields: readonly ManifestField[];
  /** Only the aggregate options (plain data: the rows may go to a worker). */
  options: AggregateOptions;
  /** The sample keys (maybe not yet encoded). */
  keys: KeyColumn | KeyParts;
  offsets: Float64Array;
  sizes: Float64Array;
  /** `data[i]` is the column of `fields[i]` (lists maybe not yet coded). */
  data: (ColumnData | ListParts)[];
}

/** What a shard's commit writes, but for the header's other fields. */
export interface EncodedShard {
  /** The aggregates by field name. */
  aggregates: Record<string, AggregateSummary>;
  /** The `.manifest.parquet` bytes. */
  parquet: Uint8Array;
  /** Hex sha256 of `parquet`. */
  sha256: string;
}

/** The aggregate options of any options object (functions and the rest left out). */
export function aggregateOptions(options: AggregateOptions): AggregateOptions {
  const out: AggregateOptions = {};
  if (options.categoricalCap !== undefined) out.categoricalCap = options.categoricalCap;
  if (options.setValuesCap !== undefined) out.setValuesCap = options.setValuesCap;
  if (options.bloomFalsePositiveRate !== undefined) {
    out.bloomFalsePositiveRate = options.bloomFalsePositiveRate;
  }
  return out;
}

/**
 * Rows per row group of a manifest's Parquet file, and per batch a shard's rows are handed to
 * its encoding while the shard is written (`_encode_pool.ts`): a batch is a row group, so the
 * bytes are the same whether the rows came in batches or at once.
 */
export const ROW_GROUP_ROWS = 4096;

/**
 * One shard's encoding, fed its rows in batches ({@linkcode ShardEncoder.add}; every batch but
 * the last of {@linkcode ROW_GROUP_ROWS} rows for the bytes {@linkcode encodeShard} gives), then
 * {@linkcode ShardEncoder.finish}: the aggregates counted over the columns (every built-in
 * aggregate counts batch after batch as it would all rows at once), the Parquet file, its sha256.
 */
export class ShardEncoder {
  readonly #fields: readonly ManifestField[];
  readonly #accumulators: Accumulator[];
  readonly #file: ParquetFileWriter;

  constructor(fields: readonly ManifestField[], options: AggregateOptions) {
    this.#fields = fields;
    this.#accumulators = fields.map((f) => aggregateKind(f.role).create(f, options));
    this.#file = new ParquetFileWriter(manifestParquetSchema(fields), {
      rowGroupSize: ROW_GROUP_ROWS,
    });
  }

  /** Counts and writes a batch of rows (of this encoder's fields). */
  add(rows: ShardRows): void {
    const data = rows.data.map((c) => c instanceof ListParts ? c.column() : c);
    data.forEach((column, i) => {
      const acc = this.#accumulators[i]!;
      if (acc.addColumn) acc.addColumn(column);
      else addRows(acc, column);
    });
    const keys = rows.keys instanceof KeyParts ? rows.keys.column() : rows.keys;
    const columns = manifestParquetColumns(keys, rows.offsets, rows.sizes, this.#fields, data);
    this.#file.add(columns, keys.length);
  }

  /** The aggregates, Parquet bytes and sha256 of every row added (the encoder is spent). */
  finish(): EncodedShard {
    const entries = this.#fields.map((f, i) => [f.name, this.#accumulators[i]!.finish()]);
    const parquet = this.#file.finish();
    return { aggregates: Object.fromEntries(entries), parquet, sha256: sha256Hex(parquet) };
  }
}

/** Counts the aggregates, encodes the Parquet file and hashes it. */
export function encodeShard(rows: ShardRows): EncodedShard {
  return encodeBatches([rows]);
}

/** {@linkcode encodeShard} of a shard's rows in batches ({@linkcode ShardEncoder.add}'s). */
export function encodeBatches(batches: readonly ShardRows[]): EncodedShard {
  const encoder = new ShardEncoder(batches[0]!.fields, batches[0]!.options);
  for (const rows of batches) encoder.add(rows);
  return encoder.finish();
}

/**
 * A typed array's place in the message's one buffer. The arrays are copied into one
 * ArrayBuffer, which is transferred: one copy costs less than a transfer per array in Deno,
 * and a bare ArrayBuffer because `node:worker_threads` in Deno walks a typed array's elements
 * one by one.
 */
interface WireView {
  offset: number;
  length: number;
}

type View = Float64Array | Int32Array | Uint8Array;

/**
 * {@linkcode ShardRows} as plain data (structured-cloneable, typed arrays copied into one
 * buffer) and that buffer, to transfer.
 */
export function wireRows(rows: ShardRows): { message: unknown; transfer: ArrayBuffer[] } {
  const views: View[] = [];
  let size = 0;
  const w = (a: View | undefined): WireView | undefined => {
    if (!a) return undefined;
    const offset = size;
    views.push(a);
    size += (a.byteLength + 7) & ~7; // each array 8-byte aligned
    return { offset, length: a.length };
  };
  const columns = [rows.keys, ...rows.data].map((c) => {
    switch (c.kind) {
      case "number":
        return {
          kind: c.kind,
          values: w(c.values),
          nulls: w(c.nulls),
          nullCount: c.nullCount,
          big: c.big,
        };
      case "bool":
        return { kind: c.kind, values: w(c.values), nulls: w(c.nulls), nullCount: c.nullCount };
      case "string":
        return { kind: c.kind, dict: c.dict, codes: w(c.codes), nullCount: c.nullCount };
      case "list":
        return {
          kind: c.kind,
          dict: c.dict,
          offsets: w(c.offsets),
          codes: w(c.codes),
          nulls: w(c.nulls),
          nullCount: c.nullCount,
        };
      case "keys":
        return { kind: c.kind, bytes: w(c.bytes), lengths: w(c.lengths) };
      case "key_parts":
        return { kind: c.kind, text: c.text, lengths: w(c.lengths) };
      case "list_parts":
        return {
          kind: c.kind,
          text: c.text,
          itemLengths: w(c.itemLengths),
          offsets: w(c.offsets),
          nulls: w(c.nulls),
          nullCount: c.nullCount,
        };
    }
  });
  const offsets = w(rows.offsets);
  const sizes = w(rows.sizes);
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  for (const v of views) {
    bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += (v.byteLength + 7) & ~7;
  }
  const message = { fields: rows.fields, options: rows.options, buffer, offsets, sizes, columns };
  return { message, transfer: [buffer] };
}

// deno-lint-ignore no-explicit-any
type Wire = any;

/** The {@linkcode ShardRows} of a {@linkcode wireRows} message (after its trip to a worker). */
export function readWireRows(message: Wire): ShardRows {
  const buffer: ArrayBuffer = message.buffer;
  const f64 = (v: WireView) => new Float64Array(buffer, v.offset, v.length);
  const i32 = (v: WireView) => new Int32Array(buffer, v.offset, v.length);
  const u8 = (v: WireView | undefined) => v && new Uint8Array(buffer, v.offset, v.length);
  const columns = message.columns.map((c: Wire): ColumnData | ListParts | KeyParts => {
    switch (c.kind) {
      case "number":
        return new NumberColumn(f64(c.values), u8(c.nulls), c.nullCount, c.big);
      case "bool":
        return new BoolColumn(u8(c.values)!, u8(c.nulls), c.nullCount);
      case "string":
        return new StringColumn(c.dict, i32(c.codes), c.nullCount);
      case "list":
        return new ListColumn(c.dict, i32(c.offsets), i32(c.codes), u8(c.nulls), c.nullCount);
      case "keys":
        return new KeyColumn(u8(c.bytes)!, i32(c.lengths));
      case "key_parts":
        return new KeyParts(c.text, i32(c.lengths));
      case "list_parts":
        return new ListParts(c.text, i32(c.itemLengths), i32(c.offsets), u8(c.nulls), c.nullCount);
      default:
        throw new TypeError(`Unknown manifest column kind "${c.kind}"`);
    }
  });
  const [keys, ...data] = columns;
  if (!(keys instanceof KeyColumn || keys instanceof KeyParts)) {
    throw new TypeError("The first column is not the keys");
  }
  if (data.some((c: unknown) => c instanceof KeyParts)) {
    throw new TypeError("A field column holds keys");
  }
  return {
    fields: message.fields,
    options: message.options,
    keys,
    offsets: f64(message.offsets),
    sizes: f64(message.sizes),
    data: data as (ColumnData | ListParts)[],
  };
}
