/**
 * Manifest overhead and size: typed samples written as shards to a local folder (in RAM when
 * `/dev/shm` exists, see {@linkcode ramDir}) by a
 * ShardWriter, with a ManifestBuilder in its hooks (Parquet + header + index fragment per shard)
 * and without; then the Parquet manifests' size against the same rows as JSON Lines. Run with
 * `deno task bench` (all benches) or `deno run -A bench/manifests.ts`.
 *
 * The schema has 7 manifest fields (categorical str and bool, numeric float with fixed buckets,
 * float on the decimal grid, int, a list of tags, a timestamp) beside the image bytes. Rounds
 * rotate between five modes in fresh folders: without manifests; `capture` (the per-sample
 * capture alone, in place: each shard's rows are dropped at its close, nothing is encoded or
 * stored: the part of the overhead that no commit design can move off the writer's thread);
 * `background` (what `writeShards` does, `encodeIn: "auto"`: each shard's rows go to the shared
 * encode worker in batches of 4096 while the shard is written, its commit overlaps the next
 * shard; the clock stops once all are committed);
 * `thread` (commits in the background, the encoding on the writer's thread at each commit,
 * `encodeIn: "thread"`); and `sync` (commit inside `onShardClose`, encoding as in `background`:
 * the writer waits for each commit, which waits for the last batch's encoding).
 *
 * The machine is shared, so every overhead is the median over rounds of the ratio to the
 * "without" run of the same round (both saw about the same load), not a ratio of single runs:
 * `wall` is elapsed time; `main cpu` the CPU time of the main thread (where the writer and the
 * per-sample capture run, and with `thread` the encoding too; Linux only, else the process's),
 * the cost other load moves least; `all cpu` (background) that of every thread of the process,
 * the encode worker's included: on a machine without a spare core, what the wall follows.
 * For sync, `in-run` is the time the writer waits in
 * `onShardClose` (the commits) over the rest of the same run, and `per sample` that wait per
 * sample. `onSample` runs untimed in every mode: a timer around it (two `performance.now()`,
 * ~0.15 us each here) would add 5% to a 1 KiB sample's write and count it as manifest overhead;
 * the capture's own cost is what `capture only` shows.
 * A last table puts the manifest's CPU parts alone (capture, encoding) beside the writer's time
 * per sample: what the overhead is made of.
 *
 * @module
 */
import process from "node:process";
import { defineSchema, f } from "../lib/schema/mod.ts";
import { LocalStore } from "../lib/store/mod.ts";
import { ManifestBuilder, readManifest } from "../lib/manifest/mod.ts";
import { type ShardInfo, type ShardSampleInfo, ShardWriter } from "../lib/shard/shard_writer.ts";
import { encodeSample } from "../lib/shard/codecs/encode_sample.ts";
import { ShardAccumulator } from "../lib/manifest/_row_capture.ts";
import { encodeShard } from "../lib/manifest/_encode_shard.ts";
import { recordRatio } from "./_report.ts";

const Sample = defineSchema({
  name: "BenchSample",
  version: "1.0.0",
  fields: {
    image: f.bytes({ ext: "jpg" }),
    label: f.str(),
    confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.25, 0.5, 0.75, 0.9, 1] } }),
    score: f.float(),
    count: f.int(),
    flagged: f.bool(),
    tags: f.list(f.str()),
    captured: f.timestamp(),
  },
});

interface Case {
  label: string;
  imageBytes: number;
  samples: number;
  perShard: number;
  /** Rounds of every mode (short cases get more: their rounds differ most). */
  rounds: number;
}

const CASES: Case[] = [
  { label: "1 KiB samples", imageBytes: 1024, samples: 30_000, perShard: 10_000, rounds: 21 },
  { label: "16 KiB samples", imageBytes: 16 * 1024, samples: 20_000, perShard: 10_000, rounds: 9 },
  { label: "100 KiB samples", imageBytes: 100 * 1024, samples: 4_000, perShard: 2_000, rounds: 9 },
];
const LABELS = ["bird", "cat", "dog", "fish", "horse", "ship", "truck", "plane"];

function makeSamples(c: Case) {
  let seed = 42;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const image = new Uint8Array(c.imageBytes).map(() => rand() * 256);
  return Array.from({ length: c.samples }, (_, i) => ({
    __key__: `sample-${String(i).padStart(8, "0")}`,
    image,
    label: LABELS[Math.floor(rand() * LABELS.length)]!,
    confidence: rand(),
    score: (rand() - 0.2) * 10 ** Math.floor(rand() * 5),
    count: Math.floor(rand() * 1000),
    flagged: rand() < 0.2,
    tags: Array.from(
      { length: 1 + Math.floor(rand() * 3) },
      () => `tag-${Math.floor(rand() * 50)}`,
    ),
    captured: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 86400 * 90) * 1000),
  }));
}

/** CPU time of the main thread in ms (Linux: the scheduler's own count), else the process's. */
const mainCpuMs = (() => {
  try {
    const read = () => Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]);
    if (Number.isFinite(read())) return () => read() / 1e6;
  } catch {
    // Not Linux.
  }
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
})();

interface Round {
  wallMs: number;
  mainMs: number;
  /** CPU time of the whole process (every thread: the encode worker's too). */
  allMs: number;
  /** Time the writer waited in `onShardClose` (sync mode: the commits). */
  hookMs: number;
}

/** How a round writes manifests. */
type Mode = "off" | "capture" | "sync" | "background" | "thread";
const MODES: Mode[] = ["off", "capture", "background", "thread", "sync"];

/**
 * Writes the case's shards: without manifests; with them committed inside `onShardClose`
 * (`sync`: the writer waits for each commit, timed); or as `writeShards` does by default
 * (`background`: commits overlap the next shard, flushed before the clock stops; `thread`: the
 * same, encoding on this thread).
 */
async function writeRound(
  c: Case,
  samples: unknown[],
  mode: Mode,
  store: LocalStore,
): Promise<Round> {
  const builder = new ManifestBuilder(store, Sample, {
    background: mode === "background" || mode === "thread",
    encodeIn: mode === "thread" ? "thread" : "auto",
  });
  let hookMs = 0;
  const onShardClose = async (info: ShardInfo) => {
    const t = performance.now();
    await builder.onShardClose(info);
    hookMs += performance.now() - t;
  };
  // `capture`: what ManifestBuilder.onSample does per sample, the rows dropped at shard close.
  let acc: ShardAccumulator | undefined;
  const capture = {
    onSample: (s: ShardSampleInfo<unknown>) =>
      (acc ??= new ShardAccumulator(Sample.manifestFields, {}, c.perShard))
        .add(s.key, s.offset, s.size, s.sample as Record<string, unknown>),
    onShardClose: () => void (acc = undefined),
  };
  const writer = new ShardWriter<unknown>(store, "ds/shard-%06d.tar", {
    maxcount: c.perShard,
    encode: (s) => encodeSample(Sample, s as ReturnType<typeof makeSamples>[number]),
    ...(mode === "capture" ? capture : mode !== "off" && {
      onSample: builder.onSample,
      onShardClose,
    }),
  });
  const cpu0 = mainCpuMs();
  const all0 = process.cpuUsage();
  const t0 = performance.now();
  for (const s of samples) await writer.write(s);
  await writer.close();
  await builder.flush();
  const wallMs = performance.now() - t0;
  const all = process.cpuUsage(all0);
  return { wallMs, mainMs: mainCpuMs() - cpu0, allMs: (all.user + all.system) / 1000, hookMs };
}

const fastest = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function sizes(store: LocalStore, c: Case) {
  let parquet = 0;
  let jsonl = 0;
  for (let i = 0; i < Math.ceil(c.samples / c.perShard); i++) {
    const shard = `ds/shard-${String(i).padStart(6, "0")}.tar`;
    const { header, rows } = await readManifest(store, shard);
    parquet += header.parquet!.size_bytes;
    jsonl += new TextEncoder().encode(rows!.map((r) => JSON.stringify(r)).join("\n") + "\n").length;
  }
  return { parquet, jsonl };
}

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const ram = await ramDir();
  console.log(
    `\nmanifests: shards written to a local folder (${ram ?? "the temp folder"}) ` +
      `with vs without manifests (${CASES.map((c) => c.rounds).join("/")} rounds, modes ` +
      "interleaved; overheads: median over rounds of the same-round ratio)",
  );
  console.log(
    "                          without  -- capture only --  -------- background --------" +
      "  ------ thread ------  ------------- sync -------------" +
      "\ncase             samples       ms    wall  main cpu     ms   wall  main cpu   all cpu" +
      "     ms   wall  main cpu     ms   wall  in-run  per sample  parquet KiB  jsonl KiB" +
      "  parquet/jsonl",
  );
  const parts:
    ({ c: Case; writerUs: number; inPlaceUs: number } & ReturnType<typeof manifestParts>)[] = [];
  for (const c of CASES) {
    const samples = makeSamples(c);
    const root = await Deno.makeTempDir({ prefix: "bench-manifests-", dir: ram });
    try {
      await writeRound(c, samples, "sync", new LocalStore(`${root}/warm`)); // JIT, DuckDB instance
      const rounds: Record<Mode, Round[]> = {
        off: [],
        capture: [],
        sync: [],
        background: [],
        thread: [],
      };
      let last: LocalStore | undefined;
      for (let r = 0; r < c.rounds; r++) {
        for (let i = 0; i < MODES.length; i++) {
          const mode = MODES[(i + r) % MODES.length]!;
          const dir = `${root}/${r}-${mode}`;
          const store = new LocalStore(dir);
          rounds[mode].push(await writeRound(c, samples, mode, store));
          if (mode === "sync") last = store;
          else await Deno.remove(dir, { recursive: true });
        }
      }
      const { parquet, jsonl } = await sizes(last!, c);
      const wall = (m: Mode) => fastest(rounds[m].map((r) => r.wallMs));
      // The capture in place: main-thread CPU over the same round's run without, per sample.
      const inPlaceUs = median(rounds.capture.map((r, i) => r.mainMs - rounds.off[i]!.mainMs)) *
        1000 / c.samples;
      parts.push({
        c,
        writerUs: (wall("off") * 1000) / c.samples,
        inPlaceUs,
        ...manifestParts(c, samples),
      });
      // Each round against the "without" run of the same round, then the median over rounds.
      const paired = (m: Mode, f: (r: Round) => number) =>
        median(rounds[m].map((r, i) => f(r) / f(rounds.off[i]!) - 1));
      // Within each sync run, manifest time over the rest of the run.
      const inRun = median(rounds.sync.map((r) => r.hookMs / (r.wallMs - r.hookMs)));
      const perSample = median(rounds.sync.map((r) => (r.hookMs * 1000) / c.samples));
      recordRatio(
        "bench/manifests.ts",
        `shard writes with manifests, ${c.label} (wall, median of rounds)`,
        "the same writes without manifests",
        1 / (1 + paired("background", (r) => r.wallMs)),
      );
      console.log(
        [
          c.label.padEnd(15),
          String(c.samples).padStart(8),
          wall("off").toFixed(0).padStart(8),
          pct(paired("capture", (r) => r.wallMs)).padStart(7),
          pct(paired("capture", (r) => r.mainMs)).padStart(9),
          wall("background").toFixed(0).padStart(6),
          pct(paired("background", (r) => r.wallMs)).padStart(6),
          pct(paired("background", (r) => r.mainMs)).padStart(9),
          pct(paired("background", (r) => r.allMs)).padStart(9),
          wall("thread").toFixed(0).padStart(6),
          pct(paired("thread", (r) => r.wallMs)).padStart(6),
          pct(paired("thread", (r) => r.mainMs)).padStart(9),
          wall("sync").toFixed(0).padStart(6),
          pct(paired("sync", (r) => r.wallMs)).padStart(6),
          pct(inRun).padStart(7),
          `${perSample.toFixed(1)} us`.padStart(11),
          (parquet / 1024).toFixed(0).padStart(12),
          (jsonl / 1024).toFixed(0).padStart(10),
          (parquet / jsonl).toFixed(3).padStart(14),
        ].join(" "),
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
  console.log(
    "per sample: the writer without manifests (fastest); the manifest's parts alone, outside " +
      "the writer (fastest; capture on the writer's thread, encoding in the worker); the capture " +
      "in place (median main-thread CPU of `capture only` over `without`: cache misses included)",
  );
  for (const p of parts) {
    console.log(
      `${p.c.label.padEnd(15)}  writer ${p.writerUs.toFixed(2)} us  capture ` +
        `${p.captureUs.toFixed(2)} us (${pct(p.captureUs / p.writerUs)})  encoding ` +
        `${p.encodeUs.toFixed(2)} us (${pct(p.encodeUs / p.writerUs)})  capture in place ` +
        `${p.inPlaceUs.toFixed(2)} us (${pct(p.inPlaceUs / p.writerUs)})`,
    );
  }
}

/**
 * The manifest's two CPU parts alone, per sample, on this thread (fastest of 10 shards): the
 * capture of the manifest fields as the writer calls it, and the encoding (the rows handed over,
 * aggregates, Parquet, sha256; in the encode worker by default).
 */
function manifestParts(c: Case, samples: ReturnType<typeof makeSamples>) {
  const rows = samples.slice(0, c.perShard);
  const capture: number[] = [];
  const encode: number[] = [];
  for (let r = 0; r < 10; r++) {
    const acc = new ShardAccumulator(Sample.manifestFields, {}, rows.length);
    let t = performance.now();
    for (let i = 0; i < rows.length; i++) acc.add(rows[i]!.__key__, i * 2048, 2048, rows[i]!);
    capture.push(((performance.now() - t) * 1000) / rows.length);
    t = performance.now();
    encodeShard(acc.rows());
    encode.push(((performance.now() - t) * 1000) / rows.length);
  }
  return { captureUs: fastest(capture), encodeUs: fastest(encode) };
}

/**
 * A RAM-backed folder (`/dev/shm`) when there is one: on disk, the kernel's writeback of the
 * ~100 MB a round writes made runs differ by up to 30% and the without-manifests runs of the
 * larger samples come out slower than the runs with (overheads of -15% to -36%).
 */
async function ramDir(): Promise<string | undefined> {
  try {
    const info = await Deno.stat("/dev/shm");
    if (!info.isDirectory) return undefined;
    await Deno.remove(await Deno.makeTempDir({ dir: "/dev/shm" }));
    return "/dev/shm";
  } catch {
    return undefined;
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

if (import.meta.main) await run();
