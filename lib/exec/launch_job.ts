/**
 * {@linkcode launchJob}: records a planned job in the store and starts its executor; the last
 * step of `startJob` (and so of `submit`), shared with the jobs that trigger rules make.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { Job } from "../job/job.ts";
import { jobKeys, type JobPolicy, type JobSpec } from "../job/job_spec.ts";
import { status } from "../job/status.ts";
import { readJson, writeJson } from "../job/job_records.ts";
import { COMPACT_THRESHOLD } from "../dataset/compact_if_needed.ts";
import { getExecutor } from "./executor.ts";
import { afterCancelling, startOnce } from "./_start_once.ts";
import "./local_executor.ts";
import "./modal_executor.ts";

/** The retry and tolerance settings of a job, as `submit` takes them. */
export interface JobPolicyOptions {
  /** Attempts per task. @default 3 */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubling after. @default 500 */
  backoffMs?: number;
  /** Fraction of tasks that may fail with the job still `completed_with_errors`. @default 0 */
  maxFailedTaskFraction?: number;
  /** Heartbeat period of tasks and executor (stale after 4). @default 2000 */
  heartbeatMs?: number;
  /** Kill an attempt that runs longer (it fails, and is retried). @default undefined (none) */
  taskTimeoutMs?: number;
  /** Output shard rotation: samples per shard. @default 100000 */
  maxcount?: number;
  /** Output shard rotation: payload bytes per shard. @default 3e9 */
  maxsize?: number;
  /**
   * Tasks compact the output dataset's index once it holds this many fragments (the task that
   * sees it, after committing its shards); `false`: never (`index compact` by hand). A failed
   * compaction fails no task: it is recorded as a warning in the task's result and the job's
   * status. @default 1000
   */
  compactAt?: number | false;
}

/**
 * A job's policy record with the defaults applied (the one place they are).
 *
 * @example
 * ```ts
 * import { jobPolicy } from "./launch_job.ts";
 * const p = jobPolicy({ maxAttempts: 5 });
 * if (p.max_attempts !== 5 || p.backoff_ms !== 500 || p.maxcount !== 100_000) throw new Error();
 * if (p.compact_at !== 1000 || jobPolicy({ compactAt: false }).compact_at !== false) throw new Error();
 * ```
 */
export function jobPolicy(options: JobPolicyOptions = {}): JobPolicy {
  return {
    max_attempts: options.maxAttempts ?? 3,
    backoff_ms: options.backoffMs ?? 500,
    max_failed_task_fraction: options.maxFailedTaskFraction ?? 0,
    heartbeat_ms: options.heartbeatMs ?? 2000,
    maxcount: options.maxcount ?? 100_000,
    maxsize: options.maxsize ?? 3e9,
    ...(options.taskTimeoutMs !== undefined && { task_timeout_ms: options.taskTimeoutMs }),
    compact_at: options.compactAt ?? COMPACT_THRESHOLD,
  };
}

/** Options for {@linkcode launchJob}. */
export interface LaunchJobOptions {
  /** Tasks in flight at once. @default the backend's (local: one per core) */
  concurrency?: number;
  /** How executor processes open the store (S3 endpoint, credentials). @default {} */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific options (local: `LocalExecutorOptions`). */
  backendOptions?: Record<string, unknown>;
}

/**
 * Records `spec` (its code already stored at `spec.code.key`) at `_jobs/<id>/job.json` unless a job with that id is recorded already (then
 * the recorded one is used: create-only, the first record wins), and starts the executor named
 * by `spec.backend` unless the job is finished or has a live one. A cancelled job is resumed.
 * Returns at once.
 *
 * @example
 * ```ts ignore
 * import { launchJob } from "./launch_job.ts";
 * const job = await launchJob(store, spec); // spec.code.key already in the store
 * console.log(job.id, job.created, job.started);
 * ```
 */
export async function launchJob(
  store: Store,
  spec: JobSpec,
  options: LaunchJobOptions = {},
): Promise<Job> {
  const executor = getExecutor(spec.backend);
  const keys = jobKeys(spec.id);
  let recorded = await readJson<JobSpec>(store, keys.spec);
  // Created by this call only if its create-only write won (two calls can both find none).
  let created = false;
  if (!recorded) {
    created = await writeJson(store, keys.spec, spec, { createOnly: true });
    recorded = created ? spec : (await readJson<JobSpec>(store, keys.spec))!;
  }
  const final = recorded;
  let s = await status(store, final.id, { spec: final });
  if (s.state === "cancelled" || s.supervisor?.cancelling) {
    await store.delete(keys.cancel);
    // Resubmitted while its supervisor still stops for the cancel: that one runs nothing more.
    s = await afterCancelling(store, final, s);
  }
  // Two submits of the job at once (or one beside a retry) start one executor between them.
  const started =
    !(s.state === "completed" || s.state === "completed_with_errors" || s.state === "failed") &&
    !s.supervisor?.alive &&
    await startOnce(store, final, s.supervisor, () =>
      executor.start(store, final, {
        concurrency: options.concurrency,
        storeOptions: options.storeOptions,
        backendOptions: options.backendOptions,
      }));
  return new Job(store, final, { created, started });
}
