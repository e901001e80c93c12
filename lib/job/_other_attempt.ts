/**
 * {@linkcode awaitOtherAttempt}: before an attempt of a task starts, another one may still be
 * running it: a worker whose supervisor was killed goes on with its task (and records its result)
 * while a resubmission's supervisor takes over at once. The new attempt waits for it rather than
 * running the task a second time beside it (private).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { jobKeys, type JobSpec, type RunningMarker, type TaskResult } from "./job_spec.ts";
import { readJson } from "./job_records.ts";
import { processGone } from "../util/process_identity.ts";

/** What {@linkcode awaitOtherAttempt} found. */
export interface OtherAttempt {
  /** The task's result, when the other attempt recorded one. */
  result?: TaskResult;
  /** True when the other attempt's process is known dead: its half-written files are garbage. */
  gone: boolean;
}

/**
 * Waits while the running marker of task `taskId` names another process that is alive: one of
 * this host that is not gone (see `lib/util/process_identity.ts`), or one elsewhere whose heartbeat is
 * fresh (younger than 4 heartbeats). Ends when the other attempt ends (its marker removed, its
 * result written), dies, goes stale, or `signal` aborts.
 */
export async function awaitOtherAttempt(
  store: Store,
  spec: JobSpec,
  taskId: string,
  self: { host: string; pid: number },
  signal?: AbortSignal,
): Promise<OtherAttempt> {
  const keys = jobKeys(spec.id);
  const staleMs = spec.policy.heartbeat_ms * 4;
  // The caller read the result before: it is read again only once another attempt was seen
  // (it writes its result, then removes its marker).
  const ended = async (gone: boolean): Promise<OtherAttempt> => {
    const result = await readJson<TaskResult>(store, keys.task(taskId));
    return result ? { result, gone } : { gone };
  };
  for (let seen = false;; seen = true) {
    const other = await readJson<RunningMarker>(store, keys.running(taskId));
    if (!other || (other.host === self.host && other.pid === self.pid)) {
      return seen ? await ended(false) : { gone: false };
    }
    if (processGone(other)) return await ended(true);
    if (Date.now() - Date.parse(other.heartbeat_at) >= staleMs || signal?.aborted) {
      return await ended(false);
    }
    await new Promise((r) => setTimeout(r, Math.min(100, spec.policy.heartbeat_ms)));
  }
}
