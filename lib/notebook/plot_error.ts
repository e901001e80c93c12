/**
 * {@linkcode PlotError}: why a chart could not be drawn from a dataset's aggregates (a field the
 * dataset lacks, a field of another aggregate kind, histograms that do not add up).
 *
 * @module
 */

/** Codes of {@linkcode PlotError}. */
export type PlotErrorCode = "unknown_field" | "wrong_aggregate" | "no_histogram" | "no_data";

/**
 * A chart that cannot be drawn, naming the dataset and the field.
 *
 * @example
 * ```ts
 * import { PlotError } from "./plot_error.ts";
 * const err = new PlotError("unknown_field", "No field \"x\"", { dataset: "ds", field: "x" });
 * if (err.code !== "unknown_field" || err.field !== "x") throw new Error("unreachable");
 * ```
 */
export class PlotError extends Error {
  /** What went wrong, as a stable code. */
  readonly code: PlotErrorCode;
  /** The dataset (or job) read. */
  readonly dataset?: string;
  /** The field asked for. */
  readonly field?: string;

  constructor(
    code: PlotErrorCode,
    message: string,
    context: { dataset?: string; field?: string; cause?: unknown } = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = "PlotError";
    this.code = code;
    this.dataset = context.dataset;
    this.field = context.field;
  }
}
