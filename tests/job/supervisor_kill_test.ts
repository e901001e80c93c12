/**
 * Recovery without a second resubmit: right after a `kill -9` of the local supervisor (its
 * heartbeat still fresh), a resubmission takes the job over at once and completes it in one
 * go. Every sample's `map` call is logged by the job itself: each ran exactly once (the workers
 * that outlived their supervisor finish their tasks, and the new supervisor waits for them
 * instead of running those tasks again).
 *
 * @module
 */
import { withDeadline } from "../_deadline.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import { scratchDir } from "../_scratch.ts";
import { submit } from "../../lib/exec/mod.ts";
import { jobKeys, type RunningMarker, status, type SupervisorMarker } from "../../lib/job/mod.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { processAlive } from "../../lib/job/sweep_temp.ts";
import { until, writeItems, writeJob } from "./_fixtures.ts";

/** Sleeps `delayMs` per sample and appends `<key>` to the file `params.log` (one line a call). */
const LOGGED = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "logged", version: "1.0.0", input: Item, params: { delayMs: 10, log: "" },
  async map(s, ctx) {
    await new Promise((r) => setTimeout(r, ctx.params.delayMs));
    Deno.writeTextFileSync(ctx.params.log, s.__key__ + "\\n", { append: true });
    return s;
  },
});
`;

Deno.test({
  name:
    "a resubmit right after kill -9 of the supervisor completes the job in one go, each sample once",
  fn: withDeadline(300_000, async () => {
    const root = await scratchDir({ prefix: "shardline-kill-test-" });
    const store = new LocalStore(join(root, "store"));
    const log = join(root, "calls.log");
    const pids: number[] = [];
    try {
      await writeItems(store, "raw", 6, 20);
      const options = {
        input: "raw",
        output: "out",
        job: await writeJob("logged", LOGGED),
        params: { delayMs: 300, log }, // ~6 s a task: the resubmit comes while two run
        concurrency: 2,
        heartbeatMs: 5_000, // stale after 20 s: the resubmit comes well inside the window
        backendOptions: { keepAliveMs: 0 },
      };
      const first = await submit(store, options);
      const keys = jobKeys(first.id);
      // Kill once a task is done and another has just started (it has seconds to go).
      await until(async () => {
        const s = await status(store, first.id);
        const fresh = s.task_states.some((t) =>
          t.running && Date.now() - Date.parse(t.running.started_at) < 1000
        );
        return s.tasks.ok >= 1 && fresh || undefined;
      });
      const supervisor = (await readJson<SupervisorMarker>(store, keys.supervisor))!;
      for (const t of first.spec.tasks) {
        const m = await readJson<RunningMarker>(store, keys.running(t.id));
        if (m) pids.push(m.pid);
      }
      Deno.kill(supervisor.pid, "SIGKILL");
      await until(() => !processAlive(supervisor.pid) || undefined);
      const before = await status(store, first.id);
      assert.ok(before.tasks.ok < 6, "the kill came before the end");

      const second = await submit(store, options);
      assert.equal(second.id, first.id);
      assert.equal(second.created, false);
      assert.equal(second.started, true, "the resubmit started a supervisor at once");
      const res = await second.awaitResults({ timeout: 120_000 });
      assert.equal(res.state, "completed");
      assert.equal(res.samples.out, 120);
      const after = (await readJson<SupervisorMarker>(store, keys.supervisor))!;
      pids.push(after.pid);
      assert.notEqual(after.pid, supervisor.pid);

      // Each sample was mapped exactly once: no task ran twice, none was lost.
      const calls = (await Deno.readTextFile(log)).split("\n").filter((l) => l);
      const counts = new Map<string, number>();
      for (const k of calls) counts.set(k, (counts.get(k) ?? 0) + 1);
      assert.equal(counts.size, 120, "every sample was mapped");
      const twice = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
      assert.deepEqual(twice, [], "no sample was mapped twice");
      // Every task has one result, of its first attempt.
      for (const t of res.status.task_states) assert.equal(t.result?.attempt, 1, t.id);
    } finally {
      for (const pid of pids) {
        if (!processAlive(pid)) continue; // ended (workers exit once their supervisor is gone)
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  }),
});
