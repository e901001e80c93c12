/**
 * Aggregates: per-shard summaries of manifest fields, one implementation per field role,
 * chosen from a registration table ({@linkcode registerAggregate}), never by a switch.
 *
 * An {@linkcode AggregateKind} knows how to accumulate a shard's values, read a stored summary
 * (including atdata's simpler ones), make the summary of a shard that lacks the field (schema
 * evolution: all null), and add shard summaries into a dataset summary exactly.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Histogram } from "./histogram.ts";
import type { BloomFilterJson } from "./bloom_filter.ts";
import type { ColumnData } from "../parquet/column_data.ts";
import { ManifestError } from "./manifest_error.ts";
import { categoricalAggregate } from "./categorical_aggregate.ts";
import { numericAggregate } from "./numeric_aggregate.ts";
import { setAggregate } from "./set_aggregate.ts";
import { timestampAggregate } from "./timestamp_aggregate.ts";

/** A normalized manifest value: what {@linkcode Accumulator.add} receives (never null). */
export type ManifestValue = string | number | bigint | boolean | string[];

/** Summary of a `categorical` field. */
export interface CategoricalSummary {
  type: "categorical";
  /** Non-null values. */
  count: number;
  /** Null (or missing) values. */
  null_count: number;
  /** Distinct non-null values (a lower bound in a dataset summary with overflow). */
  cardinality: number;
  /** Count per value, keys stringified (`"true"`, `"3"`), at most the cap's most frequent. */
  value_counts: Record<string, number>;
  /** The values past the cap: how many distinct ones and how many samples hold them. */
  overflow: { cardinality: number; count: number };
}

/** Summary of a `numeric` field. `min`/`max`/`mean` are null when nothing was counted. */
export interface NumericSummary {
  type: "numeric";
  /** Non-null, non-NaN values (infinities included). */
  count: number;
  null_count: number;
  /** NaN values (excluded from everything else). */
  nan_count: number;
  /** Infinite values: counted in min/max as ±Number.MAX_VALUE, excluded from sum and mean. */
  inf_count: number;
  min: number | null;
  max: number | null;
  /** Sum of the finite values. */
  sum: number;
  /** `sum / (count - inf_count)`. */
  mean: number | null;
  /** Absent in atdata's manifests. */
  histogram?: Histogram;
}

/** Summary of a `set` field (a list of tags, or a scalar treated as a one-element set). */
export interface SetSummary {
  type: "set";
  /** Samples with a non-null value. */
  count: number;
  null_count: number;
  /** Distinct items (a lower bound in a dataset summary without `all_values`). */
  cardinality: number;
  /** Every distinct item, sorted, when there are at most the cap. */
  all_values?: string[];
  /** A bloom filter of every item, when there are more (no false negatives). */
  bloom_filter?: BloomFilterJson;
}

/** Summary of a `timestamp` field; `min`/`max` ISO 8601 UTC, null when nothing was counted. */
export interface TimestampSummary {
  type: "timestamp";
  count: number;
  null_count: number;
  min: string | null;
  max: string | null;
}

/** Any built-in summary; registered kinds may add others with their own `type`. */
export type AggregateSummary =
  | CategoricalSummary
  | NumericSummary
  | SetSummary
  | TimestampSummary;

/** Options shared by the aggregates. */
export interface AggregateOptions {
  /** Categorical: most distinct values kept in `value_counts`; the rest go to `overflow`. @default 1000 */
  categoricalCap?: number;
  /** Set: most distinct items listed in `all_values`; past it, a bloom filter. @default 1000 */
  setValuesCap?: number;
  /** Set: bloom filter false-positive rate at the shard's cardinality. @default 0.01 */
  bloomFalsePositiveRate?: number;
}

/** Accumulates one field of one shard. */
export interface Accumulator<S = AggregateSummary> {
  /** Counts a non-null normalized value. */
  add(value: ManifestValue): void;
  /** Counts a null value. */
  addNull(): void;
  /**
   * Counts a shard's whole column at once (optional; the built-in aggregates count it in tight
   * loops, and are given a shard's rows in several batches, each counted on top of the last).
   * Without it, the builder calls `add` / `addNull` per row with `column.value(row)`.
   */
  addColumn?(column: ColumnData): void;
  /** The summary. */
  finish(): S;
}

/** One aggregate implementation, registered by role. */
export interface AggregateKind<S = AggregateSummary> {
  /** The manifest role it serves (`ManifestField.role`). */
  readonly role: string;
  /** A fresh accumulator for one shard. */
  create(field: ManifestField, options: AggregateOptions): Accumulator<S>;
  /** Reads a stored summary (shardline's or atdata's) of a shard of `numSamples` samples. */
  read(raw: Record<string, unknown>, numSamples: number): S;
  /** The summary of a shard whose manifest lacks the field: every sample null. */
  empty(numSamples: number): S;
  /** Adds shard summaries into a dataset summary (exact where the module docs say so). */
  merge(summaries: readonly S[]): S;
}

// deno-lint-ignore no-explicit-any
const kinds = new Map<string, AggregateKind<any>>([
  ["categorical", categoricalAggregate],
  ["numeric", numericAggregate],
  ["set", setAggregate],
  ["timestamp", timestampAggregate],
]);

/** The built-in kinds, as loaded (a worker thread loads the same ones). */
const builtins = new Map(kinds);

/**
 * Whether `role`'s aggregate is the built-in one, not added or replaced by
 * {@linkcode registerAggregate} (registrations are per thread: a worker has only the built-ins).
 */
export function isBuiltinAggregate(role: string): boolean {
  return kinds.has(role) && kinds.get(role) === builtins.get(role);
}

/** Whether every field's aggregate is the built-in one (see {@linkcode isBuiltinAggregate}). */
export function builtinAggregatesOnly(fields: readonly { role: string }[]): boolean {
  return fields.every((f) => isBuiltinAggregate(f.role));
}

/**
 * Registers (or replaces) the aggregate of a role.
 *
 * @example
 * ```ts
 * import { aggregateKind, registerAggregate } from "./aggregate.ts";
 * registerAggregate({ ...aggregateKind("categorical"), role: "label" });
 * if (aggregateKind("label").role !== "label") throw new Error("unreachable");
 * ```
 */
export function registerAggregate<S>(kind: AggregateKind<S>): void {
  kinds.set(kind.role, kind);
}

/** The aggregate of a role; throws a {@linkcode ManifestError} `"unknown_aggregate"` if none. */
export function aggregateKind(role: string): AggregateKind {
  const kind = kinds.get(role);
  if (!kind) {
    throw new ManifestError(
      "unknown_aggregate",
      `No aggregate registered for role "${role}" (known: ${[...kinds.keys()].join(", ")})`,
    );
  }
  return kind;
}
