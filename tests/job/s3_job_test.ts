/**
 * A job against S3-compatible storage (s3rver on 127.0.0.1): the local executor's processes
 * open the bucket with the submitted store options (passed through their environment) and
 * need nothing else.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { openStore } from "../../lib/store/open_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import * as J from "./_jobs.ts";
import { writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

Deno.test(
  { name: "a job runs against an S3 store with the submitted store options", ignore: noNode },
  withDeadline(300_000, async () => {
    const s3 = await startS3rver("jobs-bucket");
    const scratch = await scratchDir();
    const storeOptions = s3StoreOptions(s3);
    const store = await openStore(`s3://${s3.bucket}/prefix`, storeOptions);
    try {
      await writeItems(store, "raw", 2, 25);
      const job = await submit(store, {
        input: "raw",
        output: "scored",
        job: await writeJob("score", J.SCORE_SKIP),
        storeOptions,
        // No agent outliving the test's s3rver; its log and code cache in a scratch folder (the
        // store is S3: tests/_scratch.ts cannot find this job's records on disk to clean up).
        backendOptions: { keepAliveMs: 0, logDir: scratch, codeCacheDir: scratch },
      });
      const res = await job.awaitResults();
      assert.equal(res.state, "completed_with_errors");
      assert.equal(res.samples.in, 50);
      assert.equal(res.samples.out + res.samples.failed, 50);
      assert.ok(await store.head("scored/shard-000001-000.manifest.json"));
      assert.ok(await store.head(job.spec.code.key));
    } finally {
      await store.close?.();
      await s3.close();
    }
  }),
);
