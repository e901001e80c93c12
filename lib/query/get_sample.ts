/**
 * {@linkcode getSample}: one sample by its key, without scanning every manifest.
 *
 * The choice (the architecture's open question on sample ids): keys stay whatever the writer
 * chose (no structure imposed), and a key index beside the dataset
 * (`<dataset>/_keys/index.json`: per shard the key range and a bloom filter of its keys, 1%
 * false positives) narrows a lookup to the shards that may hold the key, usually one. The
 * first lookup on a dataset builds the index from every manifest (one scan, like a query
 * without a where); later lookups read the index (one GET) plus the candidate shards'
 * manifests, and entries are added only for shards committed since. The cost is measured in
 * `bench/query.ts` (build time, index size, lookup time).
 *
 * @module
 */
import type { DecodedSample, TarSample } from "../shard/mod.ts";
import type { Fields, Schema } from "../schema/mod.ts";
import type { Store } from "../store/mod.ts";
import { candidateShards, updateKeyIndex } from "./_key_index.ts";
import { locationsOf } from "./_locations.ts";
import { plan } from "./_plan.ts";
import { defaultCacheDir } from "./_sandbox.ts";
import { scanManifests } from "./_scan.ts";
import { sqlString } from "./predicate.ts";
import type { SampleLocation } from "./query.ts";
import { QueryError } from "./query_error.ts";
import { readSamples } from "./read_samples.ts";

/** Options for {@linkcode getSample}. */
export interface GetSampleOptions<F extends Fields = Fields> {
  /** Decode and validate the sample with this schema. @default raw tar members */
  schema?: Schema<F>;
  /** Local folder of cached Parquet manifests. @default `<os tmpdir>/shardline/query-cache` */
  cacheDir?: string;
  /** Manifests fetched at once. @default 16 */
  concurrency?: number;
  /** Receives what the lookup cost. */
  onStats?: (stats: GetSampleStats) => void;
}

/** What one lookup cost. */
export interface GetSampleStats {
  /** Shards in the dataset. */
  shards: number;
  /** Key index entries computed by this lookup (all shards the first time). */
  indexed: number;
  /** Bytes of the key index. */
  keyIndexBytes: number;
  /** Manifests scanned for the key. */
  scanned: number;
  location?: SampleLocation;
}

/**
 * The sample with key `key` in `dataset`; rejects with a {@linkcode QueryError} `not_found`.
 *
 * @example
 * ```ts
 * import { getSample } from "./get_sample.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 9 }, (_, i) => ({ __key__: `k${i}`, label: `l${i}` }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 3 });
 * const s = await getSample(store, "ds", "k7", { schema: S });
 * if (s.label !== "l7") throw new Error();
 * ```
 */
export async function getSample<F extends Fields>(
  store: Store,
  dataset: string,
  key: string,
  options: GetSampleOptions<F> & { schema: Schema<F> },
): Promise<DecodedSample<F>>;
export async function getSample(
  store: Store,
  dataset: string,
  key: string,
  options?: GetSampleOptions,
): Promise<TarSample>;
export async function getSample(
  store: Store,
  dataset: string,
  key: string,
  options: GetSampleOptions = {},
): Promise<unknown> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const concurrency = options.concurrency ?? 16;
  const p = await plan(store, dataset, undefined, cacheDir);
  const keys = await updateKeyIndex(store, dataset, p, concurrency);
  const shards = candidateShards(keys.index, p, key);
  const scan = await scanManifests(store, p, {
    select: [],
    concurrency,
    shards,
    where: `("__key__" = ${sqlString(key)})`,
    limit: 1,
  });
  const location = locationsOf(scan.df)[0];
  options.onStats?.({
    shards: p.index.cols.length,
    indexed: keys.computed,
    keyIndexBytes: keys.bytes,
    scanned: shards.length,
    location,
  });
  if (!location) {
    throw new QueryError("not_found", `No sample "${key}" in "${dataset}"`, { key });
  }
  const [sample] = await readSamples(store, [location], { schema: options.schema });
  return sample;
}
