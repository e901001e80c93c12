/**
 * Conformance cases: large (multipart) stream puts, create-only puts and failed writes.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ConformanceCase } from "./conformance.ts";
import { chunkedStream, dec, listKeys, pattern, readAll, rejectsWith } from "./conformance.ts";

const MIB = 1024 * 1024;

/** Write cases. */
export const writeCases: ConformanceCase[] = [
  {
    name: "streams a 20 MiB put (multipart with 5 MiB parts)",
    async fn(store) {
      const bytes = pattern(20 * MIB + 123, 3);
      // Odd chunk sizes so parts never align with chunks.
      await store.put("big/blob.bin", chunkedStream(bytes, MIB + 7));
      assert.equal((await store.head("big/blob.bin"))?.size, bytes.byteLength);
      const back = await store.get("big/blob.bin");
      assert.equal(back.byteLength, bytes.byteLength);
      assert.ok(back.every((b, i) => b === bytes[i]), "content differs");
      // A range across the first part boundary.
      const across = await store.get("big/blob.bin", {
        range: { offset: 5 * MIB - 10, length: 20 },
      });
      assert.deepEqual(across, bytes.slice(5 * MIB - 10, 5 * MIB + 10));
      const streamed = await readAll(
        await store.getStream("big/blob.bin", { range: { offset: 15 * MIB, length: MIB } }),
      );
      assert.deepEqual(streamed, bytes.slice(15 * MIB, 16 * MIB));
      assert.deepEqual(await listKeys(store, "big/"), ["big/blob.bin"]);
    },
  },
  {
    name: "puts bytes larger than one part",
    async fn(store) {
      const bytes = pattern(11 * MIB, 5);
      await store.put("big/bytes.bin", bytes);
      assert.equal((await store.head("big/bytes.bin"))?.size, bytes.byteLength);
      assert.deepEqual(
        await store.get("big/bytes.bin", { range: { offset: 11 * MIB - 5 } }),
        bytes.slice(-5),
      );
    },
  },
  {
    name: "create-only put refuses an existing key with already_exists",
    async fn(store) {
      await store.put("c/manifest.json", "v1", { ifNoneMatch: "*" });
      await rejectsWith(store.put("c/manifest.json", "v2", { ifNoneMatch: "*" }), "already_exists");
      await rejectsWith(
        store.put("c/manifest.json", chunkedStream(pattern(100), 10), { ifNoneMatch: "*" }),
        "already_exists",
      );
      assert.equal(dec(await store.get("c/manifest.json")), "v1");
      assert.deepEqual(await listKeys(store, "c/"), ["c/manifest.json"]);
      await store.delete("c/manifest.json");
      await store.put("c/manifest.json", "v3", { ifNoneMatch: "*" });
      assert.equal(dec(await store.get("c/manifest.json")), "v3");
    },
  },
  {
    name: "concurrent create-only puts: exactly one wins",
    requires: "raceFreeCreateOnly",
    async fn(store) {
      const n = 32;
      const results = await Promise.allSettled(
        Array.from({ length: n }, (_, i) =>
          store.put(
            "race/winner",
            i % 2 ? `writer ${i}` : chunkedStream(pattern(64 * 1024, i + 1), 4096),
            { ifNoneMatch: "*" },
          )),
      );
      const winners = results.flatMap((r, i) => r.status === "fulfilled" ? [i] : []);
      assert.equal(winners.length, 1, `winners: ${winners.join(", ")}`);
      for (const r of results) {
        if (r.status === "rejected") {
          assert.equal(r.reason?.code, "already_exists", String(r.reason));
        }
      }
      const w = winners[0]!;
      const expected = w % 2 ? new TextEncoder().encode(`writer ${w}`) : pattern(64 * 1024, w + 1);
      assert.deepEqual(await store.get("race/winner"), expected);
      assert.deepEqual(await listKeys(store, "race/"), ["race/winner"]);
    },
  },
  {
    name: "a put whose source stream fails leaves nothing visible",
    async fn(store) {
      const bytes = pattern(12 * MIB, 9);
      // Fails after more than one part (multipart started on S3).
      await rejectsWith(store.put("f/new.bin", chunkedStream(bytes, MIB, 6 * MIB)), "io");
      await rejectsWith(store.put("f/small.bin", chunkedStream(bytes, 1000, 5000)), "io");
      assert.equal(await store.head("f/new.bin"), undefined);
      assert.equal(await store.head("f/small.bin"), undefined);
      assert.deepEqual(await listKeys(store, ""), []);
      // Replacing an existing object: the old version stays whole.
      await store.put("f/old.bin", "old");
      await rejectsWith(store.put("f/old.bin", chunkedStream(bytes, MIB, 7 * MIB)), "io");
      assert.equal(dec(await store.get("f/old.bin")), "old");
      // A failed create-only put leaves the key free.
      await rejectsWith(
        store.put("f/once", chunkedStream(bytes, 1000, 3000), { ifNoneMatch: "*" }),
        "io",
      );
      assert.deepEqual(await listKeys(store, ""), ["f/old.bin"]);
      assert.deepEqual(await listKeys(store, "f/", "/"), ["f/old.bin"]);
      await store.put("f/once", "now", { ifNoneMatch: "*" });
      assert.equal(dec(await store.get("f/once")), "now");
    },
  },
];
