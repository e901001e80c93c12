/**
 * Exactly-once, tested where it is decided: the real task runner (`_task_main.ts` processes and
 * `runTask`), the real supervisor (`_supervisor_main.ts`) and the local executor, over a local
 * store in a temp folder. The job counts its own executions: its map appends one line per
 * sample it processes to a file outside the store, so the tests count work done, not keys.
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { join } from "node:path";
import { LocalStore } from "../../lib/store/local_store.ts";
import { registerExecutor, submit } from "../../lib/exec/mod.ts";
import { jobKeys, runTask, type TaskResult } from "../../lib/job/mod.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { outputWithin, withDeadline } from "../_deadline.ts";
import { REPO, until, writeItems, writeJob } from "./_fixtures.ts";

/**
 * Identity that appends `<task> <attempt> <key>` to `params.log` for every sample it maps;
 * with `params.gate`, each attempt then waits (at most a minute) for the file
 * `<gate>-<attempt>` before going on.
 */
const COUNTED = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "counted", version: "1.0.0", input: Item, params: { log: "", gate: "" },
  async map(s, ctx) {
    Deno.writeTextFileSync(ctx.params.log, ctx.taskId + " " + ctx.attempt + " " + s.__key__ + "\\n", { append: true });
    if (ctx.params.gate) {
      const go = ctx.params.gate + "-" + ctx.attempt;
      for (const end = Date.now() + 60000;;) {
        try { Deno.statSync(go); break; } catch { /* not yet */ }
        if (Date.now() > end) throw new Error("no " + go + " within a minute");
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return s;
  },
});
`;

const PER_SHARD = 5;

// A backend that starts nothing: the tests run the task runner themselves.
registerExecutor({ name: "by-hand", start: () => Promise.resolve() });

/** A local store with 2 shards of 5 items, a job module, and the execution log path. */
async function setup() {
  const dir = await scratchDir({ prefix: "exactly-once-" });
  const store = new LocalStore(join(dir, "store"));
  await writeItems(store, "raw", 2, PER_SHARD);
  return { dir, store, log: join(dir, "executions.log"), module: await writeJob("job", COUNTED) };
}

/** Lines of the execution log: one per sample mapped, `<task> <attempt> <key>`. */
async function executions(log: string): Promise<string[]> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.split("\n").filter(Boolean);
}

/** Runs one attempt of a task in a `_task_main.ts` process (killed after a minute). */
function taskProcess(store: LocalStore, jobId: string, task: string, attempt: number) {
  return outputWithin(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--config",
        join(REPO, "deno.json"),
        join(REPO, "lib/exec/_task_main.ts"),
        store.url,
        jobId,
        task,
        "--attempt",
        String(attempt),
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }),
    60_000,
    `task ${task} attempt ${attempt}`,
  );
}

async function resultKeys(store: LocalStore, jobId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(jobKeys(jobId).tasksDir)) keys.push(o.key);
  return keys.sort();
}

Deno.test(
  "the task runner does not run a task that already has a result (counted executions)",
  withDeadline(120_000, async () => {
    const { store, log, module } = await setup();
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: module,
      backend: "by-hand",
      params: { log },
    });
    const first = await taskProcess(store, job.id, "task-000000", 1);
    assert.ok(first.success, first.stderr);
    assert.equal((await executions(log)).length, PER_SHARD, "the first attempt maps each sample");
    const recorded = await readJson<TaskResult>(store, jobKeys(job.id).task("task-000000"));
    assert.equal(recorded?.status, "ok");

    // Again, in another process and in this one: the result is there, nothing runs.
    const second = await taskProcess(store, job.id, "task-000000", 2);
    assert.ok(second.success, second.stderr);
    const again = await runTask(store, { job: job.id, task: "task-000000" }, { attempt: 3 });
    assert.equal(
      (await executions(log)).length,
      PER_SHARD,
      "a task with a result is not executed again",
    );
    assert.deepEqual(again, recorded, "the existing result is returned");
    assert.deepEqual(
      await readJson<TaskResult>(store, jobKeys(job.id).task("task-000000")),
      recorded,
      "and left as it was",
    );
  }),
);

Deno.test(
  "two attempts racing to record a task result: the first recorded stays, the other adopts it",
  withDeadline(120_000, async () => {
    const { dir, store, log, module } = await setup();
    const gate = join(dir, "go");
    const job = await submit(store, {
      input: "raw",
      output: "out",
      job: module,
      backend: "by-hand",
      params: { log, gate },
      heartbeatMs: 600_000, // attempt 1 writes its running marker once, at its start
    });
    // Both attempts start, and both get past the "has a result?" check to their first sample.
    // (An attempt waits for another one running the task, by its running marker: removing the
    // marker makes the two start as if at the same moment, before either had written it.)
    const one = taskProcess(store, job.id, "task-000000", 1);
    const arrived = (a: number) => async () =>
      (await executions(log)).some((l) => l.startsWith(`task-000000 ${a} `)) || undefined;
    await until(arrived(1));
    await store.delete(jobKeys(job.id).running("task-000000"));
    const two = taskProcess(store, job.id, "task-000000", 2);
    await until(arrived(2));
    // Attempt 1 finishes and records its result; then attempt 2 finishes and tries to.
    await Deno.writeTextFile(`${gate}-1`, "");
    const out1 = await one;
    assert.ok(out1.success, out1.stderr);
    await Deno.writeTextFile(`${gate}-2`, "");
    const out2 = await two;
    assert.ok(out2.success, out2.stderr);

    const lines = await executions(log);
    assert.equal(lines.filter((l) => l.includes(" 1 ")).length, PER_SHARD, "attempt 1 ran");
    assert.equal(lines.filter((l) => l.includes(" 2 ")).length, PER_SHARD, "attempt 2 ran");
    assert.deepEqual(await resultKeys(store, job.id), [jobKeys(job.id).task("task-000000")]);
    const recorded = await readJson<TaskResult>(store, jobKeys(job.id).task("task-000000"));
    assert.equal(recorded?.attempt, 1, "the result recorded first is not overwritten");
    const attempts: string[] = [];
    for await (const o of store.list(`${jobKeys(job.id).dir}/attempts/`)) attempts.push(o.key);
    assert.deepEqual(attempts, [], "the losing attempt records no result of its own");
  }),
);

Deno.test(
  "a finished job: submitting it again, or resuming its supervisor, executes and dispatches nothing",
  withDeadline(180_000, async () => {
    const { store, log, module } = await setup();
    const options = {
      input: "raw",
      output: "out",
      job: module,
      params: { log },
      backendOptions: { keepAliveMs: 0 },
    };
    const job = await submit(store, options);
    const res = await job.awaitResults({ pollMs: 20, timeout: 90_000 });
    assert.equal(res.state, "completed");
    const done = (await executions(log)).sort();
    const keys = Array.from(
      { length: 2 * PER_SHARD },
      (_, i) => `item-${String(i).padStart(7, "0")}`,
    );
    assert.deepEqual(done.map((l) => l.split(" ")[2]).sort(), keys, "each sample mapped once");

    const again = await submit(store, options);
    assert.equal(again.id, job.id);
    assert.equal(again.started, false, "no executor is started for a finished job");

    // The real supervisor, asked to resume the finished job, must end having dispatched nothing.
    const supervisor = await outputWithin(
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          "--config",
          join(REPO, "deno.json"),
          join(REPO, "lib/exec/_supervisor_main.ts"),
          store.url,
          job.id,
          "1",
          "0",
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }),
      60_000,
      "a supervisor resuming a finished job (does it dispatch finished tasks again?)",
    );
    assert.ok(supervisor.success, supervisor.stderr);
    assert.match(
      supervisor.stdout,
      new RegExp(`ends job ${job.id}: 0 ok, 0 failed, 2 done before, 0 attempts`),
    );
    assert.deepEqual((await executions(log)).sort(), done, "nothing executed again");
  }),
);
