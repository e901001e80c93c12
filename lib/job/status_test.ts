import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { StoreError } from "../store/store_error.ts";
import { jobKeys } from "./job_spec.ts";
import { writeJson } from "./job_records.ts";
import { status } from "./status.ts";
import { awaitResults } from "./await_results.ts";
import { JobError } from "./job_error.ts";
import { fixtureResult, fixtureSpec } from "./_test_fixtures.ts";

async function setup(n: number, policy = {}) {
  const store = new MemoryStore();
  const spec = fixtureSpec(n, policy);
  await writeJson(store, jobKeys(spec.id).spec, spec);
  return { store, spec, keys: jobKeys(spec.id) };
}

Deno.test("status: pending, running, then completed with counts and outputs", async () => {
  const { store, spec, keys } = await setup(3);
  assert.equal((await status(store, spec.id)).state, "pending");
  const now = Date.parse("2030-01-01T00:00:00Z");
  const beat = new Date(now - 10).toISOString();
  await writeJson(store, keys.running("task-000001"), {
    task_id: "task-000001",
    attempt: 1,
    host: "h",
    pid: 1,
    started_at: beat,
    heartbeat_at: beat,
  });
  await writeJson(store, keys.task("task-000000"), fixtureResult("task-000000"));
  let s = await status(store, spec.id, { now });
  assert.equal(s.state, "running");
  assert.deepEqual(s.tasks, { total: 3, ok: 1, failed: 0, running: 1, pending: 1 });
  // A stale heartbeat no longer counts as running.
  s = await status(store, spec.id, { now: now + 10_000 });
  assert.equal(s.tasks.running, 0);
  for (const t of ["task-000001", "task-000002"]) {
    await writeJson(store, keys.task(t), fixtureResult(t));
  }
  s = await status(store, spec.id);
  assert.equal(s.state, "completed");
  assert.deepEqual(s.samples, { in: 30, out: 30, skipped: 0, failed: 0 });
  assert.equal(s.outputs.length, 3);
});

Deno.test("status: failed samples make completed_with_errors; failed tasks fail by policy", async () => {
  const { store, spec, keys } = await setup(2);
  await writeJson(store, keys.task("task-000000"), fixtureResult("task-000000"));
  await writeJson(
    store,
    keys.task("task-000001"),
    fixtureResult("task-000001", {
      failed: 1,
      failures: [{ key: "k7", stage: "job", reason: "boom" }],
    }),
  );
  let s = await status(store, spec.id);
  assert.equal(s.state, "completed_with_errors");
  assert.deepEqual(s.failures, [{ task: "task-000001", key: "k7", reason: "job: boom" }]);

  const tolerant = await setup(4, { max_failed_task_fraction: 0.25 });
  for (const t of tolerant.spec.tasks) {
    const r = t.index === 0
      ? fixtureResult(t.id, { status: "failed", error: "corrupt", outputs: [] })
      : fixtureResult(t.id);
    await writeJson(tolerant.store, tolerant.keys.task(t.id), r);
  }
  s = await status(tolerant.store, tolerant.spec.id);
  assert.equal(s.state, "completed_with_errors");
  assert.equal(s.failures[0]?.reason, "corrupt");
  await writeJson(
    tolerant.store,
    tolerant.keys.task("task-000001"),
    fixtureResult("task-000001", { status: "failed", error: "again" }),
  );
  assert.equal((await status(tolerant.store, tolerant.spec.id)).state, "failed");
});

Deno.test("status: a stale executor heartbeat is stalled; a cancel marker is cancelled", async () => {
  const { store, spec, keys } = await setup(1);
  const old = new Date(0).toISOString();
  await writeJson(store, keys.supervisor, {
    backend: "local",
    host: "h",
    pid: 1,
    concurrency: 1,
    started_at: old,
    heartbeat_at: old,
  });
  assert.equal((await status(store, spec.id)).state, "stalled");
  await writeJson(store, keys.cancel, { reason: "x" });
  assert.equal((await status(store, spec.id)).state, "cancelled");
});

Deno.test("status rejects an unknown job with not_found", async () => {
  await assert.rejects(status(new MemoryStore(), "nope"), (e: unknown) => {
    assert(e instanceof JobError && e.code === "not_found");
    return true;
  });
});

Deno.test("awaitResults resolves to the outputs, or rejects with failed / timeout", async () => {
  const { store, spec, keys } = await setup(2);
  await assert.rejects(awaitResults(store, spec.id, { timeout: 30, pollMs: 5 }), (e: unknown) => {
    assert(e instanceof JobError && e.code === "timeout");
    return true;
  });
  await writeJson(store, keys.task("task-000000"), fixtureResult("task-000000"));
  const seen: string[] = [];
  const pending = awaitResults(store, spec.id, {
    pollMs: 5,
    onProgress: (s) => seen.push(s.state),
  });
  await writeJson(store, keys.task("task-000001"), fixtureResult("task-000001"));
  const res = await pending;
  assert.equal(res.state, "completed");
  assert.equal(res.shards.length, 2);
  assert.ok(seen.length >= 1);

  const bad = await setup(1);
  await writeJson(
    bad.store,
    bad.keys.task("task-000000"),
    fixtureResult("task-000000", { status: "failed", error: "Cannot load job code" }),
  );
  await assert.rejects(awaitResults(bad.store, bad.spec.id), (e: unknown) => {
    assert(e instanceof JobError && e.code === "failed");
    assert.match(e.message, /1 of 1 tasks failed[\s\S]*Cannot load job code/);
    assert.equal(e.failures[0]?.task, "task-000000");
    return true;
  });
});

Deno.test("awaitResults reads again past a few store errors, and fails on more", async () => {
  const { store, spec, keys } = await setup(1);
  let failing = 3;
  /** The store, with `list` replaced (its other methods bound to it: private fields). */
  const withList = (list: (prefix: string, options?: object) => unknown) =>
    new Proxy(store, {
      get: (target, name) => {
        if (name === "list") return list;
        const value = Reflect.get(target, name, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const flaky = withList((prefix, options) => {
    if (failing-- > 0) throw new StoreError("io", `Cannot list "${prefix}": connection reset`);
    return store.list(prefix, options);
  });
  const pending = awaitResults(flaky, spec.id, { pollMs: 5 });
  await writeJson(store, keys.task("task-000000"), fixtureResult("task-000000"));
  assert.equal((await pending).state, "completed");
  assert.ok(failing < 0, "the errors were met");

  failing = Infinity;
  await assert.rejects(awaitResults(flaky, spec.id, { pollMs: 1 }), (e: unknown) => {
    assert(e instanceof StoreError && e.code === "io");
    return true;
  });
  const broken = withList(() => {
    throw new TypeError("not a transient error");
  });
  await assert.rejects(awaitResults(broken, spec.id), TypeError);
});
