/**
 * Store keys of a shard's manifest objects and of a dataset's index.
 *
 * ```
 * <dataset>/<name>.tar                       the shard
 * <dataset>/<name>.manifest.parquet          per-sample rows
 * <dataset>/<name>.manifest.json             header + aggregates: commits the shard
 * <dataset>/_index/shards/<name>.json        index fragment, one per committed shard
 * <dataset>/_index/removed/<name>.json       tombstone of a shard taken out of the index
 * <dataset>/_index/compacted-<gen>.parquet   compacted index generations
 * ```
 *
 * @module
 */

/** The keys beside shard `X.tar` (or `X.tar.gz`, or any `X`). */
export interface ShardKeys {
  shard: string;
  /** `X`: the shard key without `.tar` / `.tar.gz` (atdata's `shard_id`). */
  base: string;
  json: string;
  parquet: string;
}

/** Keys of the manifest objects of a shard. */
export function shardKeys(shard: string): ShardKeys {
  const base = shard.replace(/\.tar(\.gz)?$/, "");
  return { shard, base, json: `${base}.manifest.json`, parquet: `${base}.manifest.parquet` };
}

/** The shard key of a `.manifest.json` key, given how the tar is named (`.tar` by default). */
export function shardOfManifest(jsonKey: string, ext = ".tar"): string {
  return jsonKey.replace(/\.manifest\.json$/, ext);
}

/** The folder of a key (`"a/b/c.tar"` -> `"a/b"`, `"c.tar"` -> `""`). */
export function dirname(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash === -1 ? "" : key.slice(0, slash);
}

/** `prefix/` for a non-empty dataset, `""` for the store root. */
export function datasetPrefix(dataset: string): string {
  const d = dataset.replace(/^\/+|\/+$/g, "");
  return d ? `${d}/` : "";
}

/** The index folder of a dataset. */
export function indexPrefix(dataset: string): string {
  return `${datasetPrefix(dataset)}_index/`;
}

function indexItemKey(dataset: string, shard: string, folder: "shards" | "removed"): string {
  const prefix = datasetPrefix(dataset);
  const rel = shard.startsWith(prefix) ? shard.slice(prefix.length) : shard;
  return `${indexPrefix(dataset)}${folder}/${shardKeys(rel).base}.json`;
}

/** The index fragment key of a shard within a dataset. */
export function fragmentKey(dataset: string, shard: string): string {
  return indexItemKey(dataset, shard, "shards");
}

/** The tombstone key of a shard within a dataset. */
export function tombstoneKey(dataset: string, shard: string): string {
  return indexItemKey(dataset, shard, "removed");
}

/** The key of compacted index generation `gen`. */
export function compactedKey(dataset: string, gen: number): string {
  return `${indexPrefix(dataset)}compacted-${String(gen).padStart(8, "0")}.parquet`;
}

/** The generation of a compacted index key, or undefined when the key is not one. */
export function compactedGeneration(dataset: string, key: string): number | undefined {
  const m = /^compacted-(\d{8,})\.parquet$/.exec(key.slice(indexPrefix(dataset).length));
  return m ? Number(m[1]) : undefined;
}
