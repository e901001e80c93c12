import assert from "node:assert/strict";
import { LocalStore, openStore } from "../../lib/store/mod.ts";
import { listKeys, rejectsWith } from "./conformance.ts";
import { testStoreConformance } from "./conformance.ts";

testStoreConformance("LocalStore", async () => {
  const root = await Deno.makeTempDir({ prefix: "local-store-" });
  let n = 0;
  return {
    open: () => Promise.resolve(new LocalStore(`${root}/case-${++n}`)),
    close: () => Deno.remove(root, { recursive: true }),
  };
}, { raceFreeCreateOnly: true });

async function withStore(fn: (store: LocalStore, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "local-store-" });
  try {
    await fn(new LocalStore(root), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("LocalStore list skips leftover temp files of crashed writers", async () => {
  await withStore(async (store, root) => {
    await store.put("ds/a", "1");
    await Deno.writeTextFile(`${root}/ds/.b.0123456789abcdef.tmp`, "partial");
    await Deno.mkdir(`${root}/other`);
    await Deno.writeTextFile(`${root}/other/.c.fedcba9876543210.tmp`, "partial");
    assert.deepEqual(await listKeys(store, ""), ["ds/a"]);
    assert.deepEqual(await listKeys(store, "", "/"), ["ds/"]);
  });
});

Deno.test("LocalStore leaves no temp files after puts", async () => {
  await withStore(async (store, root) => {
    await store.put("ds/a", "1");
    await store.put("ds/a", "2");
    await store.put("ds/b", "3", { ifNoneMatch: "*" });
    await rejectsWith(store.put("ds/b", "4", { ifNoneMatch: "*" }), "already_exists");
    const names = [];
    for await (const entry of Deno.readDir(`${root}/ds`)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["a", "b"]);
  });
});

Deno.test("LocalStore writes files at the key's path", async () => {
  await withStore(async (store, root) => {
    await store.put("x/y/z.txt", "hello");
    assert.equal(await Deno.readTextFile(`${root}/x/y/z.txt`), "hello");
    assert.equal(store.url, new URL(`file://${root}`).href);
  });
});

Deno.test("LocalStore reports io when a key's folder is a file", async () => {
  await withStore(async (store) => {
    await store.put("a", "file");
    await rejectsWith(store.put("a/b", "x"), "io");
  });
});

Deno.test("LocalStore on a missing root lists nothing and reads not_found", async () => {
  const store = await openStore(`${await Deno.makeTempDir()}/does/not/exist`);
  assert.deepEqual(await listKeys(store, ""), []);
  await rejectsWith(store.get("a"), "not_found");
  assert.equal(await store.head("a"), undefined);
  await store.delete("a");
});
