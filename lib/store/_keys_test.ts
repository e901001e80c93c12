import assert from "node:assert/strict";
import { assertKey, assertPrefix, clampRange, compareKeys, TEMP_NAME } from "./_keys.ts";

Deno.test("compareKeys orders by UTF-8 bytes", () => {
  const keys = ["b", "a/b", "a-b", "a", "\u{1F600}", "\uFFFD", "é", "Z"];
  const sorted = [...keys].sort(compareKeys);
  const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual(sorted, bytes);
});

Deno.test("assertKey and assertPrefix accept relative keys and partial prefixes", () => {
  for (const key of ["a", "a/b.tar", ".manifest.json", "x/..y", "a b/ü"]) {
    assertKey(key, "memory://t");
  }
  for (const prefix of ["", "a/", "a/b", "ds/.", "ds/..", "ds/shard-0"]) {
    assertPrefix(prefix, "memory://t");
  }
  assert.throws(() => assertKey("a/", "memory://t"), /empty path segment/);
  assert.throws(() => assertPrefix("../x", "memory://t"), /".." segment/);
});

Deno.test("TEMP_NAME matches only the local store's temp names", () => {
  assert.ok(TEMP_NAME.test(".shard.tar.0123456789abcdef.tmp"));
  assert.ok(!TEMP_NAME.test("shard.tmp"));
  assert.ok(!TEMP_NAME.test(".x.tmp"));
});

Deno.test("clampRange clamps to the object's end", () => {
  assert.deepEqual(clampRange(undefined, 10), [0, 10]);
  assert.deepEqual(clampRange({ offset: 4, length: 3 }, 10), [4, 7]);
  assert.deepEqual(clampRange({ offset: 8, length: 30 }, 10), [8, 10]);
  assert.deepEqual(clampRange({ offset: 20 }, 10), [10, 10]);
});
