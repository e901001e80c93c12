/**
 * The local supervisor's log: kept outside the store, recorded in its marker, and shown by
 * `status` when the executor stopped before it could record anything.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { supervisorLogPath } from "../../lib/exec/local_executor.ts";
import { awaitResults, JobError, status } from "../../lib/job/mod.ts";
import { formatStatus } from "../../cli/_jobs.ts";
import * as J from "./_jobs.ts";
import { endedLog, writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

Deno.test(
  "the supervisor logs to a file outside the store, named in its marker",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-log-test-" }));
    const logDir = await scratchDir();
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
    const text = await endedLog(log);
    assert.match(text, new RegExp(`supervisor \\d+ starts job ${job.id}`));
    assert.match(text, /ends job .*: 2 ok, 0 failed/);
    assert.equal(res.status.stalled, undefined);
  }),
);

Deno.test(
  "an executor that dies before recording anything: stalled, with its log",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-log-test-" }));
    const logDir = await scratchDir();
    await writeItems(store, "raw", 1, 5);
    // A "deno" that fails at once, as a supervisor that cannot start would.
    const fake = join(await scratchDir(), "deno");
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
    assert.ok(
      lines.includes(`  stalled  the local executor stopped; see ${log}`),
      lines.join("\n"),
    );
    assert.ok(lines.includes("  log      error: cannot load module (simulated)"));
  }),
);

Deno.test(
  "a supervisor removes job logs older than a week, and no others",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-log-test-" }));
    const logDir = await scratchDir();
    const old = join(logDir, "j-00000000000000000001");
    const fresh = join(logDir, "j-00000000000000000002");
    const other = join(logDir, "notes");
    for (const dir of [old, fresh, other]) {
      await Deno.mkdir(dir);
      await Deno.writeTextFile(join(dir, "supervisor.log"), "a line\n");
    }
    const longAgo = new Date(Date.now() - 8 * 86_400_000);
    await Deno.utime(join(old, "supervisor.log"), longAgo, longAgo);
    await Deno.utime(join(other, "supervisor.log"), longAgo, longAgo);
    await writeItems(store, "raw", 1, 5);
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("identity", J.IDENTITY),
      backendOptions: { logDir, keepAliveMs: 0 },
    });
    await job.awaitResults();
    const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
    for (let i = 0; i < 100 && await exists(old); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await exists(old), false, "the week-old job log is gone");
    assert.ok(await exists(fresh));
    assert.ok(await exists(other), "only job log folders are pruned");
    assert.ok(await exists(supervisorLogPath(job.id, { logDir })));
  }),
);
