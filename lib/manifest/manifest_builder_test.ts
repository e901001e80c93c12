import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { ManifestBuilder } from "./manifest_builder.ts";
import { ManifestError } from "./manifest_error.ts";
import { parseManifestHeader } from "./manifest_header.ts";
import { readManifest } from "./read_manifest.ts";
import { readIndex } from "../dataset/dataset_index.ts";
import { generateSamples, ImageSample } from "./_test_fixtures.ts";

const NOW = () => new Date("2025-02-01T00:00:00Z");

async function feed(builder: ManifestBuilder, shard: string, n: number, sha256 = "ab") {
  const samples = generateSamples(n);
  samples.forEach((sample, i) =>
    builder.onSample({ shard, key: sample.__key__, offset: i * 1024, size: 1024, sample })
  );
  return await builder.commit({ key: shard, numSamples: n, sizeBytes: n * 1024 + 1024, sha256 });
}

Deno.test("ManifestBuilder writes Parquet, then the header, then the index fragment", async () => {
  const store = new MemoryStore();
  const puts: string[] = [];
  const put = store.put.bind(store);
  store.put = (key, body, options) => (puts.push(key), put(key, body, options));
  const builder = new ManifestBuilder(store, ImageSample, {
    now: NOW,
    provenance: { source_job_id: "job-1", parent_shards: ["raw/a.tar"], code_hash: "c0de" },
  });
  const header = await feed(builder, "ds/shard-000000.tar", 20);
  assert.deepEqual(puts, [
    "ds/shard-000000.manifest.parquet",
    "ds/shard-000000.manifest.json",
    "ds/_index/shards/shard-000000.json",
  ]);
  assert.equal(header.shard_id, "ds/shard-000000");
  assert.equal(header.schema_type, "ImageSample");
  assert.equal(header.created_at, "2025-02-01T00:00:00.000Z");
  assert.equal(header.provenance.code_hash, "c0de");
  assert.equal(header.provenance.pipeline_version, null);
  assert.deepEqual(Object.keys(header.aggregates), [
    "label",
    "confidence",
    "score",
    "count",
    "flagged",
    "tags",
    "captured",
  ]);
  assert.equal(
    header.time_min,
    header.aggregates.captured?.type === "timestamp" ? header.aggregates.captured.min : "",
  );
  assert.equal(header.parquet?.num_rows, 20);
  const stored = parseManifestHeader(
    new TextDecoder().decode(await store.get("ds/shard-000000.manifest.json")),
  );
  assert.deepEqual(stored, header);
  assert.equal((await readIndex(store, "ds")).entries[0]?.shard, "ds/shard-000000.tar");
});

Deno.test("ManifestBuilder commit is idempotent for the same tar and refuses another", async () => {
  const store = new MemoryStore();
  const first = await feed(new ManifestBuilder(store, ImageSample, { now: NOW }), "ds/a.tar", 3);
  const puts: string[] = [];
  const put = store.put.bind(store);
  store.put = (key, body, options) => (puts.push(key), put(key, body, options));
  const again = await feed(new ManifestBuilder(store, ImageSample), "ds/a.tar", 3);
  assert.deepEqual(again, first);
  assert.deepEqual(puts, ["ds/_index/shards/a.json"]); // the manifest itself is left as it is
  await assert.rejects(
    () => feed(new ManifestBuilder(store, ImageSample), "ds/a.tar", 3, "other"),
    (e) => e instanceof ManifestError && e.code === "already_committed" && e.shard === "ds/a.tar",
  );
});

Deno.test("ManifestBuilder refuses a sample count that differs from what it recorded", async () => {
  const builder = new ManifestBuilder(new MemoryStore(), ImageSample);
  builder.onSample({
    shard: "ds/a.tar",
    key: "k",
    offset: 0,
    size: 512,
    sample: generateSamples(1)[0],
  });
  await assert.rejects(
    () => builder.commit({ key: "ds/a.tar", numSamples: 2, sizeBytes: 2048, sha256: "ab" }),
    (e) => e instanceof ManifestError && e.code === "invalid_state",
  );
});

Deno.test("ManifestBuilder commits an empty shard", async () => {
  const store = new MemoryStore();
  const header = await new ManifestBuilder(store, ImageSample).commit({
    key: "ds/e.tar",
    numSamples: 0,
    sizeBytes: 1024,
    sha256: "00",
  });
  assert.equal(header.num_samples, 0);
  assert.equal(header.time_min, null);
  assert.deepEqual((await readManifest(store, "ds/e.tar")).rows, []);
});

Deno.test("ManifestBuilder in the background reports failures at flush", async () => {
  const store = new MemoryStore();
  const builder = new ManifestBuilder(store, ImageSample, { background: true, dataset: false });
  await builder.onShardClose({ key: "ds/a.tar", numSamples: 1, sizeBytes: 1024, sha256: "ab" });
  await assert.rejects(
    () => builder.flush(),
    (e) => e instanceof ManifestError && e.code === "invalid_state",
  );
  builder.onSample({ shard: "ds/b.tar", key: "k", offset: 0, size: 512, sample: {} });
  const ok = new ManifestBuilder(store, ImageSample, { background: true, dataset: false });
  ok.onSample({ shard: "ds/b.tar", key: "k", offset: 0, size: 512, sample: {} });
  await ok.onShardClose({ key: "ds/b.tar", numSamples: 1, sizeBytes: 1024, sha256: "ab" });
  assert.equal((await ok.flush()).length, 1);
  assert.equal(await store.head("ds/_index/shards/b.json"), undefined);
});

Deno.test("ManifestBuilder.commit rejects an int outside int64, naming the field", async () => {
  const builder = new ManifestBuilder(new MemoryStore(), {
    name: "S",
    version: "1.0.0",
    manifestFields: [{ name: "n", role: "numeric", type: "int", list: false, nullable: false }],
  });
  builder.onSample({
    shard: "ds/a.tar",
    key: "a",
    offset: 0,
    size: 512,
    sample: { n: 2n ** 64n - 1n },
  });
  await assert.rejects(
    () => builder.commit({ key: "ds/a.tar", numSamples: 1, sizeBytes: 1024, sha256: "00" }),
    (err: Error) => err instanceof RangeError && err.message.includes(`field "n"`),
  );
});
