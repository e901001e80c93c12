/**
 * The header of a shard manifest (`X.manifest.json`): shard-level metadata, provenance and the
 * aggregates. Keys follow atdata's header where they overlap (`manifest_version`, `shard_id`,
 * `schema_type`, `schema_version`, `num_samples`, `size_bytes`, `created_at`, `aggregates`,
 * `provenance`), so atdata reads shardline's headers and shardline reads atdata's.
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import { aggregateKind, type AggregateSummary } from "./aggregate.ts";
import { ManifestError } from "./manifest_error.ts";
import { countOr, objectAt, parseLenientJson } from "../util/lenient_json.ts";
import { basename, shardKeys } from "./manifest_keys.ts";

/**
 * The version shardline writes. Major 2 marks manifests whose `__offset__` is the real tar byte
 * offset (atdata's 1.x manifests hold no usable offset).
 */
export const MANIFEST_VERSION = "2.0.0";

/** Where a shard came from. */
export interface Provenance {
  source_job_id: string | null;
  parent_shards: string[];
  pipeline_version: string | null;
  /** sha256 of the job code that wrote the shard. */
  code_hash: string | null;
}

/** The Parquet layer as the header records it (for verification). */
export interface ParquetInfo {
  /**
   * The `.manifest.parquet` file's name relative to the manifest's folder
   * (`shard-000042.manifest.parquet`), so the dataset can move. Headers that recorded a store
   * key read as the sibling name `X.manifest.parquet`.
   */
  key: string;
  size_bytes: number;
  sha256: string;
  num_rows: number;
}

/** A manifest header, normalized (atdata's headers get defaults for what they lack). */
export interface ManifestHeader {
  manifest_version: string;
  /**
   * An identifier of the shard: its store key without `.tar` when written (atdata's convention).
   * Only an identifier: the dataset may have moved since, so never resolve files through it.
   */
  shard_id: string;
  /** The schema name. */
  schema_type: string;
  schema_version: string;
  num_samples: number;
  /** Size of the tar in bytes. */
  size_bytes: number;
  /** ISO 8601 UTC. */
  created_at: string;
  /** sha256 of the tar, hex; null in atdata's manifests. */
  checksum_sha256: string | null;
  /** Earliest and latest value of the schema's timestamp fields, when it has any. */
  time_min?: string | null;
  time_max?: string | null;
  provenance: Provenance;
  /** The manifest fields the shard was written with; absent in atdata's manifests. */
  fields?: ManifestField[];
  /** The Parquet layer; absent in atdata's manifests. */
  parquet?: ParquetInfo;
  /** Summaries by field name, one per manifest field. */
  aggregates: Record<string, AggregateSummary>;
}

/**
 * The JSON text of a header: pretty-printed, with any non-finite number written as null (never
 * `Infinity`, which is not JSON).
 */
export function encodeManifestHeader(header: ManifestHeader): string {
  return JSON.stringify(
    header,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  ) + "\n";
}

function str(raw: Record<string, unknown>, key: string): string | null {
  const v = raw[key];
  return typeof v === "string" ? v : null;
}

/**
 * Parses and normalizes a header (JSON text or an already parsed object; shardline's or
 * atdata's) of shard `shard` (its store key, when known): bare `Infinity` accepted, missing
 * counts derived, a Parquet store key recorded by older versions read as the sibling file name, aggregates read by their registered kind (unknown kinds dropped: a reader that
 * cannot interpret a summary must not prune with it).
 *
 * @example
 * ```ts
 * import { parseManifestHeader } from "./manifest_header.ts";
 * const h = parseManifestHeader(`{"manifest_version": "1.0.0", "shard_id": "ds/shard-000000",
 *   "schema_type": "S", "schema_version": "1.0.0", "num_samples": 0, "size_bytes": 0,
 *   "created_at": "2025-01-22T14:32:00+00:00",
 *   "aggregates": {"x": {"type": "numeric", "min": Infinity, "max": -Infinity, "mean": 0.0, "count": 0}}}`);
 * if (h.aggregates.x?.type !== "numeric" || h.aggregates.x.min !== null) throw new Error();
 * ```
 */
export function parseManifestHeader(text: string | object, shard?: string): ManifestHeader {
  let raw: Record<string, unknown>;
  try {
    const parsed = typeof text === "string" ? parseLenientJson(text) : text;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new TypeError("not a JSON object");
    }
    raw = parsed as Record<string, unknown>;
  } catch (cause) {
    throw new ManifestError(
      "invalid_manifest",
      `Cannot read manifest header${shard ? ` of "${shard}"` : ""}: ${(cause as Error).message}`,
      { shard, cause },
    );
  }
  const numSamples = countOr(raw, "num_samples", 0);
  const aggregates: Record<string, AggregateSummary> = {};
  for (const [name, agg] of Object.entries(objectAt(raw, "aggregates"))) {
    if (agg === null || typeof agg !== "object") continue;
    const type = (agg as { type?: unknown }).type;
    if (typeof type !== "string") continue;
    try {
      aggregates[name] = aggregateKind(type).read(agg as Record<string, unknown>, numSamples);
    } catch {
      // Unknown aggregate kind: dropped, see above.
    }
  }
  const prov = objectAt(raw, "provenance");
  const parents = prov.parent_shards;
  const header: ManifestHeader = {
    manifest_version: str(raw, "manifest_version") ?? "1.0.0",
    shard_id: str(raw, "shard_id") ?? shard?.replace(/\.tar$/, "") ?? "",
    schema_type: str(raw, "schema_type") ?? "",
    schema_version: str(raw, "schema_version") ?? "",
    num_samples: numSamples,
    size_bytes: countOr(raw, "size_bytes", 0),
    created_at: str(raw, "created_at") ?? "",
    checksum_sha256: str(raw, "checksum_sha256"),
    provenance: {
      source_job_id: str(prov, "source_job_id"),
      parent_shards: Array.isArray(parents) ? parents.map(String) : [],
      pipeline_version: str(prov, "pipeline_version"),
      code_hash: str(prov, "code_hash"),
    },
    aggregates,
  };
  if ("time_min" in raw) header.time_min = str(raw, "time_min");
  if ("time_max" in raw) header.time_max = str(raw, "time_max");
  if (Array.isArray(raw.fields)) header.fields = raw.fields as ManifestField[];
  const parquet = objectAt(raw, "parquet");
  if (typeof parquet.key === "string" && typeof parquet.sha256 === "string") {
    header.parquet = {
      key: parquet.key.includes("/")
        ? (shard ? shardKeys(basename(shard)).parquetName : basename(parquet.key))
        : parquet.key,
      sha256: parquet.sha256,
      size_bytes: countOr(parquet, "size_bytes", 0),
      num_rows: countOr(parquet, "num_rows", 0),
    };
  }
  return header;
}

/** True when the manifest's `__offset__` values are real tar byte offsets (shardline >= 2). */
export function hasRealOffsets(header: ManifestHeader): boolean {
  return Number.parseInt(header.manifest_version, 10) >= 2;
}
