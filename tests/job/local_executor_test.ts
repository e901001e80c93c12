/**
 * The local executor end to end: detached supervisor, worker subprocesses, a local store in a
 * temporary folder, job modules in temporary folders outside the repo.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { submit } from "../../lib/exec/mod.ts";
import {
  awaitResults,
  cancelJob,
  JobError,
  jobKeys,
  type RunningMarker,
  status,
  type SupervisorMarker,
} from "../../lib/job/mod.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { scanSamples } from "../../lib/shard/scan_samples.ts";
import { readIndex } from "../../lib/dataset/mod.ts";
import * as J from "./_jobs.ts";
import { REPO, until, writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

async function tempStore(): Promise<Store> {
  return new LocalStore(await scratchDir({ prefix: "shardline-exec-test-" }));
}

async function keysOf(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}

/** Temp files of interrupted puts anywhere in a local store (`list` does not show them). */
async function tempFiles(store: Store, dir = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(join((store as LocalStore).root, dir))) {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) found.push(...await tempFiles(store, path));
    else if (e.name.endsWith(".tmp")) found.push(path);
  }
  return found;
}

/** Asserts the output is exactly the input samples, once each, every shard committed. */
async function assertCompleteOutput(store: Store, inputs: number): Promise<void> {
  const keys = await keysOf(store, "out/");
  const tars = keys.filter((k) => k.endsWith(".tar"));
  for (const tar of tars) {
    const stem = tar.slice(0, -4);
    assert.ok(keys.includes(`${stem}.manifest.json`), `${tar} is committed`);
    assert.ok(keys.includes(`${stem}.manifest.parquet`), `${tar} has its Parquet`);
  }
  const shardFiles = keys.filter((k) => !k.startsWith("out/_index/"));
  assert.equal(shardFiles.length, tars.length * 3, `only shards and manifests: ${shardFiles}`);
  const samples: string[] = [];
  for (const tar of tars) {
    for await (const s of scanSamples(await store.get(tar), { url: tar })) samples.push(s.__key__);
  }
  assert.equal(samples.length, inputs);
  assert.equal(new Set(samples).size, inputs, "no duplicate samples");
  const index = await readIndex(store, "out");
  assert.deepEqual(
    index.entries.map((e) => e.shard).sort(),
    [...tars].sort(),
    "the index lists exactly the shards",
  );
}

Deno.test(
  "a job module in a temp folder importing an npm package runs in worker processes",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 3, 50);
    const job = await submit(store, {
      input: "raw/shard-{000000..000002}.tar",
      output: "out",
      job: await writeJob("npm_job", J.NPM_ZOD),
    });
    assert.ok(job.spec.module.startsWith("/tmp/") || !job.spec.module.startsWith(REPO));
    const res = await job.awaitResults();
    assert.equal(res.state, "completed");
    assert.equal(res.samples.out, 150);
    const marker = await readJson<SupervisorMarker>(store, jobKeys(job.id).supervisor);
    assert.notEqual(marker?.pid, Deno.pid, "tasks ran in another process");
    const header = await readJson<
      { aggregates: { label: { value_counts: Record<string, number> } } }
    >(
      store,
      "out/shard-000000-000.manifest.json",
    );
    assert.deepEqual(Object.keys(header!.aggregates.label.value_counts).sort(), [
      "T0",
      "T1",
      "T2",
      "T3",
      "T4",
    ]);
    await assertCompleteOutput(store, 150);
  }),
);

Deno.test(
  "SIGKILL of the workers and executor mid-task, then resubmit: complete output, no duplicates",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 4, 40);
    const path = await writeJob("slow", J.SLOW);
    const options = {
      input: "raw",
      output: "out",
      job: path,
      params: { delayMs: 10 },
      maxcount: 10, // 4 parts per task, committed one after another
      heartbeatMs: 100,
      concurrency: 2,
    };
    const first = await submit(store, options);
    const keys = jobKeys(first.id);
    // Wait until a task has committed part of its output, but has no result yet.
    const victim = await until(async () => {
      for (const t of first.spec.tasks) {
        const committed = await store.head(`${t.output_prefix}-000.manifest.json`);
        if (committed && !(await store.head(keys.task(t.id)))) {
          return await readJson<RunningMarker>(store, keys.running(t.id));
        }
      }
    });
    const supervisor = await readJson<SupervisorMarker>(store, keys.supervisor);
    Deno.kill(supervisor!.pid, "SIGKILL");
    Deno.kill(victim.pid, "SIGKILL");
    for (const t of first.spec.tasks) { // the other worker, if it is mid-task too
      const m = await readJson<RunningMarker>(store, keys.running(t.id));
      if (m && m.pid !== victim.pid) {
        try {
          Deno.kill(m.pid, "SIGKILL");
        } catch { /* already gone */ }
      }
    }
    // The job stalls: its executor's heartbeat goes stale.
    await until(async () => (await status(store, first.id)).state === "stalled" || undefined);
    await assert.rejects(awaitResults(store, first.id), (e: unknown) => {
      assert(e instanceof JobError && e.code === "stalled");
      return true;
    });
    const before = await status(store, first.id);
    assert.ok(before.tasks.ok < 4, "the kill came before the end");

    const second = await submit(store, options);
    assert.equal(second.id, first.id);
    assert.equal(second.created, false);
    assert.equal(second.started, true);
    const res = await second.awaitResults();
    assert.equal(res.state, "completed");
    assert.equal(res.samples.out, 160);
    await assertCompleteOutput(store, 160);
    assert.deepEqual(await keysOf(store, keys.runningDir), []);
    // The killed attempts' half-written files were swept when their tasks ran again (the dead
    // supervisor's own heartbeat file is left to the age-based sweep: no process can tell it is
    // dead rather than slow).
    const left = (await tempFiles(store)).filter((p) => !p.includes("/.supervisor.json."));
    assert.deepEqual(left, []);
    // Tasks that had finished before the kill were not run again.
    const after = await status(store, first.id);
    for (const t of before.task_states.filter((t) => t.state === "ok")) {
      const again = after.task_states.find((a) => a.id === t.id);
      assert.equal(again?.result?.finished_at, t.result?.finished_at);
    }
  }),
);

Deno.test(
  "a worker killed mid-task is retried by the executor",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 2, 40);
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("slow", J.SLOW),
      params: { delayMs: 10 },
      maxcount: 10,
      heartbeatMs: 100,
      backoffMs: 10,
      concurrency: 1,
    });
    const keys = jobKeys(job.id);
    const marker = await until(() => readJson<RunningMarker>(store, keys.running("task-000000")));
    await until(async () =>
      (await store.head("out/shard-000000-001.manifest.json")) ? true : undefined
    );
    Deno.kill(marker.pid, "SIGKILL");
    const res = await job.awaitResults();
    assert.equal(res.state, "completed");
    await assertCompleteOutput(store, 80);
    const crash = await readJson<{ failures: { reason: string }[] }>(
      store,
      keys.attempt("task-000000", 1),
    );
    assert.match(crash!.failures[0]!.reason, /killed by SIGKILL/);
    const s = await status(store, job.id);
    assert.equal(s.task_states[0]?.result?.attempt, 2);
    assert.deepEqual(await tempFiles(store), [], "the killed attempt's temp files were swept");
  }),
);

Deno.test(
  "the job goes on after the submitting process exits; cancel stops one",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 2, 30);
    const path = await writeJob("identity", J.IDENTITY);
    const script = join(await scratchDir(), "submit.ts");
    await Deno.writeTextFile(
      script,
      `import { submit } from "${REPO}lib/exec/mod.ts";
import { LocalStore } from "${REPO}lib/store/local_store.ts";
const job = await submit(new LocalStore(Deno.args[0]), { input: "raw", output: "out", job: Deno.args[1] });
console.log(job.id);`,
    );
    const root = new URL(store.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(REPO, "deno.json"), script, root, path],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.equal(out.code, 0);
    const id = new TextDecoder().decode(out.stdout).trim();
    const res = await awaitResults(store, id);
    assert.equal(res.state, "completed");
    await assertCompleteOutput(store, 60);

    const slow = await submit(store, {
      input: "raw",
      output: "slow-out",
      job: await writeJob("slow", J.SLOW),
      params: { delayMs: 50 },
      heartbeatMs: 100,
      concurrency: 1,
    });
    await until(() => readJson<RunningMarker>(store, jobKeys(slow.id).running("task-000000")));
    await cancelJob(store, slow.id);
    await assert.rejects(slow.awaitResults(), (e: unknown) => {
      assert(e instanceof JobError && e.code === "cancelled");
      return true;
    });
    await until(async () =>
      (await readJson<SupervisorMarker>(store, jobKeys(slow.id).supervisor))?.finished_at
    );
    assert.deepEqual(await keysOf(store, "slow-out/shard-000000"), []);
    assert.deepEqual(await keysOf(store, jobKeys(slow.id).runningDir), []);
  }),
);

Deno.test(
  "an attempt past the task timeout is killed, retried, then recorded as failed",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 1, 50);
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("slow", J.SLOW),
      params: { delayMs: 1000 },
      taskTimeoutMs: 300,
      maxAttempts: 2,
      backoffMs: 10,
    });
    await assert.rejects(job.awaitResults(), (e: unknown) => {
      assert(e instanceof JobError && e.code === "failed");
      assert.match(e.message, /killed after the task timeout of 300 ms/);
      return true;
    });
    assert.deepEqual(await keysOf(store, "out/"), []);
    assert.equal((await keysOf(store, `_jobs/${job.id}/attempts/`)).length, 1);
  }),
);

Deno.test(
  "_task_main.ts runs one task for other backends and exits by its outcome",
  withDeadline(300_000, async () => {
    const store = await tempStore();
    await writeItems(store, "raw", 2, 10);
    // Record the job without running it: a backend that does nothing.
    const { registerExecutor } = await import("../../lib/exec/mod.ts");
    registerExecutor({ name: "none", start: () => Promise.resolve() });
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: await writeJob("identity", J.IDENTITY),
      backend: "none",
    });
    const run = (task: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          join(REPO, "deno.json"),
          join(REPO, "lib/exec/_task_main.ts"),
          store.url,
          job.id,
          task,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
    const out = await run("task-000001");
    assert.equal(out.code, 0);
    assert.equal(JSON.parse(new TextDecoder().decode(out.stdout)).samples_out, 10);
    const s = await status(store, job.id);
    assert.deepEqual([s.tasks.ok, s.tasks.pending], [1, 1]);
    assert.equal((await run("task-000009")).code, 2); // no such task
  }),
);
