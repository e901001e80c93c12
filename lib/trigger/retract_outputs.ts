/**
 * {@linkcode retractOutputs}: when a shard is deleted and its rule acts on deletions, the
 * output shards that rule's jobs made from it leave the output dataset: out of the index first,
 * then the manifest (uncommitted), then the data.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { removeFromIndex } from "../dataset/remove_from_index.ts";
import { shardStem } from "../job/plan_tasks.ts";
import { jobKeys, type JobSpec } from "../job/job_spec.ts";
import type { TriggerRule } from "./trigger_rule.ts";

async function readRecord<T>(store: Store, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * Removes the outputs that `rule` made from `shard` (every version of it: their manifests name
 * a job of this rule over this key). Returns the output shards removed. Idempotent.
 *
 * @example
 * ```ts
 * import { retractOutputs } from "./retract_outputs.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const rule = { id: "r", output: "scored" } as never;
 * const removed = await retractOutputs(new MemoryStore(), rule, "raw/shard-000001.tar");
 * if (removed.length !== 0) throw new Error();
 * ```
 */
export async function retractOutputs(
  store: Store,
  rule: Pick<TriggerRule, "id" | "output">,
  shard: string,
): Promise<string[]> {
  const name = shardStem(shard).split("/").pop()!;
  const prefix = `${rule.output}/${name}-`;
  const outputs: string[] = [];
  for await (const { key } of store.list(prefix)) {
    if (/^[0-9a-f]{8}-\d{3}\.tar$/.test(key.slice(prefix.length))) outputs.push(key);
  }
  const removed: string[] = [];
  for (const tar of outputs) {
    const stem = shardStem(tar);
    const header = await readRecord<{ provenance?: { source_job_id?: string | null } }>(
      store,
      `${stem}.manifest.json`,
    );
    const jobId = header?.provenance?.source_job_id;
    if (!jobId) continue;
    const spec = await readRecord<JobSpec>(store, jobKeys(jobId).spec);
    if (spec?.trigger?.rule !== rule.id || spec.trigger.key !== shard) continue;
    await removeFromIndex(store, tar, { dataset: rule.output });
    await store.delete(`${stem}.manifest.json`);
    await Promise.all([store.delete(`${stem}.manifest.parquet`), store.delete(tar)]);
    removed.push(tar);
  }
  return removed;
}
