/**
 * Presentation: what scientists look at, as text for scripts and the CLI.
 * {@linkcode formatDatasetStats} renders dataset statistics (value counts, numeric bounds with
 * a histogram sparkline, set values, time ranges) one line per field; {@linkcode progressBar}
 * draws a job's progress for `awaitResults({ onProgress })`.
 *
 * @module
 */
export { formatDatasetStats, sparkline } from "./stats_text.ts";
export { formatSeconds, progressBar } from "./progress_bar.ts";
