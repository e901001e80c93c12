/**
 * {@linkcode listShards}: a dataset's shards as a listing finds them, committed (with a
 * `.manifest.json`) or not.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { datasetPrefix, indexPrefix } from "../manifest/manifest_keys.ts";

/** A dataset's shards as a listing finds them. */
export interface ShardListing {
  /** Shard keys that have a `.manifest.json` (committed). */
  manifests: string[];
  /** Shard keys of tars without a manifest (not committed). */
  uncommitted: string[];
  /** Keys of `.manifest.parquet` files. */
  parquets: Set<string>;
}

/**
 * Lists a dataset's shards, skipping `_`-prefixed folders (`_index/`, `_jobs/`, ...). A manifest's
 * shard is its `.tar`, or `.tar.gz` when that is what exists beside it.
 *
 * @example
 * ```ts
 * import { listShards } from "./list_shards.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("ds/a.tar", new Uint8Array(1024));
 * await store.put("ds/b.tar", new Uint8Array(1024));
 * await store.put("ds/a.manifest.json", "{}");
 * const { manifests, uncommitted } = await listShards(store, "ds");
 * if (manifests.join() !== "ds/a.tar" || uncommitted.join() !== "ds/b.tar") throw new Error();
 * ```
 */
export async function listShards(store: Store, dataset: string): Promise<ShardListing> {
  const prefix = datasetPrefix(dataset);
  const skip = indexPrefix(dataset);
  const jsons: string[] = [];
  const tars = new Set<string>();
  const parquets = new Set<string>();
  for await (const { key } of store.list(prefix)) {
    if (
      key.startsWith(skip) || key.slice(prefix.length).split("/").some((p) => p.startsWith("_"))
    ) continue;
    if (key.endsWith(".manifest.json")) jsons.push(key);
    else if (key.endsWith(".manifest.parquet")) parquets.add(key);
    else if (/\.tar(\.gz)?$/.test(key)) tars.add(key);
  }
  const manifests = jsons.map((json) => {
    const base = json.slice(0, -".manifest.json".length);
    return tars.has(`${base}.tar.gz`) && !tars.has(`${base}.tar`)
      ? `${base}.tar.gz`
      : `${base}.tar`;
  });
  const committed = new Set(manifests);
  return { manifests, uncommitted: [...tars].filter((t) => !committed.has(t)).sort(), parquets };
}
