/**
 * Merging {@linkcode IndexColumns} read piece by piece (segments, then fragments) into one,
 * sorted by name: a shard in a later piece replaces the same shard in an earlier one, removed
 * names drop out. Pieces whose name ranges do not overlap are concatenated without comparing
 * names; others are merged by their heads (each piece is sorted).
 *
 * @module
 */
import type { FieldColumns, IndexColumns } from "./index_columns.ts";

type Source = { part: number; row: number };

/** One {@linkcode IndexColumns} of `parts` (each sorted by name), minus `removed`. */
export function mergeIndexColumns(
  dataset: string,
  parts: readonly IndexColumns[],
  removed: ReadonlySet<string> = new Set(),
): IndexColumns {
  const live = parts.filter((p) => p.length > 0);
  const order = mergeOrder(live, removed);
  const n = order.part.length;
  // Whole pieces one after the other (disjoint names, nothing removed): copied, not gathered.
  const runs = order.runs;
  const gatherF = (pick: (p: IndexColumns) => Float64Array) => {
    const out = new Float64Array(n);
    const src = live.map(pick);
    if (runs) {
      let at = 0;
      for (const p of runs) {
        out.set(src[p]!, at);
        at += src[p]!.length;
      }
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = src[order.part[i]!]![order.row[i]!]!;
    return out;
  };
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
    const num = (stat: keyof FieldColumns, absent: (p: IndexColumns, r: number) => number) => {
      if (!first[stat]) return undefined;
      const out = new Float64Array(n);
      const src = live.map((p) => of(p)?.[stat] as Float64Array | undefined);
      for (let i = 0; i < n; i++) {
        const part = order.part[i]!, row = order.row[i]!;
        const s = src[part];
        out[i] = s ? s[row]! : absent(live[part]!, row);
      }
      return out;
    };
    const zero = () => 0, nan = () => Number.NaN;
    const arr = <T>(stat: "histogram" | "set_values" | "bloom") => {
      if (!first[stat]) return undefined;
      const out = new Array<T | null>(n);
      const src = live.map((p) => of(p)?.[stat] as (T | null)[] | undefined);
      for (let i = 0; i < n; i++) out[i] = src[order.part[i]!]?.[order.row[i]!] ?? null;
      return out;
    };
    const present = new Uint8Array(n);
    const srcPresent = live.map((p) => of(p)?.present);
    for (let i = 0; i < n; i++) present[i] = srcPresent[order.part[i]!]?.[order.row[i]!] ?? 0;
    const cols: FieldColumns = {
      role,
      present,
      count: num("count", zero)!,
      null_count: num("null_count", (p, r) => p.num_samples[r]!)!,
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
        const out = new Float64Array(n);
        const src = srcValues.map((m) => m?.get(v));
        for (let i = 0; i < n; i++) out[i] = src[order.part[i]!]?.[order.row[i]!] ?? 0;
        values.set(v, out);
      }
      cols.values = values;
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
  const byFirst = parts.map((_, i) => i).sort((a, b) =>
    cmp(parts[a]!.name[0]!, parts[b]!.name[0]!)
  );
  const disjoint = byFirst.every((p, k) =>
    k === 0 || cmp(parts[byFirst[k - 1]!]!.name.at(-1)!, parts[p]!.name[0]!) < 0
  );
  if (disjoint) {
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

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
