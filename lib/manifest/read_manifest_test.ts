import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { MemoryStore } from "../store/memory_store.ts";
import { ManifestBuilder } from "./manifest_builder.ts";
import { ManifestError } from "./manifest_error.ts";
import { readManifest } from "./read_manifest.ts";
import { putAtdataManifest } from "./_test_fixtures.ts";

Deno.test("readManifest loads an atdata-style manifest", async () => {
  const store = new MemoryStore();
  await putAtdataManifest(store, "atdata/shard-000000");
  const m = await readManifest(store, "atdata/shard-000000.tar");
  assert.equal(m.offsetsExact, false);
  assert.equal(m.header.checksum_sha256, null);
  assert.equal(m.header.provenance.pipeline_version, "2.0.0");
  const weight = m.header.aggregates.weight;
  assert.ok(
    weight?.type === "numeric" && weight.min === null && weight.max === null &&
      weight.null_count === 3,
  );
  const label = m.header.aggregates.label;
  assert.ok(label?.type === "categorical" && label.count === 3 && label.null_count === 0);
  assert.deepEqual(m.rows?.map((r) => [r.__key__, r.__offset__, r.__size__, r.label, r.tags]), [
    ["s0", null, 1024, "dog", ["outdoor", "day"]],
    ["s1", null, 2048, "cat", ["indoor"]],
    ["s2", null, 512, "dog", []],
  ]);
});

Deno.test("readManifest with newer fields: a field older manifests lack is null for them", async () => {
  const store = new MemoryStore();
  const v1: ManifestField[] = [{
    name: "label",
    role: "categorical",
    type: "str",
    list: false,
    nullable: false,
  }];
  const builder = new ManifestBuilder(store, { name: "S", version: "1.0.0", manifestFields: v1 });
  builder.onSample({
    shard: "ds/a.tar",
    key: "k0",
    offset: 0,
    size: 512,
    sample: { label: "cat" },
  });
  builder.onSample({
    shard: "ds/a.tar",
    key: "k1",
    offset: 512,
    size: 512,
    sample: { label: "dog" },
  });
  await builder.commit({ key: "ds/a.tar", numSamples: 2, sizeBytes: 2048, sha256: "ab" });
  const v2: ManifestField[] = [
    ...v1,
    { name: "quality", role: "numeric", type: "float", list: false, nullable: true },
    { name: "label2", role: "set", type: "str", list: true, nullable: true },
  ];
  const m = await readManifest(store, "ds/a.tar", { fields: v2 });
  assert.ok(m.offsetsExact);
  assert.deepEqual(m.rows?.map((r) => [r.__key__, r.__offset__, r.label, r.quality, r.label2]), [
    ["k0", 0, "cat", null, null],
    ["k1", 512, "dog", null, null],
  ]);
  const quality = m.header.aggregates.quality;
  assert.ok(quality?.type === "numeric" && quality.count === 0 && quality.null_count === 2);
  // A stored aggregate whose role differs from the reader's field is dropped.
  const changed = await readManifest(store, "ds/a.tar", {
    rows: false,
    fields: [{ name: "label", role: "set", type: "str", list: true, nullable: false }],
  });
  assert.equal(changed.header.aggregates.label, undefined);
});

Deno.test("readManifest names the shard when the manifest or its Parquet is missing or broken", async () => {
  const store = new MemoryStore();
  await assert.rejects(
    () => readManifest(store, "ds/none.tar"),
    (e) =>
      e instanceof ManifestError && e.code === "not_found" && e.message.includes("ds/none.tar"),
  );
  await store.put(
    "ds/b.manifest.json",
    JSON.stringify({ shard_id: "ds/b", num_samples: 1, aggregates: {} }),
  );
  await assert.rejects(
    () => readManifest(store, "ds/b.tar"),
    (e) => e instanceof ManifestError && e.code === "missing_parquet" && e.shard === "ds/b.tar",
  );
  await store.put("ds/b.manifest.parquet", "PAR1 garbage");
  await assert.rejects(
    () => readManifest(store, "ds/b.tar"),
    (e) =>
      e instanceof ManifestError && e.code === "invalid_manifest" &&
      e.message.includes("ds/b.manifest.parquet"),
  );
});
