/**
 * Manifests end to end on real bytes: shards written with manifests to a local folder and to
 * S3 (s3rver), queried with DuckDB straight from the folder, checked against ground truth.
 */
import assert from "node:assert/strict";
import { NO_REFERENCE, referenceHistogram } from "../_reference.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore, S3Store } from "../../lib/store/mod.ts";
import type { Store } from "../../lib/store/store.ts";
import { scanSamples } from "../../lib/shard/scan_samples.ts";
import { decodeSample } from "../../lib/shard/codecs/decode_sample.ts";
import { BloomFilter, readManifest } from "../../lib/manifest/mod.ts";
import {
  compactIndex,
  datasetStats,
  indexColumnsFromHeaders,
  readIndex,
  readIndexColumns,
  verifyDataset,
  writeShards,
} from "../../lib/dataset/mod.ts";
import {
  type GeneratedSample,
  generateSamples,
  ImageSample,
  LABELS,
} from "../../lib/manifest/_test_fixtures.ts";
import { withDeadline } from "../_deadline.ts";

const PER_SHARD = 100;

async function writeDataset(store: Store, samples: GeneratedSample[]) {
  return await writeShards(store, "ds/shard-%06d.tar", samples, {
    schema: ImageSample,
    maxcount: PER_SHARD,
    manifest: { setValuesCap: 20, now: () => new Date("2025-03-01T00:00:00Z") },
  });
}

async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

Deno.test(
  "DuckDB queries the manifests of a local folder; label counts equal the summed value counts",
  withDeadline(300_000, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const store = new LocalStore(dir);
      const samples = generateSamples(450, { seed: 11 });
      const { shards } = await writeDataset(store, samples);
      assert.equal(shards.length, 5);
      for (const { key } of shards) {
        const base = key.slice(0, -4);
        assert.ok(await store.head(`${base}.manifest.json`), `${base}.manifest.json`);
        assert.ok(await store.head(`${base}.manifest.parquet`), `${base}.manifest.parquet`);
      }
      const glob = `${dir}/ds/**/*.manifest.parquet`;
      const confident = await duckdbRows(
        `SELECT label, COUNT(*) AS n FROM '${glob}' WHERE confidence > 0.9 GROUP BY label ORDER BY label`,
      );
      const expected = LABELS.map((
        l,
      ) => [l, samples.filter((s) => s.label === l && s.confidence > 0.9).length])
        .filter(([, n]) => n !== 0);
      assert.deepEqual(confident.map((r) => [r.label, Number(r.n)]), expected);

      const all = await duckdbRows(
        `SELECT label, COUNT(*) AS n FROM '${glob}' GROUP BY label ORDER BY label`,
      );
      const summed: Record<string, number> = {};
      for (const { header } of (await readIndex(store, "ds")).entries) {
        const agg = header.aggregates.label;
        assert.ok(agg?.type === "categorical");
        for (const [k, n] of Object.entries(agg.value_counts)) summed[k] = (summed[k] ?? 0) + n;
      }
      assert.deepEqual(Object.fromEntries(all.map((r) => [r.label, Number(r.n)])), summed);
      const stats = await datasetStats(store, "ds");
      assert.ok(stats.fields.label?.type === "categorical");
      assert.deepEqual(stats.fields.label.value_counts, summed);
      assert.equal((await verifyDataset(store, "ds")).ok, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

Deno.test(
  {
    name: "every shard aggregate is exact on generated data; bloom filters have no false negatives",
    ignore: NO_REFERENCE,
  },
  withDeadline(300_000, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await checkAggregates(new LocalStore(dir));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

async function checkAggregates(store: Store) {
  const samples = generateSamples(300, { seed: 5, tagPool: 400 });
  const { shards } = await writeDataset(store, samples);
  for (const [i, { key }] of shards.entries()) {
    const truth = samples.slice(i * PER_SHARD, (i + 1) * PER_SHARD);
    const { header } = await readManifest(store, key, { rows: false });
    assert.equal(header.num_samples, truth.length);
    const a = header.aggregates;

    assert.ok(a.label?.type === "categorical");
    for (const l of LABELS) {
      assert.equal(
        a.label.value_counts[l] ?? 0,
        truth.filter((s) => s.label === l).length,
      );
    }
    assert.equal(a.label.cardinality, new Set(truth.map((s) => s.label)).size);

    assert.ok(a.confidence?.type === "numeric");
    const cs = truth.map((s) => s.confidence);
    assert.equal(a.confidence.min, Math.min(...cs));
    assert.equal(a.confidence.max, Math.max(...cs));
    assert.equal(a.confidence.count, cs.length);
    assert.equal(a.confidence.mean, cs.reduce((x, y) => x + y, 0) / cs.length);
    // numpy's counts over the same values, not the accumulator under test.
    assert.deepEqual(
      a.confidence.histogram,
      await referenceHistogram(cs, [0, 0.25, 0.5, 0.75, 0.9, 1]),
    );

    assert.ok(a.score?.type === "numeric");
    const ss = truth.map((s) => s.score).filter((s): s is number => s !== null);
    assert.equal(a.score.null_count, truth.length - ss.length);
    assert.equal(a.score.count, ss.length);
    assert.deepEqual(a.score.histogram, await referenceHistogram(ss));

    assert.ok(a.count?.type === "numeric");
    assert.equal(a.count.sum, truth.reduce((x, s) => x + s.count, 0));

    assert.ok(a.tags?.type === "set" && a.tags.bloom_filter && !a.tags.all_values);
    const items = new Set(truth.flatMap((s) => s.tags));
    assert.equal(a.tags.cardinality, items.size);
    const bloom = BloomFilter.fromJSON(a.tags.bloom_filter);
    for (const t of items) assert.ok(bloom.has(t), `bloom of ${key} misses ${t}`);

    const times = truth.map((s) => s.captured.getTime());
    assert.equal(header.time_min, new Date(Math.min(...times)).toISOString());
    assert.equal(header.time_max, new Date(Math.max(...times)).toISOString());
  }
}

async function checkOffsets(store: Store, shard: string, samples: GeneratedSample[]) {
  const { rows } = await readManifest(store, shard);
  assert.equal(rows?.length, samples.length);
  for (const [i, row] of rows!.entries()) {
    const bytes = await store.get(shard, {
      range: { offset: row.__offset__!, length: row.__size__ },
    });
    const got = [];
    for await (const s of scanSamples(bytes)) got.push(s);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.__key__, samples[i]!.__key__);
    const decoded = decodeSample(ImageSample, got[0]!);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.label, row.label);
    assert.equal((row.captured as Date).getTime(), samples[i]!.captured.getTime());
  }
}

Deno.test(
  "a ranged read of [__offset__, __offset__ + __size__) is exactly the sample",
  withDeadline(300_000, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const store = new LocalStore(dir);
      const samples = generateSamples(120, { seed: 2 });
      const { shards } = await writeDataset(store, samples);
      await checkOffsets(store, shards[1]!.key, samples.slice(PER_SHARD));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);

Deno.test(
  "manifests on S3 (s3rver): write, read, index, stats and verify",
  withDeadline(300_000, async () => {
    const { startS3rver } = await import("../_s3rver.ts");
    const server = await startS3rver();
    const store = new S3Store(server.bucket, {
      prefix: "manifests",
      endpoint: server.endpoint,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      const samples = generateSamples(250, { seed: 9 });
      const { shards, manifests } = await writeDataset(store, samples);
      assert.equal(manifests.length, 3);
      await checkOffsets(store, shards[2]!.key, samples.slice(2 * PER_SHARD));
      assert.equal((await compactIndex(store, "ds")).shards, 3);
      const index = await readIndex(store, "ds");
      assert.equal(index.entries.length, 3);
      // The columns, read by ranged GETs of the segment, equal the headers' (read whole).
      const cols = await readIndexColumns(store, "ds");
      assert.deepEqual(cols, indexColumnsFromHeaders("ds", index.entries));
      const label = await readIndexColumns(store, "ds", {
        fields: ["label"],
        values: { label: ["cat"] },
      });
      assert.deepEqual(
        label.fields.label?.values?.get("cat"),
        cols.fields.label?.values?.get("cat"),
      );
      const stats = await datasetStats(store, "ds");
      assert.equal(stats.num_samples, 250);
      const report = await verifyDataset(store, "ds");
      assert.deepEqual(report.problems, []);
    } finally {
      await store.close?.();
      await server.close();
    }
  }),
);

Deno.test(
  "DuckDB reads manifests of two schema versions with union_by_name: the new field is NULL for old shards",
  withDeadline(300_000, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const store = new LocalStore(dir);
      const { defineSchema, f } = await import("../../lib/schema/mod.ts");
      const V1 = defineSchema({ name: "Evo", version: "1.0.0", fields: { label: f.str() } });
      const V2 = defineSchema({
        name: "Evo",
        version: "1.1.0",
        fields: { label: f.str(), quality: f.optional(f.float()) },
      });
      await writeShards(store, "ds/v1-%06d.tar", [{ __key__: "a", label: "cat" }], { schema: V1 });
      await writeShards(store, "ds/v2-%06d.tar", [{ __key__: "b", label: "dog", quality: 0.5 }], {
        schema: V2,
      });
      const rows = await duckdbRows(
        `SELECT __key__, label, quality FROM read_parquet('${dir}/ds/*.manifest.parquet', union_by_name = true) ORDER BY __key__`,
      );
      assert.deepEqual(rows, [{ __key__: "a", label: "cat", quality: null }, {
        __key__: "b",
        label: "dog",
        quality: 0.5,
      }]);
      const stats = await datasetStats(store, "ds", { fields: V2.manifestFields });
      assert.ok(stats.fields.quality?.type === "numeric");
      assert.equal(stats.fields.quality.null_count, 1);
      assert.equal(stats.fields.quality.count, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }),
);
