/** `deno task cli trigger add | ls | rm` and `watch` through their `run(args, ctx)`. */
import assert from "node:assert/strict";
import { LocalStore } from "../../lib/store/local_store.ts";
import { awaitResults } from "../../lib/job/mod.ts";
import { run as trigger } from "../../cli/trigger.ts";
import { run as watch } from "../../cli/watch.ts";
import { cliContext } from "../_cli_context.ts";
import { writeItems, writeJob } from "../job/_fixtures.ts";
import * as J from "../job/_jobs.ts";
import { countSamples, tarsUnder } from "./_triggers.ts";

Deno.test("cli trigger add, ls, rm and watch --backfill submit each shard once", async () => {
  const root = await Deno.makeTempDir({ prefix: "shardline-cli-trigger-test-" });
  try {
    const store = new LocalStore(root);
    await writeItems(store, "raw", 2, 4);
    const job = await writeJob("identity", J.IDENTITY);
    const c = cliContext({ SHARDLINE_STORE: root });
    const add = ["add", "copy", job, "--output", "copied", "--prefix", "raw/", "--param", "k=3"];
    assert.equal(await trigger(add, c.ctx), 0);
    assert.match(c.out[0]!, /^copy: raw\/\*\.tar on PutObject,CopyObject,CompleteMultipartUpload/);
    assert.equal(await trigger(["ls", "--json"], c.ctx), 0);
    const listed = JSON.parse(c.out[1]!);
    assert.deepEqual([listed.id, listed.output, listed.params], ["copy", "copied", { k: 3 }]);
    await assert.rejects(trigger(add, c.ctx), /exists/);

    const w = cliContext({ SHARDLINE_STORE: root });
    // The supervisor of each job exits when done: no process outlives the test.
    const opts = ["--json", "--backfill", "--backend-options", '{"keepAliveMs":0}'];
    assert.equal(await watch(opts, w.ctx), 0);
    const first = JSON.parse(w.out[0]!);
    assert.deepEqual([first.rule, first.taken, first.submitted], ["copy", 2, 2]);
    assert.equal(await watch(opts, w.ctx), 0);
    const second = JSON.parse(w.out[1]!);
    assert.deepEqual([second.submitted, second.existing], [0, 2]);
    assert.deepEqual(second.jobs.sort(), first.jobs.sort());
    for (const id of first.jobs) {
      assert.equal((await awaitResults(store, id, { timeout: 120_000 })).state, "completed");
    }
    const outputs = await tarsUnder(store, "copied");
    assert.equal(outputs.length, 2);
    for (const key of outputs) assert.equal(await countSamples(store, key), 4);

    assert.equal(await trigger(["rm", "copy"], c.ctx), 0);
    assert.equal(await trigger(["ls"], c.ctx), 0);
    assert.equal(c.out.length, 2, "no rule listed after rm");
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
