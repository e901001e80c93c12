/**
 * {@linkcode plotHistogram}: a numeric field's histogram drawn from the dataset's aggregates
 * alone (the shard histograms summed through the index; no sample or Parquet is read).
 *
 * @module
 */
import { checkName, checkStore } from "../util/mod.ts";
import * as Plot from "@observablehq/plot";
import { datasetStats } from "../dataset/mod.ts";
import type { Store } from "../store/mod.ts";
import { type Chart, type ChartOptions, renderPlot } from "./chart.ts";
import { fieldSummary } from "./_field_summary.ts";
import { PlotError } from "./plot_error.ts";

/** One histogram bar: the bucket `[x1, x2)` and its count. */
export interface HistogramBin {
  x1: number;
  x2: number;
  count: number;
}

/**
 * The bars of a numeric field's dataset histogram, from its aggregates.
 *
 * @example
 * ```ts
 * import { histogramBins } from "./plot_histogram.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({
 *   name: "S", version: "1.0.0",
 *   fields: { score: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 1] } }) },
 * });
 * const store = new MemoryStore();
 * const samples = [0.1, 0.2, 0.7].map((score, i) => ({ __key__: `k${i}`, score }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 2 });
 * const bins = await histogramBins(store, "ds", "score");
 * if (bins.map((b) => b.count).join() !== "2,1") throw new Error(JSON.stringify(bins));
 * ```
 */
export async function histogramBins(
  store: Store,
  dataset: string,
  field: string,
): Promise<HistogramBin[]> {
  checkStore(store, "histogramBins");
  checkName(dataset, "histogramBins", "dataset");
  checkName(field, "histogramBins", "field");
  const stats = await datasetStats(store, dataset);
  const summary = fieldSummary(stats, field, "numeric");
  const h = summary.histogram;
  if (!h) {
    const why = stats.issues.find((i) => i.includes(`"${field}"`)) ??
      "its manifests carry no histogram";
    throw new PlotError(
      "no_histogram",
      `No histogram of "${field}" in "${dataset}": ${why}`,
      { dataset, field },
    );
  }
  return h.counts.map((count, i) => ({ x1: h.buckets[i]!, x2: h.buckets[i + 1]!, count }));
}

/**
 * Draws a numeric field's histogram from the dataset's aggregates: one bar per bucket, its
 * height the exact count summed over the shards.
 *
 * @example
 * ```ts
 * import { plotHistogram } from "./plot_histogram.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { score: f.float() } });
 * const store = new MemoryStore();
 * const samples = [0.1, 0.2, 0.7].map((score, i) => ({ __key__: `k${i}`, score }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S });
 * const chart = await plotHistogram(store, "ds", "score");
 * if (!chart.svg.includes("<rect")) throw new Error("no bars");
 * ```
 */
export async function plotHistogram(
  store: Store,
  dataset: string,
  field: string,
  options: ChartOptions = {},
): Promise<Chart> {
  checkStore(store, "plotHistogram");
  checkName(dataset, "plotHistogram", "dataset");
  checkName(field, "plotHistogram", "field");
  const bins = await histogramBins(store, dataset, field);
  const total = bins.reduce((a, b) => a + b.count, 0);
  return renderPlot(`${dataset}: ${field} (${total} values)`, {
    width: options.width ?? 640,
    height: options.height ?? 400,
    x: { label: field },
    y: { label: "count", grid: true },
    marks: [
      Plot.rectY(bins, {
        x1: "x1",
        x2: "x2",
        y: "count",
        fill: "steelblue",
        insetLeft: 0.5,
        insetRight: 0.5,
      }),
      Plot.ruleY([0]),
    ],
  });
}
