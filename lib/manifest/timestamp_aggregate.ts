/**
 * The `timestamp` aggregate: earliest and latest instant (ISO 8601 UTC); the shard header's
 * `time_min` / `time_max` come from it.
 *
 * @module
 */
import type { Accumulator, AggregateKind, ManifestValue, TimestampSummary } from "./aggregate.ts";
import { countOr } from "../util/lenient_json.ts";
import type { ColumnData } from "../parquet/column_data.ts";
import { addRows } from "./_add_rows.ts";

class TimestampAccumulator implements Accumulator<TimestampSummary> {
  #count = 0;
  #nulls = 0;
  #min = Infinity;
  #max = -Infinity;

  add(value: ManifestValue): void {
    const ms = typeof value === "number" ? value : Date.parse(String(value));
    if (Number.isNaN(ms)) return void this.#nulls++;
    this.#count++;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  addNull(): void {
    this.#nulls++;
  }

  addColumn(column: ColumnData): void {
    if (column.kind !== "number" || column.big) return addRows(this, column);
    const { values, nulls } = column;
    let min = this.#min;
    let max = this.#max;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      if (nulls?.[i]) continue;
      const ms = values[i]!;
      if (ms !== ms) continue;
      count++;
      if (ms < min) min = ms;
      if (ms > max) max = ms;
    }
    this.#min = min;
    this.#max = max;
    this.#count += count;
    this.#nulls += values.length - count;
  }

  finish(): TimestampSummary {
    const iso = (ms: number) => (this.#count ? new Date(ms).toISOString() : null);
    return {
      type: "timestamp",
      count: this.#count,
      null_count: this.#nulls,
      min: iso(this.#min),
      max: iso(this.#max),
    };
  }
}

function isoOrNull(v: unknown): string | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const ms = typeof v === "number" ? v : Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The earliest (`pick < 0`) or latest (`pick > 0`) of ISO strings, ignoring nulls. */
export function extremeIso(values: readonly (string | null)[], pick: -1 | 1): string | null {
  let best: string | null = null;
  let bestMs = 0;
  for (const v of values) {
    if (v === null) continue;
    const ms = Date.parse(v);
    if (best === null || (pick < 0 ? ms < bestMs : ms > bestMs)) [best, bestMs] = [v, ms];
  }
  return best;
}

/**
 * The registered `timestamp` aggregate (values are epoch milliseconds, `Date`s or ISO strings).
 *
 * @example
 * ```ts
 * import { timestampAggregate } from "./timestamp_aggregate.ts";
 * const field = { name: "t", role: "timestamp", type: "timestamp", list: false, nullable: false } as const;
 * const acc = timestampAggregate.create(field, {});
 * acc.add(Date.UTC(2025, 0, 2)); acc.add(Date.UTC(2025, 0, 1));
 * if (acc.finish().min !== "2025-01-01T00:00:00.000Z") throw new Error("unexpected");
 * ```
 */
export const timestampAggregate: AggregateKind<TimestampSummary> = {
  role: "timestamp",
  create() {
    return new TimestampAccumulator();
  },
  read(raw, numSamples) {
    const count = countOr(raw, "count", numSamples);
    return {
      type: "timestamp",
      count,
      null_count: countOr(raw, "null_count", Math.max(0, numSamples - count)),
      min: isoOrNull(raw.min),
      max: isoOrNull(raw.max),
    };
  },
  empty(numSamples) {
    return { type: "timestamp", count: 0, null_count: numSamples, min: null, max: null };
  },
  merge(summaries) {
    return {
      type: "timestamp",
      count: summaries.reduce((a, s) => a + s.count, 0),
      null_count: summaries.reduce((a, s) => a + s.null_count, 0),
      min: extremeIso(summaries.map((s) => s.min), -1),
      max: extremeIso(summaries.map((s) => s.max), 1),
    };
  },
};
