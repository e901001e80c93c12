/**
 * {@linkcode renderManifest} and {@linkcode renderWriteResult}: a shard's manifest (header,
 * aggregates, the first rows) and what `writeShards` wrote, as HTML for Jupyter.
 *
 * @module
 */
import { type DisplayBundle, registerRenderer } from "../display/mod.ts";
import type { ManifestRow, ShardManifest } from "../manifest/mod.ts";
import type { WriteShardsResult } from "../dataset/mod.ts";
import { bytes, esc, num, section, table } from "./_html.ts";
import { renderDatasetStats } from "./stats_view.ts";

/** Rows shown by {@linkcode renderManifest}. */
const MAX_ROWS = 20;

function cell(v: unknown): string {
  if (v === null || v === undefined) return "<i>null</i>";
  if (typeof v === "bigint") return num(v);
  if (typeof v === "number") return num(v);
  if (v instanceof Date) return esc(v.toISOString());
  if (Array.isArray(v)) return esc(v.join(", "));
  return esc(typeof v === "object" ? JSON.stringify(v) : v);
}

function rowsTable(rows: readonly ManifestRow[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const shown = rows.slice(0, MAX_ROWS).map((r) =>
    cols.map((c) => cell((r as Record<string, unknown>)[c]))
  );
  const more = rows.length > MAX_ROWS
    ? `<div>... ${num(rows.length - MAX_ROWS)} more rows</div>`
    : "";
  return table(cols, shown) + more;
}

/**
 * Renders one shard's manifest: the header's facts, each field's aggregate (as dataset stats of
 * one shard) and the first rows when they were read.
 *
 * @example
 * ```ts
 * import { renderManifest } from "./manifest_view.ts";
 * import { readManifest } from "../manifest/mod.ts";
 * import { writeShards } from "../dataset/mod.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * import { MemoryStore } from "../store/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const store = new MemoryStore();
 * await writeShards(store, "ds/shard-%06d.tar", [{ __key__: "a", label: "cat" }], { schema: S });
 * const bundle = renderManifest(await readManifest(store, "ds/shard-000000.tar"));
 * if (!bundle["text/html"]!.includes("<td>cat</td>")) throw new Error(bundle["text/html"]);
 * ```
 */
export function renderManifest(m: ShardManifest): DisplayBundle {
  const h = m.header;
  const facts = `${num(h.num_samples)} samples · ${bytes(h.size_bytes)} · ` +
    `${h.schema_type}@${h.schema_version} · created ${h.created_at}` +
    (h.provenance.source_job_id ? ` · job ${h.provenance.source_job_id}` : "");
  const stats = renderDatasetStats({
    dataset: m.shard,
    shards: 1,
    num_samples: h.num_samples,
    size_bytes: h.size_bytes,
    time_min: h.time_min ?? null,
    time_max: h.time_max ?? null,
    schemas: {},
    fields: h.aggregates,
    issues: [],
  });
  const rows = m.rows ? `<div><b>Rows</b></div>${rowsTable(m.rows)}` : "";
  const html = section(`Manifest of ${m.shard}`, `<div>${esc(facts)}</div>`) +
    stats["text/html"] + rows;
  const text = `Manifest of ${m.shard}: ${facts}` +
    (m.rows ? `, ${m.rows.length} rows read` : "") + "\n" + stats["text/plain"];
  return { "text/html": html, "text/plain": text };
}

/**
 * Renders what `writeShards` wrote: one row per shard (key, samples, bytes).
 *
 * @example
 * ```ts
 * import { renderWriteResult } from "./manifest_view.ts";
 * const bundle = renderWriteResult({ shards: [{ key: "ds/shard-000000.tar", numSamples: 2, sizeBytes: 10240 }] as never, manifests: [] });
 * if (!bundle["text/plain"]!.includes("1 shards, 2 samples")) throw new Error(bundle["text/plain"]);
 * ```
 */
export function renderWriteResult(r: WriteShardsResult): DisplayBundle {
  const samples = r.shards.reduce((a, s) => a + s.numSamples, 0);
  const size = r.shards.reduce((a, s) => a + s.sizeBytes, 0);
  const title = `Wrote ${r.shards.length} shards, ${num(samples)} samples, ${bytes(size)}` +
    (r.manifests.length ? `, with manifests` : "");
  const rows = r.shards.map((s) => [esc(s.key), num(s.numSamples), esc(bytes(s.sizeBytes))]);
  return {
    "text/html": section(title, table(["shard", "samples", "bytes"], rows)),
    "text/plain": [title, ...r.shards.map((s) => `  ${s.key} ${s.numSamples} samples`)].join("\n"),
  };
}

registerRenderer("manifest", renderManifest);
registerRenderer("write_result", renderWriteResult);
