/**
 * The manifest of one shard while it is being written. Per sample it records the key and byte
 * range and hands each manifest field's value to that field's column builder (normalized into
 * typed arrays at once, see `_column_builders.ts`); the columns go to a `ShardEncoder`
 * (`_encode_shard.ts`: aggregates and Parquet, on this thread or a worker) in batches of
 * `ROW_GROUP_ROWS` rows as they fill, when the owner takes them (`onBatch`), and at shard close.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { AggregateOptions } from "./aggregate.ts";
import { aggregateKind } from "./aggregate.ts";
import { columnType } from "./_field_columns.ts";
import { type ColumnBuilder, KeyBuilder } from "./_column_builders.ts";
import { growF64 } from "../util/grow_array.ts";
import type { ColumnData, ListParts } from "../parquet/column_data.ts";
import { aggregateOptions, ROW_GROUP_ROWS, type ShardRows } from "./_encode_shard.ts";

type Capture = (builders: ColumnBuilder[], sample: Record<string, unknown>) => void;

/**
 * Accumulates one shard's rows; {@linkcode ShardAccumulator.rows} hands them over (with
 * `onBatch`, only those since the last full batch).
 */
export class ShardAccumulator {
  #keys!: KeyBuilder;
  /** Byte offset and size of each row (of the current batch). */
  #offsets!: Float64Array;
  #sizes!: Float64Array;
  #builders!: ColumnBuilder[];
  /** Rows of the current batch; rows in batches handed over before it. */
  #n = 0;
  #handed = 0;
  readonly #fields: readonly ManifestField[];
  readonly #options: AggregateOptions;
  readonly #capture: Capture;
  readonly #capacity: number;
  readonly #onBatch: ((rows: ShardRows) => void) | undefined;
  /** A batch's values that could not be stored: thrown by `rows()`. */
  #error: unknown;

  /**
   * `capacity`: rows to make room for at first (the previous shard's count is a fair guess).
   * `onBatch`: takes every {@linkcode ROW_GROUP_ROWS} rows as they fill (they are not kept).
   */
  constructor(
    fields: readonly ManifestField[],
    options: AggregateOptions,
    capacity = 256,
    onBatch?: (rows: ShardRows) => void,
  ) {
    this.#fields = fields;
    this.#options = aggregateOptions(options);
    this.#onBatch = onBatch;
    this.#capacity = Math.max(16, onBatch ? Math.min(capacity, ROW_GROUP_ROWS) : capacity);
    this.#capture = capturer(fields.map((f) => f.name));
    this.#reset();
    // Made now (and dropped) so that bad options (histogram edges) fail at the first sample.
    for (const f of fields) aggregateKind(f.role).create(f, options);
  }

  #reset(): void {
    this.#n = 0;
    this.#keys = new KeyBuilder(this.#capacity);
    this.#offsets = new Float64Array(this.#capacity);
    this.#sizes = new Float64Array(this.#capacity);
    this.#builders = this.#fields.map((f) => columnType(f).builder(this.#capacity));
  }

  /** Number of rows so far (all batches). */
  get length(): number {
    return this.#handed + this.#n;
  }

  /** Records one sample's row. */
  add(key: string, offset: number, size: number, sample: Record<string, unknown>): void {
    const n = this.#n;
    if (n === this.#offsets.length) {
      this.#offsets = growF64(this.#offsets, n + 1);
      this.#sizes = growF64(this.#sizes, n + 1);
    }
    this.#offsets[n] = offset;
    this.#sizes[n] = size;
    this.#n = n + 1;
    this.#keys.push(key);
    this.#capture(this.#builders, sample);
    if (n + 1 === ROW_GROUP_ROWS && this.#onBatch) this.#handOver(this.#onBatch);
  }

  /** Hands the full batch to `onBatch` (runs inside the writer's `write`: never throws). */
  #handOver(onBatch: (rows: ShardRows) => void): void {
    if (this.#error === undefined) {
      try {
        onBatch(this.rows());
      } catch (err) {
        this.#error = err;
      }
    }
    this.#handed += this.#n;
    this.#reset();
  }

  /**
   * The rows (of the current batch) as columns (once: the builders are spent afterwards). A
   * field whose values cannot be stored (an int outside int64) is a RangeError naming the field,
   * here or, for a batch handed over, at the next call.
   */
  rows(): ShardRows {
    if (this.#error !== undefined) throw this.#error;
    const data = this.#fields.map((field, i): ColumnData | ListParts => {
      const builder = this.#builders[i]!;
      try {
        return builder.finishParts ? builder.finishParts() : builder.finish();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new RangeError(`Manifest field "${field.name}": ${message}`, { cause: err });
      }
    });
    const n = this.#n;
    const offsets = this.#offsets.subarray(0, n);
    const sizes = this.#sizes.subarray(0, n);
    return {
      fields: this.#fields,
      options: this.#options,
      keys: this.#keys.finishParts(),
      offsets,
      sizes,
      data,
    };
  }
}

const capturers = new Map<string, Capture>();

/**
 * A function calling `builders[i].push(sample[names[i]])` for each field. Generated once per
 * field list, with each name as a literal: each call site then sees one builder class and one
 * property name, and is inlined; a loop over the names is slower (its keyed loads and calls
 * see every name and class: `bench/manifests.ts`). Names enter the source only through `JSON.stringify`.
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
