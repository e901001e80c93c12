/**
 * Conformance cases: listing by prefix, order, pagination and delimiter.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ConformanceCase } from "./conformance.ts";
import { listKeys } from "./conformance.ts";

const TREE = ["ds-1", "ds/x", "ds/sub/y", "ds/sub/z/w", "dt", "ds/a-b", "ds/a/c", "e"];

/** Listing cases. */
export const listCases: ConformanceCase[] = [
  {
    name: "list yields keys by prefix in byte order",
    async fn(store) {
      for (const key of TREE) await store.put(key, key);
      // "-" (0x2d) sorts before "/" (0x2f): byte order, not a depth-first walk.
      assert.deepEqual(await listKeys(store, "ds"), [
        "ds-1",
        "ds/a-b",
        "ds/a/c",
        "ds/sub/y",
        "ds/sub/z/w",
        "ds/x",
      ]);
      assert.deepEqual(await listKeys(store, "ds/"), [
        "ds/a-b",
        "ds/a/c",
        "ds/sub/y",
        "ds/sub/z/w",
        "ds/x",
      ]);
      assert.deepEqual(await listKeys(store, "ds/su"), ["ds/sub/y", "ds/sub/z/w"]);
      assert.deepEqual(await listKeys(store, ""), [...TREE].sort());
      assert.deepEqual(await listKeys(store, "nothing/"), []);
      assert.deepEqual(await listKeys(store, "ds/x"), ["ds/x"]);
      assert.deepEqual(await listKeys(store, "ds/x/"), []);
    },
  },
  {
    name: "list reports sizes",
    async fn(store) {
      await store.put("sz/a", new Uint8Array(3));
      await store.put("sz/b", new Uint8Array(0));
      const infos = [];
      for await (const info of store.list("sz/")) infos.push([info.key, info.size]);
      assert.deepEqual(infos, [["sz/a", 3], ["sz/b", 0]]);
    },
  },
  {
    name: "list paginates",
    open: { listPageSize: 7 },
    async fn(store) {
      const keys = Array.from({ length: 25 }, (_, i) => `p/k-${String(i).padStart(3, "0")}`);
      await Promise.all(keys.map((key) => store.put(key, key)));
      await store.put("p/sub/z", "z");
      await store.put("q", "q");
      assert.deepEqual(await listKeys(store, "p/"), [...keys, "p/sub/z"]);
      assert.deepEqual(await listKeys(store, "p/", "/"), [...keys, "p/sub/"]);
    },
  },
  {
    name: "list with delimiter yields one level with common prefixes",
    async fn(store) {
      for (const key of TREE) await store.put(key, key);
      assert.deepEqual(await listKeys(store, "", "/"), ["ds-1", "ds/", "dt", "e"]);
      assert.deepEqual(await listKeys(store, "ds/", "/"), ["ds/a-b", "ds/a/", "ds/sub/", "ds/x"]);
      assert.deepEqual(await listKeys(store, "ds/s", "/"), ["ds/sub/"]);
      assert.deepEqual(await listKeys(store, "ds/sub/", "/"), ["ds/sub/y", "ds/sub/z/"]);
      // A common prefix lists once, with size 0, and disappears when its objects do.
      const infos = [];
      for await (const info of store.list("ds/", { delimiter: "/" })) infos.push(info);
      assert.equal(infos.find((i) => i.key === "ds/sub/")?.size, 0);
      await store.delete("ds/a/c");
      assert.deepEqual(await listKeys(store, "ds/", "/"), ["ds/a-b", "ds/sub/", "ds/x"]);
    },
  },
];
