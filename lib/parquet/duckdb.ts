/**
 * The process's DuckDB: one in-memory instance, created on first use and reused (not one per
 * shard: creating an instance is costly), with a fresh connection per operation so that concurrent
 * shard commits do not share temp tables. Also a private temp folder for the Parquet files DuckDB
 * reads and writes: DuckDB cannot reach `s3://` here, so bytes always go through the Store.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

let instance: Promise<DuckDBInstance> | undefined;
let tempDir: Promise<string> | undefined;
let counter = 0;

function shared(): Promise<DuckDBInstance> {
  instance ??= (async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run("SET GLOBAL TimeZone = 'UTC'");
    } finally {
      con.closeSync();
    }
    return db;
  })();
  return instance;
}

/** Runs `fn` with a fresh connection to the shared instance, closed afterwards. */
export async function withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const con = await (await shared()).connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}

/** A fresh path in the process's temp folder (the file is not created). */
export async function tempPath(suffix: string, dir?: string): Promise<string> {
  if (dir) return `${dir}/shardline-${Date.now()}-${counter++}${suffix}`;
  tempDir ??= (async () => {
    const path = await Deno.makeTempDir({ prefix: "shardline-manifest-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(path, { recursive: true });
      } catch {
        // Already gone.
      }
    });
    return path;
  })();
  return `${await tempDir}/${counter++}${suffix}`;
}

/** Runs `fn` with a temp path, removing the file afterwards. */
export async function withTempFile<T>(
  suffix: string,
  dir: string | undefined,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const path = await tempPath(suffix, dir);
  try {
    return await fn(path);
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/** `s` as a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `s` as a quoted SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
