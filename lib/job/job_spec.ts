/**
 * The JSON records a job leaves in the store, and where they live:
 *
 * ```
 * _jobs/<job-id>/job.json                  JobSpec (create-only)
 * _jobs/<job-id>/tasks/<task-id>.json      TaskResult, final (create-only)
 * _jobs/<job-id>/attempts/<task-id>/<n>.json  TaskResult of a failed attempt that was retried
 * _jobs/<job-id>/running/<task-id>.json    RunningMarker: claimed, with a heartbeat
 * _jobs/<job-id>/supervisor.json           SupervisorMarker: the executor's heartbeat
 * _jobs/<job-id>/cancel.json               present when the job was cancelled
 * _code/<sha256>.js                        the bundled job module
 * ```
 *
 * Every record is plain JSON (snake_case keys, like manifests), so any backend or language can
 * read and write them.
 *
 * @module
 */
import type { ProcessIds } from "../util/process_identity.ts";
import type { CompactionWarning } from "../dataset/compact_if_needed.ts";

/** One input shard as resolved at submission. */
export interface ShardRef {
  /** Store key of the shard. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Entity tag, when the store has one. */
  etag?: string;
  /** The tar's SHA-256, when its manifest records it. */
  sha256?: string;
  /** Number of samples, when its manifest records it (or planning counted them). */
  num_samples?: number;
  /** Last modification time (ms), when the store has neither etag nor manifest. */
  mtime?: number;
}

/** One input of a task: a whole shard, or samples `[start, end)` of it. */
export interface TaskInput {
  /** Store key of the shard. */
  key: string;
  /** First sample index (inclusive), for a slice. */
  start?: number;
  /** Last sample index (exclusive), for a slice. */
  end?: number;
  /** Byte offset of sample `start` in the shard: a slice reads from there. */
  offset?: number;
}

/** One unit of work: inputs and the deterministic name prefix of its output shards. */
export interface TaskSpec {
  /** `task-000042`. */
  id: string;
  /** Position in the plan. */
  index: number;
  /** The shards (or slices) this task reads, in order. */
  inputs: TaskInput[];
  /** Output shards are `<output_prefix>-000.tar`, `-001.tar`, ... (rotation). */
  output_prefix: string;
}

/** Retry and tolerance policy of a job. */
export interface JobPolicy {
  /** Attempts per task, first included. */
  max_attempts: number;
  /** Backoff before attempt n+1 is `backoff_ms * 2^(n-1)`. */
  backoff_ms: number;
  /** Fraction of tasks that may fail while the job still ends `completed_with_errors`. */
  max_failed_task_fraction: number;
  /** Heartbeat period of running tasks and of the executor; stale after 4 periods. */
  heartbeat_ms: number;
  /** Output shard rotation: samples per shard. */
  maxcount: number;
  /** Output shard rotation: payload bytes per shard. */
  maxsize: number;
  /** An attempt running longer is killed and counts as failed (retryable). */
  task_timeout_ms?: number;
  /**
   * A task compacts the output dataset's index once it holds this many fragments (`false`:
   * never). Absent in jobs planned before it was recorded: 1000, `compactIfNeeded`'s default.
   */
  compact_at?: number | false;
}

/** The job record, `_jobs/<id>/job.json`. */
export interface JobSpec {
  spec_version: 1;
  /** Deterministic id: hash of code, inputs, params, output and planning. */
  id: string;
  /** The job module as submitted (path or URL); informational. */
  module: string;
  /** The bundled code, content-addressed. */
  code: { hash: string; key: string; size: number };
  /** The input as given and the shards it resolved to. */
  input: { source: string | string[]; shards: ShardRef[] };
  /** The output dataset prefix. */
  output: string;
  /** Parameters passed to the job (JSON). */
  params: Record<string, unknown>;
  /** Task granularity used when planning. */
  granularity: { shards_per_task: number; samples_per_task?: number };
  /** The planned tasks. */
  tasks: TaskSpec[];
  /** Executor name (`"local"`, `"modal"`, ...). */
  backend: string;
  /** Requested parallelism, when given. */
  concurrency?: number;
  policy: JobPolicy;
  /** shardline version that planned the job. */
  pipeline_version: string;
  /** ISO 8601 submission time of the first submission. */
  created_at: string;
  /** Set when a trigger rule made the job from a new shard (an event or the pull path). */
  trigger?: JobTrigger;
}

/** What made a trigger job: the rule and the shard version it processes. */
export interface JobTrigger {
  /** The rule's id (`_triggers/<rule>.json`). */
  rule: string;
  /** The bucket the event named (`""` for a store without buckets). */
  bucket: string;
  /** The shard's store key. */
  key: string;
  /** The shard version: its ETag (or a size-and-mtime stamp where the store has none). */
  etag: string;
  /** What reported the shard: an R2 action (`PutObject`, ...) or `"watch"`. */
  source: string;
}

/** Where a sample or task failure happened. */
export type FailureStage = "read" | "decode" | "job" | "output" | "write" | "load" | "worker";

/** One recorded failure. */
export interface TaskFailure {
  /** Sample key, for a sample-level failure. */
  key?: string;
  /** Input shard key. */
  shard?: string;
  /** Byte offset in the input shard, when known. */
  offset?: number;
  stage: FailureStage;
  reason: string;
}

/**
 * Something that went wrong beside a task that still succeeded: its output is committed and
 * indexed, and nothing was lost, but a person may want to know (and act). So far one kind:
 * `{stage: "compact", dataset, code, message}`, the output dataset's automatic index compaction
 * failed (its fragments remain for the next one).
 */
export type TaskWarning = CompactionWarning;

/** One output shard a task committed. */
export interface TaskOutput {
  key: string;
  num_samples: number;
  size_bytes: number;
  sha256?: string;
}

/** The result of one task attempt; the final one is `_jobs/<id>/tasks/<task>.json`. */
export interface TaskResult {
  job_id: string;
  task_id: string;
  status: "ok" | "failed";
  /** Input samples read. */
  samples_in: number;
  /** Output samples written. */
  samples_out: number;
  /** Input samples the job dropped on purpose (filter false, flatMap empty, map null). */
  skipped: number;
  /** Samples that failed (decode, job, output validation); listed in `failures`. */
  failed: number;
  /** Failures, at most 100; `failures_truncated` counts the rest. */
  failures: TaskFailure[];
  failures_truncated?: number;
  /** Task-level failure reason (status `failed`). */
  error?: string;
  /** False when retrying cannot help (policy exceeded, job code broken). */
  retryable?: boolean;
  duration_ms: number;
  attempt: number;
  started_at: string;
  finished_at: string;
  outputs: TaskOutput[];
  /** The job's declared name and version, when its code loaded. */
  job?: { name: string; version: string };
  worker?: { host: string; pid: number };
  /** What went wrong beside a successful task (a failed automatic compaction); absent if none. */
  warnings?: TaskWarning[];
}

/** `_jobs/<id>/running/<task>.json`: a task claimed by a worker, with its heartbeat. */
export interface RunningMarker extends ProcessIds {
  task_id: string;
  attempt: number;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
}

/** `_jobs/<id>/supervisor.json`: the executor working on the job, with its heartbeat. */
export interface SupervisorMarker extends ProcessIds {
  backend: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: string;
  heartbeat_at: string;
  /** Set when the executor stopped (all done, or cancelled). */
  finished_at?: string;
  /** Why the executor itself failed, if it did. */
  error?: string;
  /** Set once the executor saw the job's cancel marker: it is stopping its attempts. */
  cancelling?: boolean;
  /**
   * The executor's own log (its stdout and stderr), a file on `host`, outside the store: where
   * to look when it stopped before it could record anything.
   */
  log?: string;
  /**
   * Set by the submitting process when it has started the executor, which has not written a
   * record of its own yet: `status` then counts it alive while its process lives (same host)
   * or for a minute, not by the heartbeat (a process start can take longer than 4 heartbeats).
   */
  starting?: boolean;
}

/** What tells one supervisor record from the next (the fields a start claim is named after). */
export type SupervisorRecordId = Pick<SupervisorMarker, "finished_at" | "heartbeat_at" | "pid">;

/** Store keys of one job's records. */
export interface JobKeys {
  dir: string;
  spec: string;
  tasksDir: string;
  task(taskId: string): string;
  attempt(taskId: string, attempt: number): string;
  runningDir: string;
  running(taskId: string): string;
  supervisor: string;
  cancel: string;
  /**
   * The claim to start (or resume) an executor after the one whose record this is (none: the
   * job's first start), created create-only by whoever starts it: `submit`, `retryJob`, or the
   * executor itself when its last look finds tasks a retry reset. One of them wins; a job is
   * never run by two. `generation` counts claims whose winner started nothing (it died first).
   */
  start(record: SupervisorRecordId | undefined, generation?: number): string;
}

/**
 * The store keys of job `id`'s records.
 *
 * @example
 * ```ts
 * import { jobKeys } from "./job_spec.ts";
 * if (jobKeys("j1").task("task-000000") !== "_jobs/j1/tasks/task-000000.json") throw new Error();
 * ```
 */
export function jobKeys(id: string): JobKeys {
  const dir = `_jobs/${id}`;
  return {
    dir,
    spec: `${dir}/job.json`,
    tasksDir: `${dir}/tasks/`,
    task: (t) => `${dir}/tasks/${t}.json`,
    attempt: (t, n) => `${dir}/attempts/${t}/${n}.json`,
    runningDir: `${dir}/running/`,
    running: (t) => `${dir}/running/${t}.json`,
    supervisor: `${dir}/supervisor.json`,
    cancel: `${dir}/cancel.json`,
    start: (r, generation = 0) => {
      const after = r ? `${Date.parse(r.finished_at ?? r.heartbeat_at) || 0}-${r.pid}` : "none";
      return `${dir}/starts/${after}-${generation}.json`;
    },
  };
}

/** Store key of bundled job code with this SHA-256. */
export function codeKey(hash: string): string {
  return `_code/${hash}.js`;
}
