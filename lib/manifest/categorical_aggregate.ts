/**
 * The `categorical` aggregate: cardinality and value counts, with an explicit overflow bucket for
 * the values past a cap.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type {
  Accumulator,
  AggregateKind,
  AggregateOptions,
  CategoricalSummary,
  ManifestValue,
} from "./aggregate.ts";
import { countOr, objectAt } from "../util/lenient_json.ts";
import { type ColumnData, dictCounts } from "../parquet/column_data.ts";
import { addRows } from "./_add_rows.ts";

/** The stringified key of a categorical value (`true` -> `"true"`, timestamps ISO). */
export function categoryKey(value: ManifestValue, timestamp: boolean): string {
  if (typeof value === "string") return value;
  if (timestamp && typeof value === "number") return new Date(value).toISOString();
  return String(value);
}

class CategoricalAccumulator implements Accumulator<CategoricalSummary> {
  readonly #counts = new Map<string, number>();
  readonly #timestamp: boolean;
  readonly #cap: number;
  #count = 0;
  #nulls = 0;

  constructor(field: ManifestField, cap: number) {
    this.#timestamp = field.type === "timestamp";
    this.#cap = cap;
  }

  add(value: ManifestValue): void {
    this.#count++;
    if (Array.isArray(value)) { for (const v of value) this.#bump(v); }
    else this.#bump(categoryKey(value, this.#timestamp));
  }

  #bump(key: string, n = 1): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
  }

  addColumn(column: ColumnData): void {
    if (column.kind === "string" || column.kind === "list") {
      const counts = dictCounts(column);
      for (let d = 0; d < counts.length; d++) this.#bump(column.dict[d]!, counts[d]!);
    } else if (column.kind === "bool") {
      let yes = 0;
      let no = 0;
      for (let i = 0; i < column.length; i++) {
        if (column.nulls?.[i]) continue;
        if (column.values[i]) yes++;
        else no++;
      }
      if (no) this.#bump("false", no);
      if (yes) this.#bump("true", yes);
    } else if (column.kind === "number" && !column.big) {
      const byNumber = new Map<number, number>();
      const { values, nulls } = column;
      for (let i = 0; i < values.length; i++) {
        if (nulls?.[i]) continue;
        byNumber.set(values[i]!, (byNumber.get(values[i]!) ?? 0) + 1);
      }
      for (const [x, n] of byNumber) this.#bump(categoryKey(x, this.#timestamp), n);
    } else return addRows(this, column);
    this.#count += column.length - column.nullCount;
    this.#nulls += column.nullCount;
  }

  addNull(): void {
    this.#nulls++;
  }

  finish(): CategoricalSummary {
    return capCounts(this.#counts, this.#cap, this.#count, this.#nulls);
  }
}

/** Keeps the `cap` most frequent values (ties by key), the rest in `overflow`. */
function capCounts(
  counts: Map<string, number>,
  cap: number,
  count: number,
  nulls: number,
): CategoricalSummary {
  let entries = [...counts];
  const overflow = { cardinality: 0, count: 0 };
  if (entries.length > cap) {
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [, n] of entries.slice(cap)) {
      overflow.cardinality++;
      overflow.count += n;
    }
    entries = entries.slice(0, cap);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    type: "categorical",
    count,
    null_count: nulls,
    cardinality: counts.size,
    value_counts: Object.fromEntries(entries),
    overflow,
  };
}

/**
 * The registered `categorical` aggregate. Dataset summaries add value counts and overflow exactly;
 * a value that overflowed in some shard is undercounted by at most `overflow.count`, and the
 * dataset `cardinality` is then a lower bound.
 *
 * @example
 * ```ts
 * import { categoricalAggregate } from "./categorical_aggregate.ts";
 * const field = { name: "label", role: "categorical", type: "str", list: false, nullable: false } as const;
 * const acc = categoricalAggregate.create(field, {});
 * for (const v of ["dog", "cat", "dog"]) acc.add(v);
 * const s = acc.finish();
 * if (s.cardinality !== 2 || s.value_counts.dog !== 2) throw new Error("unexpected");
 * ```
 */
export const categoricalAggregate: AggregateKind<CategoricalSummary> = {
  role: "categorical",
  create(field: ManifestField, options: AggregateOptions) {
    return new CategoricalAccumulator(field, options.categoricalCap ?? 1000);
  },
  read(raw, numSamples) {
    const valueCounts: Record<string, number> = {};
    for (const [k, v] of Object.entries(objectAt(raw, "value_counts"))) {
      if (typeof v === "number") valueCounts[k] = v;
    }
    const overflow = objectAt(raw, "overflow");
    const overflowCount = countOr(overflow, "count", 0);
    const counted = Object.values(valueCounts).reduce((a, b) => a + b, 0) + overflowCount;
    const count = countOr(raw, "count", counted);
    return {
      type: "categorical",
      count,
      null_count: countOr(raw, "null_count", Math.max(0, numSamples - count)),
      cardinality: countOr(raw, "cardinality", Object.keys(valueCounts).length),
      value_counts: valueCounts,
      overflow: { cardinality: countOr(overflow, "cardinality", 0), count: overflowCount },
    };
  },
  empty(numSamples) {
    return capCounts(new Map(), 1, 0, numSamples);
  },
  merge(summaries) {
    const counts = new Map<string, number>();
    let count = 0, nulls = 0, overflowCardinality = 0, overflowCount = 0;
    for (const s of summaries) {
      count += s.count;
      nulls += s.null_count;
      overflowCardinality += s.overflow.cardinality;
      overflowCount += s.overflow.count;
      for (const [k, n] of Object.entries(s.value_counts)) counts.set(k, (counts.get(k) ?? 0) + n);
    }
    const merged = capCounts(counts, Infinity, count, nulls);
    merged.overflow = { cardinality: overflowCardinality, count: overflowCount };
    return merged;
  },
};
