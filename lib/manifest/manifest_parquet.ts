/**
 * The per-sample layer of a manifest as Parquet, written and read with DuckDB through local temp
 * files (the bytes themselves travel through the Store).
 *
 * Columns: `__key__` VARCHAR, `__offset__` BIGINT (byte offset of the sample's first tar header),
 * `__size__` BIGINT, then one column per manifest field in its proper type (see `_columns.ts`).
 *
 * @module
 */
import { BIGINT, ENUM, LIST, VARCHAR } from "@duckdb/node-api";
import type { ManifestField } from "../schema/manifest_field.ts";
import type { ManifestValue } from "./aggregate.ts";
import { columnType } from "./_columns.ts";
import { sqlString, withConnection, withTempFile } from "./_duckdb.ts";
import { type ColumnSpec, writeParquet } from "./_write_parquet.ts";

/** The rows of one shard's manifest, column by column (values normalized, see `_columns.ts`). */
export interface ManifestColumns {
  keys: string[];
  offsets: number[];
  sizes: number[];
  /** One array per manifest field, as long as `keys`. */
  values: Record<string, (ManifestValue | null)[]>;
}

/** Options for {@linkcode writeManifestParquet} and {@linkcode readManifestParquet}. */
export interface ManifestParquetOptions {
  /** Folder for DuckDB's temp files. @default a private folder under the system temp dir */
  tempDir?: string;
}

/**
 * Writes manifest rows as Parquet (zstd) and returns the file's bytes.
 *
 * @example
 * ```ts
 * import { writeManifestParquet } from "./manifest_parquet.ts";
 * const fields = [{ name: "label", role: "categorical", type: "str", list: false, nullable: false }] as const;
 * const bytes = await writeManifestParquet(
 *   { keys: ["a"], offsets: [0], sizes: [1536], values: { label: ["cat"] } },
 *   [...fields],
 * );
 * if (new TextDecoder().decode(bytes.subarray(0, 4)) !== "PAR1") throw new Error("not Parquet");
 * ```
 */
export async function writeManifestParquet(
  columns: ManifestColumns,
  fields: readonly ManifestField[],
  options: ManifestParquetOptions = {},
): Promise<Uint8Array> {
  const { keys, offsets, sizes } = columns;
  const specs: ColumnSpec[] = [
    { name: "__key__", sql: "VARCHAR", duck: VARCHAR, item: (i) => keys[i] },
    { name: "__offset__", sql: "BIGINT", duck: BIGINT, item: (i) => BigInt(offsets[i]!) },
    { name: "__size__", sql: "BIGINT", duck: BIGINT, item: (i) => BigInt(sizes[i]!) },
  ];
  for (const field of fields) {
    const type = columnType(field);
    const values = columns.values[field.name] ?? [];
    specs.push({
      name: field.name,
      sql: type.sql,
      duck: type.duck,
      item: (i) => {
        const v = values[i];
        return v === null || v === undefined ? null : type.item(v);
      },
      ...enumStaging(field, values),
    });
  }
  return await writeParquet(specs, keys.length, options.tempDir);
}

/** Most distinct strings staged as an ENUM (larger dictionaries go in as plain VARCHAR). */
const ENUM_LIMIT = 4096;

/**
 * Low-cardinality string columns (and lists, whose items are strings) are staged as ENUM /
 * ENUM[] and cast back to VARCHAR / VARCHAR[] on the way out: same Parquet, faster fill.
 */
function enumStaging(
  field: ManifestField,
  values: readonly (ManifestValue | null)[],
): Pick<ColumnSpec, "sql" | "duck" | "cast"> | undefined {
  if (field.type !== "str" && !field.list) return undefined;
  const dict = new Set<string>();
  for (const v of values) {
    if (typeof v === "string") dict.add(v);
    else if (Array.isArray(v)) { for (const item of v) dict.add(item); }
    if (dict.size > ENUM_LIMIT) return undefined;
  }
  if (dict.size === 0) return undefined;
  const members = [...dict];
  const sql = `ENUM(${members.map(sqlString).join(", ")})`;
  return field.list
    ? { sql: `${sql}[]`, duck: LIST(ENUM(members)), cast: "VARCHAR[]" }
    : { sql, duck: ENUM(members), cast: "VARCHAR" };
}

/** A Parquet column's name and DuckDB type (`"VARCHAR"`, `"BIGINT"`, `"VARCHAR[]"`, ...). */
export interface ParquetColumn {
  name: string;
  type: string;
}

/** The rows of a manifest Parquet file, as DuckDB returns them. */
export interface ParquetRows {
  columns: ParquetColumn[];
  /** One object per row; BIGINT as number when safe (bigint otherwise), TIMESTAMPTZ as Date. */
  rows: Record<string, unknown>[];
}

/**
 * Reads a Parquet file's rows (any Parquet: atdata's too). Rejects when the bytes are not
 * readable Parquet (DuckDB's error as `cause`).
 *
 * @example
 * ```ts
 * import { readManifestParquet, writeManifestParquet } from "./manifest_parquet.ts";
 * const bytes = await writeManifestParquet({ keys: ["a"], offsets: [0], sizes: [9], values: {} }, []);
 * const { rows } = await readManifestParquet(bytes);
 * if (rows[0]?.__size__ !== 9) throw new Error("unexpected");
 * ```
 */
export async function readManifestParquet(
  bytes: Uint8Array,
  options: ManifestParquetOptions = {},
): Promise<ParquetRows> {
  return await withTempFile(".parquet", options.tempDir, async (path) => {
    await Deno.writeFile(path, bytes);
    return await withConnection(async (con) => {
      const reader = await con.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path)})`);
      const names = reader.columnNames();
      const columns = names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
      const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
      for (const row of rows) {
        for (const name of names) {
          const v = row[name];
          if (typeof v === "bigint" && Number.isSafeInteger(Number(v))) row[name] = Number(v);
        }
      }
      return { columns, rows };
    });
  });
}
