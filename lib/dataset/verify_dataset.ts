/**
 * {@linkcode verifyDataset}: checks every committed shard of a dataset against its manifest
 * (`deno task cli verify <dataset>`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { scanSamples } from "../shard/scan_samples.ts";
import type { TarSample } from "../shard/tar_sample.ts";
import type { ManifestHeader } from "../manifest/manifest_header.ts";
import { readManifest } from "../manifest/read_manifest.ts";
import { readManifestParquet } from "../manifest/manifest_parquet.ts";
import { readIndex } from "./dataset_index.ts";
import { listShards } from "./list_shards.ts";
import { mapLimit } from "../util/map_limit.ts";
import { sha256Hex } from "../util/sha256.ts";
import { parquetKeyOf } from "../manifest/manifest_keys.ts";

/** Codes of {@linkcode ShardProblem}. */
export type ShardProblemCode =
  | "invalid_manifest"
  | "missing_shard"
  | "invalid_shard"
  | "checksum_mismatch"
  | "sample_count_mismatch"
  | "size_mismatch"
  | "missing_parquet"
  | "invalid_parquet"
  | "parquet_checksum_mismatch"
  | "row_count_mismatch"
  | "offset_mismatch"
  | "stale_index"
  | "uncommitted"
  | "no_checksum"
  | "not_indexed";

/** One finding about one shard. */
export interface ShardProblem {
  shard: string;
  code: ShardProblemCode;
  /** Errors fail verification; warnings (uncommitted shard, atdata's missing checksum) do not. */
  severity: "error" | "warning";
  message: string;
}

/** The result of {@linkcode verifyDataset}. */
export interface VerifyReport {
  dataset: string;
  /** Committed shards checked. */
  shards: number;
  /** True when there is no error. */
  ok: boolean;
  problems: ShardProblem[];
}

/** Options for {@linkcode verifyDataset}. */
export interface VerifyDatasetOptions {
  /** Shards checked at once. @default 4 */
  concurrency?: number;
  /** Folder for DuckDB's temp files. @default a private temp folder */
  tempDir?: string;
}

/**
 * Verifies a dataset: for every committed shard, the tar's sha256, byte size and sample count
 * against its header; the Parquet layer present, readable, matching its recorded sha256, one
 * row per sample, with each row's key, offset and size equal to the tar's; and the index listing
 * exactly the committed shards.
 *
 * @example
 * ```ts
 * import { verifyDataset } from "./verify_dataset.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("ds/a.manifest.json", JSON.stringify({ shard_id: "ds/a", num_samples: 1 }));
 * const report = await verifyDataset(store, "ds");
 * if (report.ok || report.problems[0]?.code !== "missing_shard") throw new Error("unexpected");
 * ```
 */
export async function verifyDataset(
  store: Store,
  dataset: string,
  options: VerifyDatasetOptions = {},
): Promise<VerifyReport> {
  const { manifests, uncommitted } = await listShards(store, dataset);
  const problems: ShardProblem[] = [];
  for (const shard of uncommitted) {
    problems.push({
      shard,
      code: "uncommitted",
      severity: "warning",
      message: `"${shard}" has no manifest (not committed)`,
    });
  }
  const found = await mapLimit(
    manifests,
    options.concurrency ?? 4,
    (shard) => verifyShard(store, shard, options),
  );
  for (const list of found) problems.push(...list);
  const indexed = new Set((await readIndex(store, dataset, options)).entries.map((e) => e.shard));
  const committed = new Set(manifests);
  for (const shard of manifests) {
    if (!indexed.has(shard)) {
      problems.push({
        shard,
        code: "not_indexed",
        severity: "warning",
        message: `"${shard}" is committed but not in the index (run "index rebuild")`,
      });
    }
  }
  for (const shard of indexed) {
    if (!committed.has(shard)) {
      problems.push({
        shard,
        code: "stale_index",
        severity: "error",
        message: `The index lists "${shard}", which has no manifest`,
      });
    }
  }
  return {
    dataset,
    shards: manifests.length,
    ok: !problems.some((p) => p.severity === "error"),
    problems,
  };
}

async function verifyShard(
  store: Store,
  shard: string,
  options: VerifyDatasetOptions,
): Promise<ShardProblem[]> {
  const problems: ShardProblem[] = [];
  const fail = (code: ShardProblemCode, message: string, severity: "error" | "warning" = "error") =>
    problems.push({ shard, code, severity, message: `"${shard}": ${message}` });
  let header: ManifestHeader;
  try {
    header = (await readManifest(store, shard, { rows: false })).header;
  } catch (err) {
    fail("invalid_manifest", (err as Error).message);
    return problems;
  }
  const tar = await scanShard(store, shard);
  if ("missing" in tar) fail("missing_shard", "the tar is missing");
  else {
    if (tar.error) fail("invalid_shard", `the tar is unreadable: ${tar.error}`);
    if (header.checksum_sha256 === null) {
      fail("no_checksum", "the manifest records no checksum (atdata)", "warning");
    } else if (header.checksum_sha256 !== tar.sha256) {
      fail(
        "checksum_mismatch",
        `sha256 is ${tar.sha256}, the manifest says ${header.checksum_sha256}`,
      );
    }
    if (tar.samples.length !== header.num_samples) {
      fail(
        "sample_count_mismatch",
        `the tar holds ${tar.samples.length} samples, the manifest says ${header.num_samples}`,
      );
    }
    if (header.parquet && tar.size !== header.size_bytes) {
      fail(
        "size_mismatch",
        `the tar has ${tar.size} bytes, the manifest says ${header.size_bytes}`,
      );
    }
  }
  const parquetKey = parquetKeyOf(shard, header.parquet?.key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(parquetKey);
  } catch (err) {
    if (!(err instanceof StoreError && err.code === "not_found")) throw err;
    fail("missing_parquet", `the manifest's Parquet "${parquetKey}" is missing`);
    return problems;
  }
  if (header.parquet && sha256Hex(bytes) !== header.parquet.sha256) {
    fail("parquet_checksum_mismatch", `"${parquetKey}" does not match the sha256 in the manifest`);
  }
  let rows: Record<string, unknown>[];
  try {
    rows = (await readManifestParquet(bytes, options)).rows;
  } catch (err) {
    fail("invalid_parquet", `"${parquetKey}" is not readable Parquet: ${(err as Error).message}`);
    return problems;
  }
  if (rows.length !== header.num_samples) {
    fail(
      "row_count_mismatch",
      `"${parquetKey}" has ${rows.length} rows, the manifest says ${header.num_samples}`,
    );
  } else if (header.parquet && !("missing" in tar)) {
    const bad = rows.findIndex((r, i) => {
      const s = tar.samples[i];
      return !s || r.__key__ !== s.key || r.__offset__ !== s.offset || r.__size__ !== s.size;
    });
    if (bad >= 0) {
      const r = rows[bad]!;
      fail(
        "offset_mismatch",
        `row ${bad} (${r.__key__} at ${r.__offset__}+${r.__size__}) does not match the tar`,
      );
    }
  }
  return problems;
}

interface ScannedShard {
  sha256: string;
  size: number;
  samples: { key: string; offset: number; size: number }[];
  error?: string;
}

async function scanShard(store: Store, shard: string): Promise<ScannedShard | { missing: true }> {
  let stream: ReadableStream<Uint8Array>;
  try {
    stream = await store.getStream(shard);
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return { missing: true };
    throw err;
  }
  const hash = createHash("sha256");
  let size = 0;
  const reader = stream.getReader();
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    const r = await reader.read();
    if (r.done) return { done: true, value: undefined };
    hash.update(r.value);
    size += r.value.length;
    return r;
  };
  // The scan may stop at the end-of-archive blocks: its early return must not end the hashing.
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next,
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
  const samples: ScannedShard["samples"] = [];
  let error: string | undefined;
  try {
    for await (const s of scanSamples(source, { url: shard }) as AsyncIterable<TarSample>) {
      samples.push({ key: s.__key__, offset: s.offset, size: s.size });
    }
  } catch (err) {
    error = (err as Error).message;
  }
  while (!(await next()).done) { /* hash the rest */ }
  return { sha256: hash.digest("hex"), size, samples, ...(error ? { error } : {}) };
}
