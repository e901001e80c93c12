/**
 * The job commands of the CLI (`submit`, `status`, `wait`, `jobs`, `cancel`, `retry`), run
 * through their `run(args, ctx)` with a captured context, against a local store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { LocalStore } from "../../lib/store/local_store.ts";
import type { CliContext } from "../../cli/_context.ts";
import { cliContext } from "../_cli_context.ts";
import * as submitCmd from "../../cli/submit.ts";
import * as statusCmd from "../../cli/status.ts";
import * as waitCmd from "../../cli/wait.ts";
import * as jobsCmd from "../../cli/jobs.ts";
import * as cancelCmd from "../../cli/cancel.ts";
import * as retryCmd from "../../cli/retry.ts";
import * as J from "./_jobs.ts";
import { writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

/** A recording context whose default store is `store`, with its output lines alongside. */
function context(store: string): CliContext & { stdout: string[]; stderr: string[] } {
  const { ctx, out, err } = cliContext({ SHARDLINE_STORE: store });
  return { ...ctx, stdout: out, stderr: err };
}

Deno.test(
  "cli submit --wait --json, status, jobs: exit codes follow the job state",
  withDeadline(300_000, async () => {
    const root = await scratchDir({ prefix: "shardline-cli-test-" });
    await writeItems(new LocalStore(root), "raw", 2, 20);
    const ok = await writeJob("identity", J.IDENTITY);
    let ctx = context(root);
    const code = await submitCmd.run(
      [ok, "--input", "raw", "--output", "out", "--wait", "--json"],
      ctx,
    );
    assert.equal(code, 0);
    const done = JSON.parse(ctx.stdout.at(-1)!);
    assert.equal(done.state, "completed");
    assert.equal(done.samples.out, 40);

    ctx = context(root);
    assert.equal(await statusCmd.run([done.id, "--json"], ctx), 0);
    assert.equal(JSON.parse(ctx.stdout[0]!).tasks.ok, 2);

    // A job whose samples partly fail ends completed_with_errors: exit 4, reasons in status.
    const skip = await writeJob("score", J.SCORE_SKIP);
    ctx = context(root);
    assert.equal(
      await submitCmd.run([
        skip,
        "--input",
        "raw",
        "--output",
        "scored",
        "--param",
        "threshold=0.2",
        "--wait",
      ], ctx),
      4,
    );
    const id = ctx.stdout[0]!;
    ctx = context(root);
    assert.equal(await statusCmd.run([id], ctx), 4);
    assert.ok(
      ctx.stdout.some((l) => /failure {2}task-000000 \[item-0000003\]: job: unlucky id 3/.test(l)),
    );

    ctx = context(root);
    assert.equal(await jobsCmd.run(["--json"], ctx), 0);
    assert.equal(ctx.stdout.length, 2);
    assert.deepEqual(ctx.stdout.map((l) => JSON.parse(l).state).sort(), [
      "completed",
      "completed_with_errors",
    ]);

    ctx = context(root);
    await assert.rejects(statusCmd.run(["j-nope"], ctx), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "not_found");
      return true;
    });
  }),
);

Deno.test(
  "cli: a failed job exits 5; retry reruns its failed tasks; cancel exits 6",
  withDeadline(300_000, async () => {
    const root = await scratchDir({ prefix: "shardline-cli-test-" });
    const store = new LocalStore(root);
    await writeItems(store, "raw", 2, 10);
    const bytes = await store.get("raw/shard-000001.tar");
    const original = bytes.slice();
    bytes[2 * 1024 + 3] = bytes[2 * 1024 + 3]! ^ 0xff;
    await store.put("raw/shard-000001.tar", bytes);
    const job = await writeJob("identity", J.IDENTITY);
    let ctx = context(root);
    assert.equal(await submitCmd.run([job, "--input", "raw", "--output", "out", "--wait"], ctx), 5);
    const id = ctx.stdout[0]!;
    assert.ok(ctx.stderr.some((l) => /1 of 2 tasks failed/.test(l)));

    await store.put("raw/shard-000001.tar", original);
    ctx = context(root);
    assert.equal(await retryCmd.run([id, "--wait", "--json"], ctx), 0);
    const retried = JSON.parse(ctx.stdout.at(-1)!);
    assert.deepEqual(retried.retried, ["task-000001"]);
    assert.equal(retried.state, "completed");

    const slow = await writeJob("slow", J.SLOW);
    ctx = context(root);
    assert.equal(
      await submitCmd.run([
        slow,
        "--input",
        "raw",
        "--output",
        "slow",
        "--param",
        "delayMs=100",
        "--json",
      ], ctx),
      0,
    );
    const slowId = JSON.parse(ctx.stdout[0]!).id;
    ctx = context(root);
    assert.equal(await cancelCmd.run([slowId], ctx), 0);
    ctx = context(root);
    assert.equal(await waitCmd.run([slowId, "--quiet"], ctx), 6);
  }),
);
