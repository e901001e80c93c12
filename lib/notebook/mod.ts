/**
 * Presentation: what scientists look at.
 *
 * - In Jupyter (Deno kernel), schemas, dataset statistics, manifests, `writeShards` results,
 *   jobs and their results render as HTML tables through `[Symbol.for("Jupyter.display")]`:
 *   importing this module registers the renderers ({@linkcode renderSchema},
 *   {@linkcode renderDatasetStats}, {@linkcode renderManifest}, {@linkcode renderJobStatus}, ...)
 *   with the display seam of `lib/display/`. {@linkcode previewSamples} shows samples with
 *   inline images.
 * - For scripts and the CLI, {@linkcode formatDatasetStats} renders statistics as text and
 *   {@linkcode progressBar} draws a job's progress for `awaitResults({ onProgress })`.
 *
 * @module
 */
export { formatDatasetStats, sparkline } from "./stats_text.ts";
export { formatSeconds, progressBar } from "./progress_bar.ts";
export { renderSchema } from "./schema_view.ts";
export { renderDatasetStats } from "./stats_view.ts";
export { renderJobResults, renderJobStatus, statusLine } from "./job_view.ts";
export { renderManifest, renderWriteResult } from "./manifest_view.ts";
export {
  describeArray,
  imageType,
  previewSamples,
  type PreviewSamplesOptions,
  renderNDArray,
  SamplePreview,
} from "./sample_view.ts";
export { Chart, type ChartOptions, renderPlot, type ToPngOptions } from "./chart.ts";
export { PlotError, type PlotErrorCode } from "./plot_error.ts";
export { type HistogramBin, histogramBins, plotHistogram } from "./plot_histogram.ts";
export { plotCounts, type PlotCountsOptions } from "./plot_counts.ts";
export { plotShardSpread, type ShardSpread, shardSpread } from "./plot_shard_spread.ts";
export { jobProgress, plotJobProgress, type ProgressPoint } from "./plot_job_progress.ts";
export {
  type DisplayFunction,
  progressDisplay,
  type ProgressDisplayOptions,
} from "./progress_display.ts";
export { renderQueryResult } from "./query_view.ts";
