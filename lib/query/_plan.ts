/**
 * The steps every query shares (query, countRows, materialize): read the index, turn the
 * `where` into a checked predicate, prune. Private to the query room.
 *
 * @module
 */
import type { IndexColumnsPart } from "../dataset/mod.ts";
import type { Store } from "../store/mod.ts";
import { checkPredicate } from "./_check_predicate.ts";
import { type QueryIndex, readQueryIndex } from "./_query_index.ts";
import { withSandbox } from "./_sandbox.ts";
import { compileFilter, type WhereFilter } from "./filter_object.ts";
import { parseWhere } from "./parse_where.ts";
import { type Predicate, predicateFields, predicateToSql } from "./predicate.ts";
import { comparedValues, valuesCovered } from "./_categorical_values.ts";
import { type PruneResult, pruneShards } from "./prune_shards.ts";

/** A planned query. */
export interface Plan {
  index: QueryIndex;
  predicate: Predicate;
  /** Canonical SQL of the predicate. */
  where: string;
  prune: PruneResult;
  /** Indices of the shards that may match. */
  survivors: number[];
  cacheDir: string;
  timeMs: { index: number; parse: number; prune: number };
}

const TRUE: Predicate = { op: "and", args: [] };

/** Parsed where texts (the same text always parses to the same tree), most recent last. */
const parsedCache = new Map<string, Predicate>();

async function parsed(text: string, cacheDir: string): Promise<Predicate> {
  const hit = parsedCache.get(text);
  if (hit) return parsedCache.delete(text), parsedCache.set(text, hit), hit;
  const tree = await withSandbox(cacheDir, (con) => parseWhere(con, text));
  parsedCache.set(text, tree);
  if (parsedCache.size > 256) parsedCache.delete(parsedCache.keys().next().value!);
  return tree;
}

/** Whether pruning `p` may use the index columns `part` (histograms: ranges; sets: `has`). */
function needs(p: Predicate, part: string): boolean {
  switch (p.op) {
    case "and":
    case "or":
      return p.args.some((a) => needs(a, part));
    case "not":
      return needs(p.arg, part);
    case "has":
      return part !== "histogram";
    case "cmp":
    case "between":
    case "in":
      return part === "histogram";
    default:
      return false;
  }
}

/** Reads, parses, checks and prunes. */
export async function plan(
  store: Store,
  dataset: string,
  where: string | WhereFilter | undefined,
  cacheDir: string,
  extraFields: readonly string[] = [],
): Promise<Plan> {
  let t = performance.now();
  const raw = where === undefined
    ? TRUE
    : typeof where === "string"
    ? await parsed(where, cacheDir)
    : compileFilter(where);
  let parse = performance.now() - t;
  const fields = [...predicateFields(raw), ...extraFields];
  const skip = ["histogram", "set_values", "bloom"].filter((part) =>
    !needs(raw, part)
  ) as IndexColumnsPart[];
  // Of a categorical field, only the values the predicate tests (every value of the extra ones).
  const tested = comparedValues(raw);
  for (const f of extraFields) tested.delete(f);
  const values = Object.fromEntries([...tested].map(([f, keys]) => [f, [...keys].sort()]));
  let index = await readQueryIndex(store, dataset, fields, { skip, values });
  t = performance.now();
  const predicate = checkPredicate(raw, index.catalog);
  parse += performance.now() - t;
  if (!valuesCovered(comparedValues(predicate), values)) {
    // The check turned a literal into another value (a coercion): read every value.
    index = await readQueryIndex(store, dataset, fields, { skip });
  }
  t = performance.now();
  const prune = pruneShards(index.cols, predicate, { lacks: index.lacks });
  const survivors: number[] = [];
  for (let i = 0; i < prune.mayMatch.length; i++) if (prune.mayMatch[i]) survivors.push(i);
  return {
    index,
    predicate,
    where: predicateToSql(predicate),
    prune,
    survivors,
    cacheDir,
    timeMs: { index: index.readMs, parse, prune: performance.now() - t },
  };
}
