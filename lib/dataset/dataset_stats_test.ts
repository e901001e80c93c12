import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { datasetStats } from "./dataset_stats.ts";
import { compactIndex } from "./compact_index.ts";
import { NO_REFERENCE, referenceHistogram } from "../../tests/_reference.ts";
import { ManifestBuilder } from "../manifest/manifest_builder.ts";
import { writeShards } from "./write_shards.ts";
import { generateSamples, ImageSample, LABELS } from "../manifest/_test_fixtures.ts";

Deno.test({
  name: "datasetStats are exact sums of the shard aggregates (ground truth)",
  ignore: NO_REFERENCE,
}, async () => {
  const store = new MemoryStore();
  const samples = generateSamples(230, { seed: 3 });
  await writeShards(store, "ds/shard-%06d.tar", samples, { schema: ImageSample, maxcount: 40 });
  await compactIndex(store, "ds");
  const stats = await datasetStats(store, "ds");
  assert.equal(stats.shards, 6);
  assert.equal(stats.num_samples, 230);
  assert.deepEqual(stats.schemas, { "ImageSample@1.0.0": 6 });
  assert.deepEqual(stats.issues, []);

  const label = stats.fields.label;
  assert.ok(label?.type === "categorical");
  for (const l of LABELS) {
    assert.equal(
      label.value_counts[l] ?? 0,
      samples.filter((s) => s.label === l).length,
    );
  }

  const conf = stats.fields.confidence;
  assert.ok(conf?.type === "numeric");
  const cs = samples.map((s) => s.confidence);
  assert.equal(conf.count, 230);
  assert.equal(conf.min, Math.min(...cs));
  assert.equal(conf.max, Math.max(...cs));
  assert.ok(Math.abs(conf.mean! - cs.reduce((a, b) => a + b) / 230) < 1e-12);
  // Expected histograms: numpy over the same values (not the accumulator under test).
  assert.deepEqual(conf.histogram, await referenceHistogram(cs, [0, 0.25, 0.5, 0.75, 0.9, 1]));

  const score = stats.fields.score;
  assert.ok(score?.type === "numeric");
  const ss = samples.map((s) => s.score).filter((s): s is number => s !== null);
  assert.equal(score.null_count, 230 - ss.length);
  assert.deepEqual(score.histogram, await referenceHistogram(ss));

  const tags = stats.fields.tags;
  assert.ok(tags?.type === "set");
  assert.deepEqual(tags.all_values, [...new Set(samples.flatMap((s) => s.tags))].sort());

  const times = samples.map((s) => s.captured.getTime());
  assert.equal(stats.time_min, new Date(Math.min(...times)).toISOString());
  assert.equal(stats.time_max, new Date(Math.max(...times)).toISOString());
  const flagged = stats.fields.flagged;
  assert.ok(flagged?.type === "categorical");
  assert.equal(flagged.value_counts.true, samples.filter((s) => s.flagged).length);
});

Deno.test("datasetStats counts a field a shard lacks as null and reports unmergeable histograms", async () => {
  const store = new MemoryStore();
  const commit = async (shard: string, buckets: number[] | undefined, withTag: boolean) => {
    const builder = new ManifestBuilder(store, {
      name: "S",
      version: withTag ? "2.0.0" : "1.0.0",
      manifestFields: [
        {
          name: "x",
          role: "numeric",
          type: "float",
          list: false,
          nullable: false,
          ...(buckets && { buckets }),
        },
        ...(withTag
          ? [{
            name: "tag",
            role: "categorical" as const,
            type: "str" as const,
            list: false,
            nullable: true,
          }]
          : []),
      ],
    });
    builder.onSample({ shard, key: "a", offset: 0, size: 512, sample: { x: 0.5, tag: "t" } });
    await builder.commit({ key: shard, numSamples: 1, sizeBytes: 1536, sha256: "ab" });
  };
  await commit("ds/a.tar", [0, 1], false);
  await commit("ds/b.tar", [0, 2], true);
  const stats = await datasetStats(store, "ds");
  const tag = stats.fields.tag;
  assert.ok(tag?.type === "categorical" && tag.count === 1 && tag.null_count === 1);
  assert.equal(stats.fields.x?.type === "numeric" && stats.fields.x.histogram, undefined);
  assert.match(stats.issues.join(), /Histogram of "x"/);
  assert.deepEqual(stats.schemas, { "S@1.0.0": 1, "S@2.0.0": 1 });
});
