/**
 * Executors: {@linkcode submit} hands a job to a backend chosen by name from a table
 * ({@linkcode registerExecutor}); `"local"` (the default, {@linkcode LocalExecutor}) runs the
 * tasks in a pool of `deno` worker processes under a detached supervisor, so the work goes on
 * after the submitting notebook cell, script or process has exited. `"modal"`
 * ({@linkcode ModalExecutor}) spawns the supervisor function `modal/app.py` deploys; each task
 * container runs {@linkcode taskCommand}, as the local `launcher: "processes"` option does.
 * `submit({ backend: "http" })` posts the job to a dispatcher instead (`lib/server/`).
 *
 * ```ts ignore
 * import { openStore } from "../store/mod.ts";
 * import { submit } from "./mod.ts";
 * const store = await openStore("./data");
 * const job = await submit(store, {
 *   input: "raw/shard-{000000..000007}.tar",
 *   output: "scored",
 *   job: "/tmp/scratch/score_job.ts",
 *   params: { threshold: 0.5 },
 *   concurrency: 4,
 * });
 * console.log(job.id, job.created, job.started);
 * const res = await job.awaitResults({ timeout: 10 * 60_000 });
 * ```
 *
 * Everything is recorded in the store: `_jobs/<id>/job.json`, one result per task, retried
 * attempts, running markers with heartbeats, the supervisor's heartbeat, a cancel marker.
 * {@linkcode retryJob} reruns failed tasks only.
 *
 * Every executor process (any backend) starts with {@linkcode executorEnv}: an allow-listed
 * environment plus the store options in their own variable, so that job code never sees the
 * submitting shell's credentials.
 *
 * @module
 */
export { submit, type SubmitOptions } from "./submit.ts";
export {
  type JobRequest,
  type JobRequestOptions,
  PIPELINE_VERSION,
  startJob,
  type StartJobOptions,
} from "./start_job.ts";
export {
  jobPolicy,
  type JobPolicyOptions,
  launchJob,
  type LaunchJobOptions,
} from "./launch_job.ts";
export { retryJob, type RetryJobOptions, type RetryResult } from "./retry_job.ts";
export {
  type Executor,
  executorNames,
  type ExecutorStartOptions,
  getExecutor,
  registerExecutor,
} from "./executor.ts";
export {
  allowedExecutorVar,
  EXECUTOR_ENV_ALLOW,
  executorEnv,
  type ExecutorEnvOptions,
} from "./executor_env.ts";
export { drainInProcessJobs, LocalExecutor, type LocalExecutorOptions } from "./local_executor.ts";
export {
  ModalExecutor,
  type ModalExecutorInit,
  type ModalExecutorOptions,
  type SupervisorRequest,
} from "./modal_executor.ts";
export { ProcessLauncher, type ProcessLauncherOptions } from "./process_launcher.ts";
export {
  type CommandOptions,
  modalSupervisorCommand,
  SHARDLINE_ROOT,
  taskCommand,
} from "./task_command.ts";
export {
  superviseJob,
  type SuperviseJobOptions,
  type SuperviseSummary,
  type TaskLauncher,
  type TaskOutcome,
  type TaskRequest,
} from "./supervisor.ts";
