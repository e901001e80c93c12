/**
 * The query layer's DuckDB: one in-memory instance per manifest cache folder, sandboxed before
 * any query runs. `allowed_directories` is the cache folder alone and `enable_external_access`
 * is off, then the configuration is locked: DuckDB can read the cached manifests and nothing
 * else, write nothing, load no extension, and no later statement can undo it. This is the second
 * wall; the first is the predicate checker (nothing the user typed reaches DuckDB as SQL).
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sqlString } from "./predicate.ts";

const instances = new Map<string, Promise<DuckDBInstance>>();

/** The default manifest cache folder: `<os tmpdir>/shardline/query-cache`. */
export function defaultCacheDir(): string {
  return join(tmpdir(), "shardline", "query-cache");
}

async function sandboxed(cacheDir: string): Promise<DuckDBInstance> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const db = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    temp_directory: join(cacheDir, ".tmp"),
  });
  const con = await db.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    await con.run(`SET allowed_directories = [${sqlString(cacheDir + "/")}]`);
    await con.run("SET enable_external_access = false");
    await con.run("SET lock_configuration = true");
  } finally {
    con.closeSync();
  }
  return db;
}

/** Runs `fn` with a fresh connection to the sandboxed instance of `cacheDir`. */
export async function withSandbox<T>(
  cacheDir: string,
  fn: (con: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const dir = resolve(cacheDir);
  let db = instances.get(dir);
  if (!db) {
    db = sandboxed(dir);
    instances.set(dir, db);
    db.catch(() => instances.delete(dir));
  }
  const con = await (await db).connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}
