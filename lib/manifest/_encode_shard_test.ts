import assert from "node:assert/strict";
import { encodeShard, ROW_GROUP_ROWS, ShardEncoder, type ShardRows } from "./_encode_shard.ts";
import { ShardAccumulator } from "./_row_capture.ts";
import { generateSamples, ImageSample } from "./_test_fixtures.ts";

/** `n` samples' rows at once, and as the batches a ShardAccumulator hands over. */
function capture(n: number) {
  const samples = generateSamples(n, { tagPool: 400 }).map((s, i) => ({
    ...s,
    count: i % 37 === 5 && i < ROW_GROUP_ROWS ? 2n ** 60n + BigInt(i) : s.count, // first batch only
    tags: i % 53 === 0 ? null : s.tags,
  }));
  const whole = new ShardAccumulator(ImageSample.manifestFields, {});
  const batches: ShardRows[] = [];
  const batched = new ShardAccumulator(ImageSample.manifestFields, {}, 256, (r) => batches.push(r));
  samples.forEach((s, i) => {
    whole.add(s.__key__, i * 512, 512, s);
    batched.add(s.__key__, i * 512, 512, s);
  });
  batches.push(batched.rows());
  return { whole: whole.rows(), batches };
}

for (
  const n of [0, 1, ROW_GROUP_ROWS, ROW_GROUP_ROWS + 1, 2 * ROW_GROUP_ROWS, 2 * ROW_GROUP_ROWS + 7]
) {
  Deno.test(`a shard's rows in batches encode to the bytes and aggregates of all at once (${n} rows)`, () => {
    const { whole, batches } = capture(n);
    assert.equal(batches.length, Math.floor(n / ROW_GROUP_ROWS) + 1);
    const encoder = new ShardEncoder(ImageSample.manifestFields, {});
    for (const rows of batches) encoder.add(rows);
    const inBatches = encoder.finish();
    const atOnce = encodeShard(whole);
    assert.deepEqual(inBatches.aggregates, atOnce.aggregates);
    assert.equal(inBatches.sha256, atOnce.sha256);
    assert.deepEqual(inBatches.parquet, atOnce.parquet);
  });
}
