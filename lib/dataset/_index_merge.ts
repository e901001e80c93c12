/**
 * Merging {@linkcode IndexColumns} read piece by piece (segments, then fragments) into one,
 * sorted by name: a shard in a later piece replaces the same shard in an earlier one, removed
 * names drop out. Pieces whose name ranges do not overlap are concatenated without comparing
 * names; others are merged by their heads (each piece is sorted).
 *
 * @module
 */
import type { FieldColumns, IndexColumns } from "./index_columns.ts";
import type { ColumnArena } from "./_column_arena.ts";

type Source = { part: number; row: number };

/**
 * One {@linkcode IndexColumns} of `parts` (each sorted by name), minus `removed`. The parts are
 * consumed: each column of a part is let go once it is copied, so that the peak memory is about
 * one copy of the index, not two; a column whose pieces were read into `arena` is adopted whole.
 */
export function mergeIndexColumns(
  dataset: string,
  parts: readonly IndexColumns[],
  removed: ReadonlySet<string> = new Set(),
  arena?: ColumnArena,
): IndexColumns {
  const live = parts.filter((p) => p.length > 0);
  const order = mergeOrder(live, removed);
  const n = order.part.length;
  // Whole pieces one after the other (disjoint names, nothing removed): copied, not gathered.
  const runs = order.runs;
  /** Where each piece starts in the result, when whole pieces are concatenated. */
  const at = new Map<number, number>();
  if (runs) runs.reduce((a, p) => (at.set(p, a), a + live[p]!.length), 0);
  /**
   * Numbers per row; `absent` stands for a piece without the column. A source that is a view of
   * a full-length array of `arena` at its piece's place is adopted as the
   * result, the other pieces written into it.
   */
  const gatherN = <A extends Float64Array | Uint8Array>(
    make: (n: number) => A,
    src: readonly (A | undefined)[],
    absent: (p: IndexColumns) => number | ArrayLike<number>,
  ): A => {
    if (runs) {
      const inPlace = (s: A | undefined, p: number) =>
        s !== undefined && arena !== undefined && arena.owns(s.buffer) &&
        s.buffer.byteLength === n * s.BYTES_PER_ELEMENT &&
        s.byteOffset === at.get(p)! * s.BYTES_PER_ELEMENT && s.length === live[p]!.length;
      const adopt = runs.find((p) => inPlace(src[p], p));
      const out = adopt === undefined
        ? make(n)
        : new (src[adopt]!.constructor as new (b: ArrayBufferLike) => A)(src[adopt]!.buffer);
      for (const p of runs) {
        const s = src[p], start = at.get(p)!, len = live[p]!.length;
        if (adopt !== undefined && inPlace(s, p) && s!.buffer === out.buffer) continue;
        const a = s ?? absent(live[p]!);
        if (typeof a === "number") out.fill(a, start, start + len);
        else out.set(a, start);
      }
      return out;
    }
    const out = make(n);
    const fill = live.map((p, k) => src[k] ?? absent(p));
    for (let i = 0; i < n; i++) {
      const a = fill[order.part[i]!]!;
      out[i] = typeof a === "number" ? a : a[order.row[i]!]!;
    }
    return out;
  };
  const f64 = (n: number) => new Float64Array(n);
  const gatherF = (pick: (p: IndexColumns) => Float64Array) =>
    gatherN(f64, live.map(pick), () => Number.NaN);
  const gatherA = <T>(pick: (p: IndexColumns) => readonly T[]) => {
    const src = live.map(pick);
    if (runs) return runs.length === 1 ? src[runs[0]!]! as T[] : runs.flatMap((p) => src[p]!);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = src[order.part[i]!]![order.row[i]!]!;
    return out;
  };
  const out: IndexColumns = {
    dataset,
    length: n,
    name: gatherA((p) => p.name),
    num_samples: gatherF((p) => p.num_samples),
    size_bytes: gatherF((p) => p.size_bytes),
    schema_type: gatherA((p) => p.schema_type),
    schema_version: gatherA((p) => p.schema_version),
    time_min: gatherF((p) => p.time_min),
    time_max: gatherF((p) => p.time_max),
    manifest_version: gatherA((p) => p.manifest_version),
    schema_fields: gatherA((p) => p.schema_fields),
    fields: {},
  };
  if (live.every((p) => p.parquet_key)) {
    out.parquet_key = gatherA((p) => p.parquet_key!);
    out.parquet_sha256 = gatherA((p) => p.parquet_sha256!);
    out.parquet_size = gatherF((p) => p.parquet_size!);
  }
  const names = new Set(live.flatMap((p) => Object.keys(p.fields)));
  for (const name of names) {
    const role = live.find((p) => p.fields[name])!.fields[name]!.role;
    // A piece without the field (or with another role): every shard of it lacks the field.
    const of = (p: IndexColumns) => p.fields[name]?.role === role ? p.fields[name] : undefined;
    const first = live.map(of).find((f) => f)!;
    type NumStat = {
      [K in keyof FieldColumns]-?: FieldColumns[K] extends Float64Array | undefined ? K : never;
    }[keyof FieldColumns];
    const num = (stat: NumStat, absent: (p: IndexColumns) => number | Float64Array) => {
      if (!first[stat]) return undefined;
      const src = live.map((p) => of(p)?.[stat]);
      const col = gatherN(f64, src, absent);
      for (const p of live) if (of(p)) Reflect.deleteProperty(of(p)!, stat);
      return col;
    };
    const zero = () => 0, nan = () => Number.NaN;
    const arr = <T>(stat: "histogram" | "set_values" | "bloom") => {
      if (!first[stat]) return undefined;
      const out = new Array<T | null>(n);
      const src = live.map((p) => of(p)?.[stat] as (T | null)[] | undefined);
      for (let i = 0; i < n; i++) out[i] = src[order.part[i]!]?.[order.row[i]!] ?? null;
      return out;
    };
    const present = gatherN((n) => new Uint8Array(n), live.map((p) => of(p)?.present), zero);
    const cols: FieldColumns = {
      role,
      present,
      count: num("count", zero)!,
      null_count: num("null_count", (p) => p.num_samples)!,
    };
    const set = <K extends keyof FieldColumns>(k: K, v: FieldColumns[K] | undefined) => {
      if (v !== undefined) cols[k] = v;
    };
    set("min", num("min", nan));
    set("max", num("max", nan));
    set("nan_count", num("nan_count", zero));
    set("sum", num("sum", zero));
    set("inf_count", num("inf_count", zero));
    set("cardinality", num("cardinality", zero));
    set("overflow_count", num("overflow_count", zero));
    set("overflow_cardinality", num("overflow_cardinality", zero));
    set("histogram", arr("histogram"));
    set("set_values", arr("set_values"));
    set("bloom", arr("bloom"));
    if (first.values) {
      const values = new Map<string, Float64Array>();
      const srcValues = live.map((p) => of(p)?.values);
      for (const v of new Set(srcValues.flatMap((m) => m ? [...m.keys()] : []))) {
        values.set(v, gatherN(f64, srcValues.map((m) => m?.get(v)), zero));
        for (const m of srcValues) m?.delete(v);
      }
      cols.values = values;
      if (live.some((p) => of(p)?.partial_values)) cols.partial_values = true;
    }
    out.fields[name] = cols;
  }
  return out;
}

/** For each output row, the piece and row it comes from. */
function mergeOrder(
  parts: readonly IndexColumns[],
  removed: ReadonlySet<string>,
): { part: Int32Array; row: Int32Array; runs?: number[] } {
  const total = parts.reduce((a, p) => a + p.length, 0);
  const part = new Int32Array(total), row = new Int32Array(total);
  let n = 0;
  const push = (s: Source) => {
    if (removed.size > 0 && removed.has(parts[s.part]!.name[s.row]!)) return;
    part[n] = s.part;
    row[n++] = s.row;
  };
  // Non-overlapping pieces (sequentially named shards, the usual case): concatenate.
  const byFirst = disjointOrder(parts);
  if (byFirst) {
    for (const p of byFirst) for (let r = 0; r < parts[p]!.length; r++) push({ part: p, row: r });
    const whole = n === total ? byFirst : undefined;
    return { part: part.subarray(0, n), row: row.subarray(0, n), runs: whole };
  }
  const heads = parts.map(() => 0);
  for (;;) {
    let best = -1;
    for (let p = 0; p < parts.length; p++) {
      if (heads[p]! >= parts[p]!.length) continue;
      if (best < 0) best = p;
      else {
        const c = cmp(parts[p]!.name[heads[p]!]!, parts[best]!.name[heads[best]!]!);
        if (c < 0) best = p;
        else if (c === 0) {
          heads[best]!++; // the later piece wins
          best = p;
        }
      }
    }
    if (best < 0) break;
    push({ part: best, row: heads[best]!++ });
  }
  return { part: part.subarray(0, n), row: row.subarray(0, n) };
}

type Named = Pick<IndexColumns, "name" | "length">;

/** The pieces (all non-empty) by first name when their name ranges do not overlap. */
function disjointOrder(parts: readonly Named[]): number[] | undefined {
  const byFirst = parts.map((_, i) => i).sort((a, b) =>
    cmp(parts[a]!.name[0]!, parts[b]!.name[0]!)
  );
  const disjoint = byFirst.every((p, k) =>
    k === 0 || cmp(parts[byFirst[k - 1]!]!.name.at(-1)!, parts[p]!.name[0]!) < 0
  );
  return disjoint ? byFirst : undefined;
}

/**
 * Where each of `parts` will start in {@linkcode mergeIndexColumns}' result when the merge will
 * concatenate whole pieces (name ranges disjoint, no removed name among them), with the result's
 * length; undefined when it will interleave. Knowing this from the names alone lets the pieces
 * be read into place (a `ColumnArena`).
 */
export function concatLayout(
  parts: readonly Named[],
  removed: ReadonlySet<string> = new Set(),
): { at: number[]; length: number } | undefined {
  const live = parts.map((_, i) => i).filter((i) => parts[i]!.length > 0);
  const order = disjointOrder(live.map((i) => parts[i]!));
  if (!order) return undefined;
  for (const name of removed) {
    if (live.some((i) => sortedHas(parts[i]!.name, name))) return undefined;
  }
  const at = parts.map(() => 0);
  let length = 0;
  for (const k of order) {
    at[live[k]!] = length;
    length += parts[live[k]!]!.length;
  }
  return { at, length };
}

function sortedHas(names: readonly string[], name: string): boolean {
  let lo = 0, hi = names.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, c = cmp(names[mid]!, name);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
