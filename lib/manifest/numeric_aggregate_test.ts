import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { numericAggregate } from "./numeric_aggregate.ts";

const score: ManifestField = {
  name: "score",
  role: "numeric",
  type: "float",
  list: false,
  nullable: true,
};

Deno.test("numeric aggregate: min, max, mean, sum, counts and a histogram", () => {
  const acc = numericAggregate.create({ ...score, buckets: [0, 1, 2] }, {});
  for (const v of [0.5, 1.5, 1, 3]) acc.add(v);
  acc.addNull();
  const s = acc.finish();
  assert.deepEqual(
    { ...s, histogram: undefined },
    {
      type: "numeric",
      count: 4,
      null_count: 1,
      nan_count: 0,
      inf_count: 0,
      min: 0.5,
      max: 3,
      sum: 6,
      mean: 1.5,
      histogram: undefined,
    },
  );
  assert.deepEqual(s.histogram, {
    rule: "fixed",
    buckets: [0, 1, 2],
    counts: [1, 2],
    below: 0,
    above: 1,
  });
});

Deno.test("numeric aggregate: NaN counted apart, infinities clamp the bounds, never written", () => {
  const acc = numericAggregate.create(score, {});
  for (const v of [1, NaN, Infinity, -Infinity, 3]) acc.add(v);
  const s = acc.finish();
  assert.equal(s.nan_count, 1);
  assert.equal(s.inf_count, 2);
  assert.equal(s.count, 4);
  assert.equal(s.min, -Number.MAX_VALUE);
  assert.equal(s.max, Number.MAX_VALUE);
  assert.equal(s.mean, 2);
  assert.ok(Object.values(s).every((v) => typeof v !== "number" || Number.isFinite(v)));
});

Deno.test("numeric aggregate: an empty field has null bounds and mean", () => {
  const s = numericAggregate.create(score, {}).finish();
  assert.equal(s.min, null);
  assert.equal(s.max, null);
  assert.equal(s.mean, null);
});

Deno.test("numeric aggregate reads atdata's Infinity bounds of an empty field as null", () => {
  const s = numericAggregate.read({
    type: "numeric",
    min: Infinity,
    max: -Infinity,
    mean: 0,
    count: 0,
  }, 7);
  assert.equal(s.min, null);
  assert.equal(s.max, null);
  assert.equal(s.mean, null);
  assert.equal(s.null_count, 7);
  const full = numericAggregate.read(
    { type: "numeric", min: 0.7, max: 0.95, mean: 0.8, count: 3 },
    3,
  );
  assert.equal(full.min, 0.7);
  assert.ok(Math.abs(full.sum - 2.4) < 1e-12);
  assert.equal(full.histogram, undefined);
});

Deno.test("numeric merge adds counts and sums and takes the extreme bounds", () => {
  const part = (values: number[]) => {
    const acc = numericAggregate.create(score, {});
    for (const v of values) acc.add(v);
    return acc.finish();
  };
  const merged = numericAggregate.merge([part([1, 2]), part([10, -4]), numericAggregate.empty(3)]);
  assert.equal(merged.count, 4);
  assert.equal(merged.null_count, 3);
  assert.equal(merged.min, -4);
  assert.equal(merged.max, 10);
  assert.equal(merged.mean, 9 / 4);
  assert.deepEqual(merged.histogram, part([1, 2, 10, -4]).histogram);
});
