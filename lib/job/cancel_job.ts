/**
 * {@linkcode cancelJob}: asks a job's executor to stop, by writing a marker in the store.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { JobError } from "./job_error.ts";
import { jobKeys } from "./job_spec.ts";
import { writeJson } from "./job_records.ts";

/** Options for {@linkcode cancelJob}. */
export interface CancelJobOptions {
  /** Recorded in the marker. @default "cancelled" */
  reason?: string;
}

/**
 * Cancels a job: writes `_jobs/<id>/cancel.json`. Executors stop dispatching tasks and stop the
 * running ones; finished tasks and their outputs stay. {@linkcode retryJob} or a resubmission
 * clears the marker.
 *
 * @example
 * ```ts ignore
 * import { cancelJob } from "./cancel_job.ts";
 * await cancelJob(store, jobId, { reason: "wrong params" });
 * ```
 */
export async function cancelJob(
  store: Store,
  jobId: string,
  options: CancelJobOptions = {},
): Promise<void> {
  const keys = jobKeys(jobId);
  if (!(await store.head(keys.spec))) {
    throw new JobError("not_found", `No job "${jobId}" in store ${store.url}`, { jobId });
  }
  await writeJson(store, keys.cancel, {
    reason: options.reason ?? "cancelled",
    cancelled_at: new Date().toISOString(),
  });
}
