/**
 * {@linkcode JobError}: what went wrong with a job, as a stable code plus the job and task it
 * concerns.
 *
 * @module
 */

/** Codes of {@linkcode JobError}. */
export type JobErrorCode =
  /** The job definition is malformed (no `map`/`flatMap`/`filter`/`shard`, bad schema, ...). */
  | "invalid_job"
  /** The submitted input resolved to no shards or could not be read. */
  | "invalid_input"
  /** `deno bundle` could not bundle the job module. */
  | "bundle_failed"
  /** The job code could not be loaded (import threw, no `defineJob` default export). */
  | "load_failed"
  /** No job with that id in the store. */
  | "not_found"
  /** The named backend is not registered. */
  | "unknown_backend"
  /** The backend could not start an executor for the job. */
  | "executor_failed"
  /** The job ended `failed`. */
  | "failed"
  /** `awaitResults` gave up waiting. */
  | "timeout"
  /** The job was cancelled. */
  | "cancelled"
  /** The job stopped making progress: its executor is gone (resubmit to resume). */
  | "stalled";

/** A failure that a {@linkcode JobError} summarizes: one task or one sample. */
export interface FailureSummary {
  /** The task id. */
  task: string;
  /** The sample key, for a sample-level failure. */
  key?: string;
  /** Why it failed. */
  reason: string;
}

/**
 * A job-level error: names the job and, when there is one, the task; `failures` summarizes the
 * task and sample failures recorded in the store.
 *
 * @example
 * ```ts
 * import { JobError } from "./job_error.ts";
 * const err = new JobError("timeout", 'Job "j-1" did not finish within 10 ms', { jobId: "j-1" });
 * if (err.code !== "timeout" || err.jobId !== "j-1") throw new Error("unexpected");
 * ```
 */
export class JobError extends Error {
  override readonly name = "JobError";
  /** What went wrong, as a stable code. */
  readonly code: JobErrorCode;
  /** The job concerned, when known. */
  readonly jobId?: string;
  /** The task concerned, when there is one. */
  readonly task?: string;
  /** Task and sample failures, at most a few dozen. */
  readonly failures: FailureSummary[];

  constructor(
    code: JobErrorCode,
    message: string,
    options: { jobId?: string; task?: string; failures?: FailureSummary[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.jobId = options.jobId;
    this.task = options.task;
    this.failures = options.failures ?? [];
  }
}
