/**
 * What a query reads of a dataset's index, behind one function: the columns pruning runs over
 * ({@linkcode IndexColumns}), the field catalog, per shard the store keys and checksum of its
 * Parquet layer (the manifest cache's key), and which shards' schema versions lack a field.
 *
 * Today it reads `readIndex` and converts with `indexColumnsFromHeaders`; the Parquet checksums
 * and the fields of each schema version are not in `IndexColumns` yet (see the README's query
 * section), which is why this does not call `readIndexColumns`.
 *
 * @module
 */
import type { ManifestHeader } from "../manifest/mod.ts";
import { type IndexColumns, indexColumnsFromHeaders, readIndex } from "../dataset/mod.ts";
import type { ManifestField } from "../schema/mod.ts";
import type { Store } from "../store/mod.ts";
import { type FieldCatalog, fieldCatalog } from "./field_catalog.ts";
import { QueryError } from "./query_error.ts";

/** A dataset's index as a query reads it. */
export interface QueryIndex {
  cols: IndexColumns;
  catalog: FieldCatalog;
  /** Store key of each shard's tar. */
  shard: string[];
  /** Store key of each shard's `.manifest.parquet`. */
  parquetKey: string[];
  /** sha256 of each shard's Parquet layer as its header records it (`""` when it has none). */
  parquetSha: string[];
  /** Bytes of each shard's Parquet layer (0 when unknown). */
  parquetSize: Float64Array;
  /** 1 where the shard's `__offset__` values are real tar offsets. */
  exactOffsets: Uint8Array;
  /** Per shard, 1 where its schema version certainly lacks `field` (every row null). */
  lacks(field: string): Uint8Array;
  /** Per shard, 1 where its Parquet may hold a column `field`. */
  mayHave(field: string): Uint8Array;
  /**
   * The newest schema the shards were written with (the last header listing its fields), all
   * fields made nullable: what a view of several versions writes.
   */
  schema: { name: string; version: string; manifestFields: ManifestField[] };
  /** Time spent reading, ms. */
  readMs: number;
}

function dirname(key: string): string {
  const i = key.lastIndexOf("/");
  return i < 0 ? "" : key.slice(0, i + 1);
}

/** Reads the index of `dataset` for a query. Rejects with `not_found` when it has no shard. */
export async function readQueryIndex(store: Store, dataset: string): Promise<QueryIndex> {
  const start = performance.now();
  const { entries } = await readIndex(store, dataset);
  if (entries.length === 0) {
    throw new QueryError("not_found", `Dataset "${dataset}" has no indexed shard`);
  }
  const headers = entries.map((e) => e.header);
  const cols = indexColumnsFromHeaders(dataset, entries);
  const catalog = fieldCatalog(headers);
  // The fields each schema version lists (exact), or its aggregates' names (may miss some).
  const versionOf = new Map<string, number>();
  const versions: { fields: Set<string>; exact: boolean }[] = [];
  const version = new Int32Array(entries.length);
  headers.forEach((h: ManifestHeader, i) => {
    const id = `${h.schema_type}\u0000${h.schema_version}\u0000${h.fields ? "f" : "a"}`;
    let v = versionOf.get(id);
    if (v === undefined) {
      v = versions.length;
      versionOf.set(id, v);
      versions.push({
        fields: new Set(h.fields ? h.fields.map((f) => f.name) : Object.keys(h.aggregates)),
        exact: h.fields !== undefined,
      });
    }
    version[i] = v;
  });
  const perVersion = (test: (v: { fields: Set<string>; exact: boolean }) => boolean) => {
    const hits = versions.map(test);
    const out = new Uint8Array(entries.length);
    for (let i = 0; i < out.length; i++) out[i] = hits[version[i]!] ? 1 : 0;
    return out;
  };
  const newest = headers.findLast((h) => h.fields !== undefined) ?? headers.at(-1)!;
  const schema = {
    name: newest.schema_type,
    version: newest.schema_version,
    manifestFields: [...catalog.values()].filter((f) => f.role !== "meta").map(
      (f): ManifestField => {
        const declared = newest.fields?.find((d) => d.name === f.name);
        return { ...(declared ?? f), role: f.role as ManifestField["role"], nullable: true };
      },
    ),
  };
  return {
    cols,
    catalog,
    schema,
    shard: entries.map((e) => e.shard),
    parquetKey: entries.map((e) =>
      dirname(e.shard) +
      (e.header.parquet?.key ?? `${e.name.replace(/\.tar(\.gz)?$/, "")}.manifest.parquet`)
    ),
    parquetSha: entries.map((e) => e.header.parquet?.sha256 ?? ""),
    parquetSize: Float64Array.from(entries, (e) => e.header.parquet?.size_bytes ?? 0),
    exactOffsets: Uint8Array.from(
      entries,
      (e) => Number.parseInt(e.header.manifest_version) >= 2 ? 1 : 0,
    ),
    lacks: (field) => perVersion((v) => v.exact && !v.fields.has(field) && !field.startsWith("__")),
    mayHave: (field) =>
      perVersion((v) => field.startsWith("__") || !v.exact || v.fields.has(field)),
    readMs: performance.now() - start,
  };
}
