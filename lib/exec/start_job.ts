/**
 * {@linkcode startJob}: the half of {@linkcode submit} that runs where the store is: given job
 * code already stored under `_code/<sha256>.js`, it resolves the input, plans the tasks, records
 * the job and starts an executor unless one runs it. `submit()` calls it after bundling; the
 * dispatcher (`POST /jobs`) calls it for a client that stored its bundle first.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { Job } from "../job/job.ts";
import { JobError } from "../job/job_error.ts";
import { codeKey, jobKeys, type JobSpec } from "../job/job_spec.ts";
import { planTasks, resolveInput } from "../job/plan_tasks.ts";
import { status } from "../job/status.ts";
import { readJson, writeJson } from "../job/job_records.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256.ts";
import { getExecutor } from "./executor.ts";
import { afterCancelling, startOnce } from "./_start_once.ts";
import "./local_executor.ts";
import "./modal_executor.ts";

/** shardline's version, recorded in job specs. */
export const PIPELINE_VERSION = "0.1.0";

/**
 * What a job is, apart from its code: the fields a client may send over HTTP (`POST /jobs`
 * takes exactly these plus `code`). Plain JSON: no credentials, no backend settings.
 */
export interface JobRequestOptions {
  /** Input: a dataset prefix, a shard key, a brace pattern, or a list of those. */
  input: string | string[];
  /** Output dataset prefix. */
  output: string;
  /** Params for the job (JSON), overriding its declared defaults. @default {} */
  params?: Record<string, unknown>;
  /** Tasks in flight at once. @default the backend's (local: one per core) */
  concurrency?: number;
  /** Whole shards per task. @default 1 */
  shardsPerTask?: number;
  /** Split shards with more samples than this into slices. @default undefined (no split) */
  samplesPerTask?: number;
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
}

/** The body of `POST /jobs`: a job request naming stored code by its SHA-256. */
export interface JobRequest extends JobRequestOptions {
  /** The bundle, stored at `_code/<hash>.js` (`submit()` stores it before it posts). */
  code: { hash: string };
  /** The job module as the client named it; informational. @default "" */
  module?: string;
}

/** Options for {@linkcode startJob}: a job request plus where and how it runs. */
export interface StartJobOptions extends JobRequest {
  /** Executor name. @default "local" */
  backend?: string;
  /** How executor processes open the store (S3 endpoint, credentials). @default {} */
  storeOptions?: OpenStoreOptions;
  /** Backend-specific options (local: `LocalExecutorOptions`). */
  backendOptions?: Record<string, unknown>;
}

/**
 * Records the job (create-only: the same request twice is the same job) and starts an executor
 * for its unfinished tasks unless one is alive; returns at once. Throws {@linkcode JobError}
 * `"not_found"` when no code is stored under `code.hash`.
 *
 * @example
 * ```ts ignore
 * import { startJob } from "./start_job.ts";
 * const job = await startJob(store, { code: { hash }, input: "raw", output: "scored" });
 * ```
 */
export async function startJob(store: Store, options: StartJobOptions): Promise<Job> {
  const backend = options.backend ?? "local";
  const executor = getExecutor(backend);
  const key = codeKey(options.code.hash);
  const stored = await store.head(key);
  if (!stored) {
    throw new JobError("not_found", `No job code "${key}" in store ${store.url}`);
  }
  const shards = await resolveInput(store, options.input);
  const output = options.output.replace(/^\/+|\/+$/g, "");
  const granularity = {
    shards_per_task: options.shardsPerTask ?? 1,
    ...(options.samplesPerTask !== undefined && { samples_per_task: options.samplesPerTask }),
  };
  const tasks = await planTasks(store, shards, output, {
    shardsPerTask: granularity.shards_per_task,
    samplesPerTask: granularity.samples_per_task,
  });
  const params = options.params ?? {};
  const maxcount = options.maxcount ?? 100_000;
  const maxsize = options.maxsize ?? 3e9;
  const id = "j-" + sha256Hex(canonicalJson({
    code: options.code.hash,
    input: shards.map(({ key, size, etag, sha256, mtime }) => ({ key, size, etag, sha256, mtime })),
    output,
    params,
    granularity,
    maxcount,
    maxsize,
  })).slice(0, 20);
  const keys = jobKeys(id);

  let spec = await readJson<JobSpec>(store, keys.spec);
  // Created by this call only if its create-only write won (two calls can both find none).
  let created = false;
  if (!spec) {
    const fresh: JobSpec = {
      spec_version: 1,
      id,
      module: options.module ?? "",
      code: { hash: options.code.hash, key, size: stored.size },
      input: { source: options.input, shards },
      output,
      params,
      granularity,
      tasks,
      backend,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      policy: {
        max_attempts: options.maxAttempts ?? 3,
        backoff_ms: options.backoffMs ?? 500,
        max_failed_task_fraction: options.maxFailedTaskFraction ?? 0,
        heartbeat_ms: options.heartbeatMs ?? 2000,
        maxcount,
        maxsize,
        ...(options.taskTimeoutMs !== undefined && { task_timeout_ms: options.taskTimeoutMs }),
      },
      pipeline_version: PIPELINE_VERSION,
      created_at: new Date().toISOString(),
    };
    created = await writeJson(store, keys.spec, fresh, { createOnly: true });
    spec = created ? fresh : (await readJson<JobSpec>(store, keys.spec))!;
  }

  let s = await status(store, id, { spec });
  if (s.state === "cancelled" || s.supervisor?.cancelling) {
    await store.delete(keys.cancel);
    // Resubmitted while its supervisor still stops for the cancel: that one runs nothing more.
    s = await afterCancelling(store, spec, s);
  }
  // Two submits of the job at once (or one beside a retry) start one executor between them.
  const started =
    !(s.state === "completed" || s.state === "completed_with_errors" || s.state === "failed") &&
    !s.supervisor?.alive &&
    await startOnce(store, spec, s.supervisor, () =>
      executor.start(store, spec!, {
        concurrency: options.concurrency,
        storeOptions: options.storeOptions,
        backendOptions: options.backendOptions,
      }));
  return new Job(store, spec, { created, started });
}
