/**
 * Credentials never land in the store or the executor's log: a job against S3 (s3rver) whose
 * tasks record sample failures, a failed task and a crashed worker, then every object in the
 * bucket and the supervisor logs are searched for the secret.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { openStore } from "../../lib/store/open_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { status } from "../../lib/job/mod.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import * as J from "./_jobs.ts";
import { endedLog, objectsHolding, writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

/** Prints the store options if it can, then its worker dies on the first sample of shard 1. */
const NOSY_CRASH = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "nosy", version: "1.0.0", input: Item,
  map(s, ctx) {
    console.error("store options:", Deno.env.get("SHARDLINE_STORE_OPTIONS") ?? "none");
    if (ctx.shard.endsWith("000001.tar")) Deno.exit(1);
    return s;
  },
});
`;

Deno.test(
  {
    name: "no credential reaches job specs, results, manifests, code or the executor log",
    ignore: noNode,
  },
  withDeadline(300_000, async () => {
    const s3 = await startS3rver("secrets-bucket");
    const secret = s3.secretAccessKey; // s3rver checks signatures against its fixed key
    const storeOptions = s3StoreOptions(s3);
    const store = await openStore(`s3://${s3.bucket}/data`, storeOptions);
    const logDir = await scratchDir();
    try {
      await writeItems(store, "raw", 2, 20);
      const common = { input: "raw", storeOptions, backendOptions: { logDir }, backoffMs: 10 };
      const scored = await submit(store, {
        ...common,
        output: "scored",
        job: await writeJob("score", J.SCORE_SKIP),
      });
      assert.equal((await scored.awaitResults()).state, "completed_with_errors");
      const nosy = await submit(store, {
        ...common,
        output: "nosy",
        job: await writeJob("nosy", NOSY_CRASH),
        maxAttempts: 2,
      });
      await assert.rejects(nosy.awaitResults(), /failed/);
      const s = await status(store, nosy.id);
      assert.ok(
        s.failures.some((f) => /exited with code 1/.test(f.reason)),
        "a crash was recorded",
      );

      const { holding, searched } = await objectsHolding(store, secret);
      assert.deepEqual(holding, [], "objects holding the secret");
      assert.ok(searched > 20, `${searched} objects searched`);
      for (const job of [scored, nosy]) {
        const log = (await status(store, job.id)).supervisor?.log;
        assert.ok(log, "the supervisor recorded its log");
        const text = await endedLog(log); // the whole run's lines
        assert.ok(text.length > 0);
        assert.ok(!text.includes(secret), `${log} holds the secret`);
      }
    } finally {
      await store.close?.();
      await s3.close();
    }
  }),
);
