import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { setAggregate } from "./set_aggregate.ts";
import { BloomFilter } from "./bloom_filter.ts";

const tags: ManifestField = { name: "tags", role: "set", type: "str", list: true, nullable: true };

Deno.test("set aggregate lists all values, sorted, when few", () => {
  const acc = setAggregate.create(tags, {});
  acc.add(["outdoor", "day"]);
  acc.add(["indoor", "day"]);
  acc.addNull();
  assert.deepEqual(acc.finish(), {
    type: "set",
    count: 2,
    null_count: 1,
    cardinality: 3,
    all_values: ["day", "indoor", "outdoor"],
  });
});

Deno.test("set aggregate switches to a bloom filter past the cap, with no false negatives", () => {
  const acc = setAggregate.create(tags, { setValuesCap: 100 });
  for (let i = 0; i < 1000; i++) acc.add([`t${i}`, `u${i % 7}`]);
  const s = acc.finish();
  assert.equal(s.all_values, undefined);
  assert.equal(s.cardinality, 1007);
  const bloom = BloomFilter.fromJSON(s.bloom_filter!);
  for (let i = 0; i < 1000; i++) assert.ok(bloom.has(`t${i}`));
  const read = setAggregate.read(JSON.parse(JSON.stringify(s)), 1000);
  assert.deepEqual(read.bloom_filter, s.bloom_filter);
});

Deno.test("set aggregate reads atdata's all_values and merges listed shards", () => {
  const a = setAggregate.read({ type: "set", all_values: ["b", "a"] }, 2);
  const b = setAggregate.read({ type: "set", all_values: ["c", "a"] }, 3);
  assert.deepEqual(setAggregate.merge([a, b]).all_values, ["a", "b", "c"]);
  const bloomed = setAggregate.create(tags, { setValuesCap: 1 });
  bloomed.add(["x", "y"]);
  const merged = setAggregate.merge([a, bloomed.finish()]);
  assert.equal(merged.all_values, undefined);
  assert.equal(merged.cardinality, 2);
});
