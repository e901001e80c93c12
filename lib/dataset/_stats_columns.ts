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
import { mergeHistograms } from "../manifest/histogram.ts";
import { extremeIso } from "../manifest/timestamp_aggregate.ts";
import { indexColumnsFromHeaders } from "./index_columns.ts";
import { mapLimit } from "../util/map_limit.ts";
import { withIndexSnapshot } from "./_index_snapshot.ts";
import { readSegmentSummary } from "./_index_generation.ts";
import { readSegmentColumns, readSegmentNumbers, segmentSource } from "./_index_segment_read.ts";
import {
  COLUMN_ROLES,
  type SegmentInfo,
  type SegmentSummary,
  summarizeHeaders,
} from "./_index_segment.ts";
import { concatLayout } from "./_index_merge.ts";
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
      for (const [name, f] of Object.entries(s.fields)) {
        // Another role in another segment: which role wins is the header-by-header path's call.
        if ((roles.get(name) ?? f.role) !== f.role) return null;
        roles.set(name, f.role);
      }
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
    const fieldRoles = options.fields
      ? options.fields.map((f) => [f.name, f.role] as const)
      : [...roles];
    // Only the numeric sums need a column (floats add up the same only in the same order).
    const numeric = fieldRoles.filter(([, role]) => role === "numeric").map(([name]) => name);
    const read = await mapLimit(infos, limit, async (info) => {
      const summary = await readSegmentSummary(store, dataset, info.id);
      if (!summary) return undefined;
      if (typeof summary.shards !== "number") return null; // an earlier summary layout
      const sums = numeric.length ? await segmentSums(store, dataset, info, numeric) : new Map();
      return { sums, summary };
    });
    if (read.some((r) => r === undefined)) return undefined;
    if (read.some((r) => r === null)) return null;
    const segments = read as { sums: Map<string, Float64Array>; summary: SegmentSummary }[];
    const headers = snap.fragments.map((e) => e.header);
    const summaries = [
      ...segments.map((s) => s.summary),
      summarizeHeaders(headers, new Map(fieldRoles)),
    ];
    const sums = new Map<string, number>();
    if (numeric.length) {
      // Added in shard-name order: the pieces one after the other (their ranges are disjoint,
      // else the caller merges header by header).
      const fragments = indexColumnsFromHeaders(dataset, snap.fragments, { fields: numeric });
      const pieces = [
        ...infos.map((i) => ({ name: [i.first, i.last], length: i.rows })),
        fragments,
      ];
      const layout = concatLayout(pieces);
      if (!layout) return null;
      const columns = [
        ...segments.map((s) => s.sums),
        new Map(numeric.flatMap((name) => {
          const sum = fragments.fields[name]?.sum;
          return sum ? [[name, sum] as const] : [];
        })),
      ];
      const order = columns.map((_, k) => k).filter((k) => pieces[k]!.length > 0)
        .sort((a, b) => layout.at[a]! - layout.at[b]!);
      for (const name of numeric) {
        let s = 0;
        for (const k of order) {
          const a = columns[k]!.get(name);
          // Absent (null in the column): the shard lacks the field and adds nothing.
          if (a) { for (let i = 0; i < a.length; i++) if (a[i] === a[i]) s += a[i]!; }
        }
        sums.set(name, s);
      }
    }
    return addUp(dataset, summaries, fieldRoles, sums);
  }).then((out) => out ?? undefined);
}

/**
 * The `sum` column of each of `numeric` that segment `info` holds (a segment gone is the store's
 * `not_found`: the snapshot starts over).
 */
async function segmentSums(
  store: Store,
  dataset: string,
  info: SegmentInfo,
  numeric: readonly string[],
): Promise<Map<string, Float64Array>> {
  const held = numeric.filter((name) => info.fields[name]?.role === "numeric");
  const source = await segmentSource(store, dataset, info, { names: false });
  const read = await readSegmentNumbers(
    source,
    info,
    held.map((n) => `${info.fields[n]!.column}.sum`),
  );
  if (read.every((a) => a)) return new Map(held.map((name, k) => [name, read[k]!]));
  // Not readable by the typed-array reader: the whole segment's columns of those fields.
  const full = await segmentSource(store, dataset, info);
  const cols = await readSegmentColumns(dataset, full, info, { fields: new Set(held), skip: SKIP });
  return new Map(held.map((name) => [name, cols.fields[name]!.sum!]));
}

function addUp(
  dataset: string,
  summaries: readonly SegmentSummary[],
  roles: readonly (readonly [string, string])[],
  sums: ReadonlyMap<string, number>,
): DatasetStats {
  const issues: string[] = [];
  const fields: Record<string, AggregateSummary> = {};
  const total = (f: (s: SegmentSummary) => number) => summaries.reduce((a, s) => a + f(s), 0);
  for (const [name, role] of roles) {
    const parts = summaries.map((s) => s.fields[name]).filter((p) => p !== undefined);
    const absent = total((s) => s.fields[name] ? s.absentSamples[name] ?? 0 : s.num_samples);
    const count = parts.reduce((a, p) => a + p.count, 0);
    const nulls = parts.reduce((a, p) => a + p.null_count, 0) + absent;
    let one: AggregateSummary;
    if (role === "numeric") {
      const ps = parts.filter((p) => p.type === "numeric");
      const known = summaries.every((s) => s.histogramKnown[name] !== false);
      const hists = ps.filter((p) => p.count > 0 && p.histogram).map((p) => p.histogram!);
      const histogram = known ? mergeHistograms(hists) : undefined;
      const bounds = (f: (p: typeof ps[number]) => number | null) =>
        ps.map(f).filter((x): x is number => x !== null);
      const mins = bounds((p) => p.min), maxs = bounds((p) => p.max);
      one = {
        type: "numeric",
        count,
        null_count: nulls,
        nan_count: ps.reduce((a, p) => a + p.nan_count, 0),
        inf_count: ps.reduce((a, p) => a + p.inf_count, 0),
        min: mins.length ? Math.min(...mins) : null,
        max: maxs.length ? Math.max(...maxs) : null,
        sum: sums.get(name) ?? 0,
        mean: null,
        ...(histogram ? { histogram } : {}),
      };
    } else if (role === "categorical") {
      const counts = new Map<string, number>(); // not an object: `constructor` is a value too
      let oc = 0, on = 0;
      for (const p of parts) {
        if (p.type !== "categorical") continue;
        for (const [v, c] of Object.entries(p.value_counts)) {
          counts.set(v, (counts.get(v) ?? 0) + c);
        }
        oc += p.overflow.cardinality;
        on += p.overflow.count;
      }
      one = {
        type: "categorical",
        count,
        null_count: nulls,
        cardinality: 0,
        value_counts: Object.fromEntries(counts),
        overflow: { cardinality: oc, count: on },
      };
    } else if (role === "set") {
      const ps = parts.filter((p) => p.type === "set");
      const listed = ps.every((p) => p.all_values !== undefined);
      const union = new Set<string>();
      if (listed) { for (const p of ps) for (const v of p.all_values!) union.add(v); }
      one = {
        type: "set",
        count,
        null_count: nulls,
        cardinality: Math.max(0, ...summaries.map((s) => s.maxCardinality[name] ?? 0)),
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
  for (const s of summaries) {
    for (const [id, n] of Object.entries(s.schemas)) schemas[id] = (schemas[id] ?? 0) + n;
  }
  return {
    dataset,
    shards: total((s) => s.shards),
    num_samples: total((s) => s.num_samples),
    size_bytes: total((s) => s.size_bytes),
    time_min: extremeIso(summaries.map((s) => s.time_min), -1),
    time_max: extremeIso(summaries.map((s) => s.time_max), 1),
    schemas,
    fields,
    issues,
  };
}
