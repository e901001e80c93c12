/**
 * The `"modal"` backend as far as it runs without Modal: the SDK loads and is asked for the
 * deployed function; when it cannot reach Modal (no credentials here) the start fails with a
 * typed error, gives its start claim back, and leaves no executor record; a store Modal's containers cannot reach is
 * refused before anything is spawned.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../lib/store/open_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import type { JobError } from "../../lib/job/job_error.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import { writeItems, writeJob } from "../job/_fixtures.ts";
import * as J from "../job/_jobs.ts";

Deno.test({
  name: "backend modal without Modal credentials fails typed, with nothing started",
  ignore: noNode,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const s3 = await startS3rver("modal-backend");
    const storeOptions = s3StoreOptions(s3);
    const store = await openStore(`s3://${s3.bucket}/data`, storeOptions);
    const local = await openStore(await Deno.makeTempDir({ prefix: "shardline-modal-local-" }));
    let module = "";
    try {
      await writeItems(store, "raw", 1, 5);
      await writeItems(local, "raw", 1, 5);
      module = await writeJob("identity", J.IDENTITY);
      // Here no Modal credentials are found; where some are (~/.modal.toml), the API endpoint
      // is a closed loopback port: either way nothing leaves this machine and the start fails.
      const err = await submit(store, {
        input: "raw",
        output: "out",
        job: module,
        backend: "modal",
        backendOptions: { endpoint: "http://127.0.0.1:9" },
      }).then(() => undefined, (e) => e as JobError);
      if (err?.code !== "executor_failed") throw err ?? new Error("submit did not fail");
      assert.match(err.message, /Cannot start job "j-[0-9a-f]+" on modal: /);
      const keys: string[] = [];
      for await (const info of store.list("_jobs/")) keys.push(info.key);
      assert.ok(keys.some((k) => k.endsWith("/job.json")), "the job is recorded");
      assert.ok(!keys.some((k) => k.includes("/starts/")), "its start claim was given back");
      assert.ok(!keys.some((k) => k.endsWith("/supervisor.json")), "no executor record");

      await assert.rejects(
        submit(local, { input: "raw", output: "out", job: module, backend: "modal" }),
        /needs a store its containers can reach \(s3:\/\/, R2\)/,
      );
    } finally {
      if (module) await Deno.remove(join(module, ".."), { recursive: true });
      const dir = new URL(local.url).pathname;
      await local.close?.();
      await Deno.remove(dir, { recursive: true });
      await store.close?.();
      await s3.close();
    }
  },
});
