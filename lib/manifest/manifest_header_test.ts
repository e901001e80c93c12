import assert from "node:assert/strict";
import {
  encodeManifestHeader,
  hasRealOffsets,
  type ManifestHeader,
  parseManifestHeader,
} from "./manifest_header.ts";
import { ManifestError } from "./manifest_error.ts";

const header: ManifestHeader = {
  manifest_version: "2.0.0",
  shard_id: "ds/shard-000000",
  schema_type: "S",
  schema_version: "1.0.0",
  num_samples: 2,
  size_bytes: 10240,
  created_at: "2025-01-22T14:32:00.000Z",
  checksum_sha256: "ab",
  provenance: {
    source_job_id: "job-1",
    parent_shards: ["raw/a.tar"],
    pipeline_version: "1.0.0",
    code_hash: "cd",
  },
  aggregates: {
    score: {
      type: "numeric",
      count: 2,
      null_count: 0,
      nan_count: 0,
      inf_count: 0,
      min: 1,
      max: 2,
      sum: Infinity,
      mean: 1.5,
    },
  },
};

Deno.test("encodeManifestHeader never writes Infinity and round-trips", () => {
  const text = encodeManifestHeader(header);
  assert.ok(!text.includes("Infinity"));
  const back = parseManifestHeader(text);
  assert.equal(back.provenance.code_hash, "cd");
  assert.equal(back.aggregates.score?.type, "numeric");
  assert.ok(hasRealOffsets(back));
});

Deno.test("parseManifestHeader reads an atdata header: Infinity, no checksum, partial provenance", () => {
  const text =
    `{"manifest_version": "1.0.0", "shard_id": "test/shard-000000", "schema_type": "TestSample",
    "schema_version": "1.0.0", "num_samples": 3, "size_bytes": 3584,
    "created_at": "2025-01-22T14:32:00+00:00",
    "aggregates": {
      "label": {"type": "categorical", "cardinality": 2, "value_counts": {"dog": 2, "cat": 1}},
      "confidence": {"type": "numeric", "min": 0.7, "max": 0.95, "mean": 0.8167, "count": 3},
      "empty": {"type": "numeric", "min": Infinity, "max": -Infinity, "mean": 0.0, "count": 0},
      "tags": {"type": "set", "all_values": ["day", "outdoor"]},
      "future": {"type": "sketch", "data": "..."}},
    "provenance": {"source_job_id": "job-123"}}`;
  const h = parseManifestHeader(text, "test/shard-000000.tar");
  assert.equal(h.checksum_sha256, null);
  assert.equal(h.provenance.source_job_id, "job-123");
  assert.deepEqual(h.provenance.parent_shards, []);
  assert.ok(!hasRealOffsets(h));
  assert.deepEqual(Object.keys(h.aggregates).sort(), ["confidence", "empty", "label", "tags"]);
  const empty = h.aggregates.empty;
  assert.ok(empty?.type === "numeric" && empty.min === null && empty.max === null);
  assert.equal(h.time_min, undefined);
});

Deno.test("parseManifestHeader rejects what is not a JSON object", () => {
  assert.throws(
    () => parseManifestHeader("[1]", "ds/a.tar"),
    (e) =>
      e instanceof ManifestError && e.code === "invalid_manifest" && e.message.includes("ds/a.tar"),
  );
  assert.throws(() => parseManifestHeader("{", "ds/a.tar"), ManifestError);
});
