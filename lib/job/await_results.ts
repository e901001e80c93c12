/**
 * {@linkcode awaitResults}: waits for a job to finish, reading only the store, and resolves to
 * its output dataset or rejects with a {@linkcode JobError} that summarizes what failed.
 *
 * @module
 */
import { displayable } from "../display/mod.ts";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { JobError } from "./job_error.ts";
import { jobKeys, type JobSpec, type TaskOutput, type TaskResult } from "./job_spec.ts";
import { listNames, readJson } from "./job_records.ts";
import { type JobStatus, status } from "./status.ts";

/** Options for {@linkcode awaitResults}. */
export interface AwaitResultsOptions {
  /** Give up after this many ms, rejecting with code `"timeout"`. @default Infinity */
  timeout?: number;
  /** Called with every status read (draw a progress bar with it). */
  onProgress?: (status: JobStatus) => void;
  /**
   * Polling period in ms; the first polls are quicker. A poll that finds no new task result
   * only lists the job's results; the whole status is read when one appears, and at least
   * every 500 ms (to notice a stalled executor, a cancel, progress). @default 500
   */
  pollMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** What a finished job produced. */
export interface JobResults {
  id: string;
  state: "completed" | "completed_with_errors";
  /** The output dataset prefix. */
  output: string;
  /** Committed output shards. */
  shards: TaskOutput[];
  samples: JobStatus["samples"];
  tasks: JobStatus["tasks"];
  /** Failed samples and tasks the policy tolerated. */
  failures: JobStatus["failures"];
  /** The last status read. */
  status: JobStatus;
}

/**
 * Polls a job's records until it reaches a final state. Resolves for `completed` and
 * `completed_with_errors`; rejects with a {@linkcode JobError} whose code is `"failed"`,
 * `"cancelled"`, `"stalled"` (its executor died; resubmit to resume) or `"timeout"`.
 *
 * @example
 * ```ts ignore
 * import { awaitResults } from "./await_results.ts";
 * const res = await awaitResults(store, job.id, { timeout: 60_000 });
 * console.log(res.state, res.samples.out, res.shards.length);
 * ```
 */
export async function awaitResults(
  store: Store,
  job: string | { id: string; spec?: JobSpec },
  options: AwaitResultsOptions = {},
): Promise<JobResults> {
  const jobId = typeof job === "string" ? job : job.id;
  const timeout = options.timeout ?? Infinity;
  const pollMs = options.pollMs ?? 500;
  const start = Date.now();
  const cache = new Map<string, TaskResult>();
  let delay = Math.min(50, pollMs);
  // The spec never changes (it is written create-only): read it once, not on every poll.
  let spec = typeof job === "string" ? undefined : job.spec;
  let results = -1;
  let read = 0;
  let last: JobStatus | undefined;
  let failures = 0;
  let stalled = false;
  for (;;) {
    options.signal?.throwIfAborted();
    let s: JobStatus | undefined;
    try {
      spec ??= await readJson<JobSpec>(store, jobKeys(jobId).spec);
      // Between full reads, a poll that finds no new task result only lists the results.
      if (
        Date.now() - read >= FULL_STATUS_MS ||
        (await listNames(store, jobKeys(jobId).tasksDir)).size !== results
      ) {
        read = Date.now();
        s = last = await status(store, jobId, { cache, spec });
        results = s.tasks.ok + s.tasks.failed; // the results it read
      }
      failures = 0;
    } catch (err) {
      // A store that cannot be read for a moment (a dropped connection) is read again at the
      // next poll; one that keeps failing fails the wait.
      if (!(err instanceof StoreError && err.code === "io") || ++failures > MAX_READ_FAILURES) {
        throw err;
      }
    }
    if (s) {
      options.onProgress?.(s);
      if (s.state === "completed" || s.state === "completed_with_errors") {
        return displayable("job_results", {
          id: s.id,
          state: s.state,
          output: s.output,
          shards: s.outputs,
          samples: s.samples,
          tasks: s.tasks,
          failures: s.failures,
          status: s,
        });
      }
      // Stalled twice in a row, a poll apart: a supervisor that said it finished and resumes
      // for tasks a retry reset looks stalled in between.
      const stalledBefore = stalled;
      stalled = s.state === "stalled";
      if (
        s.state === "failed" || s.state === "cancelled" || (s.state === "stalled" && stalledBefore)
      ) {
        throw new JobError(s.state, summarize(s), { jobId, failures: s.failures });
      }
    }
    const left = timeout - (Date.now() - start);
    if (left <= 0) {
      const counts = last
        ? ` (${last.state}: ${last.tasks.ok} ok, ${last.tasks.failed} failed, ` +
          `${last.tasks.running} running, ${last.tasks.pending} pending)`
        : "";
      throw new JobError(
        "timeout",
        `Job "${jobId}" did not finish within ${timeout} ms${counts}`,
        { jobId, failures: last?.failures ?? [] },
      );
    }
    await sleep(Math.min(delay, left), options.signal);
    delay = Math.min(pollMs, delay * 2);
  }
}

/** Store reads that may fail in a row (transient errors) before `awaitResults` gives up. */
const MAX_READ_FAILURES = 5;

/** Longest time between two full status reads of {@linkcode awaitResults}. */
const FULL_STATUS_MS = 500;

/** One message naming the job, its state and the first failures. */
export function summarize(s: JobStatus): string {
  const head = s.state === "failed"
    ? `Job "${s.id}" failed: ${s.tasks.failed} of ${s.tasks.total} tasks failed`
    : s.state === "cancelled"
    ? `Job "${s.id}" was cancelled (${s.tasks.ok} of ${s.tasks.total} tasks done)`
    : s.state === "stalled"
    ? `Job "${s.id}" stalled: ${s.stalled?.reason ?? `the ${s.backend} executor stopped`} ` +
      `(${s.tasks.pending} tasks pending)${s.stalled?.log ? `; see ${s.stalled.log}` : ""}; ` +
      `resubmit to resume` +
      (s.stalled?.log_tail?.length
        ? `\n  last lines of the log:\n${s.stalled.log_tail.map((l) => `    ${l}`).join("\n")}`
        : "")
    : `Job "${s.id}" is ${s.state}`;
  const samples = s.samples.failed ? `, ${s.samples.failed} samples failed` : "";
  const lines = s.failures.slice(0, 5).map((f) =>
    `  ${f.task}${f.key ? ` [${f.key}]` : ""}: ${f.reason}`
  );
  const more = s.failures.length > 5 ? `\n  ... and ${s.failures.length - 5} more` : "";
  return `${head}${samples}${lines.length ? ":\n" + lines.join("\n") : ""}${more}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
