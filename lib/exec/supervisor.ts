/**
 * {@linkcode superviseJob}: the executor loop shared by local backends. It runs a job's
 * unfinished tasks through a {@linkcode TaskLauncher} with bounded concurrency, retries failed
 * attempts with exponential backoff, records crashes, keeps a heartbeat in
 * `_jobs/<id>/supervisor.json` and stops when `_jobs/<id>/cancel.json` appears.
 *
 * @module
 */
import { hostname } from "node:os";
import type { Store } from "../store/store.ts";
import { JobError } from "../job/job_error.ts";
import {
  jobKeys,
  type JobSpec,
  type SupervisorMarker,
  type TaskResult,
  type TaskWarning,
} from "../job/job_spec.ts";
import { listNames, readJson, writeJson } from "../job/job_records.ts";
import { removeTaskOutputs } from "../job/task_outputs.ts";
import { sweepJobTemp, sweepTaskTemp } from "../job/sweep_temp.ts";
import { processIds } from "../util/process_identity.ts";
import { claimStart } from "./_start_once.ts";

/** One attempt of one task, as the supervisor asks a launcher to run it. */
export interface TaskRequest {
  jobId: string;
  taskId: string;
  /** Attempt number, from 1. */
  attempt: number;
  /** True when no retry will follow: a failure becomes the task's final result. */
  final: boolean;
  /** Kill the attempt after this many ms (launchers that can kill do). */
  timeoutMs?: number;
}

/**
 * How an attempt ended: the task runner's verdict (with the result's warnings, for the
 * executor's log), or the worker died without one.
 */
export type TaskOutcome =
  | {
    kind: "result";
    status: "ok" | "failed";
    retryable: boolean;
    error?: string;
    warnings?: TaskWarning[];
  }
  | { kind: "crashed"; reason: string };

/** Runs task attempts somewhere (subprocesses, this process, containers). */
export interface TaskLauncher {
  /** Runs one attempt; the task runner records its result in the store. */
  run(request: TaskRequest): Promise<TaskOutcome>;
  /** Stops every running attempt (cancel); their `run` calls settle as crashed. */
  abort(): Promise<void>;
  /** Releases the launcher (ends worker processes). */
  close(): Promise<void>;
  /** Gets `n` slots ready ahead of the first attempt (starts worker processes early). */
  warm?(n: number): void;
}

/** Options for {@linkcode superviseJob}. */
export interface SuperviseJobOptions {
  /** Where attempts run. */
  launcher: TaskLauncher;
  /** Attempts in flight at once. @default spec.concurrency, else navigator.hardwareConcurrency */
  concurrency?: number;
  /** Backend name recorded in the heartbeat. @default "local" */
  backend?: string;
  /** Where this executor's own output goes (a file path), recorded in the heartbeat. */
  log?: string;
  /** Called once the job is claimed (its heartbeat record written). */
  onClaimed?: () => void;
}

/** What {@linkcode superviseJob} did. */
export interface SuperviseSummary {
  /** Tasks that ended ok / failed in this run. */
  ok: number;
  failed: number;
  /** Tasks already finished before this run. */
  alreadyDone: number;
  /** Attempts launched. */
  attempts: number;
  cancelled: boolean;
}

/**
 * Runs every unfinished task of a job to a final result (or until cancelled).
 *
 * @example
 * ```ts ignore
 * import { superviseJob } from "./supervisor.ts";
 * const summary = await superviseJob(store, jobId, { launcher, concurrency: 4 });
 * ```
 */
export async function superviseJob(
  store: Store,
  jobId: string,
  options: SuperviseJobOptions,
): Promise<SuperviseSummary> {
  const keys = jobKeys(jobId);
  const spec = await readJson<JobSpec>(store, keys.spec);
  if (!spec) throw new JobError("not_found", `No job "${jobId}" in store ${store.url}`, { jobId });
  const { launcher } = options;
  const concurrency = Math.max(
    1,
    options.concurrency ?? spec.concurrency ?? navigator.hardwareConcurrency ?? 1,
  );
  const now = () => new Date().toISOString();
  const marker: SupervisorMarker = {
    backend: options.backend ?? "local",
    host: hostname(),
    pid: Deno.pid,
    ...processIds(),
    concurrency,
    started_at: now(),
    heartbeat_at: now(),
    ...(options.log !== undefined && { log: options.log }),
  };
  // Workers boot while the records are read.
  if (!(await store.head(keys.cancel))) launcher.warm?.(Math.min(concurrency, spec.tasks.length));
  await writeJson(store, keys.supervisor, marker);
  options.onClaimed?.();
  // What killed processes of earlier runs left half-written (old enough not to be live).
  await sweepJobTemp(store, spec);

  const summary: SuperviseSummary = {
    ok: 0,
    failed: 0,
    alreadyDone: 0,
    attempts: 0,
    cancelled: false,
  };
  /** The record of this run going on, with a fresh heartbeat. */
  const writeAlive = () => writeJson(store, keys.supervisor, { ...marker, heartbeat_at: now() });
  const cancel = async () => {
    if (summary.cancelled) return;
    summary.cancelled = true;
    marker.cancelling = true; // said at once: a retry now waits for this run to end
    await writeAlive().catch(() => {});
    await launcher.abort();
  };
  let beating = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  const beat = () => {
    timer = setInterval(() => {
      beating = beating.then(async () => {
        if (await store.head(keys.cancel)) await cancel();
        await writeAlive();
      }).catch(() => {}); // a missed heartbeat is retried on the next tick
    }, spec.policy.heartbeat_ms);
  };
  const stop = async () => {
    clearInterval(timer);
    timer = undefined;
    await beating;
  };
  const finished = () => {
    const at = now();
    return { ...marker, heartbeat_at: at, finished_at: at };
  };
  beat();

  // What each task came to in this run (the last outcome of a task retried meanwhile), and the
  // tasks finished before it.
  const outcomes = new Map<string, "ok" | "failed">();
  const doneBefore = new Set<string>();
  const count = () => {
    const values = [...outcomes.values()];
    summary.ok = values.filter((v) => v === "ok").length;
    summary.failed = values.length - summary.ok;
    summary.alreadyDone = [...doneBefore].filter((t) => !outcomes.has(t)).length;
  };
  /** Tasks without a result and the attempts recorded per task. */
  const unfinished = async (): Promise<Unfinished> => {
    const done = await listNames(store, keys.tasksDir);
    const previous = new Map<string, number>();
    for await (const info of store.list(`${keys.dir}/attempts/`)) {
      const task = info.key.slice(keys.dir.length + 10).split("/")[0]!;
      previous.set(task, (previous.get(task) ?? 0) + 1);
    }
    return { queue: spec.tasks.filter((t) => !done.has(t.id)).map((t) => t.id), previous };
  };

  const runTask = async (taskId: string, previous: ReadonlyMap<string, number>) => {
    const { max_attempts, backoff_ms } = spec.policy;
    // Attempt numbers go on from the recorded ones; each run (a retry, a resubmission after a
    // crash) has a fresh budget of max_attempts.
    const first = (previous.get(taskId) ?? 0) + 1;
    for (let attempt = first;; attempt++) {
      if (summary.cancelled) return;
      const final = attempt - first + 1 >= max_attempts;
      summary.attempts++;
      const timeoutMs = spec.policy.task_timeout_ms;
      const outcome = await launcher.run({ jobId, taskId, attempt, final, timeoutMs });
      if (summary.cancelled) {
        // The attempt was stopped: leave no claim and no uncommitted output behind.
        if (outcome.kind === "crashed") {
          const task = spec.tasks.find((t) => t.id === taskId)!;
          await removeTaskOutputs(store, task);
          await sweepTaskTemp(store, spec, task, 0);
          await store.delete(keys.running(taskId));
        }
        return;
      }
      if (outcome.kind === "result") {
        if (outcome.status === "ok") return void outcomes.set(taskId, "ok");
        if (final || !outcome.retryable) return void outcomes.set(taskId, "failed");
      } else {
        // Its worker is gone: whatever it was writing is garbage, however fresh.
        await sweepTaskTemp(store, spec, spec.tasks.find((t) => t.id === taskId)!, 0);
        await recordCrash(store, spec, taskId, attempt, final, outcome.reason);
        if (final) return void outcomes.set(taskId, "failed");
      }
      await new Promise((r) => setTimeout(r, backoff_ms * 2 ** (attempt - 1)));
    }
  };

  /**
   * Runs the unfinished tasks, then looks again: a task reset by `retryJob` while this run went
   * on (its result archived) is unfinished again, and runs in this run (`retryJob` starts no
   * supervisor while this one is alive).
   */
  const runAll = async (listed: Unfinished) => {
    let u = listed;
    while (!summary.cancelled && u.queue.length > 0) {
      const { queue, previous } = u;
      let failed = false; // a store failure: the other loops take no more tasks
      await Promise.all(
        Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
          while (!summary.cancelled && !failed && queue.length > 0) {
            try {
              if (await store.head(keys.cancel)) {
                await cancel();
                continue;
              }
              // Another loop may have taken the last task while this one checked for a cancel.
              const task = queue.shift();
              if (task === undefined) break;
              await runTask(task, previous);
            } catch (err) {
              failed = true;
              throw err;
            }
          }
        }),
      );
      if (!summary.cancelled) u = await unfinished();
    }
  };

  try {
    if (await store.head(keys.cancel)) summary.cancelled = true;
    const initial = await unfinished();
    const open = new Set(initial.queue);
    for (const t of spec.tasks) if (!open.has(t.id)) doneBefore.add(t.id);
    await runAll(initial);
    // Finished: said before a last look, so that a retry after that look sees this run ended
    // (and starts a supervisor), and one before it is run here.
    for (;;) {
      await stop();
      const record = finished();
      // A record that cannot be written: its heartbeat goes stale, and `status` says so.
      if (!await writeJson(store, keys.supervisor, record).then(() => true, () => false)) break;
      if (summary.cancelled) break;
      const left = await unfinished().catch(() => undefined);
      // Resume only if no retry took the job first (it saw this record and started one).
      if (
        !left?.queue.length ||
        !await claimStart(store, jobId, record, 0, { runsHere: true })
      ) break;
      await writeAlive();
      beat();
      await runAll(left);
    }
  } catch (err) {
    marker.error = err instanceof Error ? err.message : String(err);
    await stop();
    await writeJson(store, keys.supervisor, finished()).catch(() => {});
    throw err;
  } finally {
    count();
    await launcher.close();
  }
  return summary;
}

/** A job's tasks without a result (in spec order), and the attempts recorded per task. */
interface Unfinished {
  queue: string[];
  previous: ReadonlyMap<string, number>;
}

/** Records an attempt whose worker died without writing a result. */
async function recordCrash(
  store: Store,
  spec: JobSpec,
  taskId: string,
  attempt: number,
  final: boolean,
  reason: string,
): Promise<void> {
  const keys = jobKeys(spec.id);
  const at = new Date().toISOString();
  const result: TaskResult = {
    job_id: spec.id,
    task_id: taskId,
    status: "failed",
    samples_in: 0,
    samples_out: 0,
    skipped: 0,
    failed: 0,
    failures: [{ stage: "worker", reason }],
    error: reason,
    retryable: true,
    duration_ms: 0,
    attempt,
    started_at: at,
    finished_at: at,
    outputs: [],
  };
  await (final
    ? writeJson(store, keys.task(taskId), result, { createOnly: true })
    : writeJson(store, keys.attempt(taskId, attempt), result));
  await store.delete(keys.running(taskId));
}
