import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { aggregateKind, registerAggregate } from "./aggregate.ts";
import { categoricalAggregate } from "./categorical_aggregate.ts";
import { ManifestError } from "./manifest_error.ts";

const label: ManifestField = {
  name: "label",
  role: "categorical",
  type: "str",
  list: false,
  nullable: true,
};

Deno.test("categorical aggregate counts values and nulls exactly", () => {
  const acc = categoricalAggregate.create(label, {});
  for (const v of ["dog", "cat", "dog", "bird"]) acc.add(v);
  acc.addNull();
  assert.deepEqual(acc.finish(), {
    type: "categorical",
    count: 4,
    null_count: 1,
    cardinality: 3,
    value_counts: { bird: 1, cat: 1, dog: 2 },
    overflow: { cardinality: 0, count: 0 },
  });
});

Deno.test("categorical aggregate keeps the most frequent values past the cap, the rest in overflow", () => {
  const acc = categoricalAggregate.create(label, { categoricalCap: 2 });
  for (const v of ["a", "a", "a", "b", "b", "c", "d", "d"]) acc.add(v);
  const s = acc.finish();
  assert.deepEqual(s.value_counts, { a: 3, b: 2 });
  assert.deepEqual(s.overflow, { cardinality: 2, count: 3 });
  assert.equal(s.cardinality, 4);
});

Deno.test("categorical keys are stringified: booleans, ints, timestamps", () => {
  const flag = categoricalAggregate.create({ ...label, type: "bool" }, {});
  flag.add(true);
  flag.add(false);
  flag.add(true);
  assert.deepEqual(flag.finish().value_counts, { false: 1, true: 2 });
  const when = categoricalAggregate.create({ ...label, type: "timestamp" }, {});
  when.add(Date.UTC(2025, 0, 1));
  assert.deepEqual(when.finish().value_counts, { "2025-01-01T00:00:00.000Z": 1 });
});

Deno.test("categorical aggregate reads atdata's summary and merges shard summaries exactly", () => {
  const atdata = categoricalAggregate.read({
    type: "categorical",
    cardinality: 2,
    value_counts: { dog: 2, cat: 1 },
  }, 4);
  assert.equal(atdata.count, 3);
  assert.equal(atdata.null_count, 1);
  const other = categoricalAggregate.read({
    cardinality: 1,
    value_counts: { dog: 5 },
    overflow: { cardinality: 3, count: 4 },
  }, 9);
  const merged = categoricalAggregate.merge([atdata, other, categoricalAggregate.empty(10)]);
  assert.deepEqual(merged.value_counts, { cat: 1, dog: 7 });
  assert.equal(merged.null_count, 11);
  assert.deepEqual(merged.overflow, { cardinality: 3, count: 4 });
});

Deno.test("aggregates are found by role in the registration table", () => {
  assert.equal(aggregateKind("categorical"), categoricalAggregate);
  assert.throws(
    () => aggregateKind("nope"),
    (e) => e instanceof ManifestError && e.code === "unknown_aggregate",
  );
  registerAggregate({ ...categoricalAggregate, role: "test-role" });
  assert.equal(aggregateKind("test-role").role, "test-role");
});
