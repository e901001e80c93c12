/**
 * {@linkcode materialize}: the samples a query matches, written as a new sharded dataset with
 * manifests, and cached: a view is named by the sha256 of the canonical query and the versions
 * (ETag, size and time of the Parquet manifests it read), and recorded last, create-only, at
 * `_views/<hash>/view.json`. Asking again finds the record and writes nothing; once an input
 * shard changes or a new one could match, the hash changes and a new view is written.
 *
 * The samples are copied byte for byte (ranged reads coalesced per source shard, no decoding)
 * into `<output>/shard-%06d.tar`; each output shard gets a manifest from the query's rows, whose
 * provenance names the view (`source_job_id: "view:<hash>"`) and the parent shards.
 *
 * @module
 */
import { createHash } from "node:crypto";
import pl from "nodejs-polars";
import { ManifestBuilder } from "../manifest/mod.ts";
import { ShardWriter, type TarSample } from "../shard/mod.ts";
import { type Store, StoreError } from "../store/mod.ts";
import { locationsOf } from "./_locations.ts";
import { plan } from "./_plan.ts";
import { defaultCacheDir } from "./_sandbox.ts";
import { scanManifests } from "./_scan.ts";
import type { QueryOptions } from "./query.ts";
import { QueryError } from "./query_error.ts";
import { readSamples } from "./read_samples.ts";

/** The query a view holds. */
export type ViewQuery = Pick<QueryOptions, "where" | "orderBy" | "limit">;

/** Options for {@linkcode materialize}. */
export interface MaterializeOptions {
  /** Dataset the view's shards go to. @default `_views/<hash>` */
  output?: string;
  /** Samples per output shard. @default 10000 */
  maxcount?: number;
  /** Local folder of cached Parquet manifests. @default `<os tmpdir>/shardline/query-cache` */
  cacheDir?: string;
  /** Manifests fetched at once. @default 16 */
  concurrency?: number;
}

/** A materialized view, as recorded in `_views/<hash>/view.json`. */
export interface ViewRecord {
  hash: string;
  /** The canonical query: dataset, where (canonical SQL), orderBy, limit. */
  query: { dataset: string; where: string; orderBy: string[]; limit: number | null };
  /** The manifests read: shard store key and the version of its Parquet manifest. */
  parents: { shard: string; version: string }[];
  /** The dataset holding the view's shards. */
  output: string;
  samples: number;
  shards: string[];
  created_at: string;
}

/** What {@linkcode materialize} returns. */
export interface MaterializeResult extends ViewRecord {
  /** True when the view existed: nothing was written. */
  cached: boolean;
}

/** Store key of a view's record. */
export function viewKey(hash: string): string {
  return `_views/${hash}/view.json`;
}

async function getJson<T>(store: Store, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
}

/**
 * Writes (or finds) the view of `dataset` under `q`.
 *
 * @example
 * ```ts
 * import { materialize, query } from "./mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * const samples = Array.from({ length: 6 }, (_, i) => ({ __key__: `k${i}`, label: i % 2 ? "dog" : "cat" }));
 * await writeShards(store, "pets/shard-%06d.tar", samples, { schema: S, maxcount: 2 });
 * const view = await materialize(store, "pets", { where: "label = 'dog'" }, { output: "dogs" });
 * const again = await materialize(store, "pets", { where: "label='dog'" }, { output: "dogs" });
 * if (view.cached || !again.cached || again.hash !== view.hash) throw new Error();
 * if ((await query(store, "dogs")).df.height !== 3) throw new Error();
 * ```
 */
export async function materialize(
  store: Store,
  dataset: string,
  q: ViewQuery,
  options: MaterializeOptions = {},
): Promise<MaterializeResult> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const concurrency = options.concurrency ?? 16;
  const p = await plan(store, dataset, q.where, cacheDir);
  const orderBy = q.orderBy === undefined
    ? []
    : typeof q.orderBy === "string"
    ? q.orderBy.split(",")
    : [...q.orderBy];
  const canonical = {
    dataset,
    where: p.where,
    orderBy: orderBy.map((s) => s.trim().replace(/\s+/g, " ")),
    limit: q.limit ?? null,
  };
  const versions = await p.index.versions(p.survivors, concurrency);
  const parents = p.survivors.map((i, j) => ({ shard: p.index.shard[i]!, version: versions[j]! }));
  const hash = createHash("sha256").update(JSON.stringify({ query: canonical, parents })).digest(
    "hex",
  )
    .slice(0, 32);
  const found = await getJson<ViewRecord>(store, viewKey(hash));
  if (found) return { ...found, cached: true };

  const output = options.output ?? `_views/${hash}`;
  for await (const _ of store.list(`${output}/`)) {
    throw new QueryError(
      "invalid_option",
      `Cannot materialize into "${output}": it already holds objects (choose another output)`,
    );
  }
  const { catalog, schema } = p.index;
  const fields = schema.manifestFields.map((f) => f.name);
  const scan = await scanManifests(store, p, {
    select: fields,
    order: orderBy.length
      ? orderBy.map(orderKey)
      : [{ field: "__shard__", desc: false }, { field: "__offset__", desc: false }],
    limit: q.limit,
    concurrency,
  });
  const locations = locationsOf(scan.df);
  const columns = Object.fromEntries(
    fields.map((f) => [f, columnValues(scan.df, f, catalog.get(f)?.type)]),
  );
  type Row = { raw: TarSample; fields: Record<string, unknown> };
  const builder = new ManifestBuilder(store, schema, {
    background: false,
    dataset: output,
    provenance: {
      source_job_id: `view:${hash}`,
      parent_shards: parents.map((x) => x.shard),
      pipeline_version: null,
      code_hash: null,
    },
  });
  const writer = new ShardWriter<Row>(store, `${output}/shard-%06d.tar`, {
    maxcount: options.maxcount ?? 10000,
    encode: (r) => ({ __key__: r.raw.__key__, files: r.raw.files }),
    onSample: (info) => builder.onSample({ ...info, sample: info.sample.fields }),
    onShardClose: (info) => builder.onShardClose(info),
  });
  const batch = 1000;
  try {
    for (let start = 0; start < locations.length; start += batch) {
      const locs = locations.slice(start, start + batch);
      const raw = await readSamples(store, locs, { concurrency: Math.min(concurrency, 8) });
      for (let j = 0; j < raw.length; j++) {
        const r = start + j;
        await writer.write({
          raw: raw[j]!,
          fields: Object.fromEntries(fields.map((f) => [f, columns[f]![r]])),
        });
      }
    }
    const shards = await writer.close();
    await builder.flush();
    const record: ViewRecord = {
      hash,
      query: canonical,
      parents,
      output,
      samples: locations.length,
      shards: shards.map((s) => s.key),
      created_at: new Date().toISOString(),
    };
    try {
      await store.put(viewKey(hash), JSON.stringify(record, null, 2) + "\n", { ifNoneMatch: "*" });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === "already_exists")) throw err;
      const winner = await getJson<ViewRecord>(store, viewKey(hash));
      if (winner) return { ...winner, cached: true };
    }
    return { ...record, cached: false };
  } catch (err) {
    builder.abort();
    await writer.abort(err);
    throw err;
  }
}

function orderKey(entry: string): { field: string; desc: boolean } {
  const m = /^\s*([^\s]+)(?:\s+(asc|desc))?\s*$/i.exec(entry);
  if (!m) throw new QueryError("invalid_option", `Cannot sort by ${JSON.stringify(entry)}`);
  return { field: m[1]!, desc: m[2]?.toLowerCase() === "desc" };
}

/** A column's values as a sample holds them (int64 exactly, as BigInt; timestamps as Date). */
function columnValues(df: pl.DataFrame, name: string, type: string | undefined): unknown[] {
  const col = df.getColumn(name);
  if (type !== "int") return col.toArray() as unknown[];
  return (col.cast(pl.Utf8).toArray() as (string | null)[]).map((
    v,
  ) => (v === null ? null : BigInt(v)));
}
