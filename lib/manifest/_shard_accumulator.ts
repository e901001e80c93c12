/**
 * The manifest of one shard while it is being written: the Parquet columns and one aggregate
 * accumulator per manifest field, fed sample by sample.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import {
  type Accumulator,
  aggregateKind,
  type AggregateOptions,
  type AggregateSummary,
  type ManifestValue,
} from "./aggregate.ts";
import { type ColumnType, columnType } from "./_columns.ts";
import type { ManifestColumns } from "./manifest_parquet.ts";

/** Accumulates one shard's rows and aggregates. */
export class ShardAccumulator {
  readonly columns: ManifestColumns;
  readonly #fields: readonly ManifestField[];
  readonly #types: ColumnType[];
  readonly #accumulators: Accumulator[];
  readonly #values: (ManifestValue | null)[][];

  constructor(fields: readonly ManifestField[], options: AggregateOptions) {
    this.#fields = fields;
    this.#types = fields.map(columnType);
    this.#accumulators = fields.map((f) => aggregateKind(f.role).create(f, options));
    this.#values = fields.map(() => []);
    this.columns = {
      keys: [],
      offsets: [],
      sizes: [],
      values: Object.fromEntries(fields.map((f, i) => [f.name, this.#values[i]!])),
    };
  }

  /** Number of rows so far. */
  get length(): number {
    return this.columns.keys.length;
  }

  /** Adds one sample's row and counts its field values. */
  add(key: string, offset: number, size: number, sample: Record<string, unknown>): void {
    this.columns.keys.push(key);
    this.columns.offsets.push(offset);
    this.columns.sizes.push(size);
    for (let i = 0; i < this.#fields.length; i++) {
      const value = this.#types[i]!.normalize(sample[this.#fields[i]!.name]);
      this.#values[i]!.push(value);
      if (value === null) this.#accumulators[i]!.addNull();
      else this.#accumulators[i]!.add(value);
    }
  }

  /** The aggregates by field name. */
  finish(): Record<string, AggregateSummary> {
    return Object.fromEntries(
      this.#fields.map((f, i) => [f.name, this.#accumulators[i]!.finish()]),
    );
  }
}
