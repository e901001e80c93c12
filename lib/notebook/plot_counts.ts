/**
 * {@linkcode plotCounts}: a categorical field's value counts drawn from the dataset's
 * aggregates alone (summed shard value counts; no sample or Parquet is read).
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import * as Plot from "@observablehq/plot";
import { datasetStats } from "../dataset/mod.ts";
import type { Store } from "../store/mod.ts";
import { type Chart, type ChartOptions, renderPlot } from "./chart.ts";
import { fieldSummary } from "./_field_summary.ts";

/** Options for {@linkcode plotCounts}. */
export interface PlotCountsOptions extends ChartOptions {
  /** Most frequent values drawn; the rest are summed into one `(other)` bar. @default 20 */
  top?: number;
}

/**
 * Draws a categorical field's value counts as horizontal bars, most frequent first; values past
 * `top` and past the aggregate's cap are one `(other)` bar.
 *
 * @example
 * ```ts
 * import { plotCounts } from "./plot_counts.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * const samples = ["cat", "dog", "cat"].map((label, i) => ({ __key__: `k${i}`, label }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S });
 * const chart = await plotCounts(store, "ds", "label");
 * if (!chart.svg.includes(">cat<")) throw new Error(chart.svg);
 * ```
 */
export async function plotCounts(
  store: Store,
  dataset: string,
  field: string,
  options: PlotCountsOptions = {},
): Promise<Chart> {
  checkStore(store, "plotCounts");
  checkName(dataset, "plotCounts", "dataset");
  checkName(field, "plotCounts", "field");
  const top = options.top ?? 20;
  const summary = fieldSummary(await datasetStats(store, dataset), field, "categorical");
  const sorted = Object.entries(summary.value_counts).sort((a, b) => b[1] - a[1]);
  const data = sorted.slice(0, top).map(([value, count]) => ({ value, count }));
  const other = sorted.slice(top).reduce((a, [, c]) => a + c, 0) + summary.overflow.count;
  if (other) data.push({ value: "(other)", count: other });
  return renderPlot(`${dataset}: ${field} (${summary.cardinality} values)`, {
    width: options.width ?? 640,
    height: options.height ?? Math.max(120, 30 + data.length * 22),
    marginLeft: 12 + 6 * Math.min(24, Math.max(4, ...data.map((d) => d.value.length))),
    x: { label: "count", grid: true },
    y: { label: field, domain: data.map((d) => d.value) },
    marks: [
      Plot.barX(data, { x: "count", y: "value", fill: "steelblue" }),
      Plot.ruleX([0]),
    ],
  });
}
