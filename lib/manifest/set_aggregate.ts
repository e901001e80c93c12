/**
 * The `set` aggregate: every distinct item of a tag-like field, listed when there are few and kept
 * in a bloom filter when there are many.
 *
 * @module
 */
import type { Accumulator, AggregateKind, ManifestValue, SetSummary } from "./aggregate.ts";
import { BloomFilter, type BloomFilterJson } from "./bloom_filter.ts";
import { categoryKey } from "./categorical_aggregate.ts";
import { countOr, objectAt } from "../util/lenient_json.ts";
import type { ColumnData } from "../parquet/column_data.ts";
import { addRows } from "./_add_rows.ts";

class SetAccumulator implements Accumulator<SetSummary> {
  readonly #items = new Set<string>();
  readonly #timestamp: boolean;
  readonly #cap: number;
  readonly #fpRate: number;
  #count = 0;
  #nulls = 0;

  constructor(timestamp: boolean, cap: number, fpRate: number) {
    this.#timestamp = timestamp;
    this.#cap = cap;
    this.#fpRate = fpRate;
  }

  add(value: ManifestValue): void {
    this.#count++;
    if (Array.isArray(value)) { for (const v of value) this.#items.add(v); }
    else this.#items.add(categoryKey(value, this.#timestamp));
  }

  addNull(): void {
    this.#nulls++;
  }

  addColumn(column: ColumnData): void {
    if (column.kind !== "string" && column.kind !== "list") return addRows(this, column);
    for (const item of column.dict) this.#items.add(item);
    this.#count += column.length - column.nullCount;
    this.#nulls += column.nullCount;
  }

  finish(): SetSummary {
    const base = {
      type: "set" as const,
      count: this.#count,
      null_count: this.#nulls,
      cardinality: this.#items.size,
    };
    if (this.#items.size <= this.#cap) return { ...base, all_values: [...this.#items].sort() };
    const bloom = BloomFilter.forCapacity(this.#items.size, { falsePositiveRate: this.#fpRate });
    for (const item of this.#items) bloom.add(item);
    return { ...base, bloom_filter: bloom.toJSON() };
  }
}

/**
 * The registered `set` aggregate. Reading accepts atdata's `{all_values}` and the seed's
 * `bloom_filter_base64` is not guessed at (a filter without parameters cannot be used). Dataset
 * summaries list the union of items when every shard listed its items; otherwise the items are
 * left out (query the shards' own filters), and `cardinality` is a lower bound.
 *
 * @example
 * ```ts
 * import { setAggregate } from "./set_aggregate.ts";
 * const field = { name: "tags", role: "set", type: "str", list: true, nullable: false } as const;
 * const acc = setAggregate.create(field, {});
 * acc.add(["outdoor", "day"]); acc.add(["indoor"]);
 * if (acc.finish().all_values?.join() !== "day,indoor,outdoor") throw new Error("unexpected");
 * ```
 */
export const setAggregate: AggregateKind<SetSummary> = {
  role: "set",
  create(field, options) {
    return new SetAccumulator(
      field.type === "timestamp",
      options.setValuesCap ?? 1000,
      options.bloomFalsePositiveRate ?? 0.01,
    );
  },
  read(raw, numSamples) {
    const values = Array.isArray(raw.all_values) ? raw.all_values.map(String).sort() : undefined;
    const bloom = objectAt(raw, "bloom_filter");
    const hasBloom = typeof bloom.m === "number" && typeof bloom.k === "number" &&
      typeof bloom.base64 === "string" && typeof bloom.hash === "string";
    const count = countOr(raw, "count", numSamples);
    return {
      type: "set",
      count,
      null_count: countOr(raw, "null_count", Math.max(0, numSamples - count)),
      cardinality: countOr(raw, "cardinality", values?.length ?? 0),
      ...(values ? { all_values: values } : {}),
      ...(hasBloom ? { bloom_filter: bloom as unknown as BloomFilterJson } : {}),
    };
  },
  empty(numSamples) {
    return { type: "set", count: 0, null_count: numSamples, cardinality: 0, all_values: [] };
  },
  merge(summaries) {
    const listed = summaries.every((s) => s.all_values !== undefined);
    const union = new Set<string>();
    if (listed) { for (const s of summaries) for (const v of s.all_values!) union.add(v); }
    const add = (f: (s: SetSummary) => number) => summaries.reduce((a, s) => a + f(s), 0);
    return {
      type: "set",
      count: add((s) => s.count),
      null_count: add((s) => s.null_count),
      cardinality: listed ? union.size : summaries.reduce((a, s) => Math.max(a, s.cardinality), 0),
      ...(listed ? { all_values: [...union].sort() } : {}),
    };
  },
};
