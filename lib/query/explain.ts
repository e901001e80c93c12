/**
 * {@linkcode QueryExplain}: what a query did, phase by phase, as a plain object (its JSON form)
 * and as text ({@linkcode formatExplain}).
 *
 * @module
 */
import type { PruneRule } from "./prune_shards.ts";

/** What a query did. */
export interface QueryExplain {
  dataset: string;
  /** The canonical SQL of the where (`TRUE` when none). */
  where: string;
  shards: {
    /** Shards in the index. */
    total: number;
    /** Shards whose aggregates proved no row matches. */
    pruned: number;
    /** Pruned shards by the rule that proved it. */
    prunedBy: Partial<Record<PruneRule, number>>;
    /** Surviving shards whose aggregates prove every row matches. */
    fullyDecided: number;
    /** Shards whose counts came from the aggregates alone (count queries). */
    answeredFromIndex: number;
    /** Shards whose Parquet manifest DuckDB read. */
    scanned: number;
  };
  rows: {
    /** Rows matching the where; null when a `limit` stopped the scan before counting them. */
    matched: number | null;
    /** Rows returned. */
    returned: number;
  };
  bytes: {
    /** Bytes of the Parquet manifests DuckDB read. */
    scanned: number;
    /** Bytes fetched from the store into the cache (misses). */
    fetched: number;
    /** Manifests found in the local cache. */
    cacheHits: number;
  };
  /** Milliseconds per phase. */
  timeMs: {
    index: number;
    parse: number;
    prune: number;
    fetch: number;
    scan: number;
    convert: number;
    total: number;
  };
}

const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

/**
 * The text form of an explain.
 *
 * @example
 * ```ts
 * import { formatExplain } from "./explain.ts";
 * const text = formatExplain({
 *   dataset: "pets", where: `("label" = 'dog')`,
 *   shards: { total: 10, pruned: 8, prunedBy: { categorical: 8 }, fullyDecided: 1,
 *     answeredFromIndex: 0, scanned: 2 },
 *   rows: { matched: 40, returned: 40 },
 *   bytes: { scanned: 20480, fetched: 0, cacheHits: 2 },
 *   timeMs: { index: 3, parse: 1, prune: 0.1, fetch: 0.5, scan: 12, convert: 1, total: 18 },
 * });
 * if (!text.includes("pruned   8 (categorical 8)")) throw new Error(text);
 * ```
 */
export function formatExplain(e: QueryExplain): string {
  const rules = Object.entries(e.shards.prunedBy).filter(([, n]) => n).map(([r, n]) => `${r} ${n}`);
  const t = e.timeMs;
  return [
    `query ${e.dataset} where ${e.where}`,
    `shards   ${e.shards.total} total`,
    `pruned   ${e.shards.pruned}${rules.length ? ` (${rules.join(", ")})` : ""}`,
    `decided  ${e.shards.fullyDecided} (every row matches)${
      e.shards.answeredFromIndex ? `, ${e.shards.answeredFromIndex} counted from the index` : ""
    }`,
    `scanned  ${e.shards.scanned} manifests, ${e.bytes.scanned} bytes (${e.bytes.fetched} fetched, ${e.bytes.cacheHits} cached)`,
    `rows     ${e.rows.matched ?? "(not counted: limit)"} matched, ${e.rows.returned} returned`,
    `time     ${ms(t.total)}: index ${ms(t.index)}, parse ${ms(t.parse)}, prune ${
      ms(t.prune)
    }, fetch ${ms(t.fetch)}, scan ${ms(t.scan)}, convert ${ms(t.convert)}`,
  ].join("\n");
}
