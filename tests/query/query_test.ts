/**
 * query, countRows, readSamples and getSample on real stores (a local folder, s3rver), with
 * expected values computed from the samples written, not from the code under test.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { countRows, getSample, query, QueryError, readSamples } from "../../lib/query/mod.ts";
import { defineSchema, f } from "../../lib/schema/mod.ts";
import { compactIndex, removeFromIndex, writeShards } from "../../lib/dataset/mod.ts";
import { LocalStore, MemoryStore, S3Store, type Store } from "../../lib/store/mod.ts";

const V1 = defineSchema({
  name: "Pets",
  version: "1.0.0",
  fields: {
    label: f.str(),
    confidence: f.float(),
    big: f.int(),
    tags: f.list(f.str()),
    taken: f.timestamp(),
  },
});
const V2 = defineSchema({
  name: "Pets",
  version: "1.1.0",
  fields: { ...V1.fields, mood: f.optional(f.str()) },
});

const T0 = Date.parse("2025-03-01T00:00:00Z");

function pets(from: number, n: number, mood = false) {
  return Array.from({ length: n }, (_, j) => {
    const i = from + j;
    return {
      __key__: `pet-${String(i).padStart(4, "0")}`,
      label: ["cat", "dog", "bird"][i % 3]!,
      confidence: (i % 10) / 10,
      big: 2n ** 60n + BigInt(i),
      tags: i % 2 ? ["outdoor"] : ["indoor", "night"],
      taken: new Date(T0 + i * 3_600_000),
      ...(mood ? { mood: i % 4 ? "happy" : null } : {}),
    };
  });
}

async function withDataset(fn: (store: Store, cacheDir: string) => Promise<void>, store?: Store) {
  const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
  const root = store ? undefined : await Deno.makeTempDir({ prefix: "query-ds-" });
  const s = store ?? new LocalStore(root!);
  try {
    await writeShards(s, "pets/a-%06d.tar", pets(0, 40), { schema: V1, maxcount: 10 });
    await writeShards(s, "pets/b-%06d.tar", pets(40, 20, true), { schema: V2, maxcount: 10 });
    await fn(s, cacheDir);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    if (root) await Deno.remove(root, { recursive: true });
  }
}

Deno.test("query: SQL and filter object go through one planner to the same rows", async () => {
  await withDataset(async (store, cacheDir) => {
    const expected = pets(0, 60).filter((p) =>
      p.label === "dog" && p.confidence > 0.5 && p.tags.includes("outdoor")
    ).map((p) => p.__key__);
    const sql = await query(store, "pets", {
      where: "label = 'dog' AND confidence > 0.5 AND list_contains(tags, 'outdoor')",
      cacheDir,
    });
    const obj = await query(store, "pets", {
      where: { label: "dog", confidence: { gt: 0.5 }, tags: { has: "outdoor" } },
      cacheDir,
    });
    assert.deepEqual(sql.df.getColumn("__key__").toArray().sort(), expected);
    assert.deepEqual(obj.df.getColumn("__key__").toArray().sort(), expected);
    assert.equal(sql.explain.where, obj.explain.where);
  });
});

Deno.test("query: a repeated query sees every index change in between (the index read is reused only while unchanged)", async () => {
  await withDataset(async (store, cacheDir) => {
    const where = "label = 'dog'";
    const keys = async () =>
      (await query(store, "pets", { where, cacheDir })).df.getColumn("__key__").toArray().sort();
    const dogs = (from: number, n: number) =>
      pets(from, n).filter((p) => p.label === "dog").map((p) => p.__key__);
    assert.deepEqual(await keys(), dogs(0, 60));
    assert.deepEqual(await keys(), dogs(0, 60)); // reused
    await writeShards(store, "pets/c-%06d.tar", pets(60, 10), { schema: V1 }); // a fragment
    assert.deepEqual(await keys(), dogs(0, 70));
    await compactIndex(store, "pets"); // a generation, fragments gone
    assert.deepEqual(await keys(), dogs(0, 70));
    await removeFromIndex(store, "pets/c-000000.tar"); // a tombstone
    assert.deepEqual(await keys(), dogs(0, 60));
    // The removed shard committed again: its tombstone goes, its fragment is created again.
    await writeShards(store, "pets/c-%06d.tar", pets(60, 10), { schema: V1 });
    assert.deepEqual(await keys(), dogs(0, 70));
  });
});

Deno.test("query: int64 and timestamps arrive with their dtypes and exact values", async () => {
  await withDataset(async (store, cacheDir) => {
    const r = await query(store, "pets", {
      where: { __key__: "pet-0007" },
      select: ["big", "taken", "tags", "mood"],
      cacheDir,
    });
    assert.equal(r.df.height, 1);
    assert.ok(r.df.getColumn("big").dtype.equals(pl.Int64));
    assert.ok(r.df.getColumn("taken").dtype.equals(pl.Datetime("us", "UTC")));
    assert.equal(String(r.df.getColumn("tags").dtype), "DataType(List(DataType(String)))");
    // Exact int64: polars' own string form (toArray would go through float64).
    assert.equal(r.df.getColumn("big").cast(pl.Utf8).toArray()[0], String(2n ** 60n + 7n));
    assert.equal(
      (r.df.getColumn("taken").toArray()[0] as unknown as Date).getTime(),
      T0 + 7 * 3_600_000,
    );
    assert.equal(r.df.getColumn("mood").toArray()[0], null); // v1 shard: field absent
    assert.equal(r.locations[0]!.key, "pet-0007");
  });
});

Deno.test("query: a field an older schema version lacks is null there, and prunes", async () => {
  await withDataset(async (store, cacheDir) => {
    const happy = await query(store, "pets", { where: "mood = 'happy'", cacheDir });
    assert.equal(happy.df.height, pets(40, 20, true).filter((p) => p.mood === "happy").length);
    assert.equal(happy.explain.shards.prunedBy.absent_field, 4);
    const nulls = await countRows(store, "pets", { where: "mood IS NULL", cacheDir });
    assert.equal(nulls.count, 40 + pets(40, 20, true).filter((p) => p.mood === null).length);
    assert.equal(nulls.explain.shards.answeredFromIndex, 4); // the v1 shards: all null
  });
});

Deno.test("query: orderBy, limit and select", async () => {
  await withDataset(async (store, cacheDir) => {
    const r = await query(store, "pets", {
      where: "label = 'cat'",
      select: ["confidence"],
      orderBy: ["confidence DESC", "__key__"],
      limit: 3,
      cacheDir,
    });
    assert.deepEqual(r.df.columns, [
      "__key__",
      "__shard__",
      "__offset__",
      "__size__",
      "confidence",
    ]);
    assert.deepEqual(r.df.getColumn("__key__").toArray(), ["pet-0009", "pet-0039", "pet-0018"]);
    assert.equal(r.explain.rows.matched, null);
    await assert.rejects(() => query(store, "pets", { orderBy: "lable", cacheDir }), QueryError);
    await assert.rejects(() => query(store, "pets", { limit: -1, cacheDir }), QueryError);
  });
});

Deno.test("readSamples coalesces adjacent ranges into one GET per shard run", async () => {
  await withDataset(async (store, cacheDir) => {
    const r = await query(store, "pets", { where: "confidence <> 0.5", cacheDir });
    const reads: string[] = [];
    const samples = await readSamples(store, r.locations, {
      schema: V1,
      maxGap: 4096,
      onRead: (x) => reads.push(x.shard),
    });
    const want = new Map(pets(0, 60).map((p) => [p.__key__, p]));
    samples.forEach((s, i) => {
      assert.equal(s.__key__, r.locations[i]!.key);
      assert.equal(s.label, want.get(s.__key__)!.label);
      assert.equal(s.big, want.get(s.__key__)!.big);
    });
    // The gaps are one sample (confidence 0.5, the sixth of each shard of ten): one GET a shard.
    assert.equal(reads.length, new Set(r.locations.map((l) => l.shard)).size);
    const strict: string[] = [];
    await readSamples(store, r.locations, { maxGap: 0, onRead: (x) => strict.push(x.shard) });
    assert.equal(strict.length, 2 * reads.length);
  });
});

Deno.test("getSample finds a key through the key index, incrementally", async () => {
  await withDataset(async (store, cacheDir) => {
    const stats: { indexed: number; scanned: number }[] = [];
    const onStats = (s: { indexed: number; scanned: number }) => stats.push(s);
    const s = await getSample(store, "pets", "pet-0042", { schema: V2, cacheDir, onStats });
    assert.equal(s.mood, "happy");
    assert.equal(s.label, "cat");
    await getSample(store, "pets", "pet-0013", { cacheDir, onStats });
    await writeShards(store, "pets/c-%06d.tar", pets(60, 5), { schema: V1 });
    const late = await getSample(store, "pets", "pet-0063", { schema: V1, cacheDir, onStats });
    assert.equal(late.confidence, 0.3);
    await assert.rejects(
      () => getSample(store, "pets", "pet-9999", { cacheDir, onStats }),
      (e) => e instanceof QueryError && e.code === "not_found",
    );
    // Built once over the 6 shards, then only the new shard; one manifest scanned per lookup.
    assert.deepEqual(stats.map((x) => x.indexed), [6, 0, 1, 0]);
    assert.deepEqual(stats.map((x) => x.scanned), [1, 1, 1, 0]);
  });
});

Deno.test("query on S3 (s3rver): manifests fetched through the store into the cache once", async () => {
  const { startS3rver } = await import("../_s3rver.ts");
  const server = await startS3rver();
  const store = new S3Store(server.bucket, {
    prefix: "q",
    endpoint: server.endpoint,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  try {
    await withDataset(async (s, cacheDir) => {
      const first = await query(s, "pets", { where: "label = 'bird'", cacheDir });
      assert.equal(first.df.height, 20);
      assert.ok(first.explain.bytes.fetched > 0);
      const again = await query(s, "pets", { where: "label = 'bird'", cacheDir });
      assert.equal(again.explain.bytes.fetched, 0);
      assert.equal(again.explain.bytes.cacheHits, again.explain.shards.scanned);
      // Only files named by a checksum sit in the cache.
      for (const e of Deno.readDirSync(cacheDir)) {
        if (e.isFile) assert.match(e.name, /^[0-9a-f]{64}\.parquet$/);
      }
    }, store);
  } finally {
    await store.close?.();
    await server.close();
  }
});

Deno.test("query refuses bad input before scanning, with the closest field", async () => {
  const store = new MemoryStore();
  await writeShards(store, "pets/a-%06d.tar", pets(0, 5), { schema: V1 });
  const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
  try {
    await assert.rejects(
      () => query(store, "pets", { where: "lable = 'dog'", cacheDir }),
      (e) => e instanceof QueryError && e.code === "unknown_field" && e.suggestion === "label",
    );
    await assert.rejects(
      () => query(store, "pets", { where: { confidense: { gt: 1 } }, cacheDir }),
      (e) => e instanceof QueryError && e.suggestion === "confidence",
    );
    await assert.rejects(
      () => query(store, "pets", { where: "confidence > 'x'", cacheDir }),
      (e) => e instanceof QueryError && e.code === "type_mismatch",
    );
    await assert.rejects(
      () => query(store, "pets", { where: { label: { like: "d%" } } as never, cacheDir }),
      (e) => e instanceof QueryError && e.code === "invalid_option",
    );
    await assert.rejects(
      () => query(store, "nothing", { cacheDir }),
      (e) => e instanceof QueryError && e.code === "not_found",
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("query: shards with byte-identical manifests each keep their own rows; orderBy __shard__ orders by shard key", async () => {
  const root = await Deno.makeTempDir({ prefix: "query-dup-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
  try {
    const store = new LocalStore(root);
    // The same samples written as three shards: their Parquet manifests are the same bytes (the
    // manifest cache holds them as one file). z sorts last by key, first by nothing else.
    for (const name of ["z", "a", "m"]) {
      await writeShards(store, `dup/${name}-%06d.tar`, pets(0, 6), { schema: V1 });
    }
    const r = await query(store, "dup", {
      where: "label = 'cat'",
      orderBy: ["__shard__ DESC", "__key__"],
      cacheDir,
    });
    const rows = (r.df.select("__shard__", "__key__").rows() as string[][]).map((x) => x.join(" "));
    // Expected from the samples written: cats are pets 0 and 3, in each of the three shards.
    const expected = ["z", "m", "a"].flatMap((s) =>
      ["pet-0000", "pet-0003"].map((k) => `dup/${s}-000000.tar ${k}`)
    );
    assert.deepEqual(rows, expected);
    assert.equal(r.explain.shards.scanned, 3);
    const counted = await countRows(store, "dup", { where: "label = 'cat'", cacheDir });
    assert.equal(counted.count, 6);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});
