/**
 * The output shards of one task: `<output_prefix>-000.tar` and its manifests, `-001.tar`, ...
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { removeFromIndex } from "../dataset/remove_from_index.ts";
import type { TaskSpec } from "./job_spec.ts";

/** The key of part `part` of a task's output. */
export function partKey(task: TaskSpec, part: number): string {
  return `${task.output_prefix}-${String(part).padStart(3, "0")}.tar`;
}

/**
 * Deletes a task's output objects except those in `keep` (keys of shards and their manifest
 * files). The shards leave the dataset index first, then their manifest JSON files go, so that
 * no shard stays committed or indexed without its data.
 */
export async function removeTaskOutputs(
  store: Store,
  task: TaskSpec,
  keep: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const prefix = `${task.output_prefix}-`;
  const stale: string[] = [];
  for await (const info of store.list(prefix)) {
    const rest = info.key.slice(prefix.length);
    if (!/^\d{3}\./.test(rest) || keep.has(info.key)) continue;
    stale.push(info.key);
  }
  const dataset = task.output_prefix.slice(0, Math.max(0, task.output_prefix.lastIndexOf("/")));
  const first = stale.filter((k) => k.endsWith(".manifest.json"));
  for (const key of stale.filter((k) => k.endsWith(".tar"))) {
    await removeFromIndex(store, key, { dataset });
  }
  const then = stale.filter((k) => !k.endsWith(".manifest.json"));
  for (const key of first) await store.delete(key);
  await Promise.all(then.map((key) => store.delete(key)));
  return stale;
}
