/**
 * {@linkcode readManifest}: reads a shard's manifest (header, aggregates and optionally the
 * per-sample rows), written by shardline or by atdata.
 *
 * Schema evolution policy (manifests are immutable: never rewritten, never backfilled in place):
 *
 * - Pass the reader's manifest fields (`fields`, e.g. the current schema's `manifestFields`). A
 *   field that an older manifest lacks is null for every sample of that shard: its rows get
 *   `null` and its aggregate is the "all null" summary (`count: 0`, `null_count: num_samples`).
 *   A query filtering on that field skips those shards (a comparison with null is never true);
 *   `IS NULL` matches all their samples.
 * - The same holds when querying Parquet layers of several versions directly with DuckDB:
 *   `read_parquet(<glob of the dataset's .manifest.parquet files>, union_by_name = true)` reads
 *   a column that older files lack as NULL.
 * - A field the manifest has and the reader does not ask for is kept as stored.
 * - A stored aggregate whose role differs from the reader's field is dropped (nothing is pruned
 *   with a summary the reader cannot interpret); the rows keep the stored values.
 * - Histograms with different edges (a schema changed its `buckets`) are not added across shards:
 *   dataset statistics leave that histogram out rather than report inexact counts.
 * - To really add a field to old shards, run a job that rewrites them (new shards, new manifests).
 *
 * atdata's manifests: `__offset__` is not a real byte offset there, so it reads as null (a
 * location needs a real offset); lists stored as JSON strings are parsed into string arrays;
 * `Infinity` bounds of empty numeric fields read as null.
 *
 * @module
 */
import { displayable } from "../display/mod.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { aggregateKind } from "./aggregate.ts";
import { ManifestError } from "./manifest_error.ts";
import { hasRealOffsets, type ManifestHeader, parseManifestHeader } from "./manifest_header.ts";
import { type ManifestParquetOptions, readManifestParquet } from "./manifest_parquet.ts";
import { parquetKeyOf, shardKeys } from "./manifest_keys.ts";

/** One per-sample row. Field columns follow; timestamps are `Date`s, lists string arrays. */
export interface ManifestRow {
  __key__: string;
  /** Real tar byte offset of the sample; null for atdata's manifests. */
  __offset__: number | null;
  __size__: number;
  [field: string]: unknown;
}

/** A shard's manifest as read. */
export interface ShardManifest {
  /** Store key of the shard (`ds/shard-000001.tar`). */
  shard: string;
  header: ManifestHeader;
  /** True when `__offset__` values are real tar offsets (shardline's manifests). */
  offsetsExact: boolean;
  /** The per-sample rows, when asked for. */
  rows?: ManifestRow[];
}

/** Options for {@linkcode readManifest}. */
export interface ReadManifestOptions extends ManifestParquetOptions {
  /** Also read the Parquet rows. @default true */
  rows?: boolean;
  /** The reader's manifest fields: missing ones read as null (see the policy above). */
  fields?: readonly ManifestField[];
}

async function getText(store: Store, key: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await store.get(key));
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
}

/**
 * Reads the manifest of shard `shardKey` (the `.tar` key). The header's Parquet name resolves
 * against the manifest's folder, so a moved dataset reads the same. Rejects with a
 * {@linkcode ManifestError}: `"not_found"` (no `.manifest.json`: not committed),
 * `"missing_parquet"`, `"invalid_manifest"` (unreadable JSON or Parquet).
 *
 * @example
 * ```ts
 * import { readManifest } from "./read_manifest.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("ds/a.manifest.json", JSON.stringify({ shard_id: "ds/a", num_samples: 0,
 *   aggregates: { label: { type: "categorical", cardinality: 0, value_counts: {} } } }));
 * const m = await readManifest(store, "ds/a.tar", {
 *   rows: false,
 *   fields: [{ name: "score", role: "numeric", type: "float", list: false, nullable: true }],
 * });
 * if (m.header.aggregates.score?.type !== "numeric" || m.offsetsExact) throw new Error();
 * ```
 */
export async function readManifest(
  store: Store,
  shardKey: string,
  options: ReadManifestOptions = {},
): Promise<ShardManifest> {
  const keys = shardKeys(shardKey);
  const text = await getText(store, keys.json);
  if (text === undefined) {
    throw new ManifestError(
      "not_found",
      `No manifest for shard "${shardKey}" ("${keys.json}" is absent)`,
      {
        shard: shardKey,
        path: keys.json,
      },
    );
  }
  const header = parseManifestHeader(text, shardKey);
  for (const field of options.fields ?? []) {
    const agg = header.aggregates[field.name];
    if (agg === undefined) {
      header.aggregates[field.name] = aggregateKind(field.role).empty(header.num_samples);
    } else if (agg.type !== field.role) delete header.aggregates[field.name];
  }
  const manifest: ShardManifest = displayable("manifest", {
    shard: shardKey,
    header,
    offsetsExact: hasRealOffsets(header),
  });
  if (options.rows === false) return manifest;
  const parquetKey = parquetKeyOf(shardKey, header.parquet?.key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(parquetKey);
  } catch (err) {
    if (!(err instanceof StoreError && err.code === "not_found")) throw err;
    throw new ManifestError(
      "missing_parquet",
      `Cannot read manifest rows of "${shardKey}": "${parquetKey}" is absent`,
      { shard: shardKey, path: parquetKey, cause: err },
    );
  }
  let rows: Record<string, unknown>[];
  try {
    rows = (await readManifestParquet(bytes, options)).rows;
  } catch (cause) {
    throw new ManifestError(
      "invalid_manifest",
      `Cannot read manifest rows of "${shardKey}": "${parquetKey}" is not readable Parquet (${
        (cause as Error).message
      })`,
      { shard: shardKey, path: parquetKey, cause },
    );
  }
  manifest.rows = normalizeRows(rows, header, options.fields ?? [], manifest.offsetsExact);
  return manifest;
}

function normalizeRows(
  rows: Record<string, unknown>[],
  header: ManifestHeader,
  fields: readonly ManifestField[],
  offsetsExact: boolean,
): ManifestRow[] {
  const listed = new Set<string>();
  for (const f of header.fields ?? []) if (f.list) listed.add(f.name);
  for (const [name, agg] of Object.entries(header.aggregates)) {
    if (agg.type === "set") listed.add(name);
  }
  for (const f of fields) if (f.list) listed.add(f.name);
  for (const row of rows) {
    if (!offsetsExact) row.__offset__ = null;
    for (const name of listed) {
      const v = row[name];
      if (typeof v === "string") row[name] = parseJsonList(v);
    }
    for (const f of fields) if (!(f.name in row)) row[f.name] = null;
  }
  return rows as ManifestRow[];
}

/** atdata stores lists as JSON text: `'["a", "b"]'` -> `["a", "b"]`. */
function parseJsonList(text: string): string[] {
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  } catch {
    // Not JSON: a scalar set value.
  }
  return [text];
}
