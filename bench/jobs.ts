/**
 * Job throughput: an identity job over 8 shards of 10k small samples, end to end through the
 * local executor (detached supervisor, worker processes, a local store), as a ratio of the
 * shard layer's raw read+write throughput on the same data (scanSamples -> ShardWriter, one
 * process, no decoding); and the per-task overhead, measured with empty shards. The first job
 * starts the store's supervisor and workers (cold: process start, JIT warm-up); the later ones
 * find them warm (they stay up `keepAliveMs` after a job), as repeated submits do.
 *
 * Run with `deno task bench` (all benches) or `deno run -A bench/jobs.ts`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStore } from "../lib/store/local_store.ts";
import type { Store } from "../lib/store/store.ts";
import { defineSchema, f } from "../lib/schema/mod.ts";
import { encodeSample } from "../lib/shard/codecs/encode_sample.ts";
import { scanSamples } from "../lib/shard/scan_samples.ts";
import { ShardWriter } from "../lib/shard/shard_writer.ts";
import { TarWriter } from "../lib/shard/tar_writer.ts";
import { submit } from "../lib/exec/mod.ts";
import type { JobResults, TaskResult } from "../lib/job/mod.ts";
import { recordRatio } from "./_report.ts";

const SHARDS = 8;
const PER_SHARD = 10_000;
const EMPTY_SHARDS = 16;
const ROUNDS = 5;
const REPO = fileURLToPath(new URL("../", import.meta.url));

const Item = defineSchema({
  name: "BenchItem",
  version: "1.0.0",
  fields: { id: f.int(), label: f.str(), score: f.float() },
});

const JOB = `
import { defineJob } from "${REPO}lib/job/mod.ts";
import { defineSchema, f } from "${REPO}lib/schema/mod.ts";
const Item = defineSchema({
  name: "BenchItem", version: "1.0.0",
  fields: { id: f.int(), label: f.str(), score: f.float() },
});
export default defineJob({ name: "identity", version: "1.0.0", input: Item, map: (s) => s });
`;

async function writeInput(store: Store): Promise<void> {
  const labels = ["cat", "dog", "bird", "fish"];
  const writer = new ShardWriter(store, "raw/shard-%06d.tar", { maxcount: PER_SHARD });
  for (let i = 0; i < SHARDS * PER_SHARD; i++) {
    const sample = {
      __key__: `s${String(i).padStart(8, "0")}`,
      id: i,
      label: labels[i % 4]!,
      score: (i % 1000) / 1000,
    };
    await writer.write(encodeSample(Item, sample));
  }
  await writer.close();
  const empty = new TarWriter().finishBytes();
  for (let i = 0; i < EMPTY_SHARDS; i++) {
    await store.put(`empty/shard-${String(i).padStart(6, "0")}.tar`, empty);
  }
}

/** The shard layer alone: every shard read and written back, one process, no decoding. */
async function rawReadWrite(store: Store): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < SHARDS; i++) {
    const key = `raw/shard-${String(i).padStart(6, "0")}.tar`;
    const writer = new ShardWriter(store, `rawcopy/shard-${String(i).padStart(6, "0")}-%03d.tar`);
    for await (const s of scanSamples(await store.getStream(key), { url: key })) {
      await writer.write({ __key__: s.__key__, files: s.files });
      n++;
    }
    await writer.close();
  }
  if (n !== SHARDS * PER_SHARD) throw new Error(`raw copy saw ${n} samples`);
  return (performance.now() - t0) / 1000;
}

async function runJob(store: Store, job: string, input: string, output: string) {
  const t0 = performance.now();
  const origin = performance.timeOrigin;
  const handle = await submit(store, { input, output, job });
  const submitted = performance.now();
  const res: JobResults = await handle.awaitResults({ pollMs: 20 });
  const t1 = performance.now();
  const tasks = res.status.task_states.map((t) => t.result!) as TaskResult[];
  const first = Math.min(...tasks.map((t) => Date.parse(t.started_at))) - origin;
  const last = Math.max(...tasks.map((t) => Date.parse(t.finished_at))) - origin;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // Each worker's first task pays for its warm-up (JIT, DuckDB, job code).
  const byWorker = Map.groupBy(tasks, (t) => t.worker?.pid ?? 0);
  const firsts = [...byWorker.values()].map((ts) =>
    ts.reduce((a, b) => (a.started_at < b.started_at ? a : b))
  );
  return {
    res,
    wallS: (t1 - t0) / 1000,
    submitS: (submitted - t0) / 1000,
    execS: (t1 - submitted) / 1000,
    startS: (first - submitted) / 1000,
    tasksSpanS: (last - first) / 1000,
    meanTaskMs: mean(tasks.map((t) => t.duration_ms)),
    firstTaskMs: mean(firsts.map((t) => t.duration_ms)),
    laterTaskMs: mean(tasks.filter((t) => !firsts.includes(t)).map((t) => t.duration_ms)),
    concurrency: res.status.supervisor?.concurrency ?? 1,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "shardline-bench-jobs-" });
  try {
    const store = new LocalStore(root);
    await writeInput(store);
    const jobDir = await Deno.makeTempDir({ prefix: "shardline-bench-job-" });
    const jobPath = join(jobDir, "identity.ts");
    await Deno.writeTextFile(jobPath, JOB);

    // Raw and job runs interleave, so that load from elsewhere on the machine affects both
    // sides alike; the per-round ratios show how much it moved them.
    await rawReadWrite(store); // warm-up
    const total = SHARDS * PER_SHARD;
    const raws: number[] = [];
    const jobs: Awaited<ReturnType<typeof runJob>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raws.push(await rawReadWrite(store));
      const r = await runJob(store, jobPath, "raw", `out-${round}`);
      if (r.res.samples.out !== total) throw new Error(`job wrote ${r.res.samples.out}`);
      jobs.push(r);
    }
    const rawS = Math.min(...raws);
    // Round 0 starts the store's supervisor and workers (cold); later rounds find them warm
    // (they stay up keepAliveMs after a job).
    const cold = jobs[0]!;
    const warm = jobs.slice(1);
    const e2e = warm.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    const ratios = warm.map((j, i) => raws[i + 1]! / j.wallS);
    const runRatios = warm.map((j, i) => raws[i + 1]! / j.execS);
    const empty = await runJob(store, jobPath, "empty", "empty-out");
    const B = "bench/jobs.ts";
    const RAW = "raw shard read+write, one process";
    recordRatio(B, "identity job, warm executor (median of rounds)", RAW, median(ratios));
    recordRatio(B, "identity job, cold executor (first job)", RAW, raws[0]! / cold.wallS);

    const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const spread = (xs: number[]) => `${pct(Math.min(...xs))}-${pct(Math.max(...xs))}`;
    const s = (x: number) => `${x.toFixed(2)} s`;
    const breakdown = (r: typeof cold) =>
      `submit+bundle ${s(r.submitS)}, executor start to first task ${s(r.startS)}, tasks ` +
      `${s(r.tasksSpanS)}, results seen ${s(r.execS - r.startS - r.tasksSpanS)} later`;
    console.log(
      `\njobs: identity job, ${SHARDS} shards x ${PER_SHARD} samples (msgpack, ~1 KiB in tar), ` +
        `local store, ${e2e.concurrency} workers; ${ROUNDS} rounds, raw and job interleaved`,
    );
    console.log(
      `  raw shard read+write (1 process)  best ${k(total / rawS)} samples/s (${s(rawS)})`,
    );
    console.log(
      `  first job, cold executor          ${k(total / cold.wallS)} samples/s (${
        s(cold.wallS)
      })  ` +
        `ratio ${pct(raws[0]! / cold.wallS)}: ${breakdown(cold)}`,
    );
    // The ratio of each round to the raw run just before it (same load), then the median.
    console.log(
      `  later jobs, warm executor         ratio ${pct(median(ratios))} (median of the rounds' ` +
        `job/raw; ${spread(ratios)}); best ${k(total / e2e.wallS)} samples/s (${s(e2e.wallS)}), ` +
        `${pct(rawS / e2e.wallS)} of the best raw`,
    );
    console.log(`    best run: ${breakdown(e2e)}`);
    console.log(
      `  warm job after submit (run only)  median ratio ${pct(median(runRatios))} ` +
        `(${spread(runRatios)})`,
    );
    console.log(
      `  task in worker (best warm run)    mean ${e2e.meanTaskMs.toFixed(0)} ms for ` +
        `${PER_SHARD} samples (${(e2e.meanTaskMs * 1000 / PER_SHARD).toFixed(0)} µs/sample per ` +
        `worker; raw ${(rawS * 1e6 / total).toFixed(1)} µs/sample in 1 process); cold run: a ` +
        `worker's first task ${cold.firstTaskMs.toFixed(0)} ms, later ${
          cold.laterTaskMs.toFixed(0)
        } ms`,
    );
    console.log(
      `  per-task overhead (${EMPTY_SHARDS} empty shards) ${empty.meanTaskMs.toFixed(0)} ms ` +
        `in worker, ${(empty.tasksSpanS * 1000 * empty.concurrency / EMPTY_SHARDS).toFixed(0)} ` +
        `ms per task with dispatch; executor start to first task ${s(empty.startS)}`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

if (import.meta.main) await run();
