/**
 * Fixtures of the trigger tests: a store with the jobs tests' Items, an R2 event builder, the
 * outputs of a dataset, and job options that leave no process behind.
 *
 * @module
 */
import type { Store } from "../../lib/store/store.ts";
import { scanSamples } from "../../lib/shard/scan_samples.ts";

/** Backend options: the local supervisor exits when its job is done (no warm agent left). */
export const NO_AGENT = { backendOptions: { keepAliveMs: 0 }, heartbeatMs: 200 };

/** An R2 event notification for a key of the store (bucket "data" unless named). */
export function event(
  key: string,
  action = "PutObject",
  bucket = "data",
): { account: string; action: string; bucket: string; object: { key: string }; eventTime: string } {
  return { account: "acc", action, bucket, object: { key }, eventTime: "2026-12-07T04:00:00Z" };
}

/** The `.tar` keys under `prefix/` (committed or not), sorted. */
export async function tarsUnder(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list(`${prefix}/`)) {
    if (key.endsWith(".tar") && !key.slice(prefix.length + 1).startsWith("_")) keys.push(key);
  }
  return keys.sort();
}

/** The number of samples in a stored shard, counted by reading it. */
export async function countSamples(store: Store, key: string): Promise<number> {
  let n = 0;
  for await (const _ of scanSamples(await store.getStream(key), { url: key })) n++;
  return n;
}
