/**
 * {@linkcode IndexColumns}: what shard pruning and dataset statistics read from a dataset's
 * index, as columns (one slot per shard, slot `i` = shard `i` in `name`), never as one JS object
 * per shard. The index layer produces it (fast, from its columnar generations and fragments);
 * the query planner and `datasetStats` consume it. This file is the contract between them.
 *
 * Conventions: a count that is unknown is `NaN`; a bound that is unknown (no value counted,
 * field absent, aggregate dropped) is `NaN`, and a pruning rule must treat `NaN` as "could
 * match". Timestamps are epoch milliseconds (UTC).
 *
 * @module
 */
import type { BloomFilterJson } from "./bloom_filter.ts";

/** Per field, one slot per shard. Only the columns a caller asked for need be filled. */
export interface FieldColumns {
  /** The field's manifest role as the shards recorded it. */
  role: "categorical" | "numeric" | "set" | "timestamp";
  /**
   * 1 where the shard's manifest has this field with this role, 0 where it lacks it (every
   * sample of that shard is then null for the field: schema evolution).
   */
  present: Uint8Array;
  /** Non-null values per shard. */
  count: Float64Array;
  /** Null values per shard (`num_samples` where absent). */
  null_count: Float64Array;
  /** numeric and timestamp: bounds per shard (`NaN` when unknown). */
  min?: Float64Array;
  max?: Float64Array;
  /** numeric: NaN values per shard (they match no comparison). */
  nan_count?: Float64Array;
  /** numeric: sum of finite values per shard (for means). */
  sum?: Float64Array;
  /**
   * numeric: histogram per shard (`null` where the shard has none), as stored:
   * ascending `buckets` edges, `counts`, and for the fixed rule `below`/`above`.
   */
  histogram?: (
    | {
      rule: "fixed" | "decimal";
      buckets: Float64Array;
      counts: Float64Array;
      below: number;
      above: number;
    }
    | null
  )[];
  /**
   * categorical: count per value (keys stringified as in the headers), one column per value
   * that any shard lists; 0 where the shard does not list it.
   */
  values?: Map<string, Float64Array>;
  /**
   * categorical: samples per shard whose value is past the cap (not listed in `values`): a
   * value absent from `values` may still occur in a shard whose overflow count is > 0.
   */
  overflow_count?: Float64Array;
  /** set: every distinct item of the shard, when it stored them (`null` where it did not). */
  set_values?: (string[] | null)[];
  /** set: the shard's bloom filter, when it stored one instead of the values. */
  bloom?: (BloomFilterJson | null)[];
}

/** A dataset's index as columns. */
export interface IndexColumns {
  dataset: string;
  /** Number of shards (the length of every column). */
  length: number;
  /** Shard names relative to the dataset (`shard-000042.tar`), sorted. */
  name: string[];
  num_samples: Float64Array;
  size_bytes: Float64Array;
  schema_type: string[];
  schema_version: string[];
  /** Header `time_min` / `time_max` in epoch ms (`NaN` when absent). */
  time_min: Float64Array;
  time_max: Float64Array;
  /** Columns per manifest field name: every field some shard has (or the ones asked for). */
  fields: Record<string, FieldColumns>;
}
