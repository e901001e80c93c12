/**
 * The key index behind `getSample`: per shard, the smallest and largest `__key__` and a bloom
 * filter of all its keys, stored as one JSON object at `<dataset>/_keys/index.json` (inside the
 * dataset: it moves with it). Each entry records the version of the Parquet manifest it was
 * computed from, so an entry whose shard changed, or a shard without an entry, is (re)computed
 * from that shard's manifest alone and the object rewritten (a derived cache: a concurrent
 * writer's version is as valid; a read-only store just skips the write).
 *
 * @module
 */
import { BloomFilter, type BloomFilterJson } from "../manifest/mod.ts";
import type { Store } from "../store/mod.ts";
import { cacheParquet } from "./_manifest_cache.ts";
import type { Plan } from "./_plan.ts";
import { withSandbox } from "./_sandbox.ts";

/** One shard's keys. */
export interface KeyIndexEntry {
  /** The version of the Parquet manifest the entry was computed from. */
  sha: string;
  min: string;
  max: string;
  count: number;
  bloom: BloomFilterJson;
}

/** The stored key index. */
export interface KeyIndex {
  version: 1;
  shards: Record<string, KeyIndexEntry>;
}

/** Store key of a dataset's key index. */
export function keyIndexKey(dataset: string): string {
  return `${dataset}/_keys/index.json`;
}

/** What bringing the key index up to date cost. */
export interface KeyIndexUpdate {
  index: KeyIndex;
  /** Shards whose entries were computed now. */
  computed: number;
  /** Bytes of the stored key index. */
  bytes: number;
}

/** Reads the key index of the plan's dataset, computing the entries it lacks. */
export async function updateKeyIndex(
  store: Store,
  dataset: string,
  p: Plan,
  concurrency: number,
): Promise<KeyIndexUpdate> {
  const key = keyIndexKey(dataset);
  let stored: KeyIndex = { version: 1, shards: {} };
  let bytes = 0;
  try {
    const raw = await store.get(key);
    bytes = raw.byteLength;
    const parsed = JSON.parse(new TextDecoder().decode(raw));
    if (parsed?.version === 1 && typeof parsed.shards === "object") stored = parsed;
  } catch {
    // Absent or unreadable: rebuilt below.
  }
  const { cols, parquetKey } = p.index;
  const all = Array.from({ length: cols.length }, (_, i) => i);
  const parquetSha = await p.index.versions(all, concurrency);
  const fresh: KeyIndex = { version: 1, shards: {} };
  const stale: number[] = [];
  for (let i = 0; i < cols.length; i++) {
    const entry = stored.shards[cols.name[i]!];
    if (entry && entry.sha === parquetSha[i] && parquetSha[i]) fresh.shards[cols.name[i]!] = entry;
    else stale.push(i);
  }
  if (stale.length === 0 && Object.keys(stored.shards).length === cols.length) {
    return { index: fresh, computed: 0, bytes };
  }
  if (stale.length > 0) {
    const cache = await cacheParquet(
      store,
      stale.map((i) => parquetKey[i]!),
      stale.map((i) => parquetSha[i]!),
      p.cacheDir,
      concurrency,
    );
    const files = cache.paths.map((path) => `'${path.replaceAll("'", "''")}'`).join(", ");
    const rows = await withSandbox(p.cacheDir, async (con) =>
      (await con.runAndReadAll(
        `SELECT __file__, min(__key__), max(__key__), count(*), list(__key__) FROM ` +
          `read_parquet([${files}], filename = '__file__') GROUP BY __file__`,
      )).getRowsJS());
    const byPath = new Map(cache.paths.map((path, j) => [path, stale[j]!]));
    for (const [file, min, max, count, keys] of rows) {
      const i = byPath.get(String(file))!;
      const bloom = BloomFilter.forCapacity(Number(count));
      for (const k of keys as string[]) bloom.add(k);
      fresh.shards[cols.name[i]!] = {
        sha: parquetSha[i]!,
        min: String(min),
        max: String(max),
        count: Number(count),
        bloom: bloom.toJSON(),
      };
    }
  }
  const text = JSON.stringify(fresh);
  try {
    await store.put(key, text, { contentType: "application/json" });
  } catch {
    // A read-only store: the index is only a cache.
  }
  return { index: fresh, computed: stale.length, bytes: text.length };
}

/** Shard indices (of the plan's index) that may hold `key`. */
export function candidateShards(index: KeyIndex, p: Plan, key: string): number[] {
  const out: number[] = [];
  const blooms = new Map<string, BloomFilter>();
  for (let i = 0; i < p.index.cols.length; i++) {
    const e = index.shards[p.index.cols.name[i]!];
    if (!e) {
      out.push(i); // an empty manifest or one DuckDB could not group: look
      continue;
    }
    if (key < e.min || key > e.max) continue;
    let bloom = blooms.get(e.sha);
    if (!bloom) blooms.set(e.sha, bloom = BloomFilter.fromJSON(e.bloom));
    if (bloom.has(key)) out.push(i);
  }
  return out;
}
