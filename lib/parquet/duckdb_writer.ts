/**
 * Writes columns to Parquet bytes with the shared DuckDB: a temp table filled by data chunks
 * (2048 rows each, vectors written in bulk), `COPY ... TO` a temp file (zstd), read back.
 * A column may be staged in a cheaper type and cast on the way out (low-cardinality strings as
 * ENUM: their vectors are written as one typed array instead of one native call per string).
 *
 * @module
 */
import { DuckDBDataChunk, type DuckDBType } from "@duckdb/node-api";
import { sqlIdent, sqlString, withConnection, withTempFile } from "./duckdb.ts";

/** One column to write. */
export interface ColumnSpec {
  name: string;
  /** DDL type (`"VARCHAR"`, `"BIGINT"`, `"VARCHAR[]"`, ...). */
  sql: string;
  /** The matching DuckDB type. */
  duck: DuckDBType;
  /** The vector item of row `i` (a DuckDB value), or null. */
  item(i: number): unknown;
  /** The type the Parquet column gets, when it differs from `sql` (a cast on the way out). */
  cast?: string;
}

interface Vector {
  setItem(index: number, value: unknown): void;
  flush(): void;
}

const CHUNK = 2048;

/** Parquet bytes of `rowCount` rows of `columns`. */
export async function writeParquet(
  columns: readonly ColumnSpec[],
  rowCount: number,
  tempDir?: string,
): Promise<Uint8Array> {
  const ddl = columns.map((c) => `${sqlIdent(c.name)} ${c.sql}`).join(", ");
  const types = columns.map((c) => c.duck);
  return await withTempFile(".parquet", tempDir, (path) =>
    withConnection(async (con) => {
      await con.run(`CREATE TEMP TABLE rows_out (${ddl})`);
      const appender = await con.createAppender("rows_out");
      for (let start = 0; start < rowCount; start += CHUNK) {
        const size = Math.min(CHUNK, rowCount - start);
        const chunk = DuckDBDataChunk.create(types, size);
        columns.forEach((column, c) => {
          const vector = chunk.getColumnVector(c) as unknown as Vector;
          for (let i = 0; i < size; i++) vector.setItem(i, column.item(start + i));
          vector.flush();
        });
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      const select = columns.map((c) => {
        const name = sqlIdent(c.name);
        return c.cast ? `${name}::${c.cast} AS ${name}` : name;
      }).join(", ");
      await con.run(
        `COPY (SELECT ${select} FROM rows_out) TO ${
          sqlString(path)
        } (FORMAT parquet, COMPRESSION zstd)`,
      );
      return await Deno.readFile(path);
    }));
}
