/**
 * {@linkcode startOnce}: starts an executor for a job unless another caller, looking at the same
 * supervisor record at the same moment, already does (two submits of one job at once, a retry
 * beside a resubmit, a retry beside the supervisor's own last look).
 *
 * @module
 */
import { hostname } from "node:os";
import type { Store } from "../store/store.ts";
import { jobKeys, type JobSpec, type SupervisorMarker } from "../job/job_spec.ts";
import { readJson, writeJson } from "../job/_json.ts";

/** How long a claim's winner has to show its executor (a record of its own) before others start one. */
export const START_CLAIM_MS = 10_000;

type Record = Pick<SupervisorMarker, "finished_at" | "heartbeat_at" | "pid">;

/**
 * Claims the start after `record` (the supervisor record the caller decided on; undefined when
 * the job has none) and runs `start` if the claim is this caller's: resolves true. Otherwise it
 * waits for the winner's executor to write a record and resolves false; a winner that shows none
 * within {@linkcode START_CLAIM_MS} of its claim (it died, or its backend started nothing) loses
 * its turn to the next claim. A winner whose `start` throws gives its claim back.
 */
export async function startOnce(
  store: Store,
  spec: JobSpec,
  record: Record | undefined,
  start: () => Promise<void>,
): Promise<boolean> {
  const keys = jobKeys(spec.id);
  for (let generation = 0;; generation++) {
    const key = keys.start(record, generation);
    if (await writeJson(store, key, startClaim(), { createOnly: true })) {
      try {
        await start();
      } catch (err) {
        await store.delete(key).catch(() => {});
        throw err;
      }
      return true;
    }
    const theirs = await readJson<{ at?: string }>(store, key);
    const end = (Date.parse(theirs?.at ?? "") || 0) + START_CLAIM_MS;
    for (;;) {
      if (changed(record, await readJson<SupervisorMarker>(store, keys.supervisor))) return false;
      if (Date.now() >= end) break;
      const pause = Math.min(100, spec.policy.heartbeat_ms, end - Date.now());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** What a start claim records: when, and who. The time is what other claimants wait by. */
export function startClaim(): { at: string; host: string; pid: number } {
  return { at: new Date().toISOString(), host: hostname(), pid: Deno.pid };
}

/** Whether the supervisor record is no longer the one the start was decided on. */
function changed(before: Record | undefined, now: Record | undefined): boolean {
  if (!now) return false;
  return !before || now.pid !== before.pid || now.heartbeat_at !== before.heartbeat_at ||
    now.finished_at !== before.finished_at;
}
