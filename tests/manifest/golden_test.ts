/**
 * Golden vectors for the stored formats another reader may follow, with expected values from
 * outside shardline: bloom filter bytes from a Python reference of the documented layout
 * (murmur3_x86_32 checked against published vectors), histograms from numpy over asymmetric
 * data (fixed edges with different counts below and above, and the decimal grid), and the
 * manifest header and index fragment of a fixed input, byte for byte against committed files
 * (`tests/manifest/golden/`) whose aggregates are checked against the references too.
 *
 * `SHARDLINE_UPDATE_GOLDEN=1` rewrites the committed files (then review the diff by hand).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  BloomFilter,
  compactIndex,
  datasetStats,
  defineSchema,
  f,
  type Histogram,
  HistogramAccumulator,
  type ManifestHeader,
  MemoryStore,
  mergeHistograms,
  writeShards,
} from "../../mod.ts";
import {
  NO_REFERENCE as ignore,
  referenceBloom,
  referenceHistogram,
  referenceMurmur3,
} from "../_reference.ts";

const VALUES = [
  "",
  "a",
  "outdoor",
  "indoor",
  "tag-0",
  "tag-17",
  "κλειδί",
  "日本語のタグ",
  "emoji 🦜",
  "x".repeat(1000),
  "four",
  "fives",
];
const ABSENT = ["b", "outdoors", "tag-1", "tag-170", "κλειδ", "y".repeat(999), "FOUR"];

Deno.test(
  { name: "murmur3_x86_32 of the bloom filters equals the reference", ignore },
  async () => {
    // The reference asserts published vectors before answering; these pin the common case.
    assert.deepEqual(await referenceMurmur3(["hello", "foo", ""], 0), [
      0x248bfa47,
      0xf6a5c420,
      0,
    ]);
  },
);

Deno.test(
  { name: "BloomFilter bytes equal the reference of the documented layout", ignore },
  async () => {
    for (const [m, k] of [[64, 3], [1001, 7], [4096, 5], [9, 2]] as const) {
      const bloom = new BloomFilter(m, k);
      for (const v of VALUES) bloom.add(v);
      const ref = await referenceBloom(m, k, VALUES, [...VALUES, ...ABSENT]);
      assert.equal(bloom.toJSON().base64, ref.base64, `bits of m=${m}, k=${k}`);
      // Lookup in a filter another writer made (the reference's bytes), and agreement on misses.
      const theirs = BloomFilter.fromJSON({ m, k, hash: "murmur3_x86_32", base64: ref.base64 });
      assert.deepEqual([...VALUES, ...ABSENT].map((v) => theirs.has(v)), ref.has, `m=${m}, k=${k}`);
    }
  },
);

/** Seeded uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const EDGES = [0, 0.25, 0.5, 0.75, 0.9, 1];

/** Three shards, skewed differently: many values below the edges, many above, and the edges. */
function fixedShards(): number[][] {
  const r = uniform(11);
  return [
    Array.from({ length: 300 }, () => -0.9 + 1.5 * r() ** 2), // mostly low, some below 0
    Array.from({ length: 200 }, () => 0.3 + 1.1 * Math.sqrt(r())), // mostly high, some above 1
    [0, 0.25, 0.5, 0.75, 0.9, 1, 1 + 2 ** -52, -(2 ** -1074), 0.8999999999999999, 0.9, 7, -7, 7],
  ];
}

function histogramOf(values: number[], edges?: number[]): Histogram {
  const h = new HistogramAccumulator(edges);
  for (const v of values) h.add(v);
  return h.finish();
}

Deno.test(
  { name: "fixed-edge histograms and their merge equal numpy's counts", ignore },
  async () => {
    const shards = fixedShards();
    const all = shards.flat();
    const want = await referenceHistogram(all, EDGES);
    // The fixture is asymmetric: a merge that mixed up below and above would show.
    assert.notEqual(want.below, want.above);
    for (const [i, values] of shards.entries()) {
      assert.deepEqual(
        histogramOf(values, EDGES),
        await referenceHistogram(values, EDGES),
        `shard ${i}`,
      );
    }
    assert.deepEqual(mergeHistograms(shards.map((v) => histogramOf(v, EDGES))), want);
  },
);

Deno.test(
  { name: "decimal-grid histograms and their merge equal numpy's counts", ignore },
  async () => {
    const r = uniform(5);
    const shards = [
      Array.from({ length: 400 }, () => (r() - 0.2) * 10 ** Math.floor(r() * 8 - 3)),
      Array.from({ length: 100 }, () => -r() * 1e-3),
      [
        0,
        -0,
        1e-300,
        -1e-300,
        9e-301,
        1e308,
        -1e308,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        0.3,
        0.1,
      ],
      [1.5, 1.7, 800, 0.29999999999999993, 1000, 999.999],
    ];
    for (const [i, values] of shards.entries()) {
      assert.deepEqual(histogramOf(values), await referenceHistogram(values), `shard ${i}`);
    }
    assert.deepEqual(
      mergeHistograms(shards.map((v) => histogramOf(v))),
      await referenceHistogram(shards.flat()),
    );
  },
);

const Golden = defineSchema({
  name: "GoldenSample",
  version: "1.2.0",
  fields: {
    label: f.str(),
    confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 0.9, 1] } }),
    score: f.float(),
    tags: f.list(f.str()),
    captured: f.timestamp(),
  },
});

/** Twelve fixed samples: labels, asymmetric confidences (2 below, 1 above), tags past the cap. */
function goldenSamples() {
  const confidence = [-0.5, 0.1, 0.5, 0.95, 1, 1.5, -0.01, 0.7, 0.2, 0.9, 0.3, 0.99];
  const score = [3.5, -20, 0.004, 1e6, 0, 7, -0.5, 42, 1.25, 300, -3, 9e-5];
  return confidence.map((c, i) => ({
    __key__: `golden-${String(i).padStart(3, "0")}`,
    label: ["cat", "dog", "cat", "bird"][i % 4]!,
    confidence: c,
    score: score[i]!,
    tags: [`t${i % 5}`, `t${(i * 7) % 11}`, i % 3 === 0 ? "κλειδί" : "plain"],
    captured: new Date(Date.UTC(2026, 0, 1 + i, 12, 0, i)),
  }));
}

const GOLDEN = new URL("./golden/", import.meta.url);

/** Compares `text` with the committed file `name` (rewrites it under SHARDLINE_UPDATE_GOLDEN=1). */
async function assertGolden(name: string, text: string): Promise<void> {
  const path = new URL(name, GOLDEN);
  if (Deno.env.get("SHARDLINE_UPDATE_GOLDEN") === "1") await Deno.writeTextFile(path, text);
  assert.equal(
    text,
    await Deno.readTextFile(path),
    `${name} differs from the committed golden file`,
  );
}

Deno.test(
  {
    name: "the manifest header and index fragment of a fixed input match the golden files",
    ignore,
  },
  async () => {
    const store = new MemoryStore();
    const samples = goldenSamples();
    await writeShards(store, "golden/shard-%06d.tar", samples, {
      schema: Golden,
      maxcount: 8,
      mtime: 1_770_000_000,
      manifest: { now: () => new Date("2026-02-03T04:05:06.789Z"), setValuesCap: 4 },
    });
    const text = async (key: string) => new TextDecoder().decode(await store.get(key));
    for (const [i, n] of [[0, 8], [1, 4]] as const) {
      const stem = `shard-${String(i).padStart(6, "0")}`;
      const headerText = await text(`golden/${stem}.manifest.json`);
      await assertGolden(`${stem}.manifest.json`, headerText);
      await assertGolden(`index-${stem}.json`, await text(`golden/_index/shards/${stem}.json`));

      // What the committed header says, checked against computations outside shardline.
      const header = JSON.parse(headerText) as ManifestHeader;
      const truth = samples.slice(i * 8, i * 8 + n);
      const tar = await store.get(`golden/${stem}.tar`);
      assert.equal(header.num_samples, n);
      assert.equal(header.size_bytes, tar.length);
      const sha = createHash("sha256").update(tar).digest("hex");
      assert.ok(headerText.includes(sha), `the header records the tar's sha256 ${sha}`);
      const parquet = await store.get(`golden/${stem}.manifest.parquet`);
      assert.deepEqual(
        [header.parquet?.size_bytes, header.parquet?.sha256],
        [parquet.length, createHash("sha256").update(parquet).digest("hex")],
      );
      const a = header.aggregates as unknown as Record<string, Record<string, unknown>>;
      const counts: Record<string, number> = {};
      for (const s of truth) counts[s.label] = (counts[s.label] ?? 0) + 1;
      assert.deepEqual(a.label!.value_counts, counts);
      const conf = truth.map((s) => s.confidence);
      assert.deepEqual(a.confidence!.histogram, await referenceHistogram(conf, [0, 0.5, 0.9, 1]));
      assert.equal(a.confidence!.min, Math.min(...conf));
      assert.equal(a.confidence!.max, Math.max(...conf));
      assert.deepEqual(a.score!.histogram, await referenceHistogram(truth.map((s) => s.score)));
      const tags = [...new Set(truth.flatMap((s) => s.tags))];
      const bloom = a.tags!.bloom_filter as { m: number; k: number; base64: string };
      assert.ok(bloom, "more distinct tags than the cap: a bloom filter");
      assert.equal((await referenceBloom(bloom.m, bloom.k, tags)).base64, bloom.base64);
    }

    // Dataset statistics merge the shards' histograms (2 below, 1 above in all): from the index
    // fragments, then from a compacted index (its columnar segments), both equal to numpy's.
    const want = await referenceHistogram(samples.map((s) => s.confidence), [0, 0.5, 0.9, 1]);
    assert.deepEqual([want.below, want.above], [2, 1]);
    const numeric = (stats: Awaited<ReturnType<typeof datasetStats>>) => {
      const c = stats.fields.confidence;
      assert.ok(c?.type === "numeric");
      return c.histogram;
    };
    assert.deepEqual(numeric(await datasetStats(store, "golden")), want);
    await compactIndex(store, "golden");
    assert.deepEqual(numeric(await datasetStats(store, "golden")), want);
  },
);
