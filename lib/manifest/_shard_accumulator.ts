/**
 * The manifest of one shard while it is being written. Per sample it records the key and byte
 * range and hands each manifest field's value to that field's column builder (normalized into
 * typed arrays at once, see `_column_builders.ts`); at shard close the columns go to
 * `encodeShard` (`_shard_encode.ts`: aggregates and Parquet, on this thread or a worker).
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { AggregateOptions } from "./aggregate.ts";
import { aggregateKind } from "./aggregate.ts";
import { columnType } from "./_columns.ts";
import { type ColumnBuilder, KeyBuilder } from "./_column_builders.ts";
import { growF64 } from "./_grow.ts";
import type { ColumnData, ListParts } from "./_column_data.ts";
import { aggregateOptions, type ShardRows } from "./_shard_encode.ts";

type Capture = (builders: ColumnBuilder[], sample: Record<string, unknown>) => void;

/** Accumulates one shard's rows; {@linkcode ShardAccumulator.rows} hands them over. */
export class ShardAccumulator {
  readonly #keys: KeyBuilder;
  /** Byte offset and size of each row. */
  #offsets: Float64Array;
  #sizes: Float64Array;
  #n = 0;
  readonly #fields: readonly ManifestField[];
  readonly #options: AggregateOptions;
  readonly #builders: ColumnBuilder[];
  readonly #capture: Capture;

  /** `capacity`: rows to make room for at first (the previous shard's count is a fair guess). */
  constructor(fields: readonly ManifestField[], options: AggregateOptions, capacity = 256) {
    this.#fields = fields;
    this.#options = aggregateOptions(options);
    this.#keys = new KeyBuilder();
    this.#offsets = new Float64Array(Math.max(16, capacity));
    this.#sizes = new Float64Array(Math.max(16, capacity));
    this.#builders = fields.map((f) => columnType(f).builder(capacity));
    this.#capture = capturer(fields.map((f) => f.name));
    // Made now (and dropped) so that bad options (histogram edges) fail at the first sample.
    for (const f of fields) aggregateKind(f.role).create(f, options);
  }

  /** Number of rows so far. */
  get length(): number {
    return this.#n;
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
  }

  /**
   * The rows as columns (once: the builders are spent afterwards). A field whose values cannot
   * be stored (an int outside int64) is a RangeError naming the field.
   */
  rows(): ShardRows {
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
