/**
 * The manifest of one shard while it is being written. Per sample it records the key and byte
 * range and hands each manifest field's value to that field's column builder (normalized into
 * typed arrays at once, see `_column_builders.ts`); at shard close the aggregates count the
 * columns and the Parquet writer encodes them, in tight loops.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Accumulator, AggregateOptions, AggregateSummary } from "./aggregate.ts";
import { aggregateKind } from "./aggregate.ts";
import { columnType, manifestParquetColumns } from "./_columns.ts";
import { type ColumnBuilder, KeyBuilder } from "./_column_builders.ts";
import { addRows } from "./_column_data.ts";
import type { ParquetOutColumn } from "./_parquet_writer.ts";

/** What a closed shard's accumulator yields. */
export interface ShardManifest {
  /** The aggregates by field name. */
  aggregates: Record<string, AggregateSummary>;
  /** The Parquet columns of the rows. */
  columns: ParquetOutColumn[];
}

type Capture = (builders: ColumnBuilder[], sample: Record<string, unknown>) => void;

/** Accumulates one shard's rows; {@linkcode ShardAccumulator.finish} aggregates them. */
export class ShardAccumulator {
  readonly #keys: KeyBuilder;
  readonly #offsets: number[] = [];
  readonly #sizes: number[] = [];
  readonly #fields: readonly ManifestField[];
  readonly #builders: ColumnBuilder[];
  readonly #capture: Capture;
  readonly #accumulators: Accumulator[];

  /** `capacity`: rows to make room for at first (the previous shard's count is a fair guess). */
  constructor(fields: readonly ManifestField[], options: AggregateOptions, capacity?: number) {
    this.#fields = fields;
    this.#keys = new KeyBuilder(capacity);
    this.#builders = fields.map((f) => columnType(f).builder(capacity));
    this.#capture = capturer(fields.map((f) => f.name));
    // Created now so that bad options (histogram edges) fail at the first sample.
    this.#accumulators = fields.map((f) => aggregateKind(f.role).create(f, options));
  }

  /** Number of rows so far. */
  get length(): number {
    return this.#offsets.length;
  }

  /** Records one sample's row. */
  add(key: string, offset: number, size: number, sample: Record<string, unknown>): void {
    this.#keys.push(key);
    this.#offsets.push(offset);
    this.#sizes.push(size);
    this.#capture(this.#builders, sample);
  }

  /** The aggregates and Parquet columns (once: the accumulators are spent afterwards). */
  finish(): ShardManifest {
    const entries: [string, AggregateSummary][] = [];
    const data = this.#fields.map((field, i) => {
      let column;
      try {
        column = this.#builders[i]!.finish();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new RangeError(`Manifest field "${field.name}": ${message}`, { cause: err });
      }
      const acc = this.#accumulators[i]!;
      if (acc.addColumn) acc.addColumn(column);
      else addRows(acc, column);
      entries.push([field.name, acc.finish()]);
      return column;
    });
    const keys = this.#keys.finish();
    return {
      aggregates: Object.fromEntries(entries),
      columns: manifestParquetColumns(keys, this.#offsets, this.#sizes, this.#fields, data),
    };
  }
}

const capturers = new Map<string, Capture>();

/**
 * A function calling `builders[i].push(sample[names[i]])` for each field. Generated once per
 * field list, with each name as a literal: each call site then sees one builder class and one
 * property name, and is inlined; a loop over the names is 3x slower (its keyed loads and calls
 * see every name and class). Names enter the source only through `JSON.stringify`.
 */
function capturer(names: readonly string[]): Capture {
  const id = JSON.stringify(names);
  let fn = capturers.get(id);
  if (!fn) {
    try {
      const body = names.map((n, i) => `b[${i}].push(s[${JSON.stringify(n)}]);`).join("\n");
      fn = new Function("b", "s", body) as Capture;
    } catch {
      // No code generation in this runtime: the plain loop.
      fn = (b, s) => {
        for (let i = 0; i < names.length; i++) b[i]!.push(s[names[i]!]);
      };
    }
    capturers.set(id, fn);
  }
  return fn;
}
