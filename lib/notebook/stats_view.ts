/**
 * {@linkcode renderDatasetStats}: dataset statistics as HTML for Jupyter: totals, then one row
 * per field with an inline histogram (numeric) or its top values (categorical, set).
 *
 * @module
 */
import { type DisplayBundle, registerRenderer } from "../display/mod.ts";
import type { AggregateSummary } from "../manifest/mod.ts";
import type { DatasetStats } from "../dataset/mod.ts";
import { bytes, esc, miniBars, num, section, table } from "./_html.ts";
import { formatDatasetStats } from "./stats_text.ts";

/** Top values of a count map, as `value (count)` HTML. */
function topValues(counts: Record<string, number>, more: boolean, n = 8): string {
  const top = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = top.slice(0, n).map(([v, c]) => `${esc(v)}&nbsp;(${num(c)})`).join(", ");
  return shown + (top.length > n || more ? ", ..." : "");
}

/** The HTML summary cell of one field, by aggregate type (a table, not a switch). */
const cells: {
  [T in AggregateSummary["type"]]: (s: AggregateSummary & { type: T }) => string;
} = {
  categorical: (s) =>
    `${num(s.cardinality)} values: ${topValues(s.value_counts, s.overflow.count > 0)}`,
  numeric: (s) => {
    const h = s.histogram;
    const chart = h && h.counts.length
      ? `<div title="histogram: ${esc(h.counts.join(" "))}">${miniBars(h.counts)}<br>` +
        `<small>${num(h.buckets[0]!)} .. ${num(h.buckets.at(-1)!)}</small></div>`
      : "";
    return `min ${num(s.min)} · mean ${num(s.mean)} · max ${num(s.max)}${chart}`;
  },
  set: (s) =>
    s.all_values
      ? `${num(s.cardinality)} values: ${s.all_values.slice(0, 12).map(esc).join(", ")}` +
        (s.all_values.length > 12 ? ", ..." : "")
      : `${num(s.cardinality)} values (bloom filter)`,
  timestamp: (s) => `${esc(s.min ?? "-")} .. ${esc(s.max ?? "-")}`,
};

/**
 * Renders dataset statistics: shards, samples, bytes, schemas, time range, then one row per
 * field (type, count, nulls, summary with an inline histogram or top values), then issues.
 *
 * @example
 * ```ts
 * import { renderDatasetStats } from "./stats_view.ts";
 * const bundle = renderDatasetStats({
 *   dataset: "ds", shards: 1, num_samples: 3, size_bytes: 10240, time_min: null, time_max: null,
 *   schemas: { "S@1.0.0": 1 }, issues: [],
 *   fields: {
 *     score: {
 *       type: "numeric", count: 3, null_count: 0, nan_count: 0, inf_count: 0, min: 0.1, max: 0.9,
 *       sum: 1.5, mean: 0.5, histogram: { rule: "fixed", buckets: [0, 0.5, 1], counts: [1, 2] },
 *     },
 *   },
 * });
 * if (!bundle["text/html"]!.includes("<svg")) throw new Error("no inline histogram");
 * ```
 */
export function renderDatasetStats(stats: DatasetStats): DisplayBundle {
  const schemas = Object.entries(stats.schemas).map(([id, n]) => `${id} (${n})`).join(", ");
  const time = stats.time_min ? `, ${stats.time_min} .. ${stats.time_max}` : "";
  const head = `${num(stats.shards)} shards · ${num(stats.num_samples)} samples · ` +
    `${bytes(stats.size_bytes)}${schemas ? ` · ${schemas}` : ""}${time}`;
  const rows = Object.entries(stats.fields).map(([name, s]) => {
    const cell = cells[s.type] as (s: AggregateSummary) => string;
    return [esc(name), esc(s.type), num(s.count), num(s.null_count), cell(s)];
  });
  const issues = stats.issues.length
    ? `<ul>${stats.issues.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`
    : "";
  const html = section(
    `Dataset ${stats.dataset}`,
    `<div>${esc(head)}</div>` +
      table(["field", "aggregate", "count", "nulls", "summary"], rows) + issues,
  );
  return { "text/html": html, "text/plain": formatDatasetStats(stats).join("\n") };
}

registerRenderer("dataset_stats", renderDatasetStats);
