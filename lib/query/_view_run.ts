/**
 * A view's copy as a job on an executor (private to the query room): the plan goes to the store
 * (one task file per output shard, `_views/_plans/<job-id>/<task-id>.json`), the view job module
 * (`_view_job.ts`) is bundled and stored like any job's code, and the job is recorded and started
 * with `launchJob`, the way `submit` starts one. Its id is a hash of the view and of what shapes
 * its output (dataset, shard bounds), so asking again finds it: running, it is waited for;
 * cancelled or stalled, resumed; failed, its failed tasks are run again.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { awaitResults } from "../job/await_results.ts";
import { bundleJob } from "../job/bundle_job.ts";
import type { Job } from "../job/job.ts";
import { JobError } from "../job/job_error.ts";
import { readJson } from "../job/job_records.ts";
import {
  codeKey,
  jobKeys,
  type JobSpec,
  type ShardRef,
  type TaskOutput,
  type TaskSpec,
} from "../job/job_spec.ts";
import { type JobStatus, status as jobStatus } from "../job/status.ts";
import { jobPolicy, launchJob, PIPELINE_VERSION, retryJob } from "../exec/mod.ts";
import { canonicalJson, mapLimit, sha256Hex } from "../util/mod.ts";
import { QueryError } from "./query_error.ts";
import { encodeViewRows, type ViewJobParams, viewPlanPrefix, type ViewRow } from "./_view_plan.ts";
import type { ManifestSchema } from "../manifest/mod.ts";
import type { ViewJobOptions } from "./materialize.ts";

/** A view to copy as a job. */
export interface ViewJobPlan {
  dataset: string;
  hash: string;
  output: string;
  schema: ManifestSchema;
  /** The rows of each output shard, in order. */
  groups: ViewRow[][];
  /** The shards the query read. */
  parents: ShardRef[];
  maxcount: number;
  maxsize: number;
}

const viewModule = new URL("./_view_job.ts", import.meta.url);

/** The id of the job copying view `hash` into `output` with these shard bounds. */
export function viewJobId(hash: string, output: string, maxcount: number, maxsize: number): string {
  return "j-" + sha256Hex(canonicalJson({ view: hash, output, maxcount, maxsize })).slice(0, 20);
}

/** The recorded job `id`, if any. */
export function findViewJob(store: Store, id: string): Promise<JobSpec | undefined> {
  return readJson<JobSpec>(store, jobKeys(id).spec);
}

/** Stores the plan and the code, records the job and starts an executor; returns at once. */
export async function startViewJob(
  store: Store,
  plan: ViewJobPlan,
  options: ViewJobOptions = {},
): Promise<Job> {
  const { hash, output, maxcount, maxsize } = plan;
  const id = viewJobId(hash, output, maxcount, maxsize);
  const bundled = await bundleJob(viewModule);
  const code = codeKey(bundled.hash);
  if (!(await store.head(code))) {
    await store.put(code, bundled.code, { contentType: "text/javascript" });
  }
  const prefix = viewPlanPrefix(id);
  const tasks: TaskSpec[] = plan.groups.map((rows, index) => {
    const n = String(index).padStart(6, "0");
    const inputs = [...new Set(rows.map((r) => r.shard))].map((key) => ({ key }));
    return { id: `task-${n}`, index, inputs, output_prefix: `${output}/shard-${n}` };
  });
  // The same view, output and bounds give the same rows (the scan's order is total): a file
  // written again by a second call holds what the first wrote.
  await mapLimit(
    tasks,
    16,
    (task) =>
      store.put(`${prefix}${task.id}.json`, encodeViewRows(plan.groups[task.index]!), {
        contentType: "application/json",
      }),
  );
  const params: ViewJobParams = {
    view: hash,
    plan: prefix,
    schema: plan.schema,
    samples: plan.groups.reduce((n, g) => n + g.length, 0),
  };
  const spec: JobSpec = {
    spec_version: 1,
    id,
    module: `materialize ${plan.dataset} (view ${hash})`,
    code: { hash: bundled.hash, key: code, size: bundled.code.byteLength },
    input: { source: plan.dataset, shards: plan.parents },
    output,
    params: params as unknown as Record<string, unknown>,
    granularity: { shards_per_task: 1, samples_per_task: maxcount },
    tasks,
    backend: options.backend ?? "local",
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    policy: jobPolicy({ maxcount, maxsize }),
    pipeline_version: PIPELINE_VERSION,
    created_at: new Date().toISOString(),
  };
  return await launchJob(store, spec, options);
}

/**
 * Takes up the recorded view job `spec`: a failed one gets its failed tasks run again, a
 * cancelled or stalled one is resumed, a running or finished one is left as it is.
 */
export async function resumeViewJob(
  store: Store,
  spec: JobSpec,
  options: ViewJobOptions = {},
): Promise<Job> {
  const s = await jobStatus(store, spec.id, { spec });
  if (s.state === "failed" || s.state === "completed_with_errors") {
    return (await retryJob(store, spec.id, options)).job;
  }
  return await launchJob(store, spec, options);
}

/**
 * Waits for the view job and resolves to its output shards, in order; a job that fails, is
 * cancelled or stalls is a {@linkcode QueryError} `job_failed` naming it, with the shard and key
 * of its first failure.
 */
export async function awaitViewJob(
  store: Store,
  job: Job,
  hash: string,
  onProgress?: (status: JobStatus) => void,
): Promise<TaskOutput[]> {
  let reason: string | undefined;
  try {
    const res = await awaitResults(store, job, { onProgress });
    if (res.state === "completed") {
      return [...res.shards].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    reason = `Job "${job.id}" completed with errors`;
  } catch (err) {
    if (!(err instanceof JobError) || err.code === "not_found") throw err;
    reason = err.message;
  }
  const s = await jobStatus(store, job.id, { spec: job.spec });
  const first = s.task_states.find((t) => t.state === "failed")?.result?.failures[0];
  throw new QueryError(
    "job_failed",
    `Cannot materialize view ${hash}: ${reason}\n(no view was recorded; materialize again ` +
      `to take the job up again: its failed tasks run again, a cancelled or stalled job resumes)`,
    { job: job.id, shard: first?.shard, key: first?.key },
  );
}

/** Removes the task files of view job `id` (the view is recorded: they are not needed again). */
export async function removeViewPlan(store: Store, id: string): Promise<void> {
  const keys: string[] = [];
  for await (const info of store.list(viewPlanPrefix(id))) keys.push(info.key);
  await mapLimit(keys, 16, (key) => store.delete(key));
}
