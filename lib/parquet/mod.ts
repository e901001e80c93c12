/**
 * Parquet: a general writer from typed columns to Parquet bytes in TypeScript
 * ({@linkcode encodeParquet}, {@linkcode ParquetFileWriter}: Thrift footer, PLAIN / DELTA /
 * dictionary encodings, chunk statistics), the typed columns it writes ({@linkcode NumberColumn},
 * {@linkcode StringColumn}, {@linkcode ListColumn}, ...), and reading and writing through the
 * process's shared DuckDB ({@linkcode withConnection}, {@linkcode writeParquet}).
 *
 * @example
 * ```ts
 * import { encodeParquet, NumberColumn, withConnection, withTempFile } from "./mod.ts";
 *
 * const data = new NumberColumn(Float64Array.from([1.5, 2.5]), undefined, 0);
 * const bytes = encodeParquet([{ name: "x", type: "double", data }], 2);
 * const sum = await withTempFile(".parquet", undefined, async (path) => {
 *   await Deno.writeFile(path, bytes);
 *   return await withConnection(async (con) => {
 *     const reader = await con.runAndReadAll(`SELECT sum(x) AS s FROM '${path}'`);
 *     return reader.getRowObjects()[0]!.s;
 *   });
 * });
 * if (sum !== 4) throw new Error(String(sum));
 * ```
 *
 * @module
 */
export {
  encodeParquet,
  type EncodeParquetOptions,
  ParquetFileWriter,
  type ParquetOutColumn,
  type ParquetSchemaColumn,
  type ParquetType,
} from "./parquet_writer.ts";
export {
  BoolColumn,
  type ColumnData,
  type ColumnValue,
  dictCounts,
  ItemCoder,
  KeyColumn,
  KeyParts,
  ListColumn,
  ListParts,
  NumberColumn,
  StringColumn,
} from "./column_data.ts";
export { type ParquetLayout, type ReadAt, readLayout, readNumberColumn } from "./parquet_reader.ts";
export { sqlIdent, sqlString, tempPath, withConnection, withTempFile } from "./duckdb.ts";
export { type ColumnSpec, writeParquet } from "./duckdb_writer.ts";
