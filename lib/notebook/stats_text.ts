/**
 * {@linkcode formatDatasetStats}: dataset statistics as plain text lines, for scripts and the
 * CLI (notebooks get the same information as HTML and charts).
 *
 * @module
 */
import type { AggregateSummary } from "../manifest/aggregate.ts";
import type { DatasetStats } from "../dataset/dataset_stats.ts";

const BARS = " ▁▂▃▄▅▆▇█";

/** A one-line bar chart of counts (`▁▃█▅`). */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((c) => BARS[max ? Math.ceil((c / max) * (BARS.length - 1)) : 0]).join("");
}

function num(x: number | null): string {
  if (x === null) return "-";
  return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/\.?0+$/, "");
}

/** Renders one field by aggregate type: a table of renderers, not a switch. */
const renderers: {
  [T in AggregateSummary["type"]]: (s: AggregateSummary & { type: T }) => string;
} = {
  categorical: (s) => {
    const top = Object.entries(s.value_counts).sort((a, b) => b[1] - a[1]);
    const shown = top.slice(0, 6).map(([v, n]) => `${v} ${n}`).join(", ");
    const more = top.length > 6 || s.overflow.count ? ", ..." : "";
    return `${s.cardinality} values: ${shown}${more}`;
  },
  numeric: (s) => {
    const h = s.histogram;
    const bars = h && h.counts.length
      ? `  [${num(h.buckets[0]!)} ${sparkline(h.counts)} ${num(h.buckets.at(-1)!)}]`
      : "";
    return `min ${num(s.min)}  mean ${num(s.mean)}  max ${num(s.max)}${bars}`;
  },
  set: (s) =>
    s.all_values
      ? `${s.cardinality} values: ${s.all_values.slice(0, 8).join(", ")}` +
        (s.all_values.length > 8 ? ", ..." : "")
      : `${s.cardinality} values (bloom filter)`,
  timestamp: (s) => `${s.min ?? "-"} .. ${s.max ?? "-"}`,
};

/**
 * Dataset statistics as text: a header line, then one line per field.
 *
 * @example
 * ```ts
 * import { formatDatasetStats } from "./stats_text.ts";
 * const lines = formatDatasetStats({
 *   dataset: "ds", shards: 1, num_samples: 2, size_bytes: 4096, time_min: null, time_max: null,
 *   schemas: { "S@1.0.0": 1 }, issues: [],
 *   fields: {
 *     label: {
 *       type: "categorical", count: 2, null_count: 0, cardinality: 2,
 *       value_counts: { cat: 1, dog: 1 }, overflow: { cardinality: 0, count: 0 },
 *     },
 *   },
 * });
 * if (!lines[1]?.includes("cat 1, dog 1")) throw new Error(lines.join("\n"));
 * ```
 */
export function formatDatasetStats(stats: DatasetStats): string[] {
  const lines = [
    `${stats.dataset}: ${stats.shards} shards, ${stats.num_samples} samples, ` +
    `${(stats.size_bytes / 1e6).toFixed(2)} MB`,
  ];
  const width = Math.max(8, ...Object.keys(stats.fields).map((k) => k.length));
  for (const [name, summary] of Object.entries(stats.fields)) {
    const render = renderers[summary.type] as (s: AggregateSummary) => string;
    const nulls = summary.null_count ? ` (${summary.null_count} null)` : "";
    lines.push(`  ${name.padEnd(width)}  ${summary.type.padEnd(11)}  ${render(summary)}${nulls}`);
  }
  for (const issue of stats.issues) lines.push(`  note: ${issue}`);
  return lines;
}
