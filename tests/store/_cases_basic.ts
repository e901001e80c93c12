/**
 * Conformance cases: round trips, ranges, head, delete, not_found and key validation.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ConformanceCase } from "./conformance.ts";
import { chunkedStream, dec, enc, listKeys, pattern, readAll, rejectsWith } from "./conformance.ts";

const INVALID_KEYS = [
  "",
  "/abs",
  "a/../b",
  "..",
  ".",
  "./a",
  "a\\b",
  "a\0b",
  "a//b",
  "a/",
  "ds/.x.0123456789abcdef.tmp",
];

/** Basic cases. */
export const basicCases: ConformanceCase[] = [
  {
    name: "round-trips bytes, strings and streams",
    async fn(store) {
      const bytes = pattern(1000);
      await store.put("a/bytes.bin", bytes);
      await store.put("a/text.txt", "héllo wörld");
      await store.put("a/stream.bin", chunkedStream(bytes, 77));
      await store.put("a/empty", new Uint8Array(0));
      assert.deepEqual(await store.get("a/bytes.bin"), bytes);
      assert.equal(dec(await store.get("a/text.txt")), "héllo wörld");
      assert.deepEqual(await store.get("a/stream.bin"), bytes);
      assert.equal((await store.get("a/empty")).byteLength, 0);
      assert.deepEqual(await readAll(await store.getStream("a/bytes.bin")), bytes);
      assert.deepEqual(await readAll(await store.getStream("a/empty")), new Uint8Array(0));
    },
  },
  {
    name: "keeps keys with spaces, unicode and dots",
    async fn(store) {
      const keys = ["x/with space.txt", "x/ünïcødé-€.txt", "x/.hidden", "x/a.b.c", "x/%41"];
      for (const key of keys) await store.put(key, key);
      for (const key of keys) assert.equal(dec(await store.get(key)), key);
      assert.deepEqual(await listKeys(store, "x/"), [...keys].sort());
    },
  },
  {
    name: "put replaces an existing object",
    async fn(store) {
      await store.put("k", "first version, longer");
      await store.put("k", "second");
      assert.equal(dec(await store.get("k")), "second");
      assert.equal((await store.head("k"))?.size, 6);
    },
  },
  {
    name: "get reads byte ranges: start, middle, end, past the end",
    async fn(store) {
      const bytes = pattern(100);
      await store.put("r", bytes);
      const get = (offset: number, length?: number) =>
        store.get("r", { range: { offset, length } });
      assert.deepEqual(await get(0, 10), bytes.slice(0, 10));
      assert.deepEqual(await get(40, 20), bytes.slice(40, 60));
      assert.deepEqual(await get(90, 10), bytes.slice(90));
      assert.deepEqual(await get(90, 50), bytes.slice(90));
      assert.deepEqual(await get(30), bytes.slice(30));
      assert.deepEqual(await get(99, 1), bytes.slice(99));
      assert.equal((await get(10, 0)).byteLength, 0);
      assert.equal((await get(100, 5)).byteLength, 0);
      assert.equal((await get(500)).byteLength, 0);
      await assert.rejects(get(-1, 2), RangeError);
      await assert.rejects(get(1.5), RangeError);
      await rejectsWith(store.get("missing", { range: { offset: 0, length: 0 } }), "not_found");
      await rejectsWith(store.get("missing", { range: { offset: 5 } }), "not_found");
    },
  },
  {
    name: "getStream reads byte ranges",
    async fn(store) {
      const bytes = pattern(3000, 7);
      await store.put("s", bytes);
      const read = async (offset: number, length?: number) =>
        await readAll(await store.getStream("s", { range: { offset, length } }));
      assert.deepEqual(await read(0, 1), bytes.slice(0, 1));
      assert.deepEqual(await read(1000, 1500), bytes.slice(1000, 2500));
      assert.deepEqual(await read(2990, 100), bytes.slice(2990));
      assert.deepEqual(await read(2500), bytes.slice(2500));
      assert.equal((await read(3000)).byteLength, 0);
      // Cancelling a stream early releases it.
      const stream = await store.getStream("s");
      await stream.cancel();
    },
  },
  {
    name: "head returns size and dates, undefined when absent",
    async fn(store) {
      await store.put("h/x", pattern(1234));
      const info = await store.head("h/x");
      assert.equal(info?.key, "h/x");
      assert.equal(info?.size, 1234);
      assert.ok(info?.lastModified instanceof Date);
      assert.equal(await store.head("h/missing"), undefined);
      assert.equal(await store.head("h"), undefined, "a folder-like prefix is not an object");
    },
  },
  {
    name: "delete removes objects; absent keys are fine",
    async fn(store) {
      await store.put("d/x", "1");
      await store.put("d/y", "2");
      await store.delete("d/x");
      assert.equal(await store.head("d/x"), undefined);
      assert.deepEqual(await listKeys(store, "d/"), ["d/y"]);
      await store.delete("d/x");
      await store.delete("never/existed");
      await store.delete("d");
      assert.deepEqual(await listKeys(store, "d/"), ["d/y"]);
    },
  },
  {
    name: "deleteMany removes every key given, absent ones too, and nothing else",
    async fn(store) {
      assert.ok(store.deleteMany, "every backend has deleteMany");
      const keys = Array.from({ length: 30 }, (_, i) => `m/k-${String(i).padStart(3, "0")}`);
      for (const key of keys) await store.put(key, key);
      await store.put("m/kept", "1");
      await store.deleteMany!([...keys, "m/absent", "never/existed"]);
      assert.deepEqual(await listKeys(store, "m/"), ["m/kept"]);
      await store.deleteMany!([]);
      await rejectsWith(store.deleteMany!(["m/kept", "a/../b"]), "invalid_key");
    },
  },
  {
    name: "missing objects reject with not_found",
    async fn(store) {
      await store.put("n/x", "1");
      await rejectsWith(store.get("n/missing"), "not_found");
      await rejectsWith(store.getStream("n/missing"), "not_found");
      await rejectsWith(store.get("n"), "not_found");
      await rejectsWith(store.get("n/x/deeper"), "not_found");
      await assert.rejects(store.get("n/missing"), (err: Error & { key?: string }) => {
        assert.equal(err.key, "n/missing");
        assert.match(err.message, /"n\/missing"/);
        return true;
      });
    },
  },
  {
    name: "invalid keys reject with invalid_key",
    async fn(store) {
      for (const key of INVALID_KEYS) {
        await rejectsWith(store.put(key, "x"), "invalid_key");
        await rejectsWith(store.get(key), "invalid_key");
        await rejectsWith(store.getStream(key), "invalid_key");
        await rejectsWith(store.head(key), "invalid_key");
        await rejectsWith(store.delete(key), "invalid_key");
      }
      for (const prefix of ["/abs", "../x", "a//", "a\\", "a/../"]) {
        await rejectsWith(listKeys(store, prefix), "invalid_key");
      }
      await store.put("ok", enc("x"));
      assert.deepEqual(await listKeys(store), ["ok"]);
    },
  },
];
