/**
 * The `numeric` aggregate: min, max, mean, sum, counts and a histogram whose edges every shard
 * shares (see `histogram.ts` for the edge rules).
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Accumulator, AggregateKind, ManifestValue, NumericSummary } from "./aggregate.ts";
import { type Histogram, HistogramAccumulator, mergeHistograms } from "./histogram.ts";
import { countOr, finiteOr, objectAt } from "../util/lenient_json.ts";
import type { ColumnData } from "../parquet/column_data.ts";
import { addRows } from "./_add_rows.ts";

const MAX = Number.MAX_VALUE;

class NumericAccumulator implements Accumulator<NumericSummary> {
  readonly #histogram: HistogramAccumulator;
  #count = 0;
  #nulls = 0;
  #nans = 0;
  #infs = 0;
  #min = Infinity;
  #max = -Infinity;
  #sum = 0;

  constructor(field: ManifestField) {
    this.#histogram = new HistogramAccumulator(field.buckets);
  }

  add(value: ManifestValue): void {
    const x = typeof value === "number" ? value : Number(value);
    if (Number.isNaN(x)) return void this.#nans++;
    this.#count++;
    if (x < this.#min) this.#min = x;
    if (x > this.#max) this.#max = x;
    if (Number.isFinite(x)) this.#sum += x;
    else this.#infs++;
    this.#histogram.add(x);
  }

  addNull(): void {
    this.#nulls++;
  }

  addColumn(column: ColumnData): void {
    if (column.kind !== "number") return addRows(this, column);
    const { values, nulls } = column;
    let min = this.#min;
    let max = this.#max;
    let sum = this.#sum;
    let count = 0;
    let nans = 0;
    let infs = 0;
    for (let i = 0; i < values.length; i++) {
      if (nulls && nulls[i]) continue;
      const x = values[i]!;
      if (x !== x) {
        nans++;
        continue;
      }
      count++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x - x === 0) sum += x;
      else infs++;
    }
    this.#histogram.addAll(values, nulls);
    this.#min = min;
    this.#max = max;
    this.#sum = sum;
    this.#count += count;
    this.#nans += nans;
    this.#infs += infs;
    this.#nulls += column.nullCount;
  }

  finish(): NumericSummary {
    const finite = this.#count - this.#infs;
    return {
      type: "numeric",
      count: this.#count,
      null_count: this.#nulls,
      nan_count: this.#nans,
      inf_count: this.#infs,
      min: this.#count ? Math.max(-MAX, Math.min(MAX, this.#min)) : null,
      max: this.#count ? Math.max(-MAX, Math.min(MAX, this.#max)) : null,
      sum: this.#sum,
      mean: finite ? this.#sum / finite : null,
      histogram: this.#histogram.finish(),
    };
  }
}

function readHistogram(raw: Record<string, unknown>): Histogram | undefined {
  const h = objectAt(raw, "histogram");
  const buckets = h.buckets, counts = h.counts;
  if (!Array.isArray(buckets) || !Array.isArray(counts)) return undefined;
  if (buckets.length !== (counts.length ? counts.length + 1 : 0)) return undefined;
  return {
    rule: h.rule === "decimal" ? "decimal" : "fixed",
    buckets: buckets.map(Number),
    counts: counts.map(Number),
    ...(h.rule === "decimal"
      ? {}
      : { below: countOr(h, "below", 0), above: countOr(h, "above", 0) }),
  };
}

/**
 * The registered `numeric` aggregate. Reading accepts atdata's `{min, max, mean, count}` (with
 * `Infinity` bounds of an empty field read as null). Dataset summaries add counts and sums, take
 * the extreme bounds and add histograms bucket by bucket (exact; the histogram is left out when
 * shards used different edges).
 *
 * @example
 * ```ts
 * import { numericAggregate } from "./numeric_aggregate.ts";
 * const field = { name: "score", role: "numeric", type: "float", list: false, nullable: true } as const;
 * const acc = numericAggregate.create(field, {});
 * acc.add(0.5); acc.add(1.5); acc.addNull();
 * const s = acc.finish();
 * if (s.mean !== 1 || s.null_count !== 1 || s.max !== 1.5) throw new Error("unexpected");
 * ```
 */
export const numericAggregate: AggregateKind<NumericSummary> = {
  role: "numeric",
  create(field) {
    return new NumericAccumulator(field);
  },
  read(raw, numSamples) {
    const count = countOr(raw, "count", 0);
    const bound = (key: string) => {
      const v = raw[key];
      return count && typeof v === "number" && !Number.isNaN(v)
        ? Math.max(-MAX, Math.min(MAX, v))
        : null;
    };
    const infs = countOr(raw, "inf_count", 0);
    const mean = count ? finiteOr(raw, "mean", null) : null;
    const histogram = readHistogram(raw);
    return {
      type: "numeric",
      count,
      null_count: countOr(raw, "null_count", Math.max(0, numSamples - count)),
      nan_count: countOr(raw, "nan_count", 0),
      inf_count: infs,
      min: bound("min"),
      max: bound("max"),
      sum: finiteOr(raw, "sum", mean === null ? 0 : mean * (count - infs)),
      mean,
      ...(histogram ? { histogram } : {}),
    };
  },
  empty(numSamples) {
    return {
      type: "numeric",
      count: 0,
      null_count: numSamples,
      nan_count: 0,
      inf_count: 0,
      min: null,
      max: null,
      sum: 0,
      mean: null,
      histogram: { rule: "decimal", buckets: [], counts: [] },
    };
  },
  merge(summaries) {
    const add = (f: (s: NumericSummary) => number) => summaries.reduce((a, s) => a + f(s), 0);
    const bounds = (f: (s: NumericSummary) => number | null) =>
      summaries.map(f).filter((x): x is number => x !== null);
    const mins = bounds((s) => s.min), maxs = bounds((s) => s.max);
    const count = add((s) => s.count), infs = add((s) => s.inf_count), sum = add((s) => s.sum);
    // Empty shards carry no information about the edges: leave them out of the histogram merge.
    const histograms = summaries.filter((s) => s.count > 0).map((s) => s.histogram);
    const histogram = histograms.every((h) => h !== undefined)
      ? mergeHistograms(histograms as Histogram[])
      : undefined;
    return {
      type: "numeric",
      count,
      null_count: add((s) => s.null_count),
      nan_count: add((s) => s.nan_count),
      inf_count: infs,
      min: mins.length ? mins.reduce((a, b) => Math.min(a, b)) : null,
      max: maxs.length ? maxs.reduce((a, b) => Math.max(a, b)) : null,
      sum,
      mean: count - infs > 0 ? sum / (count - infs) : null,
      ...(histogram ? { histogram } : {}),
    };
  },
};
