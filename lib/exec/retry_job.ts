/**
 * {@linkcode retryJob}: reruns the failed tasks of a job (only those) and resumes a cancelled
 * or stalled one.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { Job } from "../job/job.ts";
import { JobError } from "../job/job_error.ts";
import { jobKeys, type JobSpec, type TaskResult } from "../job/job_spec.ts";
import { status } from "../job/status.ts";
import { readJson, writeJson } from "../job/job_records.ts";
import { type ExecutorStartOptions, getExecutor } from "./executor.ts";
import { afterCancelling, startOnce } from "./_start_once.ts";
import "./local_executor.ts";
import "./modal_executor.ts";

/** Options for {@linkcode retryJob}. */
export interface RetryJobOptions extends ExecutorStartOptions {
  /** Run on this backend instead of the job's. @default the job's backend */
  backend?: string;
}

/** What {@linkcode retryJob} did. */
export interface RetryResult {
  job: Job;
  /** Tasks whose failed results were moved aside to be run again. */
  retried: string[];
  /** True when an executor was started. */
  started: boolean;
}

/**
 * Moves each failed task result to `_jobs/<id>/attempts/<task>/<n>.json`, clears a cancel
 * marker and starts an executor for the unfinished tasks, unless one is alive (it runs them
 * before it ends). An executor stopping for a cancel is waited for first. Tasks that succeeded
 * are not touched.
 *
 * @example
 * ```ts ignore
 * import { retryJob } from "./retry_job.ts";
 * const { retried } = await retryJob(store, jobId);
 * ```
 */
export async function retryJob(
  store: Store,
  jobId: string,
  options: RetryJobOptions = {},
): Promise<RetryResult> {
  const keys = jobKeys(jobId);
  const spec = await readJson<JobSpec>(store, keys.spec);
  if (!spec) throw new JobError("not_found", `No job "${jobId}" in store ${store.url}`, { jobId });
  const executor = getExecutor(options.backend ?? spec.backend);
  const before = await status(store, jobId, { spec });
  const retried: string[] = [];
  for (const t of before.task_states) {
    if (t.state !== "failed" || !t.result) continue;
    await writeJson(store, keys.attempt(t.id, t.result.attempt), t.result satisfies TaskResult);
    await store.delete(keys.task(t.id));
    retried.push(t.id);
  }
  await store.delete(keys.cancel);
  // A supervisor stopping for a cancel runs nothing more: wait for it to end, then start one.
  const after = await afterCancelling(store, spec, await status(store, jobId, { spec }));
  const unfinished = after.tasks.ok + after.tasks.failed < after.tasks.total;
  // A live supervisor runs the reset tasks itself before it ends. One that said it finished may
  // still be taking its last look: it, this call and any submit race for the start claim.
  const record = after.supervisor;
  const started = unfinished && !record?.alive &&
    await startOnce(store, spec, record, () => executor.start(store, spec, options));
  return { job: new Job(store, spec, { started }), retried, started };
}
