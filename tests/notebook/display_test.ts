/**
 * What the objects display in Jupyter (the `[Symbol.for("Jupyter.display")]` bundle the kernel
 * calls), checked against values computed here from the generating data.
 */
import assert from "node:assert/strict";
import {
  datasetStats,
  defineSchema,
  f,
  LocalStore,
  readManifest,
  status,
  submit,
  writeShards,
} from "../../mod.ts";

const DISPLAY = Symbol.for("Jupyter.display");
type Displayable = { [DISPLAY]: () => Promise<Record<string, string>> | Record<string, string> };
const show = (v: unknown) => (v as Displayable)[DISPLAY]();

const S = defineSchema({
  name: "Pet",
  version: "1.2.0",
  fields: {
    label: f.str(),
    weight: f.float({ manifest: { role: "numeric", buckets: [0, 10, 20, 30] } }),
    photo: f.bytes({ ext: "png" }),
  },
});
const LABELS = ["cat", "dog", "cat", "cat", "bird", "dog", "cat"];

Deno.test("schemas, stats, write results and manifests render as HTML tables", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shardline-display-" });
  try {
    const store = new LocalStore(dir);
    const samples = LABELS.map((label, i) => ({
      __key__: `p${i}`,
      label,
      weight: i * 4,
      photo: new Uint8Array([0x89, 0x50, 0x4e, 0x47, i]),
    }));
    const written = await writeShards(store, "pets/shard-%06d.tar", samples, {
      schema: S,
      maxcount: 3,
    });

    const schema = await show(S);
    assert.match(schema["text/html"]!, /<td>label<\/td><td>str<\/td><td><\/td><td>categorical/);
    assert.match(schema["text/html"]!, /<td>photo<\/td><td>bytes<\/td><td><\/td><td>exclude/);

    const write = await show(written);
    assert.match(write["text/plain"]!, /^Wrote 3 shards, 7 samples/);

    const stats = await datasetStats(store, "pets");
    const html = (await show(stats))["text/html"]!;
    const counts = new Map<string, number>();
    for (const l of LABELS) counts.set(l, (counts.get(l) ?? 0) + 1);
    for (const [label, n] of counts) assert.ok(html.includes(`${label}&nbsp;(${n})`), label);
    assert.match(html, /7 samples/);
    // The display method is invisible to data: JSON and key listings do not see it.
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(stats))), Object.keys(stats));
    assert.ok(!Object.keys(stats).some((k) => k.includes("Jupyter")));

    const manifest = await readManifest(store, "pets/shard-000002.tar");
    const m = (await show(manifest))["text/html"]!;
    assert.match(m, /<td>p6<\/td>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a job's status renders its failures with their reasons",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "shardline-display-job-" });
    try {
      const store = new LocalStore(dir);
      const { ImageSample, syntheticImages } = await import("../../examples/image_schema.ts");
      await writeShards(store, "raw/shard-%06d.tar", syntheticImages(40, { seed: 5 }), {
        schema: ImageSample,
        maxcount: 20,
      });
      const job = await submit(store, {
        input: "raw",
        output: "out",
        job: new URL("../../examples/jobs/your_own_job.ts", import.meta.url),
        params: { rejectBelow: 0.5 },
        backendOptions: { keepAliveMs: 0 },
      });
      const results = await job.awaitResults({ timeout: 120_000 });
      // Independently: which generated samples fall below the threshold.
      const rejected = [...syntheticImages(40, { seed: 5 })].filter((s) => s.confidence < 0.5);
      assert.equal(results.samples.failed, rejected.length);
      const html = (await show(await status(store, job.id)))["text/html"]!;
      assert.match(html, /completed_with_errors/);
      const first = rejected[0]!;
      assert.ok(html.includes(`<td>${first.__key__}</td>`), "failure key shown");
      assert.ok(html.includes(`confidence ${first.confidence} is below 0.5`), "reason shown");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
