/**
 * {@linkcode renderQueryResult}: a query's result as HTML for Jupyter: its first rows (the
 * polars DataFrame) and the explain report (shards pruned and scanned, bytes, time per phase).
 *
 * @module
 */
import { type DisplayBundle, registerRenderer } from "../display/mod.ts";
import { formatExplain, type QueryResult } from "../query/mod.ts";
import { bytes, esc, num, section, table } from "./_html.ts";

/** Rows shown by {@linkcode renderQueryResult}; `result.df` holds them all. */
const MAX_ROWS = 20;

/**
 * Renders a query result: the explain report as a small table, then the first rows.
 *
 * @example
 * ```ts
 * import { renderQueryResult } from "./query_view.ts";
 * import { query } from "../query/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * const samples = ["cat", "dog"].map((label, i) => ({ __key__: `k${i}`, label }));
 * await writeShards(store, "ds/shard-%06d.tar", samples, { schema: S, maxcount: 1 });
 * const bundle = renderQueryResult(await query(store, "ds", { where: "label = 'dog'" }));
 * if (!bundle["text/html"]!.includes("<td>pruned</td><td>1")) throw new Error(bundle["text/html"]);
 * ```
 */
export function renderQueryResult(r: QueryResult): DisplayBundle {
  const e = r.explain;
  const rules = Object.entries(e.shards.prunedBy).filter(([, n]) => n)
    .map(([rule, n]) => `${rule} ${n}`).join(", ");
  const t = e.timeMs;
  const facts: [string, string][] = [
    ["shards", `${num(e.shards.total)} in the index`],
    ["pruned", `${num(e.shards.pruned)}${rules ? ` (${rules})` : ""}`],
    ["scanned", `${num(e.shards.scanned)} manifests, ${bytes(e.bytes.scanned)}`],
    [
      "rows",
      `${e.rows.matched === null ? "?" : num(e.rows.matched)} matched, ` +
      `${num(e.rows.returned)} returned`,
    ],
    [
      "time",
      `${num(Math.round(t.total))} ms (prune ${num(Math.round(t.prune))}, ` +
      `scan ${num(Math.round(t.scan))})`,
    ],
  ];
  const explain = table(["", ""], facts.map(([k, v]) => [esc(k), esc(v)]));
  const more = r.df.height > MAX_ROWS
    ? `<div>first ${MAX_ROWS} of ${num(r.df.height)} rows (all in <code>.df</code>)</div>`
    : "";
  const html = section(
    `query ${e.dataset} where ${e.where}`,
    explain + r.df.head(MAX_ROWS).toHTML() + more,
  );
  return {
    "text/html": html,
    "text/plain": `${formatExplain(e)}\n${r.df.head(MAX_ROWS).toString()}`,
  };
}

registerRenderer("query_result", renderQueryResult);
