/**
 * The local cache of Parquet manifests that DuckDB reads (it cannot reach `s3://` here: no
 * httpfs). A file is fetched through the Store once and kept as `<cacheDir>/<version>.parquet`,
 * named by its version (a hash of the object's store, key, ETag, size and time: manifests are
 * immutable, a rewritten one has another version), so a cached copy is valid for as long as the
 * store lists that version. Writes go to a temp name and are renamed: concurrent queries never
 * see half a file. Shards whose manifests are the same bytes share a version; the second and
 * later of them get `<version>.<k>.parquet`, a hard link, so that each file name is one shard.
 *
 * @module
 */
import { copyFile, link, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Store } from "../store/mod.ts";

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

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

let tmpCounter = 0;

/** Makes each `keys[i]` (of version `versions[i]`, hex) a local file in `dir`. */
export async function cacheParquet(
  store: Store,
  keys: readonly string[],
  versions: readonly string[],
  dir: string,
  concurrency: number,
): Promise<CacheFetch> {
  const out: CacheFetch = { paths: new Array(keys.length), fetchedBytes: 0, hits: 0, bytes: 0 };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const name = versions[i]!;
      if (!/^[0-9a-f]{16,64}$/.test(name)) throw new TypeError(`Not a manifest version: ${name}`);
      const path = join(dir, `${name}.parquet`);
      const size = await sizeOf(path);
      if (size !== undefined) {
        out.hits++;
        out.bytes += size;
      } else {
        const bytes = await store.get(keys[i]!);
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
  // Shards whose manifests are the same bytes (one version) get a name each (hard links), so
  // that a scan tells their rows apart by file name.
  const seen = new Map<string, number>();
  for (let i = 0; i < out.paths.length; i++) {
    const path = out.paths[i]!;
    const k = seen.get(path) ?? 0;
    seen.set(path, k + 1);
    if (k === 0) continue;
    const alias = path.replace(/\.parquet$/, `.${k}.parquet`);
    await link(path, alias).catch(async (err) => {
      const code = (err as { code?: string }).code;
      if (code === "EEXIST") return;
      // A file system without hard links: a copy (to a temp name, renamed, as a fetch is).
      if (!["EPERM", "EXDEV", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(code ?? "")) throw err;
      const tmp = `${alias}.${Deno.pid}.${tmpCounter++}.tmp`;
      await copyFile(path, tmp);
      await rename(tmp, alias);
    });
    out.paths[i] = alias;
  }
  return out;
}
