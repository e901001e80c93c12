/**
 * Test fixtures: a schema with every manifest role, seeded samples with known ground truth.
 *
 * @module
 */
import { defineSchema, f } from "../schema/mod.ts";
import type { Store } from "../store/store.ts";
import { withConnection, withTempFile } from "../parquet/duckdb.ts";

/** Every manifest role and value type. */
export const ImageSample = defineSchema({
  name: "ImageSample",
  version: "1.0.0",
  fields: {
    image: f.bytes({ ext: "jpg" }),
    label: f.str(),
    confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.25, 0.5, 0.75, 0.9, 1] } }),
    score: f.optional(f.float()),
    count: f.int(),
    flagged: f.bool(),
    tags: f.list(f.str()),
    captured: f.timestamp(),
  },
});

/** One generated sample. */
export interface GeneratedSample {
  __key__: string;
  image: Uint8Array;
  label: string;
  confidence: number;
  score: number | null;
  count: number;
  flagged: boolean;
  tags: string[];
  captured: Date;
}

export const LABELS = ["bird", "cat", "dog", "fish"];

/** `n` seeded samples; `tagPool` distinct tags (more than the set cap makes bloom filters). */
export function generateSamples(
  n: number,
  options: { seed?: number; tagPool?: number; imageBytes?: number } = {},
): GeneratedSample[] {
  let seed = options.seed ?? 1;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pool = options.tagPool ?? 6;
  return Array.from({ length: n }, (_, i) => ({
    __key__: `sample-${String(i).padStart(6, "0")}`,
    image: new Uint8Array(options.imageBytes ?? 100 + (i % 7) * 50).fill(i & 0xff),
    label: LABELS[Math.floor(rand() * LABELS.length)]!,
    confidence: Math.round(rand() * 1000) / 1000,
    score: rand() < 0.1 ? null : (rand() - 0.5) * 10 ** Math.floor(rand() * 6),
    count: Math.floor(rand() * 100),
    flagged: rand() < 0.3,
    tags: Array.from(
      { length: 1 + Math.floor(rand() * 3) },
      () => `tag-${Math.floor(rand() * pool)}`,
    ),
    captured: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 86400 * 30) * 1000),
  }));
}

/** An atdata manifest as ref/formats.md describes it, written the way Python would. */
export async function putAtdataManifest(store: Store, base: string): Promise<void> {
  await store.put(
    `${base}.manifest.json`,
    `{"manifest_version": "1.0.0", "shard_id": "${base}", "schema_type": "TestSample",
 "schema_version": "1.0.0", "num_samples": 3, "size_bytes": 3584,
 "created_at": "2025-01-22T14:32:00+00:00",
 "aggregates": {"label": {"type": "categorical", "cardinality": 2, "value_counts": {"dog": 2, "cat": 1}},
  "confidence": {"type": "numeric", "min": 0.7, "max": 0.95, "mean": 0.8166666666666667, "count": 3},
  "weight": {"type": "numeric", "min": Infinity, "max": -Infinity, "mean": 0.0, "count": 0},
  "tags": {"type": "set", "all_values": ["day", "indoor", "outdoor"]}},
 "provenance": {"source_job_id": "job-123", "parent_shards": ["in/shard-000000"], "pipeline_version": "2.0.0"}}`,
  );
  const parquet = await withTempFile(
    ".parquet",
    undefined,
    (path) =>
      withConnection(async (con) => {
        await con.run(`COPY (SELECT * FROM (VALUES
        ('s0', 0::BIGINT, 1024::BIGINT, 'dog', 0.95, '["outdoor", "day"]', NULL::DOUBLE),
        ('s1', 1024::BIGINT, 2048::BIGINT, 'cat', 0.80, '["indoor"]', NULL::DOUBLE),
        ('s2', 3072::BIGINT, 512::BIGINT, 'dog', 0.70, '[]', NULL::DOUBLE))
        AS t(__key__, __offset__, __size__, label, confidence, tags, weight)) TO '${path}' (FORMAT parquet)`);
        return await Deno.readFile(path);
      }),
  );
  await store.put(`${base}.manifest.parquet`, parquet);
}
