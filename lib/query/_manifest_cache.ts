/**
 * The local cache of Parquet manifests that DuckDB reads (it cannot reach `s3://` here: no
 * httpfs). A file is fetched through the Store once and kept as `<cacheDir>/<sha256>.parquet`,
 * named by the checksum its header records (checked on arrival), so a cached copy is valid for
 * as long as any header names it; a layer without a recorded checksum is keyed by the sha256 of
 * its store key and ETag (one HEAD). Writes go to a temp name and are renamed: concurrent
 * queries never see half a file.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Store } from "../store/mod.ts";
import { QueryError } from "./query_error.ts";

/** What fetching a set of Parquet layers cost. */
export interface CacheFetch {
  /** Local paths, one per key asked. */
  paths: string[];
  /** Bytes fetched from the store (cache misses). */
  fetchedBytes: number;
  /** Files found in the cache. */
  hits: number;
  /** Bytes of every file handed to DuckDB. */
  bytes: number;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

let tmpCounter = 0;

/** Makes each `keys[i]` (with recorded checksum `shas[i]`, or `""`) a local file in `dir`. */
export async function cacheParquet(
  store: Store,
  keys: readonly string[],
  shas: readonly string[],
  dir: string,
  concurrency: number,
): Promise<CacheFetch> {
  const out: CacheFetch = { paths: new Array(keys.length), fetchedBytes: 0, hits: 0, bytes: 0 };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const key = keys[i]!;
      let name = shas[i]!;
      if (!/^[0-9a-f]{64}$/.test(name)) {
        const info = await store.head(key);
        if (!info) {
          throw new QueryError("not_found", `Manifest rows "${key}" are absent`, { shard: key });
        }
        name = sha256(`${key}\u0000${info.etag ?? ""}\u0000${info.size}`);
      }
      const path = join(dir, `${name}.parquet`);
      const size = await sizeOf(path);
      if (size !== undefined) {
        out.hits++;
        out.bytes += size;
      } else {
        const bytes = await store.get(key);
        if (name === shas[i] && sha256(bytes) !== name) {
          throw new QueryError(
            "not_found",
            `Manifest rows "${key}" do not match the checksum their header records`,
            { shard: key },
          );
        }
        const tmp = join(dir, `.${name}.${Deno.pid}.${tmpCounter++}.tmp`);
        await writeFile(tmp, bytes, { mode: 0o600 });
        await rename(tmp, path);
        out.fetchedBytes += bytes.byteLength;
        out.bytes += bytes.byteLength;
      }
      out.paths[i] = path;
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, keys.length)) }, worker),
  );
  return out;
}
