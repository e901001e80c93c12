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
import type { Job } from "../job/job.ts";
import { JobError } from "../job/job_error.ts";
import { codeKey } from "../job/job_spec.ts";
import { planTasks, resolveInput } from "../job/plan_tasks.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256.ts";
import { getExecutor } from "./executor.ts";
import { jobPolicy, type JobPolicyOptions, launchJob } from "./launch_job.ts";

/** shardline's version, recorded in job specs. */
export const PIPELINE_VERSION = "0.1.0";

/**
 * What a job is, apart from its code: the fields a client may send over HTTP (`POST /jobs`
 * takes exactly these plus `code`). Plain JSON: no credentials, no backend settings.
 */
export interface JobRequestOptions extends JobPolicyOptions {
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
  getExecutor(backend); // an unknown backend fails before anything is read or written
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
  const policy = jobPolicy(options);
  const id = "j-" + sha256Hex(canonicalJson({
    code: options.code.hash,
    input: shards.map(({ key, size, etag, sha256, mtime }) => ({ key, size, etag, sha256, mtime })),
    output,
    params,
    granularity,
    maxcount: policy.maxcount,
    maxsize: policy.maxsize,
  })).slice(0, 20);
  return await launchJob(store, {
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
    policy,
    pipeline_version: PIPELINE_VERSION,
    created_at: new Date().toISOString(),
  }, {
    concurrency: options.concurrency,
    storeOptions: options.storeOptions,
    backendOptions: options.backendOptions,
  });
}
