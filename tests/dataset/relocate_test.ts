/**
 * A dataset is relocatable: opened from any ancestor as the store root, or copied elsewhere, its
 * manifests, index, statistics and verification read the same (nothing stored holds a
 * store-root key). Manifests and index pieces written with store-root keys still read.
 */
import assert from "node:assert/strict";
import { VARCHAR } from "@duckdb/node-api";
import { LocalStore } from "../../lib/store/mod.ts";
import type { Store } from "../../lib/store/mod.ts";
import { readManifest } from "../../lib/manifest/mod.ts";
import {
  compactIndex,
  datasetStats,
  readIndex,
  rebuildIndex,
  verifyDataset,
  writeShards,
} from "../../lib/dataset/mod.ts";
import { generateSamples, ImageSample } from "../../lib/manifest/_test_fixtures.ts";
import { writeParquet } from "../../lib/parquet/duckdb_writer.ts";
import { encodeManifestHeader } from "../../lib/manifest/manifest_header.ts";
import { cliContext } from "../_cli_context.ts";
import { run as verify } from "../../cli/verify.ts";
import { withDeadline } from "../_deadline.ts";

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

async function cliVerify(location: string): Promise<{ code: number; out: string[] }> {
  const { ctx, out } = cliContext();
  return { code: await verify([location], ctx), out };
}

/** What a view of the dataset reads, with the view's own store keys taken out. */
async function observe(store: Store, dataset: string) {
  const prefix = dataset ? `${dataset}/` : "";
  const index = await readIndex(store, dataset);
  for (const e of index.entries) assert.equal(e.shard, `${prefix}${e.name}`);
  const manifests = [];
  for (const e of index.entries) {
    const m = await readManifest(store, e.shard);
    assert.equal(m.rows?.length, e.header.num_samples, e.shard);
    manifests.push({ header: m.header, rows: m.rows, offsetsExact: m.offsetsExact });
  }
  const { dataset: _d, ...stats } = await datasetStats(store, dataset);
  const report = await verifyDataset(store, dataset);
  return {
    entries: index.entries.map((e) => ({ name: e.name, header: e.header })),
    manifests,
    stats,
    verify: {
      ok: report.ok,
      shards: report.shards,
      problems: report.problems.map((p) => ({ ...p, shard: p.shard.slice(prefix.length) })),
    },
  };
}

Deno.test(
  "a dataset reads the same from any ancestor store root and after a copy",
  withDeadline(300_000, async () => {
    const root = await Deno.makeTempDir();
    const other = await Deno.makeTempDir();
    try {
      const store = new LocalStore(root);
      await writeShards(store, "a/b/ds/shard-%06d.tar", generateSamples(25), {
        schema: ImageSample,
        maxcount: 10,
      });
      await compactIndex(store, "a/b/ds"); // a compacted generation ...
      await writeShards(store, "a/b/ds/shard-%06d.tar", generateSamples(7, { seed: 9 }), {
        schema: ImageSample,
        maxcount: 10,
        startIndex: 3,
      }); // ... and a fragment on top
      const original = await observe(store, "a/b/ds");
      assert.equal(original.entries.length, 4);
      assert.equal(original.entries[0]?.name, "shard-000000.tar");
      assert.equal(original.manifests[0]?.header.parquet?.key, "shard-000000.manifest.parquet");
      assert.equal(original.stats.num_samples, 32);
      assert.deepEqual(original.verify, { ok: true, shards: 4, problems: [] });

      assert.deepEqual(await observe(new LocalStore(`${root}/a/b`), "ds"), original);
      assert.deepEqual(await observe(new LocalStore(`${root}/a`), "b/ds"), original);
      await copyDir(`${root}/a/b/ds`, `${other}/ds2`);
      const copy = new LocalStore(other);
      assert.deepEqual(await observe(copy, "ds2"), original);

      assert.deepEqual(await cliVerify(`${root}/a/b/ds`), { code: 0, out: [] });
      assert.deepEqual(await cliVerify(`${other}/ds2`), { code: 0, out: [] });

      // The moved copy's index is maintained in place: compacted, rebuilt, still the same.
      assert.equal((await compactIndex(copy, "ds2")).shards, 4);
      assert.deepEqual(await observe(copy, "ds2"), original);
      assert.equal((await rebuildIndex(copy, "ds2")).shards, 4);
      assert.deepEqual(await observe(copy, "ds2"), original);
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(other, { recursive: true });
    }
  }),
);

Deno.test(
  "manifests and index pieces holding store-root keys still read after a move",
  withDeadline(300_000, async () => {
    const root = await Deno.makeTempDir();
    try {
      const store = new LocalStore(root);
      await writeShards(store, "a/b/ds/shard-%06d.tar", generateSamples(30), {
        schema: ImageSample,
        maxcount: 10,
      });
      const before = await observe(store, "a/b/ds");
      // Rewrite every piece as older versions wrote it: store-root keys everywhere.
      const index = await readIndex(store, "a/b/ds");
      const legacy = index.entries.map((e) => ({
        shard: e.shard,
        header: {
          ...e.header,
          parquet: { ...e.header.parquet!, key: e.shard.replace(/\.tar$/, ".manifest.parquet") },
        },
      }));
      for (const e of legacy) {
        await store.put(
          e.shard.replace(/\.tar$/, ".manifest.json"),
          encodeManifestHeader(e.header),
        );
        await store.delete(`a/b/ds/_index/shards/${e.shard.slice(7, -4)}.json`);
      }
      const [first, second, third] = legacy;
      const text = (name: string, f: (i: number) => string) => ({
        name,
        sql: "VARCHAR",
        duck: VARCHAR,
        item: f,
      });
      const rows = [first!, second!];
      await store.put(
        "a/b/ds/_index/compacted-00000001.parquet",
        await writeParquet([
          text("shard", (i) => rows[i]!.shard),
          text("header", (i) => encodeManifestHeader(rows[i]!.header)),
        ], rows.length),
      );
      await store.put(
        "a/b/ds/_index/shards/shard-000002.json",
        JSON.stringify({ shard: third!.shard, header: third!.header }),
      );

      const moved = new LocalStore(`${root}/a/b`);
      const after = await observe(moved, "ds");
      assert.deepEqual(after.entries.map((e) => e.name), before.entries.map((e) => e.name));
      assert.equal(after.entries[0]?.header.parquet?.key, "shard-000000.manifest.parquet");
      assert.deepEqual(after.manifests.map((m) => m.rows), before.manifests.map((m) => m.rows));
      assert.deepEqual(after.stats, before.stats);
      assert.deepEqual(after.verify, before.verify);

      // A tombstone holding a store-root key takes its shard out.
      await store.put(
        "a/b/ds/_index/removed/shard-000001.json",
        JSON.stringify({ shard: "a/b/ds/shard-000001.tar" }),
      );
      assert.deepEqual((await readIndex(moved, "ds")).entries.map((e) => e.name), [
        "shard-000000.tar",
        "shard-000002.tar",
      ]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }),
);
