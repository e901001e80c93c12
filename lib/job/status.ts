/**
 * {@linkcode status}: where a job stands, read from the store alone (any backend, any process).
 *
 * @module
 */
import { displayable } from "../display/mod.ts";
import type { Store } from "../store/store.ts";
import { JobError } from "./job_error.ts";
import type { FailureSummary } from "./job_error.ts";
import {
  jobKeys,
  type JobSpec,
  type RunningMarker,
  type SupervisorMarker,
  type TaskOutput,
  type TaskResult,
  type TaskWarning,
} from "./job_spec.ts";
import { listNames, readJson } from "./job_records.ts";
import { mapLimit } from "../util/map_limit.ts";
import { readLogTail } from "./_log_tail.ts";
import { processGone } from "../util/process_identity.ts";

/**
 * The state of a job. `stalled`: unfinished, and its executor stopped sending heartbeats
 * (resubmit to resume).
 */
export type JobState =
  | "pending"
  | "running"
  | "stalled"
  | "cancelled"
  | "completed"
  | "completed_with_errors"
  | "failed";

/** Final states: nothing more will happen without a retry. */
export const FINAL_STATES: readonly JobState[] = [
  "completed",
  "completed_with_errors",
  "failed",
  "cancelled",
];

/** One task as {@linkcode status} sees it. */
export interface TaskState {
  id: string;
  state: "pending" | "running" | "ok" | "failed";
  /** The final result, when there is one. */
  result?: TaskResult;
  /** The running marker, when the task is claimed. */
  running?: RunningMarker;
}

/** What {@linkcode status} returns. */
export interface JobStatus {
  id: string;
  state: JobState;
  output: string;
  module: string;
  backend: string;
  created_at: string;
  /** The job's declared name and version, once a task has loaded its code. */
  job?: { name: string; version: string };
  tasks: { total: number; ok: number; failed: number; running: number; pending: number };
  samples: { in: number; out: number; skipped: number; failed: number };
  /** Input samples per second since the first task started. */
  samples_per_second?: number;
  /** Estimated seconds to finish, from the task completion rate. */
  eta_seconds?: number;
  elapsed_ms?: number;
  /** Task-level failures first, then sample failures; at most 50. */
  failures: FailureSummary[];
  /**
   * What went wrong beside tasks that succeeded (a failed automatic compaction of the output
   * index: its dataset, error code and message), with the task; at most 50. Absent when none.
   */
  warnings?: (TaskWarning & { task: string })[];
  /** Output shards of the tasks that succeeded, by key. */
  outputs: TaskOutput[];
  /** Per-task detail. */
  task_states: TaskState[];
  supervisor?: SupervisorMarker & { alive: boolean };
  /** Why a `stalled` job stalled, with its executor's log (the last lines when readable). */
  stalled?: StalledInfo;
}

/** What is known about a stalled job's executor. */
export interface StalledInfo {
  /** `the local executor stopped` (and the error it recorded, if any). */
  reason: string;
  /** The executor's log file (on `supervisor.host`). */
  log?: string;
  /** Its last lines, when this process can read it. */
  log_tail?: string[];
}

/** Options for {@linkcode status}. */
export interface StatusOptions {
  /** The job spec, if already read. @default read from the store */
  spec?: JobSpec;
  /** Current time in ms (tests). @default Date.now() */
  now?: number;
  /**
   * Task results already read: final results never change (a retry deletes them first), so a
   * poller passes the same map to every call and reads each result once.
   */
  cache?: Map<string, TaskResult>;
}

/**
 * Reads a job's state, task counts, sample counts, rate, ETA and failures from the store.
 *
 * @example
 * ```ts ignore
 * import { status } from "./status.ts";
 * const s = await status(store, jobId);
 * console.log(s.state, `${s.tasks.ok}/${s.tasks.total}`, s.failures);
 * ```
 */
export async function status(
  store: Store,
  jobId: string,
  options: StatusOptions = {},
): Promise<JobStatus> {
  const keys = jobKeys(jobId);
  const spec = options.spec ?? await readJson<JobSpec>(store, keys.spec);
  if (!spec) throw new JobError("not_found", `No job "${jobId}" in store ${store.url}`, { jobId });
  const now = options.now ?? Date.now();
  const cache = options.cache ?? new Map<string, TaskResult>();
  const staleMs = spec.policy.heartbeat_ms * 4;

  // The executor's record first: one that says it finished was written after every result it
  // waited for, so the listing below sees them (read together, a fast job's last result could
  // be missed beside its executor's final record, and the job look stalled).
  const supervisor = await readJson<SupervisorMarker>(store, keys.supervisor);
  const [resultKeys, runningKeys, cancelled] = await Promise.all([
    listNames(store, keys.tasksDir),
    listNames(store, keys.runningDir),
    store.head(keys.cancel).then((h) => h !== undefined),
  ]);
  const toRead = spec.tasks.filter((t) => resultKeys.has(t.id) && !cache.has(t.id));
  await mapLimit(toRead, 16, async (t) => {
    const r = await readJson<TaskResult>(store, keys.task(t.id));
    if (r) cache.set(t.id, r);
  });
  for (const id of [...cache.keys()]) if (!resultKeys.has(id)) cache.delete(id);
  const runningTasks = spec.tasks.filter((t) => runningKeys.has(t.id) && !cache.has(t.id));
  const markers = await mapLimit(
    runningTasks,
    16,
    (t) => readJson<RunningMarker>(store, keys.running(t.id)),
  );

  const states: TaskState[] = [];
  const byId = new Map(runningTasks.map((t, i) => [t.id, markers[i]]));
  const counts = { total: spec.tasks.length, ok: 0, failed: 0, running: 0, pending: 0 };
  const samples = { in: 0, out: 0, skipped: 0, failed: 0 };
  const taskFailures: FailureSummary[] = [];
  const sampleFailures: FailureSummary[] = [];
  const warnings: (TaskWarning & { task: string })[] = [];
  const outputs: TaskOutput[] = [];
  let first = Infinity;
  let jobInfo: JobStatus["job"];
  for (const t of spec.tasks) {
    const result = cache.get(t.id);
    const marker = byId.get(t.id);
    if (result) {
      counts[result.status]++;
      samples.in += result.samples_in;
      samples.out += result.samples_out;
      samples.skipped += result.skipped;
      samples.failed += result.failed;
      first = Math.min(first, Date.parse(result.started_at));
      jobInfo ??= result.job;
      if (result.status === "ok") outputs.push(...result.outputs);
      else taskFailures.push({ task: t.id, reason: result.error ?? "failed" });
      for (const w of result.warnings ?? []) {
        if (warnings.length < 50) warnings.push({ task: t.id, ...w });
      }
      for (const f of result.failures) {
        if (sampleFailures.length < 50) {
          sampleFailures.push({ task: t.id, key: f.key, reason: `${f.stage}: ${f.reason}` });
        }
      }
      states.push({ id: t.id, state: result.status, result });
    } else if (marker && now - Date.parse(marker.heartbeat_at) < staleMs && !processGone(marker)) {
      counts.running++;
      first = Math.min(first, Date.parse(marker.started_at));
      states.push({ id: t.id, state: "running", running: marker });
    } else {
      counts.pending++;
      states.push({ id: t.id, state: "pending" });
    }
  }
  outputs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // A process of this host that is gone is dead at once, whatever its last heartbeat says.
  const alive = supervisor !== undefined && supervisor.finished_at === undefined &&
    !processGone(supervisor) &&
    (now - Date.parse(supervisor.heartbeat_at) < staleMs || startingUp(supervisor, now));
  const finished = counts.ok + counts.failed === counts.total;
  const state = jobState(spec, counts, samples.failed, { finished, cancelled, alive, supervisor });

  const stalled = state === "stalled" && supervisor ? await stalledInfo(supervisor) : undefined;
  const elapsed = Number.isFinite(first) ? Math.max(1, now - first) : undefined;
  const doneTasks = counts.ok + counts.failed;
  return displayable("job_status", {
    id: spec.id,
    state,
    output: spec.output,
    module: spec.module,
    backend: spec.backend,
    created_at: spec.created_at,
    job: jobInfo,
    tasks: counts,
    samples,
    elapsed_ms: elapsed,
    samples_per_second: elapsed ? samples.in / (elapsed / 1000) : undefined,
    eta_seconds: elapsed && doneTasks > 0 && !finished
      ? ((counts.total - doneTasks) * elapsed) / doneTasks / 1000
      : undefined,
    failures: [...taskFailures, ...sampleFailures].slice(0, 50),
    ...(warnings.length > 0 && { warnings }),
    outputs,
    task_states: states,
    supervisor: supervisor ? { ...supervisor, alive } : undefined,
    ...(stalled && { stalled }),
  });
}

/** Longest a started executor may take to write its first record. */
const STARTUP_GRACE_MS = 60_000;

/** An executor started by a submit that has not recorded itself yet, and may still do so. */
function startingUp(m: SupervisorMarker, now: number): boolean {
  return m.starting === true && now - Date.parse(m.started_at) < STARTUP_GRACE_MS;
}

async function stalledInfo(m: SupervisorMarker): Promise<StalledInfo> {
  const reason = `the ${m.backend} executor stopped${m.error ? `: ${m.error}` : ""}`;
  if (!m.log) return { reason };
  const tail = await readLogTail(m.log, m.host);
  return { reason, log: m.log, ...(tail && { log_tail: tail }) };
}

function jobState(
  spec: JobSpec,
  counts: JobStatus["tasks"],
  failedSamples: number,
  s: { finished: boolean; cancelled: boolean; alive: boolean; supervisor?: SupervisorMarker },
): JobState {
  if (s.finished) {
    if (counts.failed === 0) return failedSamples > 0 ? "completed_with_errors" : "completed";
    return counts.failed / counts.total <= spec.policy.max_failed_task_fraction
      ? "completed_with_errors"
      : "failed";
  }
  if (s.cancelled) return "cancelled";
  if (counts.running > 0 || s.alive) return "running";
  if (s.supervisor) return "stalled";
  return "pending";
}
