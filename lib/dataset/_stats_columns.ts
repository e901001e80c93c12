/**
 * `datasetStats` from the index columns: sums over typed arrays in shard-name order (the order
 * the per-header merge adds in, so the sums are the same numbers), plus, for what a column sum
 * cannot give (merged histograms, set unions, timestamp bounds as written), each segment's
 * summary written beside it at compaction. Returns undefined where that would not be exact:
 * a generation of the older layout, a shard holding a field with another role or an aggregate
 * kind without columns, or fragments and removals that replace shards of a segment; the caller
 * then merges header by header.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import { aggregateKind, type AggregateSummary } from "../manifest/aggregate.ts";
import { type Histogram, mergeHistograms } from "../manifest/histogram.ts";
import { extremeIso } from "../manifest/timestamp_aggregate.ts";
import { type IndexColumns, indexColumnsFromHeaders } from "./index_columns.ts";
import { mapLimit } from "../util/map_limit.ts";
import { withIndexSnapshot } from "./_index_snapshot.ts";
import { getOrUndefined, readSegmentSummary, segmentKeys } from "./_index_generation.ts";
import { readSegmentColumns } from "./_index_segment_read.ts";
import { COLUMN_ROLES, type SegmentSummary } from "./_index_segment.ts";
import { mergeIndexColumns } from "./_index_merge.ts";
import type { DatasetStats } from "./dataset_stats.ts";

const SKIP = new Set(["histogram", "set_values", "bloom", "parquet"] as const);

/** The stats of `dataset` from its columns, or undefined (see the module doc). */
export async function statsFromColumns(
  store: Store,
  dataset: string,
  options: { fields?: readonly ManifestField[]; concurrency?: number; tempDir?: string },
): Promise<DatasetStats | undefined> {
  const limit = options.concurrency ?? 16;
  return await withIndexSnapshot(store, dataset, options, async (snap) => {
    if (snap.legacyEntries) return null;
    const infos = snap.segments?.segments ?? [];
    if (infos.some((s) => s.otherRoles > 0 || Object.values(s.fields).some((f) => f.conflicts))) {
      return null;
    }
    const touched = [...snap.removed, ...snap.fragments.map((e) => e.name)];
    if (touched.some((name) => infos.some((s) => name >= s.first && name <= s.last))) return null;
    const roles = new Map<string, string>();
    for (const s of infos) {
      for (const [name, f] of Object.entries(s.fields)) roles.set(name, f.role);
    }
    for (const { header } of snap.fragments) {
      for (const [name, agg] of Object.entries(header.aggregates)) {
        if (!(COLUMN_ROLES as readonly string[]).includes(agg.type)) return null;
        if ((roles.get(name) ?? agg.type) !== agg.type) return null;
        roles.set(name, agg.type);
      }
    }
    for (const f of options.fields ?? []) {
      if ((roles.get(f.name) ?? f.role) !== f.role) return null;
    }
    const wanted = options.fields ? new Set(options.fields.map((f) => f.name)) : undefined;
    const read = await mapLimit(infos, limit, async (info) => {
      const [bytes, summary] = await Promise.all([
        getOrUndefined(store, segmentKeys(dataset, info.id).columns),
        readSegmentSummary(store, dataset, info.id),
      ]);
      if (!bytes || !summary) return undefined;
      const cols = await readSegmentColumns(dataset, bytes, info, { fields: wanted, skip: SKIP });
      return { cols, summary };
    });
    if (read.some((r) => r === undefined)) return undefined;
    const segments = read as { cols: IndexColumns; summary: SegmentSummary }[];
    const fragmentSummary = summaryOf(snap.fragments.map((e) => e.header));
    const cols = mergeIndexColumns(dataset, [
      ...segments.map((s) => s.cols),
      indexColumnsFromHeaders(dataset, snap.fragments, { fields: wanted && [...wanted] }),
    ]);
    const summaries = [...segments.map((s) => s.summary), fragmentSummary];
    const fieldRoles = options.fields
      ? options.fields.map((f) => [f.name, f.role] as const)
      : [...roles];
    return sumColumns(dataset, cols, summaries, fieldRoles);
  }).then((out) => out ?? undefined);
}

/** The summary of fragment headers, as a segment's would be. */
function summaryOf(
  headers: readonly import("../manifest/manifest_header.ts").ManifestHeader[],
): SegmentSummary {
  const fields: Record<string, AggregateSummary> = {};
  const histogramKnown: Record<string, boolean> = {};
  const names = new Set(headers.flatMap((h) => Object.keys(h.aggregates)));
  for (const name of names) {
    const present = headers.map((h) => h.aggregates[name]).filter((a) => a !== undefined);
    const merged = aggregateKind(present[0]!.type).merge(present);
    fields[name] = merged;
    if (merged.type === "numeric") {
      histogramKnown[name] = !present.some((a) => a.count > 0) || merged.histogram !== undefined;
    }
  }
  return {
    time_min: extremeIso(headers.map((h) => h.time_min ?? null), -1),
    time_max: extremeIso(headers.map((h) => h.time_max ?? null), 1),
    fields,
    histogramKnown,
  };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

function sumColumns(
  dataset: string,
  cols: IndexColumns,
  summaries: readonly SegmentSummary[],
  roles: readonly (readonly [string, string])[],
): DatasetStats {
  const n = cols.length;
  const issues: string[] = [];
  const fields: Record<string, AggregateSummary> = {};
  for (const [name, role] of roles) {
    const f = cols.fields[name];
    const nulls = f ? sum(f.null_count) : sum(cols.num_samples);
    const count = f ? sum(f.count) : 0;
    const parts = summaries.map((s) => s.fields[name]).filter((s) => s !== undefined);
    let one: AggregateSummary;
    if (role === "numeric") {
      const known = summaries.every((s) => s.histogramKnown[name] !== false);
      const hists = parts.map((p) => p.type === "numeric" && p.count > 0 ? p.histogram : null)
        .filter((h): h is Histogram => h !== null && h !== undefined);
      const histogram = known ? mergeHistograms(hists) : undefined;
      let min = Infinity, max = -Infinity;
      for (let i = 0; f && i < n; i++) {
        if (f.min![i]! < min) min = f.min![i]!;
        if (f.max![i]! > max) max = f.max![i]!;
      }
      one = {
        type: "numeric",
        count,
        null_count: nulls,
        nan_count: f ? sum(f.nan_count!) : 0,
        inf_count: f ? sum(f.inf_count!) : 0,
        min: min === Infinity ? null : min,
        max: max === -Infinity ? null : max,
        sum: f ? sum(f.sum!) : 0,
        mean: null,
        ...(histogram ? { histogram } : {}),
      };
    } else if (role === "categorical") {
      const value_counts: Record<string, number> = {};
      for (const [value, c] of f?.values ?? []) value_counts[value] = sum(c);
      one = {
        type: "categorical",
        count,
        null_count: nulls,
        cardinality: 0,
        value_counts,
        overflow: {
          cardinality: f ? sum(f.overflow_cardinality!) : 0,
          count: f ? sum(f.overflow_count!) : 0,
        },
      };
    } else if (role === "set") {
      const listed = parts.every((p) => p.type === "set" && p.all_values !== undefined);
      let cardinality = 0;
      for (let i = 0; f && i < n; i++) cardinality = Math.max(cardinality, f.cardinality![i]!);
      const union = new Set<string>();
      if (listed) {
        for (const p of parts) {
          for (const v of (p as { all_values: string[] }).all_values) union.add(v);
        }
      }
      one = {
        type: "set",
        count,
        null_count: nulls,
        cardinality,
        ...(listed ? { all_values: [...union] } : {}),
      };
    } else {
      const pick = (k: "min" | "max") => parts.map((p) => p.type === "timestamp" ? p[k] : null);
      one = {
        type: "timestamp",
        count,
        null_count: nulls,
        min: extremeIso(pick("min"), -1),
        max: extremeIso(pick("max"), 1),
      };
    }
    const merged = aggregateKind(role).merge([one]);
    if (merged.type === "numeric" && merged.count > 0 && !merged.histogram) {
      issues.push(`Histogram of "${name}" left out: shards use different bucket edges`);
    }
    fields[name] = merged;
  }
  const schemas: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = `${cols.schema_type[i]}@${cols.schema_version[i]}`;
    schemas[id] = (schemas[id] ?? 0) + 1;
  }
  return {
    dataset,
    shards: n,
    num_samples: sum(cols.num_samples),
    size_bytes: sum(cols.size_bytes),
    time_min: extremeIso(summaries.map((s) => s.time_min), -1),
    time_max: extremeIso(summaries.map((s) => s.time_max), 1),
    schemas,
    fields,
    issues,
  };
}
