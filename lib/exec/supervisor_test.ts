import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { jobKeys, type TaskResult } from "../job/job_spec.ts";
import { readJson, writeJson } from "../job/job_records.ts";
import { fixtureSpec } from "../job/_test_fixtures.ts";
import { status } from "../job/status.ts";
import {
  superviseJob,
  type TaskLauncher,
  type TaskOutcome,
  type TaskRequest,
} from "./supervisor.ts";

const spec = fixtureSpec;

/**
 * A launcher whose behaviour per (task, attempt) is scripted; ok results are recorded. It
 * refuses more than `budget` attempts: a supervisor that dispatches finished tasks again would
 * otherwise loop forever on the memory store (its promises never yield to a timer), and the
 * test must fail, not hang.
 */
class FakeLauncher implements TaskLauncher {
  calls: TaskRequest[] = [];
  constructor(
    readonly store: MemoryStore,
    readonly script: (r: TaskRequest) => TaskOutcome,
    readonly budget = 20,
  ) {}
  async run(r: TaskRequest): Promise<TaskOutcome> {
    this.calls.push(r);
    if (this.calls.length > this.budget) {
      throw new Error(
        `more than ${this.budget} attempts dispatched: ` +
          this.calls.slice(0, 8).map((c) => `${c.taskId}#${c.attempt}`).join(", "),
      );
    }
    const outcome = this.script(r);
    if (outcome.kind === "result" && (outcome.status === "ok" || r.final || !outcome.retryable)) {
      const result = {
        task_id: r.taskId,
        status: outcome.status,
        attempt: r.attempt,
      } as TaskResult;
      Object.assign(result, { samples_in: 1, samples_out: 1, skipped: 0, failed: 0, failures: [] });
      Object.assign(result, { started_at: new Date().toISOString(), outputs: [] });
      if (outcome.error) result.error = outcome.error;
      await writeJson(this.store, jobKeys(r.jobId).task(r.taskId), result, { createOnly: true });
    }
    return outcome;
  }
  abort = () => Promise.resolve();
  close = () => Promise.resolve();
}

Deno.test("superviseJob runs every task and skips finished ones", async () => {
  const store = new MemoryStore();
  const s = spec(4);
  await writeJson(store, jobKeys(s.id).spec, s);
  const ok = (): TaskOutcome => ({ kind: "result", status: "ok", retryable: true });
  const first = new FakeLauncher(store, ok);
  const summary = await superviseJob(store, s.id, { launcher: first, concurrency: 2 });
  assert.equal(summary.ok, 4);
  assert.equal(first.calls.length, 4);
  const again = new FakeLauncher(store, ok);
  const second = await superviseJob(store, s.id, { launcher: again });
  assert.equal(again.calls.length, 0);
  assert.equal(second.alreadyDone, 4);
  const marker = await readJson<{ finished_at?: string }>(store, jobKeys(s.id).supervisor);
  assert.ok(marker?.finished_at);
  assert.equal((await status(store, s.id)).state, "completed");
});

Deno.test("superviseJob retries crashes with backoff, then records the final failure", async () => {
  const store = new MemoryStore();
  const s = spec(2, { max_attempts: 3 });
  await writeJson(store, jobKeys(s.id).spec, s);
  const launcher = new FakeLauncher(
    store,
    (r) =>
      r.taskId === "task-000000" && r.attempt < 2
        ? { kind: "crashed", reason: "worker process killed by SIGKILL" }
        : r.taskId === "task-000001"
        ? { kind: "crashed", reason: "worker process exited with code 1" }
        : { kind: "result", status: "ok", retryable: true },
  );
  const summary = await superviseJob(store, s.id, { launcher, concurrency: 1 });
  assert.deepEqual([summary.ok, summary.failed], [1, 1]);
  assert.deepEqual(
    launcher.calls.map((c) => `${c.taskId}#${c.attempt}${c.final ? "!" : ""}`),
    ["task-000000#1", "task-000000#2", "task-000001#1", "task-000001#2", "task-000001#3!"],
  );
  const k = jobKeys(s.id);
  const crash = await readJson<TaskResult>(store, k.attempt("task-000000", 1));
  assert.equal(crash?.failures[0]?.stage, "worker");
  const final = await readJson<TaskResult>(store, k.task("task-000001"));
  assert.equal(final?.status, "failed");
  assert.match(final?.error ?? "", /exited with code 1/);
  const st = await status(store, s.id);
  assert.equal(st.state, "failed");
  assert.match(st.failures[0]?.reason ?? "", /exited with code 1/);
});

Deno.test("superviseJob does not retry a non-retryable failure", async () => {
  const store = new MemoryStore();
  const s = spec(1);
  await writeJson(store, jobKeys(s.id).spec, s);
  const launcher = new FakeLauncher(store, () => ({
    kind: "result",
    status: "failed",
    retryable: false,
    error: "Cannot load job code",
  }));
  const summary = await superviseJob(store, s.id, { launcher });
  assert.equal(summary.failed, 1);
  assert.equal(launcher.calls.length, 1);
});

Deno.test("superviseJob stops dispatching when the job is cancelled", async () => {
  const store = new MemoryStore();
  const s = spec(6);
  await writeJson(store, jobKeys(s.id).spec, s);
  let n = 0;
  const launcher = new FakeLauncher(
    store,
    () => ({ kind: "result", status: "ok", retryable: true }),
  );
  const run = launcher.run.bind(launcher);
  launcher.run = async (r) => {
    if (++n === 2) await writeJson(store, jobKeys(s.id).cancel, { reason: "test" });
    return run(r);
  };
  const summary = await superviseJob(store, s.id, { launcher, concurrency: 1 });
  assert.ok(summary.cancelled);
  assert.equal(launcher.calls.length, 2);
  assert.equal((await status(store, s.id)).state, "cancelled");
});

Deno.test("superviseJob continues attempt numbers with a fresh retry budget", async () => {
  const store = new MemoryStore();
  const s = spec(1, { max_attempts: 2 });
  await writeJson(store, jobKeys(s.id).spec, s);
  for (const n of [1, 2]) {
    await writeJson(store, jobKeys(s.id).attempt("task-000000", n), { status: "failed" });
  }
  const launcher = new FakeLauncher(
    store,
    (r) =>
      r.attempt === 3
        ? { kind: "crashed", reason: "worker process killed by SIGKILL" }
        : { kind: "result", status: "ok", retryable: true },
  );
  const summary = await superviseJob(store, s.id, { launcher });
  assert.equal(summary.ok, 1);
  assert.deepEqual(launcher.calls.map((c) => [c.attempt, c.final]), [[3, false], [4, true]]);
});

Deno.test("superviseJob: loops that check for a cancel at once never take a task that is gone", async () => {
  // Every cancel check takes the same time, so with 3 tasks and 2 loops both loops pass the
  // queue check with one task left, and both wait on the cancel check before taking it.
  class SlowCancelCheck extends MemoryStore {
    override async head(key: string) {
      if (key === jobKeys(s.id).cancel) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return await super.head(key);
    }
  }
  const store = new SlowCancelCheck();
  const s = spec(3);
  await writeJson(store, jobKeys(s.id).spec, s);
  const launcher = new FakeLauncher(
    store,
    () => ({ kind: "result", status: "ok", retryable: true }),
  );
  const summary = await superviseJob(store, s.id, { launcher, concurrency: 2 });
  assert.equal(summary.ok, 3);
  assert.deepEqual(launcher.calls.map((c) => c.taskId).sort(), [
    "task-000000",
    "task-000001",
    "task-000002",
  ]);
});
