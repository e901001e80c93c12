/**
 * The local executor's warm agent: a supervisor that stays up after its job with its worker
 * processes and takes the next job on the same store at once (`keepAliveMs`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { scratchDir } from "../_scratch.ts";
import { LocalStore } from "../../lib/store/local_store.ts";
import { registerExecutor, submit } from "../../lib/exec/mod.ts";
import { agentSocket, askAgent } from "../../lib/exec/_agent.ts";
import { supervisorLogPath } from "../../lib/exec/local_executor.ts";
import { cancelJob, JobError, jobKeys, type RunningMarker } from "../../lib/job/mod.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { processAlive } from "../../lib/job/sweep_temp.ts";
import * as J from "./_jobs.ts";
import { endedLog, until, writeItems, writeJob } from "./_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

const pids = (res: { status: { task_states: { result?: { worker?: { pid: number } } }[] } }) =>
  new Set(res.status.task_states.map((t) => t.result!.worker!.pid));

Deno.test(
  "a second job on the same store runs in the warm supervisor and its workers",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-agent-test-" }));
    const logDir = await scratchDir();
    await writeItems(store, "raw", 2, 10);
    const identity = await writeJob("identity", J.IDENTITY);
    // Long enough that a loaded machine (tests in parallel) cannot outlast it between the two
    // submits (3 s once did), short enough to wait out below.
    const backendOptions = { logDir, keepAliveMs: 10_000 };
    const first = await submit(store, { input: "raw", output: "a", job: identity, backendOptions });
    const a = await first.awaitResults();
    const second = await submit(store, {
      input: "raw",
      output: "b",
      job: identity,
      backendOptions,
    });
    const b = await second.awaitResults();
    assert.equal(b.state, "completed");
    assert.equal(b.samples.out, 20);
    const agent = a.status.supervisor!.pid;
    assert.equal(b.status.supervisor!.pid, agent, "the same supervisor took the second job");
    assert.ok([...pids(b)].every((p) => pids(a).has(p)), "on the same worker processes");
    // Each job's lines in its own log (the run's last line comes just after its last result).
    const log = await endedLog(supervisorLogPath(second.id, { logDir }));
    assert.match(log, new RegExp(`supervisor ${agent} starts job ${second.id}`));
    assert.match(log, new RegExp(`ends job ${second.id}: 2 ok, 0 failed`));
    assert.equal(b.status.supervisor!.log, supervisorLogPath(second.id, { logDir }));
    // Idle for keepAliveMs, it exits with its workers.
    await until(() => (processAlive(agent) ? undefined : true));
    for (const pid of pids(b)) await until(() => (processAlive(pid) ? undefined : true));
    const third = await submit(store, { input: "raw", output: "c", job: identity, backendOptions });
    const c = await third.awaitResults();
    assert.notEqual(c.status.supervisor!.pid, agent, "a new supervisor once the agent is gone");
  }),
);

Deno.test(
  "keepAliveMs: 0 gives each job its own supervisor, which exits when done",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-agent-test-" }));
    await writeItems(store, "raw", 1, 5);
    const identity = await writeJob("identity", J.IDENTITY);
    const backendOptions = { keepAliveMs: 0 };
    const a =
      await (await submit(store, { input: "raw", output: "a", job: identity, backendOptions }))
        .awaitResults();
    const b =
      await (await submit(store, { input: "raw", output: "b", job: identity, backendOptions }))
        .awaitResults();
    assert.notEqual(a.status.supervisor!.pid, b.status.supervisor!.pid);
    await until(() => (processAlive(b.status.supervisor!.pid) ? undefined : true));
  }),
);

Deno.test(
  "cancelling one of two jobs in one agent stops that job only",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-agent-test-" }));
    await writeItems(store, "raw", 1, 20);
    const slow = await writeJob("slow", J.SLOW);
    const options = {
      input: "raw",
      job: slow,
      heartbeatMs: 100,
      concurrency: 1,
      backendOptions: { keepAliveMs: 5000 },
    };
    const running = (id: string) =>
      readJson<RunningMarker>(store, jobKeys(id).running("task-000000"));
    // Job a takes 20 s unless cancelled: on a loaded machine, submitting b can take seconds, and
    // a job of 0.5 s was done before the cancel came.
    const a = await submit(store, { ...options, params: { delayMs: 1000 }, output: "a" });
    await until(() => running(a.id)); // its supervisor is up and listening by now
    const b = await submit(store, { ...options, params: { delayMs: 25 }, output: "b" });
    await until(() => running(b.id));
    await cancelJob(store, a.id);
    await assert.rejects(a.awaitResults(), (e: unknown) => {
      assert(e instanceof JobError && e.code === "cancelled");
      return true;
    });
    const res = await b.awaitResults();
    assert.equal(res.state, "completed");
    assert.equal(res.samples.out, 20);
    assert.equal(res.status.supervisor!.pid, (await a.status()).supervisor!.pid);
  }),
);

Deno.test(
  "the same job handed to a warm agent twice at once runs once",
  withDeadline(300_000, async () => {
    const store = new LocalStore(await scratchDir({ prefix: "shardline-agent-test-" }));
    const logDir = await scratchDir();
    await writeItems(store, "raw", 2, 10);
    const identity = await writeJob("identity", J.IDENTITY);
    // Stopped at unload (tests/_scratch.ts): a long keep-alive, no race with its idle exit.
    const backendOptions = { logDir, keepAliveMs: 120_000 };
    await (await submit(store, { input: "raw", output: "warm", job: identity, backendOptions }))
      .awaitResults();
    // A job recorded but not started (a backend that does nothing), then two requests at once.
    registerExecutor({ name: "hold", start: () => Promise.resolve() });
    const job = await submit(store, {
      input: "raw",
      output: "twice",
      job: identity,
      backend: "hold",
    });
    const socket = await agentSocket({
      denoPath: Deno.execPath(),
      storeUrl: store.url,
      storeOptions: "",
    });
    const log = supervisorLogPath(job.id, { logDir });
    const asked = await Promise.all(
      [1, 2].map(() => askAgent(socket!, { job: job.id, concurrency: 2, log })),
    );
    assert.ok(asked.every((a) => a?.claimed === true), "both requests answered, the job claimed");
    const res = await job.awaitResults();
    assert.equal(res.samples.out, 20);
    assert.ok(res.status.task_states.every((t) => t.result!.attempt === 1));
    // One run does the work. A request that came while it ran makes the agent look once more when
    // it ends (for tasks a retry reset after the run's last look): that run attempts nothing.
    const text = await endedLog(log);
    const attempts = [...text.matchAll(/ends job \S+: .*, (\d+) attempts/g)].map((m) =>
      Number(m[1])
    );
    assert.deepEqual(attempts.filter((n) => n > 0), [2], text);
    // What is not a job id gets no answer.
    assert.equal(await askAgent(socket!, { job: "../../x", concurrency: 1 }), undefined);
  }),
);
