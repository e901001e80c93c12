/**
 * The modal backend's whole flow, run by the LOCAL STAND-IN for Modal (`_standin.ts`; not
 * Modal): `submit({ backend: "modal-standin" })` spawns the supervisor request, the Python glue
 * of `modal/app.py` runs the TypeScript supervisor, which fans the attempts out to task calls;
 * each runs `taskCommand()`; a call whose process dies is run again (Modal's retries), a task
 * that fails is retried by the supervisor (the store's records); every result lands in the
 * store of an S3 server (s3rver on 127.0.0.1), and each sample is processed exactly once.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../lib/store/open_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { submit } from "../../lib/exec/mod.ts";
import { taskCommand } from "../../lib/exec/task_command.ts";
import { jobKeys, type SupervisorMarker } from "../../lib/job/job_spec.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { processAlive } from "../../lib/job/sweep_temp.ts";
import { noNode, s3StoreOptions, startS3rver } from "../_s3rver.ts";
import { until, writeItems, writeJob } from "../job/_fixtures.ts";
import { noPython, registerStandin, standinProcesses } from "./_standin.ts";

/** A shard job that dies once (id 20: the process exits) and throws once (id 40). */
const FLAKY = `
import { Item, defineJob } from "./schemas.ts";
const once = (dir, name) => {
  try {
    Deno.writeTextFileSync(dir + "/" + name, "", { createNew: true });
    return true;
  } catch {
    return false;
  }
};
export default defineJob({
  name: "flaky", version: "1.0.0", input: Item, output: Item,
  params: { dir: "" },
  async *shard(samples, ctx) {
    for await (const s of samples) {
      if (s.id === 20 && once(ctx.params.dir, "crash")) Deno.exit(9);
      if (s.id === 40 && once(ctx.params.dir, "throw")) throw new Error("flaky once");
      Deno.writeTextFileSync(ctx.params.dir + "/seen.log", s.id + "\\n", { append: true });
      if (Deno.env.get("STANDIN_CANARY") || Deno.env.get("SHARDLINE_STORE_OPTIONS")) {
        throw new Error("the task saw a variable it must not see");
      }
      yield s;
    }
  },
});
`;

/** What a stand-in test runs against: an S3 store on s3rver, a scratch folder, the stand-in. */
interface Standin {
  store: Store;
  storeUrl: string;
  dir: string;
  callLog: string;
  /** Writes a job module (removed at the end). */
  writeModule(name: string, source: string): Promise<string>;
}

/**
 * Runs `fn` against a fresh s3rver bucket and a scratch folder, with the stand-in registered
 * (its calls logged to `callLog`); then releases held tasks, waits for the stand-in's processes
 * and removes everything.
 */
async function withStandin(bucket: string, fn: (t: Standin) => Promise<void>): Promise<void> {
  const s3 = await startS3rver(bucket);
  const storeOptions = s3StoreOptions(s3);
  const storeUrl = `s3://${s3.bucket}/data`;
  const store = await openStore(storeUrl, storeOptions);
  const dir = await Deno.makeTempDir({ prefix: `shardline-${bucket}-` });
  const callLog = join(dir, "calls.jsonl");
  registerStandin({ storeOptions, callLog });
  const modules: string[] = [];
  const writeModule = async (name: string, source: string) => {
    const module = await writeJob(name, source);
    modules.push(module);
    return module;
  };
  try {
    await fn({ store, storeUrl, dir, callLog, writeModule });
  } finally {
    await Deno.writeTextFile(join(dir, "release"), "");
    for (const p of standinProcesses.splice(0)) await p.done;
    for (const m of modules) await Deno.remove(join(m, ".."), { recursive: true });
    await Deno.remove(dir, { recursive: true });
    await store.close?.();
    await s3.close();
  }
}

Deno.test({
  name: "the modal backend's flow through the stand-in: fan-out, both retries, results once",
  ignore: noNode || noPython,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withStandin("modal-standin", async ({ store, storeUrl, dir, callLog, writeModule }) => {
      await writeItems(store, "raw", 3, 20);
      const module = await writeModule("flaky", FLAKY);
      const job = await submit(store, {
        input: "raw",
        output: "flaky",
        job: module,
        params: { dir },
        backend: "modal-standin",
        backoffMs: 50,
      });
      assert.equal(job.spec.backend, "modal-standin");
      assert.ok(job.started);
      // The executor record is written before submit returns, named after the stand-in.
      const first = await readJson<SupervisorMarker>(store, jobKeys(job.id).supervisor);
      assert.equal(first?.backend, "modal-standin");

      const res = await job.awaitResults({ timeout: 180_000 });
      assert.equal(res.state, "completed");
      assert.equal(res.samples.in, 60);
      assert.equal(res.samples.out, 60);
      const [proc] = standinProcesses.splice(0);
      const { code, output } = await proc!.done;
      assert.equal(code, 0, output);
      const record = await until(async () => {
        const r = await readJson<SupervisorMarker>(store, jobKeys(job.id).supervisor);
        return r?.finished_at ? r : undefined;
      });
      assert.equal(record.backend, "modal-standin", "the supervisor names the stand-in");

      // Every sample ran exactly once (the crash and the throw came before any output).
      const seen = (await Deno.readTextFile(join(dir, "seen.log"))).trim().split("\n");
      assert.deepEqual(seen.map(Number).sort((a, b) => a - b), [...Array(60).keys()]);

      // What ran: taskCommand() exactly, for every call; task-000001 twice in containers
      // (the process died: the call was retried with the same argv), task-000002 in two
      // attempts (it failed: the supervisor retried it), task-000000 once.
      const calls = (await Deno.readTextFile(callLog)).trim().split("\n").map((l) =>
        JSON.parse(l) as { argv: string[]; container_try: number }
      ).filter((c) => c.argv);
      const byTask = (t: string) => calls.filter((c) => c.argv.includes(t));
      const cmd = (taskId: string, attempt: number) =>
        taskCommand(storeUrl, { jobId: job.id, taskId, attempt, final: false });
      assert.deepEqual(byTask("task-000000"), [{ argv: cmd("task-000000", 1), container_try: 0 }]);
      assert.deepEqual(byTask("task-000001"), [
        { argv: cmd("task-000001", 1), container_try: 0 },
        { argv: cmd("task-000001", 1), container_try: 1 },
      ]);
      assert.deepEqual(byTask("task-000002"), [
        { argv: cmd("task-000002", 1), container_try: 0 },
        { argv: cmd("task-000002", 2), container_try: 0 },
      ]);
      // The store's records say the same: one failed attempt of task-000002 kept aside.
      assert.ok(await store.head(jobKeys(job.id).attempt("task-000002", 1)));
      assert.equal(await store.head(jobKeys(job.id).attempt("task-000001", 1)), undefined);
    });
  },
});

/** Holds each task until \`<dir>/release\` appears (at most 60 s: nothing hangs for good). */
const HOLD = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "hold", version: "1.0.0", input: Item, output: Item,
  params: { dir: "" },
  async *shard(samples, ctx) {
    Deno.writeTextFileSync(ctx.params.dir + "/started-" + ctx.taskId, "");
    for (let i = 0; i < 600; i++) {
      try {
        Deno.statSync(ctx.params.dir + "/release");
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for await (const s of samples) yield s;
  },
});
`;

Deno.test({
  name: "a cancel reaches the stand-in's task calls: their processes are killed, the job ends",
  ignore: noNode || noPython,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withStandin("modal-cancel", async ({ store, dir, callLog, writeModule }) => {
      await writeItems(store, "raw", 2, 5);
      const module = await writeModule("hold", HOLD);
      const job = await submit(store, {
        input: "raw",
        output: "held",
        job: module,
        params: { dir },
        backend: "modal-standin",
      });
      // Both tasks are running in their processes.
      await until(async () => {
        const names = [];
        for await (const e of Deno.readDir(dir)) names.push(e.name);
        return names.filter((n) => n.startsWith("started-")).length === 2 ? true : undefined;
      });
      await job.cancel();
      const [proc] = standinProcesses.splice(0);
      const { code, output } = await proc!.done;
      assert.equal(code, 0, output);
      const s = await job.status();
      assert.equal(s.state, "cancelled");
      assert.equal(s.tasks.ok, 0);
      // The stand-in killed its task processes (unreleased, they would wait up to 60 s).
      const pids = (await Deno.readTextFile(callLog)).trim().split("\n")
        .map((l) => JSON.parse(l) as { pid?: number }).flatMap((l) => l.pid ?? []);
      assert.equal(pids.length, 2);
      for (const pid of pids) assert.ok(!processAlive(pid), `task process ${pid} still runs`);
    });
  },
});

Deno.test({
  name: "an attempt past the task timeout on the stand-in is cancelled, retried, then failed",
  ignore: noNode || noPython,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withStandin("modal-timeout", async ({ store, dir, callLog, writeModule }) => {
      await writeItems(store, "raw", 1, 5);
      const module = await writeModule("hold", HOLD);
      const job = await submit(store, {
        input: "raw",
        output: "held",
        job: module,
        params: { dir },
        backend: "modal-standin",
        maxAttempts: 2,
        backoffMs: 10,
        taskTimeoutMs: 1500,
      });
      const [proc] = standinProcesses.splice(0);
      const { code, output } = await proc!.done;
      assert.equal(code, 0, output);
      const s = await job.status();
      assert.equal(s.state, "failed");
      assert.match(s.failures[0]?.reason ?? "", /cancelled after the task timeout of 1500 ms/);
      const lines = (await Deno.readTextFile(callLog)).trim().split("\n")
        .map((l) => JSON.parse(l) as { pid?: number; argv?: string[] });
      // Two attempts, each a call whose process was killed when it was cancelled.
      const cmd = (attempt: number, final: boolean) =>
        taskCommand(store.url, { jobId: job.id, taskId: "task-000000", attempt, final });
      assert.deepEqual(lines.flatMap((l) => l.argv ? [l.argv] : []), [cmd(1, false), cmd(2, true)]);
      for (const l of lines) if (l.pid) assert.ok(!processAlive(l.pid), `${l.pid} still runs`);
    });
  },
});
