import assert from "node:assert/strict";
import { BloomFilter } from "./bloom_filter.ts";
import { murmur3 } from "./_murmur3.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("murmur3 matches the reference vectors", () => {
  assert.equal(murmur3(utf8(""), 0), 0);
  assert.equal(murmur3(utf8(""), 1), 0x514e28b7);
  assert.equal(murmur3(utf8("hello"), 0), 0x248bfa47);
  assert.equal(murmur3(utf8("The quick brown fox jumps over the lazy dog"), 0), 0x2e4ff723);
  assert.equal(murmur3(utf8("abc"), 0), 0xb3dd93fa);
});

Deno.test("BloomFilter has no false negatives and about its false-positive rate", () => {
  const bloom = BloomFilter.forCapacity(5000, { falsePositiveRate: 0.01 });
  for (let i = 0; i < 5000; i++) bloom.add(`tag-${i}`);
  const copy = BloomFilter.fromJSON(bloom.toJSON());
  for (let i = 0; i < 5000; i++) assert.ok(copy.has(`tag-${i}`), `tag-${i} missing`);
  let fp = 0;
  for (let i = 0; i < 20000; i++) if (copy.has(`other-${i}`)) fp++;
  assert.ok(fp / 20000 < 0.03, `false-positive rate ${fp / 20000}`);
});

Deno.test("BloomFilter portable form names its parameters", () => {
  const json = BloomFilter.forCapacity(100).toJSON();
  assert.equal(json.hash, "murmur3_x86_32");
  assert.ok(json.m % 8 === 0 && json.k >= 1);
  assert.equal(atob(json.base64).length, json.m / 8);
  assert.throws(
    () => BloomFilter.fromJSON({ ...json, hash: "md5" as "murmur3_x86_32" }),
    TypeError,
  );
});

Deno.test("BloomFilter union holds both value sets", () => {
  const a = new BloomFilter(1024, 5);
  const b = new BloomFilter(1024, 5);
  a.add("x");
  b.add("y");
  const u = a.union(b);
  assert.ok(u.has("x") && u.has("y"));
  assert.throws(() => a.union(new BloomFilter(512, 5)), RangeError);
});
