/**
 * The summary of one field of a dataset, of the aggregate kind a chart needs, with a
 * {@linkcode PlotError} naming the fields that would do when it is missing or of another kind.
 *
 * @module
 */
import type { AggregateSummary } from "../manifest/mod.ts";
import type { DatasetStats } from "../dataset/mod.ts";
import { PlotError } from "./plot_error.ts";

/** The field's summary if it has aggregate `type`, else a PlotError listing the candidates. */
export function fieldSummary<T extends AggregateSummary["type"]>(
  stats: DatasetStats,
  field: string,
  type: T,
): AggregateSummary & { type: T } {
  const candidates = Object.entries(stats.fields).filter(([, s]) => s.type === type)
    .map(([n]) => n);
  const list = candidates.length ? candidates.join(", ") : "none";
  const summary = stats.fields[field];
  if (!summary) {
    throw new PlotError(
      "unknown_field",
      `Dataset "${stats.dataset}" has no manifest field "${field}" (its ${type} fields: ${list})`,
      { dataset: stats.dataset, field },
    );
  }
  if (summary.type !== type) {
    throw new PlotError(
      "wrong_aggregate",
      `Field "${field}" of "${stats.dataset}" is ${summary.type}, not ${type} ` +
        `(its ${type} fields: ${list})`,
      { dataset: stats.dataset, field },
    );
  }
  return summary as AggregateSummary & { type: T };
}
