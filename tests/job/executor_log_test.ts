/**
 * The local supervisor's log: kept outside the store, recorded in its marker, and shown by
 * `status` when the executor stopped before it could record anything.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { supervisorLogPath } from "../../lib/exec/local_executor.ts";
import { awaitResults, JobError, status } from "../../lib/job/mod.ts";
import { formatStatus } from "../../cli/_jobs.ts";
import * as J from "./_jobs.ts";
import { writeItems, writeJob } from "./_fixtures.ts";

Deno.test("the supervisor logs to a file outside the store, named in its marker", async () => {
  const store = new LocalStore(await Deno.makeTempDir({ prefix: "shardline-log-test-" }));
  const logDir = await Deno.makeTempDir();
  await writeItems(store, "raw", 2, 10);
  const job = await submit(store, {
    input: "raw",
    output: "out",
    job: await writeJob("identity", J.IDENTITY),
    backendOptions: { logDir },
  });
  const res = await job.awaitResults();
  assert.equal(res.state, "completed");
  const log = supervisorLogPath(job.id, { logDir });
  assert.equal(res.status.supervisor?.log, log);
  assert.ok(!log.startsWith(store.root));
  const text = await Deno.readTextFile(log);
  assert.match(text, new RegExp(`supervisor \\d+ starts job ${job.id}`));
  assert.match(text, /ends job .*: 2 ok, 0 failed/);
  assert.equal(res.status.stalled, undefined);
});

Deno.test("an executor that dies before recording anything: stalled, with its log", async () => {
  const store = new LocalStore(await Deno.makeTempDir({ prefix: "shardline-log-test-" }));
  const logDir = await Deno.makeTempDir();
  await writeItems(store, "raw", 1, 5);
  // A "deno" that fails at once, as a supervisor that cannot start would.
  const fake = join(await Deno.makeTempDir(), "deno");
  await Deno.writeTextFile(
    fake,
    "#!/bin/sh\necho 'error: cannot load module (simulated)' >&2\nexit 1\n",
  );
  await Deno.chmod(fake, 0o755);
  const job = await submit(store, {
    input: "raw",
    output: "out",
    job: await writeJob("identity", J.IDENTITY),
    heartbeatMs: 50, // stale after 200 ms
    backendOptions: { logDir, denoPath: fake },
  });
  const err = await awaitResults(store, job.id).then(() => undefined, (e) => e);
  assert.ok(err instanceof JobError && err.code === "stalled", String(err));
  const log = supervisorLogPath(job.id, { logDir });
  assert.match(err.message, /stalled: the local executor stopped/);
  assert.ok(err.message.includes(`see ${log}`), err.message);
  assert.match(err.message, /cannot load module \(simulated\)/);
  const s = await status(store, job.id);
  assert.equal(s.state, "stalled");
  assert.deepEqual(s.stalled?.log_tail, ["error: cannot load module (simulated)"]);
  const lines = formatStatus(s);
  assert.ok(lines.includes(`  stalled  the local executor stopped; see ${log}`), lines.join("\n"));
  assert.ok(lines.includes("  log      error: cannot load module (simulated)"));
});
