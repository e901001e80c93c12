/**
 * {@linkcode datasetStats}: dataset-level statistics as exact sums of the shard aggregates, from
 * the dataset index alone (no manifest, Parquet file or shard is opened): over the index columns
 * when the index is compacted into segments (see `_stats_columns.ts`), else header by header.
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import { displayable } from "../display/mod.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Store } from "../store/store.ts";
import { aggregateKind, type AggregateSummary } from "../manifest/aggregate.ts";
import { readIndex, type ReadIndexOptions } from "./dataset_index.ts";
import { extremeIso } from "../manifest/timestamp_aggregate.ts";
import { datasetNotFound } from "./dataset_not_found.ts";
import { statsFromColumns } from "./_stats_columns.ts";

/** Dataset statistics. */
export interface DatasetStats {
  dataset: string;
  shards: number;
  num_samples: number;
  /** Total bytes of the tars. */
  size_bytes: number;
  time_min: string | null;
  time_max: string | null;
  /** Shards per `schema_type@schema_version`. */
  schemas: Record<string, number>;
  /** Merged summary per field (see each aggregate's merge for what is exact). */
  fields: Record<string, AggregateSummary>;
  /** What could not be merged exactly, and why. */
  issues: string[];
}

/** Options for {@linkcode datasetStats}. */
export interface DatasetStatsOptions extends ReadIndexOptions {
  /**
   * The reader's manifest fields: their roles win over stored ones, and shards lacking one count
   * as all null for it. @default the union of the fields found in the index (first role seen)
   */
  fields?: readonly ManifestField[];
}

/**
 * Adds the shard aggregates of a dataset's index (`ManifestError` `"not_found"` when nothing is
 * stored under the dataset): value counts, counts, sums, bounds and
 * histograms add exactly; a shard lacking a field counts as all null for it (schema evolution).
 *
 * @example
 * ```ts
 * import { datasetStats } from "./dataset_stats.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { writeShards } from "./write_shards.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * const store = new MemoryStore();
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { n: f.int() } });
 * await writeShards(store, "ds/shard-%06d.tar", [1, 2, 3].map((n) => ({ __key__: `k${n}`, n })), { schema: S });
 * const stats = await datasetStats(store, "ds");
 * if (stats.shards !== 1 || stats.num_samples !== 3) throw new Error("unexpected");
 * // A dataset that does not exist is an error naming the ones that do.
 * const err = await datasetStats(store, "dss").catch((e) => e);
 * if (err.code !== "not_found" || !err.message.includes("datasets at the store's root: ds")) {
 *   throw new Error(err.message);
 * }
 * ```
 */
export async function datasetStats(
  store: Store,
  dataset: string,
  options: DatasetStatsOptions = {},
): Promise<DatasetStats> {
  checkStore(store, "datasetStats");
  checkName(dataset, "datasetStats", "dataset");
  const fast = await statsFromColumns(store, dataset, options);
  if (fast) {
    // An empty index: say so when the dataset does not exist at all (as readIndex does).
    const missing = fast.shards === 0 ? await datasetNotFound(store, dataset) : undefined;
    if (missing) throw missing;
    return displayable("dataset_stats", fast);
  }
  const { entries } = await readIndex(store, dataset, options);
  const issues: string[] = [];
  const roles = new Map<string, string>();
  for (const f of options.fields ?? []) roles.set(f.name, f.role);
  if (!options.fields) {
    for (const { header } of entries) {
      for (const [name, agg] of Object.entries(header.aggregates)) {
        if (!roles.has(name)) roles.set(name, agg.type);
      }
    }
  }
  const fields: Record<string, AggregateSummary> = {};
  for (const [name, role] of roles) {
    const kind = aggregateKind(role);
    const summaries: AggregateSummary[] = [];
    for (const { shard, header } of entries) {
      const agg = header.aggregates[name];
      if (agg === undefined) summaries.push(kind.empty(header.num_samples));
      else if (agg.type === role) summaries.push(agg);
      else issues.push(`Field "${name}" of "${shard}" is ${agg.type}, not ${role}: left out`);
    }
    const merged = kind.merge(summaries);
    if (merged.type === "numeric" && merged.count > 0 && !merged.histogram) {
      issues.push(`Histogram of "${name}" left out: shards use different bucket edges`);
    }
    fields[name] = merged;
  }
  const schemas: Record<string, number> = {};
  for (const { header } of entries) {
    const id = `${header.schema_type}@${header.schema_version}`;
    schemas[id] = (schemas[id] ?? 0) + 1;
  }
  return displayable("dataset_stats", {
    dataset,
    shards: entries.length,
    num_samples: entries.reduce((a, e) => a + e.header.num_samples, 0),
    size_bytes: entries.reduce((a, e) => a + e.header.size_bytes, 0),
    time_min: extremeIso(entries.map((e) => e.header.time_min ?? null), -1),
    time_max: extremeIso(entries.map((e) => e.header.time_max ?? null), 1),
    schemas,
    fields,
    issues,
  });
}
