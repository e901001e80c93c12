/**
 * Start claims: a supervisor that claimed to run a job itself (its last look) and died right
 * after is passed over at once by the next submit, not after the claim's timeout.
 *
 * @module
 */
import { withDeadline } from "../_deadline.ts";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { MemoryStore } from "../../lib/store/memory_store.ts";
import { drainInProcessJobs, registerExecutor, submit } from "../../lib/exec/mod.ts";
import { START_CLAIM_MS } from "../../lib/exec/_start_once.ts";
import { jobKeys } from "../../lib/job/mod.ts";
import { writeJson } from "../../lib/job/job_records.ts";
import { processIds } from "../../lib/util/process_identity.ts";
import * as J from "./_jobs.ts";
import { writeItems, writeJob } from "./_fixtures.ts";

Deno.test({
  name: "a claim whose maker ran the job itself and died on this host is taken over at once",
  ignore: Deno.build.os !== "linux",
  fn: withDeadline(300_000, async () => {
    const store = new MemoryStore();
    await writeItems(store, "raw", 1, 10);
    const path = await writeJob("identity", J.IDENTITY);
    registerExecutor({ name: "starts-nothing", start: () => Promise.resolve() });
    const first = await submit(store, {
      input: "raw",
      output: "out",
      job: path,
      backend: "starts-nothing",
    });
    assert.equal(first.started, true);
    // The claim is now a supervisor's of this host, fresh by every clock, and the process dead.
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    const ids = processIds(child.pid);
    child.kill("SIGKILL");
    await child.status;
    const claim = {
      at: new Date().toISOString(),
      host: hostname(),
      pid: child.pid,
      ...ids,
      runs_here: true,
    };
    await writeJson(store, jobKeys(first.id).start(undefined), claim);
    const t0 = performance.now();
    const second = await submit(store, { input: "raw", output: "out", job: path });
    // Taken before the claim could expire: the wait for a live claimant is START_CLAIM_MS.
    assert.ok(performance.now() - t0 < START_CLAIM_MS, "taken over without waiting it out");
    assert.equal(second.started, true);
    assert.equal((await second.awaitResults({ pollMs: 10 })).state, "completed");
    await drainInProcessJobs();
  }),
});
