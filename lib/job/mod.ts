/**
 * Jobs: a job is a module that default-exports {@linkcode defineJob}; the task runner is the
 * one piece of code every backend runs; {@linkcode status} and {@linkcode awaitResults} read
 * only the store, so they work for any backend and from any process.
 *
 * A job module, anywhere on disk (it may import npm packages):
 *
 * ```ts ignore
 * import { defineJob, defineSchema, f } from "shardline"; // or a path to mod.ts
 * const Raw = defineSchema({ name: "Raw", version: "1.0.0", fields: { text: f.str() } });
 * const Scored = defineSchema({
 *   name: "Scored", version: "1.0.0", fields: { text: f.str(), score: f.float() },
 * });
 * export default defineJob({
 *   name: "score", version: "1.0.0", input: Raw, output: Scored,
 *   params: { scale: 1 },
 *   onError: "skip", // bad samples are recorded, not fatal
 *   map: (s, ctx) => ({ text: s.text, score: s.text.length * ctx.params.scale }),
 * });
 * ```
 *
 * Submitting it (see `lib/exec`), then waiting:
 *
 * ```ts ignore
 * const job = await submit(store, { input: "raw", output: "scored", job: "./score.ts" });
 * const res = await awaitResults(store, job.id, { onProgress: (s) => console.error(s.state) });
 * console.log(res.state, res.samples, res.shards.length);
 * ```
 *
 * The store layout of a job is documented in {@link ./job_spec.ts}.
 *
 * @module
 */
export {
  defineJob,
  isJobDefinition,
  JOB_BRAND,
  type JobContext,
  type JobDefinition,
  type JobFunctions,
  type JobInit,
  type JobInitBase,
  type JobKind,
  type JobSafeParseResult,
  type JobSchema,
  type OnErrorPolicy,
  type OutputSample,
  type Sample,
  type SampleFailure,
  type SchemaValue,
  type TaskIO,
  type TaskRun,
} from "./define_job.ts";
export { type FailureSummary, JobError, type JobErrorCode } from "./job_error.ts";
export {
  codeKey,
  type FailureStage,
  type JobKeys,
  jobKeys,
  type JobPolicy,
  type JobSpec,
  type JobTrigger,
  type RunningMarker,
  type ShardRef,
  type SupervisorMarker,
  type SupervisorRecordId,
  type TaskFailure,
  type TaskInput,
  type TaskOutput,
  type TaskResult,
  type TaskSpec,
} from "./job_spec.ts";
export { type BundledJob, bundleJob, type BundleJobOptions } from "./bundle_job.ts";
export { planTasks, type PlanTasksOptions, resolveInput, shardStem } from "./plan_tasks.ts";
export { loadJob, type LoadJobOptions } from "./load_job.ts";
export { runTask, type RunTaskOptions, type TaskRef } from "./task_runner.ts";
export {
  FINAL_STATES,
  type JobState,
  type JobStatus,
  type StalledInfo,
  status,
  type StatusOptions,
  type TaskState,
} from "./status.ts";
export {
  awaitResults,
  type AwaitResultsOptions,
  type JobResults,
  summarize,
} from "./await_results.ts";
export { cancelJob, type CancelJobOptions } from "./cancel_job.ts";
export { type JobListing, listJobs } from "./list_jobs.ts";
export { Job } from "./job.ts";
