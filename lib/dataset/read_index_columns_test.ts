import assert from "node:assert/strict";
import { MemoryStore } from "../store/memory_store.ts";
import { defineSchema, f } from "../schema/mod.ts";
import { readIndexColumns } from "./read_index_columns.ts";
import { indexColumnsFromHeaders } from "./index_columns.ts";
import { compactIndex } from "./compact_index.ts";
import { rebuildIndex } from "./rebuild_index.ts";
import { readIndex } from "./dataset_index.ts";
import { removeFromIndex } from "./remove_from_index.ts";
import { readManifest } from "../manifest/read_manifest.ts";
import { listShards } from "./list_shards.ts";
import { writeShards } from "./write_shards.ts";
import { generateSamples, ImageSample } from "../manifest/_test_fixtures.ts";
import { readGeneration } from "./_index_generation.ts";
import { listIndex } from "./_index_io.ts";
import { shardName } from "../manifest/manifest_keys.ts";
import { datasetStats } from "./dataset_stats.ts";
import { ManifestError } from "../manifest/manifest_error.ts";
import { aggregateKind, type AggregateSummary } from "../manifest/aggregate.ts";

/** A later schema version: a new high-cardinality categorical field, no `score`. */
const Evolved = defineSchema({
  name: "ImageSample",
  version: "1.1.0",
  fields: { label: f.str(), confidence: f.float(), word: f.str(), tags: f.list(f.str()) },
});

async function writeEvolved(store: MemoryStore, start: number, shards: number) {
  let seed = start + 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const samples = Array.from({ length: shards * 40 }, (_, i) => ({
    __key__: `e-${i}`,
    label: ["cat", "dog"][i % 2]!,
    confidence: rand(),
    word: `w${Math.floor(rand() * 500)}`, // > 64 distinct in a segment: the JSON column
    tags: [`t${Math.floor(rand() * 40)}`, `t${Math.floor(rand() * 40)}`],
  }));
  await writeShards(store, "ds/shard-%06d.tar", samples, {
    schema: Evolved,
    maxcount: 40,
    startIndex: start,
    manifest: { setValuesCap: 8, categoricalCap: 30 }, // bloom filters, categorical overflow
  });
}

async function write(store: MemoryStore, start: number, shards: number) {
  await writeShards(store, "ds/shard-%06d.tar", generateSamples(shards * 6, { seed: start }), {
    schema: ImageSample,
    maxcount: 6,
    startIndex: start,
  });
}

/** The reference: every committed manifest, read one by one, through indexColumnsFromHeaders. */
async function fromManifests(store: MemoryStore, fields?: string[]) {
  const { manifests } = await listShards(store, "ds");
  const entries = [];
  for (const shard of manifests) {
    const { header } = await readManifest(store, shard, { rows: false });
    entries.push({ name: shardName("ds", shard), header });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  return indexColumnsFromHeaders("ds", entries, { fields });
}

Deno.test("readIndexColumns equals the columns of the manifests: segments, fragments, removals, evolved schema", async () => {
  const store = new MemoryStore();
  await write(store, 0, 5);
  await compactIndex(store, "ds");
  await writeEvolved(store, 5, 4);
  await compactIndex(store, "ds");
  await write(store, 9, 2); // fragments on top of two segments
  await removeFromIndex(store, "ds/shard-000002.tar");
  await store.delete("ds/shard-000002.manifest.json"); // the reference no longer sees it
  assert.deepEqual(await readIndexColumns(store, "ds"), await fromManifests(store));
  const some = await readIndexColumns(store, "ds", { fields: ["word", "confidence"] });
  assert.deepEqual(some, await fromManifests(store, ["word", "confidence"]));
  assert.ok((some.fields.word?.values?.size ?? 0) > 64);
  const skipped = await readIndexColumns(store, "ds", { skip: ["histogram", "bloom"] });
  assert.equal(skipped.fields.confidence?.histogram, undefined);
  assert.equal(skipped.fields.tags?.bloom, undefined);
  assert.ok(skipped.fields.tags?.set_values);

  // Compacted: the same again, and the same as an index rebuilt from the manifests.
  await compactIndex(store, "ds");
  const compacted = await readIndexColumns(store, "ds");
  assert.deepEqual(compacted, await fromManifests(store));
  const entries = (await readIndex(store, "ds")).entries;
  await rebuildIndex(store, "ds");
  assert.deepEqual(await readIndexColumns(store, "ds"), compacted);
  assert.deepEqual((await readIndex(store, "ds")).entries, entries);
});

Deno.test("compaction writes new fragments as one segment and keeps the others (binary-counter merges)", async () => {
  const store = new MemoryStore();
  const segmentsOf = async () => {
    const listing = await listIndex(store, "ds");
    const gen = await readGeneration(store, "ds", listing.generations.at(-1)!);
    return gen!.segments.map((s) => ({ id: s.id, rows: s.rows }));
  };
  await write(store, 0, 8);
  await compactIndex(store, "ds");
  const [first] = await segmentsOf();
  assert.equal(first?.rows, 8);
  await write(store, 8, 3);
  await compactIndex(store, "ds");
  const second = await segmentsOf();
  assert.deepEqual(second.map((s) => s.rows), [8, 3]);
  assert.equal(second[0]?.id, first.id); // untouched: not rewritten
  await write(store, 11, 2);
  await compactIndex(store, "ds");
  assert.deepEqual((await segmentsOf()).map((s) => s.rows), [8, 3, 2]);
  await write(store, 13, 3); // [8, 3, 2, 3]: 2 <= 3 merge, 3 <= 5 merge, 8 <= 8 merge
  await compactIndex(store, "ds");
  assert.deepEqual((await segmentsOf()).map((s) => s.rows), [16]);
  await write(store, 16, 2);
  await compactIndex(store, "ds");
  // Removing a compacted shard rewrites only the segment that holds it.
  const before = await segmentsOf();
  assert.deepEqual(before.map((s) => s.rows), [16, 2]);
  await removeFromIndex(store, "ds/shard-000003.tar");
  await compactIndex(store, "ds");
  const after = await segmentsOf();
  assert.deepEqual(after.map((s) => s.rows), [15, 2]);
  assert.notEqual(after[0]?.id, before[0]?.id);
  assert.deepEqual(after[1], before[1]);
  assert.equal((await readIndex(store, "ds")).entries.length, 17);
});

Deno.test("a compaction racing readIndexColumns does not make it fail", async () => {
  const store = new MemoryStore();
  await write(store, 0, 4);
  await compactIndex(store, "ds");
  await write(store, 4, 3);
  const get = store.get.bind(store);
  let raced = 0;
  store.get = async (key, options) => {
    // Each time the reader fetches a fragment, a compaction folds and deletes every fragment.
    if (key.includes("_index/shards/") && raced < 3) {
      raced++;
      await write(store, 7 + raced, 1);
      await compactIndex(store, "ds", { retainMs: 0 });
    }
    return await get(key, options);
  };
  const cols = await readIndexColumns(store, "ds");
  store.get = get;
  assert.ok(raced >= 1);
  assert.deepEqual(cols.name, (await readIndex(store, "ds")).entries.map((e) => e.name));
});

/** The stats as header-by-header merges (the definition datasetStats must equal). */
async function statsByHeaders(store: MemoryStore) {
  const { entries } = await readIndex(store, "ds");
  const roles = new Map<string, string>();
  for (const { header } of entries) {
    for (const [name, agg] of Object.entries(header.aggregates)) {
      if (!roles.has(name)) roles.set(name, agg.type);
    }
  }
  const fields: Record<string, AggregateSummary> = {};
  for (const [name, role] of roles) {
    const kind = aggregateKind(role);
    fields[name] = kind.merge(
      entries.map((e) => e.header.aggregates[name] ?? kind.empty(e.header.num_samples)),
    );
  }
  return {
    shards: entries.length,
    num_samples: entries.reduce((a, e) => a + e.header.num_samples, 0),
    size_bytes: entries.reduce((a, e) => a + e.header.size_bytes, 0),
    fields,
  };
}

/** What `statsByHeaders` gives, of a `datasetStats` result. */
function comparable(stats: Awaited<ReturnType<typeof datasetStats>>) {
  const { shards, num_samples, size_bytes, fields } = stats;
  return { shards, num_samples, size_bytes, fields };
}

Deno.test("datasetStats from the columns equals the header-by-header merge, without reading headers", async () => {
  const store = new MemoryStore();
  await write(store, 0, 5);
  await compactIndex(store, "ds");
  await writeEvolved(store, 5, 4);
  await compactIndex(store, "ds");
  await write(store, 9, 2); // fragments after the segments' names
  const expected = await statsByHeaders(store);
  const get = store.get.bind(store);
  const read: string[] = [];
  store.get = (key, options) => {
    read.push(key);
    return get(key, options);
  };
  const stats = await datasetStats(store, "ds");
  store.get = get;
  assert.deepEqual(read.filter((k) => k.endsWith(".headers.parquet")), []);
  assert.ok(read.some((k) => k.endsWith(".columns.parquet")));
  assert.deepEqual(comparable(stats), expected);
  assert.ok(stats.fields.confidence?.type === "numeric" && !stats.fields.confidence.histogram);
  assert.deepEqual(stats.issues, [
    'Histogram of "confidence" left out: shards use different bucket edges',
  ]);
  // A removal inside a segment: the header-by-header path, the same numbers.
  await removeFromIndex(store, "ds/shard-000001.tar");
  const after = await datasetStats(store, "ds");
  const expectedAfter = await statsByHeaders(store);
  assert.equal(after.shards, expectedAfter.shards);
  assert.deepEqual(after.fields, expectedAfter.fields);
});

Deno.test("datasetStats over one segment mixing schema versions (a field missing from some shards) and fragments between segments", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  await writeEvolved(store, 3, 3); // no `score`: null in those rows of the segment
  await write(store, 6, 2);
  await compactIndex(store, "ds"); // one segment, shards 0-7
  await write(store, 20, 3);
  await compactIndex(store, "ds"); // a second segment, 20-22
  await writeEvolved(store, 10, 2); // fragments named between the two segments
  const expected = await statsByHeaders(store);
  const stats = await datasetStats(store, "ds");
  assert.deepEqual(comparable(stats), expected);
  // 8 shards of 6 samples with a score; 5 of 40 without one.
  assert.equal(stats.num_samples, 8 * 6 + 5 * 40);
  assert.ok(stats.fields.score?.type === "numeric" && stats.fields.score.null_count >= 5 * 40);
});

Deno.test("readIndexColumns with values: only the asked values' counts, narrow and JSON-stored alike", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  await writeEvolved(store, 3, 4); // `word`: > 64 distinct values, stored as JSON counts
  await compactIndex(store, "ds");
  await writeEvolved(store, 7, 2); // fragments
  const full = await fromManifests(store, ["word", "label"]);
  const listed = [...full.fields.word!.values!.keys()]; // the values within the cap
  const asked = { word: [listed[0]!, listed.at(-1)!, "w/~'\"", "absent"], label: ["cat", "nope"] };
  const some = await readIndexColumns(store, "ds", { fields: ["word", "label"], values: asked });
  for (const [field, values] of Object.entries(asked)) {
    const want = new Map(values.map((v) => [
      v,
      full.fields[field]!.values!.get(v) ?? new Float64Array(full.length),
    ]));
    assert.deepEqual(some.fields[field]!.values, want, field);
    assert.deepEqual(some.fields[field]!.overflow_count, full.fields[field]!.overflow_count);
  }
  // The asked values do occur (the test is not vacuous).
  assert.ok(some.fields.word!.values!.get(listed[0]!)!.some((c) => c > 0));
  assert.ok(some.fields.word!.values!.get(listed.at(-1)!)!.some((c) => c > 0));
  assert.ok(some.fields.label!.values!.get("cat")!.some((c) => c > 0));
  // And compacted into one segment, read into place.
  await compactIndex(store, "ds");
  const again = await readIndexColumns(store, "ds", { fields: ["word", "label"], values: asked });
  assert.deepEqual(again.fields.word!.values, some.fields.word!.values);
});

Deno.test("readIndexColumns with values: a JSON-stored value starting with ':' is matched only where it is a key", async () => {
  const store = new MemoryStore();
  const S = defineSchema({ name: "W", version: "1.0.0", fields: { w: f.str() } });
  const shards = [
    // `{",":5,":7,z":1,...}` holds `":5,":` at the closing quote of ",".
    [...",,,,,".split(""), ":7,z", "v"],
    // `{",":5,":5,":2}`: the real key right after such a false match.
    [..."aaaaa".split("").map(() => ","), ":5,", ":5,"],
    // `{"0{":5,":5,":4}`: after `{` inside a key, and the real key next.
    ["0{", "0{", "0{", "0{", "0{", ":5,", ":5,", ":5,", ":5,"],
    // More than 64 distinct values in the segment: its counts are stored as JSON.
    Array.from({ length: 70 }, (_, i) => `v${i}`),
  ];
  for (const [s, words] of shards.entries()) {
    const samples = words.map((w, j) => ({ __key__: `k${j}`, w }));
    await writeShards(store, "ds/shard-%06d.tar", samples, {
      schema: S,
      startIndex: s,
      compactAt: false,
    });
  }
  await compactIndex(store, "ds");
  const asked = { w: [":5,", ":7,z", ",", "0{", ":"] };
  const got = await readIndexColumns(store, "ds", { values: asked });
  const { entries } = await readIndex(store, "ds");
  const want = indexColumnsFromHeaders("ds", entries, { values: asked });
  assert.deepEqual(got.fields.w!.values, want.fields.w!.values);
  // Independently of both readers: the samples written.
  assert.deepEqual([...got.fields.w!.values!.get(":5,")!], [0, 2, 4, 0]);
});

Deno.test("categorical values named like Object.prototype members count as any other value: index columns, asked values, stats", async () => {
  const store = new MemoryStore();
  const S = defineSchema({ name: "P", version: "1.0.0", fields: { w: f.str() } });
  const names = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];
  // Shards 0 and 1 hold every name, shard 2 none of them, shard 3 some.
  const shards = [names, [...names, "cat"], ["cat", "dog"], ["dog", "toString", "__proto__"]];
  for (const [s, words] of shards.entries()) {
    await writeShards(store, "ds/shard-%06d.tar", words.map((w, j) => ({ __key__: `k${j}`, w })), {
      schema: S,
      startIndex: s,
      compactAt: false,
    });
  }
  // Expected from the samples written: per value, its count in each shard.
  const expected = new Map(
    [...names, "cat", "dog"].map((
      v,
    ) => [v, Float64Array.from(shards, (ws) => ws.filter((w) => w === v).length)]),
  );
  for (const stage of ["fragments", "compacted"]) {
    if (stage === "compacted") await compactIndex(store, "ds");
    const all = await readIndexColumns(store, "ds");
    assert.deepEqual(all.fields.w!.values, expected, stage);
    const asked = await readIndexColumns(store, "ds", { values: { w: [...names, "absent"] } });
    assert.deepEqual(
      asked.fields.w!.values,
      new Map([...names.map((v) => [v, expected.get(v)!] as const), [
        "absent",
        new Float64Array(4),
      ]]),
      `${stage}: asked`,
    );
    const stats = await datasetStats(store, "ds");
    assert.deepEqual(
      stats.fields.w?.type === "categorical" && { ...stats.fields.w.value_counts },
      Object.fromEntries([...expected].map(([v, c]) => [v, c.reduce((a, b) => a + b, 0)])),
      `${stage}: stats`,
    );
  }
});

Deno.test("datasetStats: a field stored with one role in a segment and another in the next is merged as the header-by-header path does", async () => {
  const store = new MemoryStore();
  const A = defineSchema({ name: "R", version: "1.0.0", fields: { x: f.float() } });
  const B = defineSchema({ name: "R", version: "2.0.0", fields: { x: f.str() } });
  const a = [0.5, 1.25, 2, 3.5].map((x, j) => ({ __key__: `a${j}`, x }));
  const b = ["p", "q", "q"].map((x, j) => ({ __key__: `b${j}`, x }));
  await writeShards(store, "ds/a-%06d.tar", a, { schema: A, maxcount: 2, compactAt: false });
  await compactIndex(store, "ds"); // a segment where x is numeric
  await writeShards(store, "ds/b-%06d.tar", b, { schema: B, maxcount: 3, compactAt: false });
  await compactIndex(store, "ds"); // the next one (1 shard after 2: not merged), x categorical
  const listing = await listIndex(store, "ds");
  const gen = await readGeneration(store, "ds", listing.generations.at(-1)!);
  assert.deepEqual(gen!.segments.map((s) => s.fields.x!.role), ["numeric", "categorical"]);
  const stats = await datasetStats(store, "ds");
  // The first shard by name sets the role: numeric, over the `a` shards alone (the `b` shards,
  // holding another role, are left out with an issue).
  const x = stats.fields.x;
  assert.equal(x?.type, "numeric");
  assert.equal(x.count, a.length);
  assert.equal(x.type === "numeric" && x.sum, a.reduce((s, r) => s + r.x, 0));
  assert.equal(stats.issues.filter((i) => i.includes("is categorical, not numeric")).length, 1);
});

Deno.test("a damaged index (a segment file gone for good) is a typed error naming the object, after a few attempts", async () => {
  const store = new MemoryStore();
  await write(store, 0, 3);
  await compactIndex(store, "ds");
  const listed = [];
  for await (const o of store.list("ds/_index/")) listed.push(o.key);
  const columns = listed.find((k) => k.endsWith(".columns.parquet"))!;
  await store.delete(columns);
  const err = await readIndexColumns(store, "ds").catch((e) => e);
  assert.ok(err instanceof ManifestError, String(err));
  assert.equal(err.code, "index_unreadable");
  assert.equal(err.path, columns);
  assert.match(err.message, /index rebuild ds/);
  // Rebuilt from the manifests, it reads again.
  await rebuildIndex(store, "ds");
  assert.equal((await readIndexColumns(store, "ds")).length, 3);
});
