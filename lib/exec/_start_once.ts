/**
 * {@linkcode startOnce}: starts an executor for a job unless another caller, looking at the same
 * supervisor record at the same moment, already does (two submits of one job at once, a retry
 * beside a resubmit, a retry beside the supervisor's own last look).
 *
 * @module
 */
import { hostname } from "node:os";
import type { Store } from "../store/store.ts";
import {
  jobKeys,
  type JobSpec,
  type SupervisorMarker,
  type SupervisorRecordId,
} from "../job/job_spec.ts";
import { readJson, writeJson } from "../job/job_records.ts";
import { type JobStatus, status } from "../job/status.ts";
import { processGone, type ProcessIds, processIds } from "../util/process_identity.ts";

/** How long a claim's winner has to show its executor (a record of its own) before others start one. */
export const START_CLAIM_MS = 10_000;

/** A start claim: when and who (`runs_here`: the claimant runs the job itself, a supervisor). */
interface StartClaim extends ProcessIds {
  at: string;
  host: string;
  pid: number;
  runs_here?: boolean;
}

/**
 * Claims the start after `record` (the supervisor record the caller decided on; undefined when
 * the job has none) and runs `start` if the claim is this caller's: resolves true. Otherwise it
 * waits for the winner's executor to write a record and resolves false. A winner that shows none
 * within {@linkcode START_CLAIM_MS} of its claim (it died, or its backend started nothing) loses
 * its turn to the next claim (so a backend should write the record before `start` resolves, as
 * the local one does); a supervisor that claimed to run the job itself and is gone (a process of
 * this host: see `lib/util/process_identity.ts`) loses it at once. The claim's age is the store's: its
 * last-modified time against that of a probe written now (so another host's clock cannot
 * stretch or cut the wait); where the store keeps no times, the wait is counted from the moment
 * this caller first saw the claim, on its own monotonic clock. A winner whose `start` throws
 * gives its claim back, and a waiting caller takes it at once.
 */
export async function startOnce(
  store: Store,
  spec: JobSpec,
  record: SupervisorRecordId | undefined,
  start: () => Promise<void>,
): Promise<boolean> {
  const keys = jobKeys(spec.id);
  for (let generation = 0;; generation++) {
    const key = keys.start(record, generation);
    if (await claimStart(store, spec.id, record, generation)) {
      try {
        await start();
      } catch (err) {
        await store.delete(key).catch(() => {});
        throw err;
      }
      return true;
    }
    const theirs = await readJson<StartClaim>(store, key);
    const end = performance.now() + START_CLAIM_MS - await claimAge(store, spec.id, key);
    for (;;) {
      if (changed(record, await readJson<SupervisorMarker>(store, keys.supervisor))) return false;
      // Given back (its start failed): this generation is free again.
      if (!(await store.head(key))) {
        generation--;
        break;
      }
      if (performance.now() >= end) break;
      if (theirs?.runs_here && processGone(theirs)) break;
      const pause = Math.min(100, spec.policy.heartbeat_ms, end - performance.now());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * How old the claim at `key` is by the store's clock (ms; 0 when the store keeps no times): its
 * last-modified time against that of a probe object written now.
 */
async function claimAge(store: Store, jobId: string, key: string): Promise<number> {
  try {
    const probe = `${jobKeys(jobId).dir}/clock.json`;
    await writeJson(store, probe, { at: new Date().toISOString() });
    const [claim, now] = await Promise.all([store.head(key), store.head(probe)]);
    const age = (now?.lastModified?.getTime() ?? NaN) - (claim?.lastModified?.getTime() ?? NaN);
    return Number.isFinite(age) ? Math.max(0, age) : 0;
  } catch {
    return 0;
  }
}

/** Heartbeats to wait at most for a cancelled supervisor to end (its attempts are killed). */
const STOP_WAIT_HEARTBEATS = 15;

/**
 * The job's status, once a supervisor that is stopping for a cancel has ended (at most 15
 * heartbeats): it runs nothing more, so a start decided while it still counts as alive would be
 * no start at all.
 */
export async function afterCancelling(
  store: Store,
  spec: JobSpec,
  s: JobStatus,
): Promise<JobStatus> {
  if (!(s.supervisor?.alive && s.supervisor.cancelling)) return s;
  const end = Date.now() + STOP_WAIT_HEARTBEATS * spec.policy.heartbeat_ms;
  for (;;) {
    await new Promise((r) => setTimeout(r, Math.min(100, spec.policy.heartbeat_ms)));
    s = await status(store, spec.id, { spec });
    if (!s.supervisor?.alive || Date.now() >= end) return s;
  }
}

/**
 * Creates the claim to start job `jobId` after `record` (create-only): resolves to whether this
 * caller has it. The claim says when and who (`runsHere`: the caller runs the job itself, and
 * others may take over at once when it is gone).
 */
export function claimStart(
  store: Store,
  jobId: string,
  record: SupervisorRecordId | undefined,
  generation = 0,
  options: { runsHere?: boolean } = {},
): Promise<boolean> {
  const claim: StartClaim = {
    at: new Date().toISOString(),
    host: hostname(),
    pid: Deno.pid,
    ...processIds(),
    ...(options.runsHere && { runs_here: true }),
  };
  return writeJson(store, jobKeys(jobId).start(record, generation), claim, { createOnly: true });
}

/** Whether the supervisor record is no longer the one the start was decided on. */
function changed(
  before: SupervisorRecordId | undefined,
  now: SupervisorRecordId | undefined,
): boolean {
  if (!now) return false;
  return !before || now.pid !== before.pid || now.heartbeat_at !== before.heartbeat_at ||
    now.finished_at !== before.finished_at;
}
