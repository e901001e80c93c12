/**
 * A job submitted over HTTP: `submit({ backend: "http" })` stores the bundle, posts the request
 * to a dispatcher (`deno task cli serve`, a real process) serving the same S3 bucket (s3rver on
 * 127.0.0.1), and reads the job back from the store; `awaitResults()` sees it complete.
 *
 * @module
 */
import assert from "node:assert/strict";
import { openStore } from "../../lib/store/open_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { jobKeys } from "../../lib/job/job_spec.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import { until, writeItems, writeJob } from "../job/_fixtures.ts";
import { readJson } from "../../lib/job/job_records.ts";
import type { SupervisorMarker } from "../../lib/job/job_spec.ts";
import { dirname } from "node:path";
import * as J from "../job/_jobs.ts";
import { startServe } from "./_serve.ts";

const TOKEN = "http-submit-test-token";

Deno.test({
  name: "a job submitted over HTTP to the dispatcher completes against an S3 store",
  ignore: noNode,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const s3 = await startS3rver("http-jobs");
    const storeOptions = s3StoreOptions(s3);
    const storeUrl = `s3://${s3.bucket}/prefix`;
    const store = await openStore(storeUrl, storeOptions);
    const server = await startServe([
      "--store",
      storeUrl,
      "--endpoint",
      s3.endpoint,
      "--backend-options",
      JSON.stringify({ keepAliveMs: 0 }),
    ], {
      SHARDLINE_TOKEN: TOKEN,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    let module = "";
    try {
      await writeItems(store, "raw", 3, 20);
      module = await writeJob("score", J.SCORE_SKIP);
      // A wrong token: refused, and nothing recorded.
      const options = {
        input: "raw",
        output: "scored",
        job: module,
        params: { threshold: 0.3 },
        backend: "http",
        endpoint: server.url,
        token: TOKEN,
      };
      await assert.rejects(
        submit(store, { ...options, token: "wrong" }),
        (err: Error & { code?: string }) =>
          err.code === "executor_failed" && /401 unauthorized/.test(err.message),
      );
      let jobs = 0;
      for await (const _ of store.list("_jobs/")) jobs++;
      assert.equal(jobs, 0);

      const job = await submit(store, options);
      assert.equal(job.created, true);
      assert.equal(job.spec.backend, "local", "the dispatcher runs it on its own backend");
      assert.equal(job.spec.tasks.length, 3);
      const res = await job.awaitResults({ timeout: 120_000 });
      // 60 items; ids 3, 10, 17, ... (3 mod 7) throw: 9 of them in 0..59.
      const unlucky = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 7 === 3).length;
      assert.equal(res.state, "completed_with_errors");
      assert.equal(res.samples.in, 60);
      assert.equal(res.samples.failed, unlucky);
      assert.equal(res.samples.out, 60 - unlucky);
      assert.ok(await store.head("scored/shard-000002-000.manifest.json"));

      // GET /jobs/:id reads the same store.
      const got = await fetch(`${server.url}/jobs/${job.id}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = await got.json();
      assert.equal(got.status, 200);
      assert.equal(body.state, "completed_with_errors");
      assert.equal(body.tasks.ok, 3);

      // The same submission again is the same job, and runs nothing.
      const again = await submit(store, options);
      assert.equal(again.id, job.id);
      assert.equal(again.created, false);
      assert.equal(again.started, false);
      assert.ok(await store.head(jobKeys(job.id).spec));
      // The request log has the routes and the job, never the token or credentials.
      const log = server.log();
      assert.match(log, new RegExp(`"path":"/jobs","status":202.*"job":"${job.id}"`));
      assert.doesNotMatch(log, new RegExp(`${TOKEN}|S3RVER`));
      // Its supervisor (keepAliveMs 0) ends with the job: wait for its last record.
      await until(async () =>
        (await readJson<SupervisorMarker>(store, jobKeys(job.id).supervisor))?.finished_at
      );
    } finally {
      if (module) await Deno.remove(dirname(module), { recursive: true });
      await server.close();
      await store.close?.();
      await s3.close();
    }
  },
});
