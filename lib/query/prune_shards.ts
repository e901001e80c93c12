/**
 * {@linkcode pruneShards}: which shards of a dataset can hold a row matching a predicate, from
 * the index's columns alone ({@linkcode IndexColumns}: one slot per shard per statistic).
 *
 * Vectorized: each node of the predicate is one pass over typed arrays producing three bitmaps
 * of SQL's three-valued logic, per shard: some row may be TRUE (`t`), some row may be FALSE
 * (`f`), some row may be NULL (`n`). AND, OR and NOT combine them by Kleene's rules
 * (`t(a AND b) <= t(a) & t(b)`, `f(a AND b) = f(a) | f(b)`, NOT swaps `t` and `f`). Every bitmap
 * over-approximates, so the result is sound: a shard is pruned only when `t` is 0, which a rule
 * proved; a shard whose `f` and `n` are 0 matches on every row ("fully decided"). Whatever the
 * planner does not understand (a function, a field compared with a field, a statistic that is
 * unknown: `NaN`) sets all three bits and keeps the shard.
 *
 * Rules: a categorical value absent from the shard's counts and overflow; a numeric range
 * disjoint from [min, max]; histogram buckets empty over the range; a set item absent from the
 * shard's values or its bloom filter; timestamp bounds disjoint; a field the shard's schema
 * version lacks (every row null); a field with no non-null value; a comparison with NULL.
 *
 * @module
 */
import { BloomFilter } from "../manifest/mod.ts";
import type { FieldColumns, IndexColumns } from "../dataset/mod.ts";
import type { CompareOp, Literal, Operand, Predicate } from "./predicate.ts";
import { categoricalKey } from "./_categorical_values.ts";

/** Why shards were pruned: counts per rule. */
export const PRUNE_RULES = [
  "absent_field",
  "all_null",
  "null_comparison",
  "categorical",
  "numeric_range",
  "histogram",
  "time_range",
  "set_values",
  "bloom",
] as const;

/** One pruning rule. */
export type PruneRule = typeof PRUNE_RULES[number];

/** What {@linkcode pruneShards} decided, one slot per shard of the columns. */
export interface PruneResult {
  /** 1: some row of the shard may match (scan it); 0: pruned. */
  mayMatch: Uint8Array;
  /** 1: every row of the shard matches (counts decided without scanning). */
  allMatch: Uint8Array;
  /** Shards pruned by each rule (the first rule that proved it, in predicate order). */
  prunedBy: Record<PruneRule, number>;
}

/** Options for {@linkcode pruneShards}. */
export interface PruneShardsOptions {
  /**
   * Per shard, the fields its schema version lists (`undefined` where unknown). A field absent
   * from the index columns of a shard counts as all null only where this says the shard lacks
   * it. @default every absent field counts as unknown (nothing pruned for absence)
   */
  lacks?: (field: string) => Uint8Array | undefined;
}

interface Bits {
  t: Uint8Array;
  f: Uint8Array;
  n: Uint8Array;
  /** Rule index + 1 that cleared `t` (resp. `f`), 0 for none. */
  rt: Uint8Array;
  rf: Uint8Array;
}

const R = Object.fromEntries(PRUNE_RULES.map((r, i) => [r, i + 1])) as Record<PruneRule, number>;
const MAX = Number.MAX_VALUE;

function bits(len: number, fill = 1): Bits {
  const mk = () => new Uint8Array(len).fill(fill);
  return { t: mk(), f: mk(), n: mk(), rt: new Uint8Array(len), rf: new Uint8Array(len) };
}

const flip: Record<CompareOp, CompareOp> = {
  "=": "=",
  "<>": "<>",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
};

class Planner {
  readonly len: number;
  #blooms = new Map<string, (BloomFilter | null)[]>();
  constructor(readonly cols: IndexColumns, readonly options: PruneShardsOptions) {
    this.len = cols.length;
  }

  node(p: Predicate): Bits {
    switch (p.op) {
      case "and":
      case "or":
        return this.junction(p.op, p.args.map((a) => this.node(a)));
      case "not": {
        const b = this.node(p.arg);
        return { t: b.f, f: b.t, n: b.n, rt: b.rf, rf: b.rt };
      }
      case "in":
        return this.node({
          op: "or",
          args: p.list.map((right) => ({ op: "cmp", cmp: "=", left: p.arg, right })),
        });
      case "cmp": {
        const { left, right } = p;
        if (left.kind === "field" && right.kind === "lit") {
          return this.compare(left.name, p.cmp, right.lit);
        }
        if (left.kind === "lit" && right.kind === "field") {
          return this.compare(right.name, flip[p.cmp], left.lit);
        }
        return bits(this.len);
      }
      case "between": {
        const { arg, low, high } = p;
        if (arg.kind !== "field" || low.kind !== "lit" || high.kind !== "lit") {
          return bits(this.len);
        }
        return this.range(arg.name, low.lit, high.lit);
      }
      case "is_null":
        return this.isNull(p.arg);
      case "has":
        return this.has(p.field, p.value);
      case "value":
        if (p.arg.kind === "field") {
          return this.compare(p.arg.name, "=", { type: "bool", value: true });
        }
        if (p.arg.kind === "lit") return this.constant(p.arg.lit);
        return bits(this.len);
    }
  }

  junction(op: "and" | "or", args: Bits[]): Bits {
    const out = bits(this.len, op === "and" ? 1 : 0);
    if (op === "and") out.f.fill(0), out.n.fill(0);
    else out.t.fill(0), out.f.fill(1), out.n.fill(0);
    for (const a of args) {
      for (let i = 0; i < this.len; i++) {
        if (op === "and") {
          if (out.t[i] && !a.t[i]) out.t[i] = 0, out.rt[i] = a.rt[i]!;
          if (a.f[i]) out.f[i] = 1;
        } else {
          if (a.t[i]) out.t[i] = 1;
          else if (!out.rt[i]) out.rt[i] = a.rt[i]!;
          if (out.f[i] && !a.f[i]) out.f[i] = 0, out.rf[i] = a.rf[i]!;
        }
        if (a.n[i]) out.n[i] = 1;
      }
    }
    if (op === "and") {
      // f cleared by every child: the first child's reason.
      for (let i = 0; i < this.len; i++) if (!out.f[i]) out.rf[i] = args[0]?.rf[i] ?? 0;
    } else {
      for (let i = 0; i < this.len; i++) if (out.t[i]) out.rt[i] = 0;
    }
    return out;
  }

  constant(lit: Literal): Bits {
    const out = bits(this.len, 0);
    if (lit.type === "null") {
      out.n.fill(1), out.rt.fill(R.null_comparison), out.rf.fill(R.null_comparison);
    } else if (lit.type === "bool") (lit.value ? out.t : out.f).fill(1);
    else return bits(this.len);
    return out;
  }

  /**
   * The common frame of a field test: shards that lack the field or hold only nulls, and the
   * null bit; `decide(i)` then sets `t`/`f` of shards with values.
   */
  field(
    name: string,
    decide: (out: Bits, i: number, cols: FieldColumns) => void,
  ): Bits {
    const out = bits(this.len);
    const cols = this.cols.fields[name];
    const lacks = this.options.lacks?.(name);
    for (let i = 0; i < this.len; i++) {
      if (!cols?.present[i]) {
        if (lacks?.[i]) out.t[i] = 0, out.f[i] = 0, out.rt[i] = out.rf[i] = R.absent_field;
        continue;
      }
      const nulls = cols.null_count[i]!;
      out.n[i] = nulls === 0 ? 0 : 1;
      const count = cols.count[i]!;
      const nan = cols.nan_count?.[i] ?? 0;
      if (count === 0 && nan === 0) {
        out.t[i] = 0, out.f[i] = 0, out.rt[i] = out.rf[i] = R.all_null;
        continue;
      }
      decide(out, i, cols);
    }
    return out;
  }

  compare(name: string, op: CompareOp, lit: Literal): Bits {
    if (lit.type === "null") {
      return this.field(name, (out, i) => {
        out.t[i] = 0, out.f[i] = 0, out.n[i] = 1, out.rt[i] = out.rf[i] = R.null_comparison;
      });
    }
    const role = this.cols.fields[name]?.role;
    if (role === "categorical") {
      if (op !== "=" && op !== "<>") return this.field(name, () => {});
      const key = categoricalKey(lit);
      const values = this.cols.fields[name]!.values?.get(key);
      // A value the index was not read for is unknown: no pruning by it.
      if (!values && this.cols.fields[name]!.partial_values) return this.field(name, () => {});
      return this.field(name, (out, i, cols) => {
        const c = values?.[i] ?? 0;
        const over = cols.overflow_count?.[i];
        const eqTrue = c > 0 || over !== 0;
        const eqFalse = !(cols.count[i]! - c === 0);
        const [t, f] = op === "=" ? [eqTrue, eqFalse] : [eqFalse, eqTrue];
        if (!t) out.t[i] = 0, out.rt[i] = R.categorical;
        if (!f) out.f[i] = 0, out.rf[i] = R.categorical;
      });
    }
    if (role === "numeric" || role === "timestamp") {
      const v = this.number(role, lit);
      if (v === undefined) return this.field(name, () => {});
      const [lo, hi, loOpen, hiOpen] = op === "=" || op === "<>"
        ? [v, v, false, false]
        : op === "<"
        ? [-Infinity, v, false, true]
        : op === "<="
        ? [-Infinity, v, false, false]
        : op === ">"
        ? [v, Infinity, true, false]
        : [v, Infinity, false, false];
      return this.bounds(name, role, lo, hi, loOpen, hiOpen, op === "<>");
    }
    return this.field(name, () => {});
  }

  range(name: string, low: Literal, high: Literal): Bits {
    if (low.type === "null" || high.type === "null") {
      return this.field(name, (out, i) => {
        out.t[i] = 0, out.rt[i] = R.null_comparison;
      });
    }
    const role = this.cols.fields[name]?.role;
    if (role !== "numeric" && role !== "timestamp") return this.field(name, () => {});
    const lo = this.number(role, low);
    const hi = this.number(role, high);
    if (lo === undefined || hi === undefined) return this.field(name, () => {});
    return this.bounds(name, role, lo, hi, false, false, false);
  }

  /** The literal as a bound, or undefined (NaN: DuckDB orders it above every number). */
  number(role: string, lit: Literal): number | undefined {
    if (role === "timestamp") return lit.type === "time" ? lit.value : undefined;
    if (lit.type === "num" && Number.isNaN(lit.value)) return undefined;
    if (lit.type !== "num" || lit.big !== undefined || Math.abs(lit.value) >= 2 ** 53) {
      return lit.type === "num" && !Number.isFinite(lit.value) ? lit.value : undefined;
    }
    return lit.value;
  }

  /**
   * Rows in [lo, hi] (ends open as flagged): `t` where the shard's bounds (and histogram) meet
   * the range, `f` where they leave it. `negate` for `<>` (a point range, complemented).
   */
  bounds(
    name: string,
    role: "numeric" | "timestamp",
    lo: number,
    hi: number,
    loOpen: boolean,
    hiOpen: boolean,
    negate: boolean,
  ): Bits {
    const rule = role === "timestamp" ? R.time_range : R.numeric_range;
    // Timestamps in the index are whole milliseconds, the data may hold microseconds: a max of
    // m stands for anything below m + 1.
    const slack = role === "timestamp" ? 1 : 0;
    return this.field(name, (out, i, cols) => {
      if ((cols.nan_count?.[i] ?? 0) !== 0) return; // NaN compares greater than all in DuckDB
      let min = cols.min![i]!;
      let max = cols.max![i]!;
      if (Number.isNaN(min) || Number.isNaN(max)) return;
      if (min <= -MAX) min = -Infinity;
      if (max >= MAX) max = Infinity;
      max += slack;
      const meets = (loOpen ? max > lo : max >= lo) && (hiOpen ? min < hi : min <= hi);
      const leaves = min < lo || max > hi || (loOpen && min <= lo) || (hiOpen && max >= hi) ||
        slack > 0;
      let inside = meets;
      let reason = rule;
      if (meets && role === "numeric" && !histogramMeets(cols, i, lo, hi)) {
        inside = false;
        reason = R.histogram;
      }
      const [t, f] = negate ? [leaves, meets] : [inside, leaves];
      if (!t) out.t[i] = 0, out.rt[i] = negate ? rule : reason;
      if (!f) out.f[i] = 0, out.rf[i] = negate ? reason : rule;
    });
  }

  isNull(arg: Operand): Bits {
    if (arg.kind === "lit") return this.constant({ type: "bool", value: arg.lit.type === "null" });
    if (arg.kind !== "field") return bits(this.len);
    const out = bits(this.len);
    out.n.fill(0);
    const cols = this.cols.fields[arg.name];
    const lacks = this.options.lacks?.(arg.name);
    for (let i = 0; i < this.len; i++) {
      if (!cols?.present[i]) {
        if (lacks?.[i]) out.f[i] = 0, out.rf[i] = R.absent_field;
        continue;
      }
      if (cols.null_count[i] === 0) out.t[i] = 0, out.rt[i] = R.all_null;
      if (cols.count[i] === 0 && (cols.nan_count?.[i] ?? 0) === 0) {
        out.f[i] = 0, out.rf[i] = R.all_null;
      }
    }
    return out;
  }

  has(name: string, lit: Literal): Bits {
    if (lit.type === "null") return this.compare(name, "=", lit);
    if (this.cols.fields[name]?.role !== "set") return this.field(name, () => {});
    const item = String(lit.value);
    const blooms = this.blooms(name);
    return this.field(name, (out, i, cols) => {
      const values = cols.set_values?.[i];
      if (values) {
        if (!values.includes(item)) out.t[i] = 0, out.rt[i] = R.set_values;
      } else if (blooms[i] && !blooms[i]!.has(item)) out.t[i] = 0, out.rt[i] = R.bloom;
    });
  }

  blooms(name: string): (BloomFilter | null)[] {
    let out = this.#blooms.get(name);
    if (!out) {
      const raw = this.cols.fields[name]?.bloom ?? [];
      out = raw.map<BloomFilter | null>(
        (b: FieldColumns["bloom"] extends (infer B)[] | undefined ? B : never) => {
          try {
            return b ? BloomFilter.fromJSON(b) : null;
          } catch {
            return null; // unknown hash scheme: keep the shard
          }
        },
      );
      this.#blooms.set(name, out);
    }
    return out;
  }
}

/** False when the shard's histogram proves no value lies in [lo, hi] (ends taken closed). */
function histogramMeets(cols: FieldColumns, i: number, lo: number, hi: number): boolean {
  const h = cols.histogram?.[i];
  if (!h || h.buckets.length < 2) return true;
  let total = h.below + h.above;
  for (let j = 0; j < h.counts.length; j++) total += h.counts[j]!;
  if (total !== cols.count[i]) return true; // not the histogram of these values
  const b = h.buckets;
  if (h.below > 0 && lo <= b[0]!) return true;
  if (h.above > 0 && hi >= b[b.length - 1]!) return true;
  for (let j = 0; j < h.counts.length; j++) {
    if (h.counts[j]! > 0 && b[j]! <= hi && b[j + 1]! >= lo) return true;
  }
  return false;
}

/**
 * Prunes the shards of `cols` with `predicate` (checked against the fields beforehand).
 *
 * @example
 * ```ts
 * import { pruneShards } from "./prune_shards.ts";
 * import { parseManifestHeader } from "../manifest/mod.ts";
 * import { indexColumnsFromHeaders } from "../dataset/mod.ts";
 * const shard = (min: number, max: number) => parseManifestHeader({ num_samples: 10,
 *   aggregates: { score: { type: "numeric", count: 10, null_count: 0, min, max, mean: min } } });
 * const cols = indexColumnsFromHeaders("ds", [
 *   { name: "a.tar", header: shard(0, 0.5) },
 *   { name: "b.tar", header: shard(0.95, 0.99) },
 * ]);
 * const r = pruneShards(cols, { op: "cmp", cmp: ">", left: { kind: "field", name: "score" },
 *   right: { kind: "lit", lit: { type: "num", value: 0.9 } } });
 * if (r.mayMatch.join() !== "0,1" || r.allMatch.join() !== "0,1") throw new Error();
 * if (r.prunedBy.numeric_range !== 1) throw new Error();
 * ```
 */
export function pruneShards(
  cols: IndexColumns,
  predicate: Predicate,
  options: PruneShardsOptions = {},
): PruneResult {
  const b = new Planner(cols, options).node(predicate);
  const allMatch = new Uint8Array(cols.length);
  const prunedBy = Object.fromEntries(PRUNE_RULES.map((r) => [r, 0])) as Record<PruneRule, number>;
  for (let i = 0; i < cols.length; i++) {
    if (!b.t[i]) prunedBy[PRUNE_RULES[(b.rt[i] || R.null_comparison) - 1]!]++;
    allMatch[i] = b.t[i] && !b.f[i] && !b.n[i] ? 1 : 0;
  }
  return { mayMatch: b.t, allMatch, prunedBy };
}
