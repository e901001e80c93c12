import assert from "node:assert/strict";
import { openStore, registerStoreScheme, storeSchemes } from "./open_store.ts";
import { LocalStore } from "./local_store.ts";
import { MemoryStore } from "./memory_store.ts";
import { S3Store } from "./s3_store.ts";
import { StoreError } from "./store_error.ts";

async function rejectsCode(promise: Promise<unknown>, code: string): Promise<StoreError> {
  let caught: unknown;
  await promise.catch((err) => caught = err);
  assert.ok(caught instanceof StoreError, String(caught));
  assert.equal(caught.code, code, caught.message);
  return caught;
}

Deno.test("openStore picks the backend from the URL scheme", async () => {
  assert.ok(await openStore("./data") instanceof LocalStore);
  assert.ok(await openStore("file:///tmp/x") instanceof LocalStore);
  assert.ok(await openStore("memory://a") instanceof MemoryStore);
  const s3 = await openStore("s3://my-bucket/pre", { s3: { endpoint: "http://127.0.0.1:9" } });
  assert.ok(s3 instanceof S3Store);
  assert.equal(s3.url, "s3://my-bucket/pre");
  await s3.close?.();
  assert.deepEqual(storeSchemes().filter((s) => ["file", "memory", "s3"].includes(s)), [
    "file",
    "memory",
    "s3",
  ]);
});

Deno.test("openStore shares memory stores by name", async () => {
  const a = await openStore("memory://shared-by-name");
  const b = await openStore("memory://shared-by-name");
  const c = await openStore("memory://another-name");
  await a.put("k", "v");
  assert.equal((await b.head("k"))?.size, 1);
  assert.equal(await c.head("k"), undefined);
});

Deno.test("openStore rejects unknown schemes with unsupported_scheme", async () => {
  const err = await rejectsCode(openStore("gs://bucket/x"), "unsupported_scheme");
  assert.match(err.message, /"gs:"/);
  assert.match(err.message, /s3:/);
  await rejectsCode(openStore("http://example/x"), "unsupported_scheme");
});

Deno.test("openStore rejects bad bucket names and prefixes with invalid_url", async () => {
  await rejectsCode(openStore("s3://ab"), "invalid_url");
  await rejectsCode(openStore("s3://Upper_Case"), "invalid_url");
  await rejectsCode(openStore("s3://bucket/a/../b"), "invalid_url");
  await rejectsCode(openStore("memory://name/path"), "invalid_url");
  await rejectsCode(openStore(""), "invalid_url");
});

Deno.test("registerStoreScheme adds a backend", async () => {
  registerStoreScheme("test-scheme", (url) => new MemoryStore({ name: `ts-${url.host}` }));
  const store = await openStore("test-scheme://one");
  assert.equal(store.url, "memory://ts-one");
});
