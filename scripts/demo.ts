/**
 * The main job on the local default (`deno task demo`): writes a synthetic image-classification
 * dataset to `./data/raw/images` (shards with manifests), publishes its schema, submits the
 * `score_images` job to the local executor, waits for it with a progress bar, and prints what
 * the output dataset holds, from its manifests alone.
 *
 * Usage: `deno task demo [--store URL] [--shards N] [--per-shard N]`. Run it twice: the second
 * submission is the same job and does no work.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  datasetStats,
  formatDatasetStats,
  openStore,
  progressBar,
  publishSchema,
  readIndex,
  submit,
  writeShards,
} from "../mod.ts";
import { ImageSample, syntheticImages } from "../examples/image_schema.ts";
import { ScoredImage } from "../examples/jobs/score_images.ts";
import { storeOptionsFrom } from "../cli/_context.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    store: { type: "string", default: "./data" },
    shards: { type: "string", default: "4" },
    "per-shard": { type: "string", default: "500" },
  },
});
const storeOptions = storeOptionsFrom({}, Deno.env.toObject());
const store = await openStore(values.store, storeOptions);
const shards = Number(values.shards);
const perShard = Number(values["per-shard"]);
const log = (line = "") => console.log(line);

// 1. The input dataset: shards written with a manifest beside each, indexed as they commit.
const raw = "raw/images";
const existing = await readIndex(store, raw).catch((err) => {
  if (err?.code === "not_found") return { entries: [] }; // a fresh store
  throw err;
});
if (existing.entries.length >= shards) {
  log(`${raw}: ${existing.entries.length} shards already in ${store.url}`);
} else {
  const t0 = performance.now();
  const written = await writeShards(
    store,
    `${raw}/shard-%06d.tar`,
    syntheticImages(shards * perShard, { seed: 7 }),
    {
      schema: ImageSample,
      maxcount: perShard,
      manifest: { provenance: { pipeline_version: "demo" } },
    },
  );
  const bytes = written.shards.reduce((n, s) => n + s.sizeBytes, 0);
  log(
    `wrote ${raw}: ${written.shards.length} shards, ${shards * perShard} samples, ` +
      `${(bytes / 1e6).toFixed(2)} MB in ${Math.round(performance.now() - t0)} ms`,
  );
  for (const s of written.shards) {
    log(`  ${s.key}  ${s.numSamples} samples  sha256 ${s.sha256.slice(0, 12)}`);
  }
}
for (const schema of [ImageSample, ScoredImage]) await publishSchema(store, schema);

// 2. Submit the job: it returns at once; the local executor keeps running on its own.
const job = await submit(store, {
  input: raw,
  output: "scored/images",
  job: new URL("../examples/jobs/score_images.ts", import.meta.url),
  params: { minConfidence: 0.05 },
  storeOptions,
});
log(
  `\njob ${job.id} ${job.created ? "submitted" : "already submitted"}: ` +
    `${job.spec.tasks.length} tasks, backend ${job.spec.backend}`,
);

// 3. Wait for it, with a progress bar on stderr.
const results = await job.awaitResults({ timeout: 10 * 60_000, onProgress: progressBar() });
log(
  `job ${results.state}: ${results.samples.in} samples in, ${results.samples.out} out, ` +
    `${results.samples.skipped} skipped, ${results.samples.failed} failed`,
);

// 4. What the output holds, from the manifests alone.
log();
for (const line of formatDatasetStats(await datasetStats(store, results.output))) log(line);
log(`\nTry: deno task cli ls ${values.store}/${results.output}`);
log(
  `     deno task cli cat --json ${values.store}/${results.output}/${
    results.shards[0]?.key.split("/").pop()
  } | head -2`,
);
await store.close?.();
