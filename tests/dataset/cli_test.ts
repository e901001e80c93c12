/** `index` and `verify` commands against a local folder, through their `run` with a recording context. */
import assert from "node:assert/strict";
import { LocalStore } from "../../lib/store/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import { generateSamples, ImageSample } from "../../lib/manifest/_test_fixtures.ts";
import { cliContext } from "../_cli_context.ts";
import { run as index } from "../../cli/index.ts";
import { run as verify } from "../../cli/verify.ts";
import { withDeadline } from "../_deadline.ts";

Deno.test(
  "cli index rebuild/show/stats and verify on a local dataset",
  withDeadline(300_000, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const store = new LocalStore(dir);
      await writeShards(store, "ds/shard-%06d.tar", generateSamples(25), {
        schema: ImageSample,
        maxcount: 10,
      });
      let c = cliContext();
      assert.equal(await index(["rebuild", `${dir}/ds`], c.ctx), 0);
      assert.match(c.out[0]!, /generation 1, 3 shards, 3 fragments folded in/);
      c = cliContext();
      assert.equal(await index(["show", `${dir}/ds/`], c.ctx), 0);
      assert.equal(c.out.length, 3);
      assert.match(c.out[2]!, /^\s+5\s+\d+\s+ds\/shard-000002\.tar {2}2025-/);
      assert.match(c.err[0]!, /3 shards, 25 samples/);
      c = cliContext();
      assert.equal(await index(["stats", "ds", "--store", dir], c.ctx), 0);
      assert.equal(JSON.parse(c.out.join("\n")).num_samples, 25);
      c = cliContext();
      assert.equal(await verify([`${dir}/ds`], c.ctx), 0);
      assert.match(c.err[0]!, /3 shards verified: ok/);

      await Deno.remove(`${dir}/ds/shard-000001.manifest.parquet`);
      c = cliContext();
      assert.equal(await verify([`${dir}/ds`], c.ctx), 1);
      assert.deepEqual(c.out, [
        `ERROR missing_parquet: "ds/shard-000001.tar": the manifest's Parquet "ds/shard-000001.manifest.parquet" is missing`,
      ]);
      await assert.rejects(() => index(["nope", "ds"], cliContext().ctx), /index needs an action/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);
