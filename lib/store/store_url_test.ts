import assert from "node:assert/strict";
import { resolve } from "node:path";
import { parseStoreUrl } from "./store_url.ts";
import { StoreError } from "./store_error.ts";

function invalid(input: string): StoreError {
  try {
    parseStoreUrl(input);
  } catch (err) {
    assert.ok(err instanceof StoreError);
    assert.equal(err.code, "invalid_url");
    return err;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be invalid`);
}

Deno.test("parseStoreUrl resolves plain paths to file URLs", () => {
  for (const input of ["./data", "data", "data/", "./data/"]) {
    const url = parseStoreUrl(input);
    assert.equal(url.scheme, "file");
    assert.equal(url.path, resolve("data"));
    assert.equal(url.href, new URL(`file://${resolve("data")}`).href);
  }
  assert.equal(parseStoreUrl("/abs/dir").path, "/abs/dir");
  assert.equal(parseStoreUrl("/").path, "/");
  assert.equal(parseStoreUrl("../up").path, resolve("../up"));
});

Deno.test("parseStoreUrl reads file URLs with percent-encoding", () => {
  const url = parseStoreUrl("file:///tmp/my%20data/");
  assert.deepEqual(url, {
    scheme: "file",
    host: "",
    path: "/tmp/my data",
    href: "file:///tmp/my%20data",
  });
  assert.equal(parseStoreUrl("file://localhost/tmp/x").path, "/tmp/x");
  assert.equal(parseStoreUrl("FILE:///tmp/x").scheme, "file");
});

Deno.test("parseStoreUrl splits s3 URLs into bucket and prefix", () => {
  assert.deepEqual(parseStoreUrl("s3://bucket"), {
    scheme: "s3",
    host: "bucket",
    path: "",
    href: "s3://bucket",
  });
  assert.deepEqual(parseStoreUrl("s3://bucket/a/b/"), {
    scheme: "s3",
    host: "bucket",
    path: "a/b",
    href: "s3://bucket/a/b",
  });
  assert.equal(parseStoreUrl("s3://bucket/with%20space").path, "with space");
  assert.equal(parseStoreUrl("s3://bucket/with%20space").href, "s3://bucket/with%20space");
  assert.equal(parseStoreUrl("S3://bucket/x").scheme, "s3");
});

Deno.test("parseStoreUrl keeps other schemes for openStore to judge", () => {
  assert.deepEqual(parseStoreUrl("memory://scratch"), {
    scheme: "memory",
    host: "scratch",
    path: "",
    href: "memory://scratch",
  });
  assert.equal(parseStoreUrl("gs://bucket/p").scheme, "gs");
});

Deno.test("parseStoreUrl rejects empty, malformed and ambiguous URLs", () => {
  invalid("");
  invalid("   ");
  invalid("s3://");
  invalid("s3:///prefix");
  invalid("s3://bucket/p?versionId=1");
  invalid("s3://bucket/p#frag");
  invalid("file://otherhost/x");
  invalid("s3://bucket/%E0%A4%A");
  invalid("data\0x");
});

Deno.test("parseStoreUrl never echoes credentials in URLs", () => {
  const err = invalid("s3://AKIA:SECRET@bucket/p");
  assert.ok(!err.message.includes("SECRET"), err.message);
  assert.ok(!err.message.includes("AKIA"), err.message);
  assert.ok(!String(err.url).includes("SECRET"));
  assert.match(err.message, /credentials/);
});

Deno.test("parseStoreUrl rejects dot segments instead of folding them", () => {
  invalid("s3://bucket/a/../b");
  invalid("s3://bucket/./b");
  invalid("s3://bucket/%2E%2e/b");
  assert.equal(parseStoreUrl("s3://bucket/a..b/.c").path, "a..b/.c");
});
