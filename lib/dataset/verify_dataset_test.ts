import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { verifyDataset } from "./verify_dataset.ts";
import { writeShards } from "./write_shards.ts";
import { generateSamples, ImageSample, putAtdataManifest } from "../manifest/_test_fixtures.ts";

async function dataset() {
  const store = new MemoryStore();
  await writeShards(store, "ds/shard-%06d.tar", generateSamples(30), {
    schema: ImageSample,
    maxcount: 10,
  });
  return store;
}

const codes = (r: Awaited<ReturnType<typeof verifyDataset>>) =>
  r.problems.map((p) => `${p.shard}:${p.code}`).sort();

Deno.test("verifyDataset passes a dataset written with manifests", async () => {
  const report = await verifyDataset(await dataset(), "ds");
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.equal(report.shards, 3);
});

Deno.test("verifyDataset reports a checksum mismatch, naming the shard", async () => {
  const store = await dataset();
  const tar = await store.get("ds/shard-000001.tar");
  tar[600]! ^= 0xff; // inside the first member's data: still a valid tar
  await store.put("ds/shard-000001.tar", tar);
  const report = await verifyDataset(store, "ds");
  assert.equal(report.ok, false);
  assert.deepEqual(codes(report), ["ds/shard-000001.tar:checksum_mismatch"]);
  assert.match(
    report.problems[0]!.message,
    /"ds\/shard-000001\.tar": sha256 is [0-9a-f]{64}, the manifest says/,
  );
});

Deno.test("verifyDataset reports a missing and a corrupt Parquet", async () => {
  const store = await dataset();
  await store.delete("ds/shard-000000.manifest.parquet");
  const parquet = await store.get("ds/shard-000002.manifest.parquet");
  await store.put("ds/shard-000002.manifest.parquet", parquet.subarray(0, parquet.length - 40));
  const report = await verifyDataset(store, "ds");
  assert.deepEqual(codes(report), [
    "ds/shard-000000.tar:missing_parquet",
    "ds/shard-000002.tar:invalid_parquet",
    "ds/shard-000002.tar:parquet_checksum_mismatch",
  ]);
});

Deno.test("verifyDataset reports truncated tars, missing tars, uncommitted tars and stale index entries", async () => {
  const store = await dataset();
  const tar = await store.get("ds/shard-000000.tar");
  await store.put("ds/shard-000000.tar", tar.subarray(0, 2000));
  await store.delete("ds/shard-000001.tar");
  await store.put("ds/extra.tar", new Uint8Array(1024));
  await store.delete("ds/shard-000002.manifest.json");
  const report = await verifyDataset(store, "ds");
  assert.deepEqual(codes(report), [
    "ds/extra.tar:uncommitted",
    "ds/shard-000000.tar:checksum_mismatch",
    "ds/shard-000000.tar:invalid_shard",
    "ds/shard-000000.tar:offset_mismatch",
    "ds/shard-000000.tar:sample_count_mismatch",
    "ds/shard-000000.tar:size_mismatch",
    "ds/shard-000001.tar:missing_shard",
    "ds/shard-000002.tar:stale_index",
    "ds/shard-000002.tar:uncommitted",
  ]);
});

Deno.test("verifyDataset accepts atdata's manifests, warning about their missing checksum", async () => {
  const store = new MemoryStore();
  await putAtdataManifest(store, "at/shard-000000");
  const report = await verifyDataset(store, "at");
  assert.deepEqual(codes(report), [
    "at/shard-000000.tar:missing_shard",
    "at/shard-000000.tar:not_indexed",
  ]);
});
