/**
 * Store keys of a shard's manifest objects and of a dataset's index.
 *
 * Nothing stored holds a store-root key: a header names its Parquet file relative to the
 * manifest's folder, the index names shards relative to the dataset. So a dataset can be copied
 * or moved (another folder, bucket or prefix), or opened from any ancestor as the store root,
 * and its manifests and index still resolve.
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
  /** The Parquet file's name without its folder: what the header records (`X.manifest.parquet`). */
  parquetName: string;
}

/** Keys of the manifest objects of a shard. */
export function shardKeys(shard: string): ShardKeys {
  const base = shard.replace(/\.tar(\.gz)?$/, "");
  const parquet = `${base}.manifest.parquet`;
  return { shard, base, json: `${base}.manifest.json`, parquet, parquetName: basename(parquet) };
}

/**
 * The store key of a shard's Parquet layer: the name its header records (`recorded`), resolved
 * against the manifest's folder. A recorded name holding a `/` (a store-root key, written before
 * names were relative) or none at all means the sibling `X.manifest.parquet`.
 */
export function parquetKeyOf(shard: string, recorded?: string): string {
  const keys = shardKeys(shard);
  if (!recorded || recorded.includes("/")) return keys.parquet;
  const dir = dirname(keys.json);
  return dir ? `${dir}/${recorded}` : recorded;
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

/** The last path segment of a key (`"a/b/c.tar"` -> `"c.tar"`). */
export function basename(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
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

/**
 * A shard's key relative to its dataset (`"ds/shard-000001.tar"` in `"ds"` ->
 * `"shard-000001.tar"`): the name the index stores. Throws a `RangeError` when the shard lies
 * outside the dataset's folder.
 */
export function shardName(dataset: string, shard: string): string {
  const prefix = datasetPrefix(dataset);
  if (!shard.startsWith(prefix) || shard.length === prefix.length) {
    throw new RangeError(`Shard "${shard}" is not inside dataset "${dataset}"`);
  }
  return shard.slice(prefix.length);
}

/** The store key of shard `name` of a dataset (the inverse of {@linkcode shardName}). */
export function shardKeyIn(dataset: string, name: string): string {
  return `${datasetPrefix(dataset)}${name}`;
}

/**
 * The shard name of an index fragment or tombstone whose stored entry predates relative names
 * (it holds a store-root key, `stored`): the item's own key names it (`_index/shards/X.json`),
 * the stored key gives the extension (`.tar`, `.tar.gz`).
 */
export function nameOfIndexItem(dataset: string, itemKey: string, stored: string): string {
  const rel = itemKey.slice(indexPrefix(dataset).length).replace(/^(shards|removed)\//, "");
  return rel.replace(/\.json$/, "") + (/\.tar(\.gz)?$/.exec(stored)?.[0] ?? "");
}

function indexItemKey(dataset: string, shard: string, folder: "shards" | "removed"): string {
  return `${indexPrefix(dataset)}${folder}/${shardKeys(shardName(dataset, shard)).base}.json`;
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
