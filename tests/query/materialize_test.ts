/** materialize on a local folder: the view's rows and bytes, the cache, and a new hash on change. */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { materialize, query, readSamples } from "../../lib/query/mod.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { readManifest } from "../../lib/manifest/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import { LocalStore } from "../../lib/store/mod.ts";
import { fileTimes } from "./_views.ts";

const S = defineSchema({
  name: "Pets",
  version: "1.0.0",
  fields: { label: f.str(), n: f.int(), when: f.timestamp(), tags: f.list(f.str()) },
});
const pets = (from: number, count: number) =>
  Array.from({ length: count }, (_, j) => ({
    __key__: `p${from + j}`,
    label: (from + j) % 3 ? "cat" : "dog",
    n: 2n ** 55n + BigInt(from + j),
    when: new Date(Date.UTC(2025, 0, 1 + from + j)),
    tags: [`t${(from + j) % 4}`],
  }));

Deno.test("materialize writes the matching samples as a dataset, once per query and input", async () => {
  const root = await Deno.makeTempDir({ prefix: "view-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "view-cache-" });
  try {
    const store = new LocalStore(root);
    await writeShards(store, "pets/shard-%06d.tar", pets(0, 30), { schema: S, maxcount: 7 });
    const dogs = pets(0, 30).filter((p) => p.label === "dog");
    const view = await materialize(store, "pets", { where: "label = 'dog'" }, {
      output: "dogs",
      maxcount: 4,
      cacheDir,
    });
    assert.equal(view.cached, false);
    assert.equal(view.samples, dogs.length);
    assert.equal(view.shards.length, Math.ceil(dogs.length / 4));

    // The view is a dataset: its rows and its samples' bytes are the source's.
    const rows = await query(store, "dogs", { cacheDir, orderBy: "__key__" });
    assert.deepEqual(rows.df.getColumn("__key__").toArray(), dogs.map((d) => d.__key__).sort());
    assert.deepEqual(
      rows.df.getColumn("n").cast(pl.Utf8).toArray().sort(),
      dogs.map((d) => String(d.n)).sort(),
    );
    const source = await query(store, "pets", {
      where: "label = 'dog'",
      orderBy: "__key__",
      cacheDir,
    });
    const a = await readSamples(store, rows.locations);
    const b = await readSamples(store, source.locations);
    assert.deepEqual(a.map((s) => s.files), b.map((s) => s.files));
    const header = (await readManifest(store, view.shards[0]!, { rows: false })).header;
    assert.equal(header.provenance.source_job_id, `view:${view.hash}`);
    assert.ok(header.provenance.parent_shards.includes("pets/shard-000000.tar"));
    const record = JSON.parse(await Deno.readTextFile(`${root}/_views/${view.hash}/view.json`));
    assert.equal(record.query.where, `("label" = 'dog')`);
    assert.equal(record.parents.length, source.explain.shards.scanned);

    // Asking again (the same query, written differently) writes nothing.
    const before = await fileTimes(root);
    const again = await materialize(store, "pets", { where: { label: "dog" } }, {
      output: "dogs",
      cacheDir,
    });
    assert.equal(again.cached, true);
    assert.equal(again.hash, view.hash);
    assert.deepEqual(await fileTimes(root), before);

    // A new shard that could match changes the input: a new view.
    await writeShards(store, "pets/late-%06d.tar", pets(30, 3), { schema: S });
    const changed = await materialize(store, "pets", { where: "label = 'dog'" }, { cacheDir });
    assert.equal(changed.cached, false);
    assert.notEqual(changed.hash, view.hash);
    assert.equal(changed.output, `_views/${changed.hash}`);
    assert.equal(changed.samples, dogs.length + 1);
    // A shard that cannot match (no dog in it) leaves the hash alone.
    await writeShards(store, "pets/cats-%06d.tar", pets(31, 2), { schema: S });
    const same = await materialize(store, "pets", { where: "label = 'dog'" }, { cacheDir });
    assert.equal(same.hash, changed.hash);
    assert.equal(same.cached, true);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});
