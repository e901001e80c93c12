/**
 * Sweeping the temp files that interrupted writes leave in stores that have them (a
 * {@linkcode LocalStore} puts through `.<name>.<hex>.tmp` files, which a killed process leaves
 * behind). Other stores have nothing to sweep. Sweeping is best effort: it never fails a job.
 *
 * @module
 */
import process from "node:process";
import type { LocalStore } from "../store/local_store.ts";
import type { Store } from "../store/store.ts";
import { indexPrefix } from "../manifest/manifest_keys.ts";
import { jobKeys, type JobSpec, type TaskSpec } from "./job_spec.ts";

type Sweepable = Pick<LocalStore, "sweepTemp">;

function sweeper(store: Store): Sweepable | undefined {
  const s = store as Partial<Sweepable>;
  return typeof s.sweepTemp === "function" ? (s as Sweepable) : undefined;
}

/**
 * The key prefixes an attempt of `task` writes under: its output parts and their manifests,
 * their dataset-index entries, its running marker, result and attempt records.
 */
export function taskPrefixes(spec: JobSpec, task: TaskSpec): string[] {
  const keys = jobKeys(spec.id);
  const slash = task.output_prefix.lastIndexOf("/");
  const dataset = slash < 0 ? "" : task.output_prefix.slice(0, slash);
  const stem = task.output_prefix.slice(slash + 1);
  return [
    `${task.output_prefix}-`,
    `${indexPrefix(dataset)}shards/${stem}-`,
    `${indexPrefix(dataset)}removed/${stem}-`,
    keys.running(task.id),
    keys.task(task.id),
    `${keys.dir}/attempts/${task.id}/`,
  ];
}

/**
 * Removes the temp files an attempt of `task` may have left. `olderThanMs: 0` when its writer
 * is known to be dead (its worker crashed); else the store's default age keeps live puts.
 */
export async function sweepTaskTemp(
  store: Store,
  spec: JobSpec,
  task: TaskSpec,
  olderThanMs?: number,
): Promise<string[]> {
  const s = sweeper(store);
  if (!s) return [];
  const removed: string[] = [];
  for (const prefix of taskPrefixes(spec, task)) {
    removed.push(...await s.sweepTemp(prefix, { olderThanMs }).catch(() => []));
  }
  return removed;
}

/**
 * Removes stale temp files (older than the store's default age, so that live puts of other
 * processes stay) from the job's output dataset and its records.
 */
export async function sweepJobTemp(store: Store, spec: JobSpec): Promise<string[]> {
  const s = sweeper(store);
  if (!s) return [];
  const removed: string[] = [];
  for (const prefix of [spec.output ? `${spec.output}/` : "", `${jobKeys(spec.id).dir}/`]) {
    removed.push(...await s.sweepTemp(prefix).catch(() => []));
  }
  return removed;
}

/**
 * Whether process `pid` of this host is alive. A process we may not signal counts as alive; a
 * zombie (killed, not yet reaped: an orphan can stay one for a second or more) does not.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: string }).code !== "ESRCH";
  }
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`); // Linux: "pid (name) S ..."
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return true; // no /proc (macOS): signalable means alive
  }
}
