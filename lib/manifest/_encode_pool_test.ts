import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import type { ManifestField } from "../schema/manifest_field.ts";
import { ManifestBuilder } from "./manifest_builder.ts";
import { readManifest } from "./read_manifest.ts";
import { ManifestError } from "./manifest_error.ts";
import { writeShards } from "../dataset/write_shards.ts";
import { type Accumulator, aggregateKind, registerAggregate } from "./aggregate.ts";
import type { ColumnData } from "../parquet/column_data.ts";
import {
  encodeShardRows,
  terminateEncodeWorker,
  workerBatchCount,
  workerEncodedCount,
  workerOpenSessions,
} from "./_encode_pool.ts";
import { ROW_GROUP_ROWS } from "./_encode_shard.ts";
import { withConnection, withTempFile } from "../parquet/duckdb.ts";
import { ShardAccumulator } from "./_row_capture.ts";
import { KeyParts } from "../parquet/column_data.ts";
import { generateSamples, ImageSample } from "./_test_fixtures.ts";

const NOW = () => new Date("2025-02-01T00:00:00Z");

/** Samples with the awkward cases: nulls, non-ASCII keys, bigints, a non-array list. */
function awkwardSamples(n: number) {
  return generateSamples(n, { tagPool: 1500 }).map((s, i) => ({
    ...s,
    __key__: i % 97 === 0 ? `ключ-${i}-😀` : s.__key__,
    count: i % 101 === 0 ? 2n ** 62n + BigInt(i) : s.count,
    tags: i % 89 === 0 ? null : s.tags,
    flagged: i % 83 === 0 ? null : s.flagged,
  }));
}

async function writeShard(
  encodeIn: "worker" | "thread",
  n: number,
  /** Called before each sample is recorded. */
  before?: (i: number) => Promise<void> | void,
) {
  const store = new MemoryStore();
  const builder = new ManifestBuilder(store, ImageSample, { now: NOW, encodeIn });
  const samples = awkwardSamples(n);
  for (let i = 0; i < n; i++) {
    await before?.(i);
    const sample = samples[i]!;
    builder.onSample({
      shard: "ds/s.tar",
      key: sample.__key__,
      offset: i * 512,
      size: 512,
      sample,
    });
  }
  const header = await builder.commit({
    key: "ds/s.tar",
    numSamples: n,
    sizeBytes: n * 512 + 1024,
    sha256: "ab",
  });
  return { header, parquet: await store.get("ds/s.manifest.parquet"), store };
}

Deno.test("a shard encoded in the worker has the same Parquet bytes and header as on the thread", async () => {
  const before = workerEncodedCount();
  const worker = await writeShard("worker", 3000);
  assert.equal(workerEncodedCount(), before + 1, "the worker encoded the shard");
  const thread = await writeShard("thread", 3000);
  assert.deepEqual(worker.parquet, thread.parquet);
  assert.deepEqual(worker.header, thread.header);
  assert.equal(worker.header.aggregates.tags?.type, "set");
  const { rows } = await readManifest(worker.store, "ds/s.tar");
  assert.equal(rows?.length, 3000);
  assert.equal(rows?.[97]?.__key__, "ключ-97-😀");
  assert.equal(rows?.[89]?.tags, null);
});

/** Rows per row group of a Parquet file, read by DuckDB. */
async function rowGroups(parquet: Uint8Array): Promise<number[]> {
  return await withTempFile(".parquet", undefined, async (path) => {
    await Deno.writeFile(path, parquet);
    return await withConnection(async (con) => {
      const reader = await con.runAndReadAll(
        `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${path}') ORDER BY 1`,
      );
      return reader.getRowObjectsJS().map((r) => Number(r.row_group_num_rows));
    });
  });
}

Deno.test("a shard's batches go to the worker while it is written: same bytes and header as on the thread", async () => {
  await writeShard("worker", 2000); // the worker is up
  const n = 2 * ROW_GROUP_ROWS + 1000;
  const batches = workerBatchCount();
  const encoded = workerEncodedCount();
  const worker = await writeShard("worker", n);
  assert.equal(workerBatchCount(), batches + 2, "two full batches went before the commit");
  assert.equal(workerEncodedCount(), encoded + 1);
  const thread = await writeShard("thread", n);
  assert.deepEqual(worker.parquet, thread.parquet);
  assert.deepEqual(worker.header, thread.header);
  assert.deepEqual(await rowGroups(worker.parquet), [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 1000]);
  const { rows } = await readManifest(worker.store, "ds/s.tar");
  assert.equal(rows?.length, n);
  assert.equal(rows?.[n - 1]?.__offset__, (n - 1) * 512);
});

Deno.test("the worker dying while a shard is written: the shard is encoded on the thread, same bytes", async () => {
  await writeShard("worker", 2000); // the worker is up
  const n = 3 * ROW_GROUP_ROWS + 10;
  const batches = workerBatchCount();
  const died = await writeShard("worker", n, async (i) => {
    if (i !== 2 * ROW_GROUP_ROWS + 5) return;
    assert.equal(workerBatchCount(), batches + 2, "two batches were in the worker");
    await terminateEncodeWorker();
  });
  const thread = await writeShard("thread", n);
  assert.deepEqual(died.parquet, thread.parquet);
  assert.deepEqual(died.header, thread.header);
  // A later shard starts a new worker.
  const encoded = workerEncodedCount();
  await writeShard("worker", 2000);
  assert.equal(workerEncodedCount(), encoded + 1);
});

Deno.test("auto: shards go to the worker once it is up, the writer's last shard stays on the thread", async () => {
  await writeShard("worker", 2000); // the worker is up
  const store = new MemoryStore();
  const builder = new ManifestBuilder(store, ImageSample, { now: NOW });
  const samples = awkwardSamples(2000);
  const encodedBy = async (shard: string, last: boolean) => {
    samples.forEach((sample, i) =>
      builder.onSample({ shard, key: sample.__key__, offset: i * 512, size: 512, sample })
    );
    const before = workerEncodedCount();
    const info = { key: shard, numSamples: 2000, sizeBytes: 2000 * 512 + 1024, sha256: "ab" };
    await builder.commit({ ...info, last });
    return workerEncodedCount() - before;
  };
  assert.equal(await encodedBy("ds/a.tar", false), 1, "a shard with more to follow: the worker");
  assert.equal(await encodedBy("ds/b.tar", true), 0, "the last shard: this thread");
  const a = await store.get("ds/a.manifest.parquet");
  const b = await store.get("ds/b.manifest.parquet");
  assert.deepEqual(b, a, "the same rows give the same bytes either way");
});

Deno.test("an error inside the worker fails the encode with the field named; the worker goes on", async () => {
  const fields: ManifestField[] = [
    { name: "label", role: "categorical", type: "str", list: false, nullable: false },
  ];
  const acc = new ShardAccumulator(fields, {});
  for (let i = 0; i < 2000; i++) acc.add(`k${i}`, i * 512, 512, { label: "cat" });
  const rows = acc.rows();
  // A field type only the worker meets (the builders were made for "str").
  rows.fields = [{ ...fields[0]!, name: "bad", type: "complex" as ManifestField["type"] }];
  await assert.rejects(
    () => encodeShardRows(rows, "worker"),
    (err: Error) => err instanceof TypeError && err.message.includes(`"bad"`),
  );
  const again = new ShardAccumulator(fields, {});
  for (let i = 0; i < 2000; i++) again.add(`k${i}`, i * 512, 512, { label: "dog" });
  const before = workerEncodedCount();
  const { aggregates } = await encodeShardRows(again.rows(), "worker");
  assert.equal(workerEncodedCount(), before + 1);
  assert.deepEqual(
    aggregates.label?.type === "categorical" && aggregates.label.value_counts,
    { dog: 2000 },
  );
});

/**
 * Records `rows` samples of one int field `n` with the worker, `bad` at row `at`: the commit
 * must fail naming the field and write nothing.
 */
async function assertOutOfRangeFails(rows: number, at: number, bad: bigint) {
  const store = new MemoryStore();
  const builder = new ManifestBuilder(store, {
    name: "S",
    version: "1.0.0",
    manifestFields: [{ name: "n", role: "numeric", type: "int", list: false, nullable: false }],
  }, { encodeIn: "worker" });
  for (let i = 0; i < rows; i++) {
    const sample = { n: i === at ? bad : i };
    builder.onSample({ shard: "ds/a.tar", key: `k${i}`, offset: i * 512, size: 512, sample });
  }
  await assert.rejects(
    () => builder.commit({ key: "ds/a.tar", numSamples: rows, sizeBytes: 1 << 22, sha256: "00" }),
    (err: Error) => err instanceof RangeError && err.message.includes(`field "n"`),
  );
  assert.deepEqual(await Array.fromAsync(store.list("ds/")), []);
}

Deno.test("with the worker, an int outside int64 fails the commit naming the field; nothing is written", async () => {
  await assertOutOfRangeFails(2000, 1500, 2n ** 64n);
});

Deno.test("an int outside int64 in a batch already handed over fails the commit naming the field", async () => {
  await writeShard("worker", 2000); // the worker is up
  const batches = workerBatchCount();
  await assertOutOfRangeFails(ROW_GROUP_ROWS + 100, 10, -(2n ** 64n)); // in the first batch
  assert.equal(workerBatchCount(), batches, "the batch that failed was not sent");
});

Deno.test("a shard whose commit fails before its encoding finishes leaves no session in the worker", async () => {
  await writeShard("worker", 2000); // the worker is up
  const open = await workerOpenSessions();
  const builder = new ManifestBuilder(new MemoryStore(), ImageSample, { encodeIn: "worker" });
  const samples = awkwardSamples(ROW_GROUP_ROWS + 10);
  const batches = workerBatchCount();
  samples.forEach((sample, i) =>
    builder.onSample({ shard: "ds/a.tar", key: sample.__key__, offset: i * 512, size: 512, sample })
  );
  assert.equal(workerBatchCount(), batches + 1);
  assert.equal(await workerOpenSessions(), open + 1, "the shard's batch is in the worker");
  await assert.rejects(
    () => builder.commit({ key: "ds/a.tar", numSamples: 5, sizeBytes: 1 << 22, sha256: "00" }),
    (err: Error) => err instanceof ManifestError && err.code === "invalid_state",
  );
  assert.equal(await workerOpenSessions(), open, "the session was dropped");
});

Deno.test("a writer that fails in the middle of a shard leaves no session in the worker", async () => {
  await writeShard("worker", 2000); // the worker is up
  const open = await workerOpenSessions();
  const batches = workerBatchCount();
  const samples = generateSamples(ROW_GROUP_ROWS + 500);
  async function* failing() {
    yield* samples;
    throw new Error("the source broke");
  }
  await assert.rejects(
    () =>
      writeShards(new MemoryStore(), "ds/s-%06d.tar", failing(), {
        schema: ImageSample,
        maxcount: 3 * ROW_GROUP_ROWS,
        manifest: { encodeIn: "worker" },
      }),
    /the source broke/,
  );
  assert.equal(workerBatchCount(), batches + 1, "a batch of the open shard was in the worker");
  assert.equal(await workerOpenSessions(), open);
});

Deno.test("an aggregate registered at run time counts the shard's whole column at once", async () => {
  const lengths: number[] = [];
  const base = aggregateKind("numeric");
  registerAggregate({
    ...base,
    create(field, options): Accumulator {
      const acc = base.create(field, options);
      return {
        add: (v) => acc.add(v),
        addNull: () => acc.addNull(),
        addColumn(column: ColumnData) {
          lengths.push(column.length);
          acc.addColumn!(column);
        },
        finish: () => acc.finish(),
      };
    },
  });
  try {
    const builder = new ManifestBuilder(new MemoryStore(), {
      name: "S",
      version: "1.0.0",
      manifestFields: [{ name: "x", role: "numeric", type: "float", list: false, nullable: false }],
    }, { encodeIn: "worker" });
    const n = 2 * ROW_GROUP_ROWS + 3;
    for (let i = 0; i < n; i++) {
      builder.onSample({ shard: "ds/a.tar", key: `k${i}`, offset: i, size: 1, sample: { x: i } });
    }
    const info = { key: "ds/a.tar", numSamples: n, sizeBytes: n, sha256: "0" };
    const header = await builder.commit(info);
    assert.deepEqual(lengths, [n]);
    const x = header.aggregates.x;
    assert.ok(x?.type === "numeric" && x.count === n && x.max === n - 1);
  } finally {
    registerAggregate(base); // the built-in again
  }
});

Deno.test("KeyParts encodes non-ASCII keys with their own byte lengths", () => {
  const keys = ["a", "é", "😀", "\ud83d", "\ude00", "bc"];
  const column = new KeyParts(keys.join(""), Int32Array.from(keys, (k) => k.length)).column();
  const encoder = new TextEncoder();
  assert.deepEqual([...column.lengths], keys.map((k) => encoder.encode(k).length));
  assert.deepEqual(keys.map((_, i) => column.value(i)), keys.map((k) => k.toWellFormed()));
});
