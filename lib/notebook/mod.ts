/**
 * Presentation: what scientists look at, as text for scripts and the CLI.
 * {@linkcode formatDatasetStats} renders dataset statistics (value counts, numeric bounds with
 * a histogram sparkline, set values, time ranges) one line per field.
 *
 * @module
 */
export { formatDatasetStats, sparkline } from "./stats_text.ts";
