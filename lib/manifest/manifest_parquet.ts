/**
 * The per-sample layer of a manifest as Parquet: written by shardline's own encoder
 * (`lib/parquet/parquet_writer.ts`: typed columns to bytes in tight loops, zstd pages, chunk statistics),
 * read with DuckDB through local temp files (the bytes themselves travel through the Store).
 *
 * Columns: `__key__` VARCHAR, `__offset__` BIGINT (byte offset of the sample's first tar header),
 * `__size__` BIGINT, then one column per manifest field in its proper type (see `_field_columns.ts`).
 *
 * @module
 */
import type { ManifestField } from "../schema/manifest_field.ts";
import type { ManifestValue } from "./aggregate.ts";
import { collectColumn, collectKeys, manifestParquetColumns } from "./_field_columns.ts";
import { sqlString, withConnection, withTempFile } from "../parquet/duckdb.ts";
import { encodeParquet } from "../parquet/parquet_writer.ts";
import { ROW_GROUP_ROWS } from "./_encode_shard.ts";

/** The rows of one shard's manifest, column by column (values normalized, see `_field_columns.ts`). */
export interface ManifestColumns {
  keys: string[];
  offsets: number[];
  sizes: number[];
  /** One array per manifest field, as long as `keys`. */
  values: Record<string, (ManifestValue | null)[]>;
}

/** Options for {@linkcode writeManifestParquet} and {@linkcode readManifestParquet}. */
export interface ManifestParquetOptions {
  /** Folder for DuckDB's temp files (reading). @default a private folder under the system temp dir */
  tempDir?: string;
}

/**
 * Encodes manifest rows (values normalized as `_field_columns.ts` says) as Parquet and returns the
 * file's bytes.
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
export function writeManifestParquet(
  columns: ManifestColumns,
  fields: readonly ManifestField[],
  _options: ManifestParquetOptions = {},
): Promise<Uint8Array> {
  try {
    const { keys, offsets, sizes } = columns;
    const data = fields.map((f) => {
      const values = columns.values[f.name] ?? [];
      const padded = values.length < keys.length
        ? [...values, ...new Array(keys.length - values.length).fill(null)]
        : values;
      return collectColumn(f, padded, true);
    });
    const parquet = manifestParquetColumns(collectKeys(keys), offsets, sizes, fields, data);
    return Promise.resolve(encodeParquet(parquet, keys.length, { rowGroupSize: ROW_GROUP_ROWS }));
  } catch (err) {
    return Promise.reject(err);
  }
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
