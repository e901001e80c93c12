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
import type { BloomFilterJson } from "../manifest/bloom_filter.ts";
import type { ManifestHeader } from "../manifest/manifest_header.ts";
import type { ManifestField } from "../schema/manifest_field.ts";

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
  /** numeric: infinite values per shard (counted in `count` and the bounds, not in `sum`). */
  inf_count?: Float64Array;
  /** categorical and set: distinct values per shard (0 where absent). */
  cardinality?: Float64Array;
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
   * categorical: true when `values` holds only the values a reader asked for (`values` option):
   * a value missing from it is then unknown, not 0.
   */
  partial_values?: boolean;
  /**
   * categorical: samples per shard whose value is past the cap (not listed in `values`): a
   * value absent from `values` may still occur in a shard whose overflow count is > 0.
   */
  overflow_count?: Float64Array;
  /** categorical: distinct values per shard past the cap. */
  overflow_cardinality?: Float64Array;
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
  /** Header `manifest_version` (`"1.0.0"`: atdata's, whose sample offsets are not tar offsets). */
  manifest_version: string[];
  /**
   * The manifest fields each shard was written with (header `fields`; shards of one schema
   * version may share one array), `null` where the header has none (atdata's).
   */
  schema_fields: (ManifestField[] | null)[];
  /**
   * The Parquet layer as each header records it: its name relative to the manifest's folder
   * (`""` when not recorded), sha256 (`""`), bytes (0). Absent when a reader skipped `"parquet"`.
   */
  parquet_key?: string[];
  parquet_sha256?: string[];
  parquet_size?: Float64Array;
  /** Columns per manifest field name: every field some shard has (or the ones asked for). */
  fields: Record<string, FieldColumns>;
}

/** Options for {@linkcode indexColumnsFromHeaders}. */
export interface IndexColumnsFromHeadersOptions {
  /** Only these fields' columns. @default every field some shard has */
  fields?: readonly string[];
  /**
   * Per categorical field, only these values' counts: `values` then holds exactly these (zeros
   * where no shard lists one). A reader that tests a few values of a wide field (one camera of
   * hundreds) need not hold a column per value. @default every value some shard lists
   */
  values?: Readonly<Record<string, readonly string[]>>;
}

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

function timeMs(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

function fieldColumns(role: FieldColumns["role"], n: number): FieldColumns {
  const cols: FieldColumns = {
    role,
    present: new Uint8Array(n),
    count: new Float64Array(n),
    null_count: nanArray(n),
  };
  if (role === "numeric" || role === "timestamp") {
    cols.min = nanArray(n);
    cols.max = nanArray(n);
  }
  if (role === "numeric") {
    cols.nan_count = new Float64Array(n);
    cols.sum = new Float64Array(n);
    cols.inf_count = new Float64Array(n);
    cols.histogram = new Array(n).fill(null);
  }
  if (role === "categorical") {
    cols.values = new Map();
    cols.overflow_count = new Float64Array(n);
    cols.overflow_cardinality = new Float64Array(n);
    cols.cardinality = new Float64Array(n);
  }
  if (role === "set") {
    cols.cardinality = new Float64Array(n);
    cols.set_values = new Array(n).fill(null);
    cols.bloom = new Array(n).fill(null);
  }
  return cols;
}

/**
 * Builds {@linkcode IndexColumns} from index entries (names and parsed headers): the reference
 * conversion, for fragments not yet compacted and for tests. A field that a shard lacks, or
 * whose stored role differs from the first role seen for it, is `present = 0` in that shard.
 *
 * @example
 * ```ts
 * import { indexColumnsFromHeaders } from "./index_columns.ts";
 * import { parseManifestHeader } from "../manifest/manifest_header.ts";
 * const header = parseManifestHeader({ num_samples: 2, aggregates: { score: {
 *   type: "numeric", count: 2, null_count: 0, min: 0.5, max: 0.9, mean: 0.7 } } });
 * const cols = indexColumnsFromHeaders("ds", [{ name: "shard-000000.tar", header }]);
 * if (cols.fields.score?.max?.[0] !== 0.9) throw new Error();
 * ```
 */
export function indexColumnsFromHeaders(
  dataset: string,
  entries: readonly { name: string; header: ManifestHeader }[],
  options: IndexColumnsFromHeadersOptions = {},
): IndexColumns {
  const n = entries.length;
  const wanted = options.fields ? new Set(options.fields) : undefined;
  const out: IndexColumns = {
    dataset,
    length: n,
    name: entries.map((e) => e.name),
    num_samples: Float64Array.from(entries, (e) => e.header.num_samples),
    size_bytes: Float64Array.from(entries, (e) => e.header.size_bytes),
    schema_type: entries.map((e) => e.header.schema_type),
    schema_version: entries.map((e) => e.header.schema_version),
    time_min: Float64Array.from(entries, (e) => timeMs(e.header.time_min)),
    time_max: Float64Array.from(entries, (e) => timeMs(e.header.time_max)),
    manifest_version: entries.map((e) => e.header.manifest_version),
    schema_fields: entries.map((e) => e.header.fields ?? null),
    parquet_key: entries.map((e) => e.header.parquet?.key ?? ""),
    parquet_sha256: entries.map((e) => e.header.parquet?.sha256 ?? ""),
    parquet_size: Float64Array.from(entries, (e) => e.header.parquet?.size_bytes ?? 0),
    fields: {},
  };
  entries.forEach(({ header }, i) => {
    for (const [field, agg] of Object.entries(header.aggregates)) {
      if (wanted && !wanted.has(field)) continue;
      const role = agg.type as FieldColumns["role"];
      if (!["categorical", "numeric", "set", "timestamp"].includes(role)) continue;
      const cols = out.fields[field] ??= fieldColumns(role, n);
      if (cols.role !== role) continue;
      cols.present[i] = 1;
      cols.count[i] = agg.count;
      cols.null_count[i] = agg.null_count;
      if (agg.type === "numeric") {
        cols.min![i] = agg.min ?? Number.NaN;
        cols.max![i] = agg.max ?? Number.NaN;
        cols.nan_count![i] = agg.nan_count;
        cols.sum![i] = agg.sum;
        cols.inf_count![i] = agg.inf_count;
        const h = agg.histogram;
        if (h) {
          cols.histogram![i] = {
            rule: h.rule,
            buckets: Float64Array.from(h.buckets),
            counts: Float64Array.from(h.counts),
            below: h.below ?? 0,
            above: h.above ?? 0,
          };
        }
      } else if (agg.type === "timestamp") {
        cols.min![i] = timeMs(agg.min);
        cols.max![i] = timeMs(agg.max);
      } else if (agg.type === "categorical") {
        const only = options.values?.[field];
        if (only) cols.partial_values = true;
        for (const value of only ?? []) {
          if (!cols.values!.has(value)) cols.values!.set(value, new Float64Array(n));
          const counts = agg.value_counts; // own keys only: not `constructor` of every object
          cols.values!.get(value)![i] = Object.hasOwn(counts, value) ? counts[value]! : 0;
        }
        for (const [value, count] of only ? [] : Object.entries(agg.value_counts)) {
          let col = cols.values!.get(value);
          if (!col) cols.values!.set(value, col = new Float64Array(n));
          col[i] = count;
        }
        cols.overflow_count![i] = agg.overflow.count;
        cols.overflow_cardinality![i] = agg.overflow.cardinality;
        cols.cardinality![i] = agg.cardinality;
      } else if (agg.type === "set") {
        cols.cardinality![i] = agg.cardinality;
        cols.set_values![i] = agg.all_values ?? null;
        cols.bloom![i] = agg.bloom_filter ?? null;
      }
    }
  });
  // A field absent from a shard: every sample of that shard is null for it.
  for (const cols of Object.values(out.fields)) {
    for (let i = 0; i < n; i++) if (!cols.present[i]) cols.null_count[i] = out.num_samples[i]!;
  }
  return out;
}
