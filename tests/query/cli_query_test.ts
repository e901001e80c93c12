/** The query, get and materialize commands on a local folder, through their `run`. */
import assert from "node:assert/strict";
import { cliContext } from "../_cli_context.ts";
import { exitCodeFor } from "../../cli/_context.ts";
import { run as runQuery } from "../../cli/query.ts";
import { run as runGet } from "../../cli/get.ts";
import { run as runMaterialize } from "../../cli/materialize.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import { LocalStore } from "../../lib/store/mod.ts";

const S = defineSchema({
  name: "Pets",
  version: "1.0.0",
  fields: { label: f.str(), big: f.int(), taken: f.timestamp(), tags: f.list(f.str()) },
});

Deno.test("cli query, get and materialize", async () => {
  const root = await Deno.makeTempDir({ prefix: "cli-query-" });
  const cache = await Deno.makeTempDir({ prefix: "cli-query-cache-" });
  try {
    const samples = Array.from({ length: 12 }, (_, i) => ({
      __key__: `k${String(i).padStart(2, "0")}`,
      label: i % 2 ? "dog" : "cat",
      big: 2n ** 62n + BigInt(i),
      taken: new Date(Date.UTC(2025, 0, 1 + i)),
      tags: [`t${i % 3}`],
    }));
    await writeShards(new LocalStore(root), "pets/shard-%06d.tar", samples, {
      schema: S,
      maxcount: 4,
    });
    const ds = `${root}/pets`;

    const json = cliContext();
    const code = await runQuery([
      ds,
      "--where",
      "label = 'dog' AND taken >= '2025-01-06'",
      "--format",
      "json",
      "--explain",
      "--cache",
      cache,
    ], json.ctx);
    assert.equal(code, 0);
    const rows = json.out.map((l) => JSON.parse(l));
    const want = samples.filter((s) =>
      s.label === "dog" && s.taken >= new Date(Date.UTC(2025, 0, 6))
    );
    assert.deepEqual(rows.map((r) => r.__key__), want.map((s) => s.__key__));
    assert.deepEqual(Object.keys(rows[0]), [
      "__key__",
      "__shard__",
      "__offset__",
      "__size__",
      "label",
      "big",
      "taken",
      "tags",
    ]);
    assert.equal(rows[0].big, String(want[0]!.big)); // past 2^53: exact, as text
    assert.equal(rows[0].taken, want[0]!.taken.toISOString());
    assert.equal(JSON.parse(json.err[0]!).shards.pruned, 1);

    const get = cliContext();
    assert.equal(await runGet([ds, "k07", "--cache", cache], get.ctx), 0);
    const sample = JSON.parse(get.out[0]!);
    assert.equal(sample.__shard__, "pets/shard-000001.tar");
    assert.equal(sample.label, "dog");

    const csv = cliContext();
    await runQuery([
      ds,
      "--where",
      "label = 'cat'",
      "--select",
      "label",
      "--limit",
      "2",
      "--format",
      "csv",
      "--cache",
      cache,
    ], csv.ctx);
    assert.equal(
      csv.out[0],
      "__key__,__shard__,__offset__,__size__,label\nk00,pets/shard-000000.tar,0,1024,cat\nk02,pets/shard-000000.tar,2048,1024,cat",
    );

    const m1 = cliContext();
    await runMaterialize([
      "pets",
      "--where",
      "label = 'cat'",
      "--output",
      "cats",
      "--store",
      root,
      "--cache",
      cache,
    ], m1.ctx);
    assert.match(m1.out[0]!, /^wrote view [0-9a-f]{32}: 6 samples in 1 shards at "cats"$/);
    const m2 = cliContext();
    await runMaterialize(
      [ds, "--where", "label = 'cat'", "--output", "cats", "--cache", cache],
      m2.ctx,
    );
    assert.match(m2.out[0]!, /^cached view/);

    // Bad input: refused with exit code 2, no scan.
    for (
      const where of [
        "1=1) UNION SELECT * FROM read_csv('/etc/passwd'",
        "label = 'x'; COPY (SELECT 1) TO '/tmp/x.csv'",
        "lable = 'dog'",
      ]
    ) {
      const bad = cliContext();
      const err = await runQuery([ds, "--where", where, "--cache", cache], bad.ctx).then(
        () => undefined,
        (e) => e,
      );
      assert.equal(exitCodeFor(err), 2, where);
    }
    await assert.rejects(
      () => runQuery([ds, "--format", "parquet"], cliContext().ctx),
      /needs a dataset/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});
