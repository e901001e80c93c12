/**
 * A view's copy plan: the query's rows (where each sample is, and its manifest fields) grouped
 * into output shards, and the text form of one shard's rows that a view job's task reads from
 * the store (private to the query room).
 *
 * The text is JSON with tagged values for what JSON cannot hold exactly: `{"$bigint": "..."}`
 * (64-bit integers), `{"$date": <ms>}` (timestamps), `{"$number": "NaN" | "Infinity" |
 * "-Infinity" | "-0"}`, so a task's manifest gets the very values the in-process copy gets.
 *
 * @module
 */
import type { ManifestSchema } from "../manifest/mod.ts";
import { QueryError } from "./query_error.ts";

/** One sample of a view: where it is, and its manifest field values (in the schema's order). */
export interface ViewRow {
  shard: string;
  key: string;
  offset: number;
  size: number;
  values: unknown[];
}

/** What a view job's params hold (the rows are in the store, one file per task). */
export interface ViewJobParams {
  /** The view's hash. */
  view: string;
  /** Prefix of the task files: `<plan><task-id>.json`. */
  plan: string;
  /** The schema the view's manifests are written with. */
  schema: ManifestSchema;
  /** Samples in the view. */
  samples: number;
}

/** Where the task files of view job `jobId` live. */
export function viewPlanPrefix(jobId: string): string {
  return `_views/_plans/${jobId}/`;
}

/**
 * Rows into output shards, in order: a shard closes at `maxcount` samples, or once its samples
 * reach `maxsize` bytes (checked before each sample, as the ShardWriter rotates).
 */
export function groupViewRows(rows: ViewRow[], maxcount: number, maxsize: number): ViewRow[][] {
  const groups: ViewRow[][] = [];
  let cur: ViewRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (cur.length > 0 && (cur.length >= maxcount || bytes >= maxsize)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(row);
    bytes += row.size;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/** One task's rows as stored: the shards once, each row naming its shard by position. */
interface TaskFile {
  shards: string[];
  rows: [number, string, number, number, unknown[]][];
}

/** The text of a task file holding `rows`. */
export function encodeViewRows(rows: readonly ViewRow[]): string {
  const shards: string[] = [];
  const at = new Map<string, number>();
  const file: TaskFile = {
    shards,
    rows: rows.map((r) => {
      let i = at.get(r.shard);
      if (i === undefined) at.set(r.shard, i = shards.push(r.shard) - 1);
      return [i, r.key, r.offset, r.size, r.values];
    }),
  };
  return JSON.stringify(file, function (this: Record<string, unknown>, k, v) {
    const raw = this[k];
    if (typeof raw === "bigint") return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (typeof raw === "number" && (!Number.isFinite(raw) || Object.is(raw, -0))) {
      return { $number: Object.is(raw, -0) ? "-0" : String(raw) };
    }
    return v;
  });
}

/** The rows of a task file; throws {@linkcode QueryError} `invalid_option` when malformed. */
export function decodeViewRows(text: string, key: string): ViewRow[] {
  const file = JSON.parse(text, (_k, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    if (typeof v.$bigint === "string") return BigInt(v.$bigint);
    if (typeof v.$date === "number") return new Date(v.$date);
    if (typeof v.$number === "string") return Number(v.$number);
    return v;
  }) as Partial<TaskFile>;
  if (!Array.isArray(file?.shards) || !Array.isArray(file.rows)) {
    throw new QueryError("invalid_option", `Cannot read the view task file "${key}": malformed`);
  }
  return file.rows.map(([i, key, offset, size, values]) => ({
    shard: file.shards![i]!,
    key,
    offset,
    size,
    values,
  }));
}
