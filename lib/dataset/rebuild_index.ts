/**
 * {@linkcode rebuildIndex}: rebuilds a dataset's index from the shard manifests themselves
 * (`deno task cli index rebuild <dataset>`), e.g. after manifests were written by atdata or
 * copied in, or when the index was lost.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { commitGeneration, type CompactIndexResult } from "./compact_index.ts";
import { listIndex } from "./_index_io.ts";
import { readManifest } from "../manifest/read_manifest.ts";
import { mapLimit } from "../util/map_limit.ts";
import { listShards } from "./list_shards.ts";
import { shardName } from "../manifest/manifest_keys.ts";

/** Options for {@linkcode rebuildIndex}. */
export interface RebuildIndexOptions {
  /** Objects read at once. @default 16 */
  concurrency?: number;
  /** Folder for DuckDB's temp files. @default a private temp folder */
  tempDir?: string;
}

/**
 * Lists the dataset's `*.manifest.json` (outside `_`-prefixed folders), reads every header and
 * writes them as a new compacted generation: the index then holds exactly the committed shards.
 * Fragments listed before the manifests are removed (their shards are included).
 *
 * @example
 * ```ts
 * import { rebuildIndex } from "./rebuild_index.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("ds/a.manifest.json", JSON.stringify({ shard_id: "ds/a", num_samples: 3, aggregates: {} }));
 * const result = await rebuildIndex(store, "ds");
 * if (result.shards !== 1) throw new Error("unexpected");
 * ```
 */
export async function rebuildIndex(
  store: Store,
  dataset: string,
  options: RebuildIndexOptions = {},
): Promise<CompactIndexResult> {
  // Fragments first: any fragment listed here has its manifest written before it.
  const listing = await listIndex(store, dataset);
  const { manifests } = await listShards(store, dataset);
  const limit = options.concurrency ?? 16;
  const entries = await mapLimit(manifests, limit, async (shard) => {
    const { header } = await readManifest(store, shard, { rows: false });
    return { name: shardName(dataset, shard), shard, header };
  });
  return await commitGeneration(store, dataset, listing, entries, options);
}
