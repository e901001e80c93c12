/**
 * The dataset index at scale: synthetic datasets of N shards (10k, 100k, 1M) with varied,
 * realistic headers, read and compacted locally and through a latency-adding store that stands
 * in for S3 (a simulation: no S3 is contacted).
 *
 * Datasets are made without writing a single tar: a template header comes from one real shard
 * written by `writeShards`, and each synthetic shard gets its own copy with seeded values
 * (sample count, sizes, checksums, label counts, numeric bounds, sums and histograms counted by
 * the real `HistogramAccumulator`, set items, time bounds). The compacted index is written
 * through the index's own writers (`encodeSegment`, `putSegment`, `putGeneration`: segments of
 * at most 131,072 shards, as the merge rule leaves them), and 1% new shards as fragments
 * (`encodeIndexEntry` at their fragment keys), exactly what committing them writes.
 *
 * Every measured operation runs in a child process (`--op`), which reports its wall time, its
 * peak RSS (`VmHWM`) and the store calls it made. Usage:
 *
 *   deno run -A bench/index.ts [--sizes 10000,100000] [--latency 50] [--sim-sizes 10000,100000]
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { recordRatio } from "./_report.ts";
import { existsSync } from "node:fs";
import { LocalStore } from "../lib/store/local_store.ts";
import type {
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutBody,
  PutOptions,
  Store,
} from "../lib/store/store.ts";
import { writeShards } from "../lib/dataset/write_shards.ts";
import { readIndex } from "../lib/dataset/dataset_index.ts";
import { readIndexColumns } from "../lib/dataset/read_index_columns.ts";
import { datasetStats } from "../lib/dataset/dataset_stats.ts";
import { compactIndex } from "../lib/dataset/compact_index.ts";
import { HistogramAccumulator } from "../lib/manifest/histogram.ts";
import type { ManifestHeader } from "../lib/manifest/manifest_header.ts";
import { defineSchema, f } from "../lib/schema/mod.ts";
import { MemoryStore } from "../lib/store/memory_store.ts";
// The index's own writers (private to the dataset area; a benchmark writes through them).
import { encodeSegment } from "../lib/dataset/_index_segment.ts";
import { newSegmentId, putGeneration, putSegment } from "../lib/dataset/_index_generation.ts";
import { encodeIndexEntry, type IndexEntry } from "../lib/manifest/index_entry.ts";
import { fragmentKey, shardKeyIn } from "../lib/manifest/manifest_keys.ts";

const DATASET = "ds";
const SEGMENT_ROWS = 131_072;

/** A store that counts calls and adds `latencyMs` to each (a LIST call per 1,000 keys): S3 simulated. */
class SimulatedS3Store implements Store {
  readonly url: string;
  calls = 0;
  constructor(readonly inner: Store, readonly latencyMs: number) {
    this.url = `sim+${inner.url}`;
  }
  async #call<T>(p: () => Promise<T>): Promise<T> {
    this.calls++;
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    return await p();
  }
  get(key: string, o?: GetOptions) {
    return this.#call(() => this.inner.get(key, o));
  }
  getStream(key: string, o?: GetOptions) {
    return this.#call(() => this.inner.getStream(key, o));
  }
  put(key: string, body: PutBody, o?: PutOptions) {
    return this.#call(() => this.inner.put(key, body, o));
  }
  head(key: string) {
    return this.#call(() => this.inner.head(key));
  }
  delete(key: string) {
    return this.#call(() => this.inner.delete(key));
  }
  async deleteMany(keys: readonly string[]) {
    for (let i = 0; i < keys.length; i += 1000) {
      await this.#call(() => this.inner.deleteMany!(keys.slice(i, i + 1000)));
    }
  }
  async *list(prefix: string, o?: ListOptions): AsyncIterable<ObjectInfo> {
    let n = 0;
    for await (const info of this.inner.list(prefix, o)) {
      if (n++ % 1000 === 0) await this.#call(() => Promise.resolve());
      yield info;
    }
    if (n === 0) await this.#call(() => Promise.resolve());
  }
}

const Sample = defineSchema({
  name: "Capture",
  version: "2.1.0",
  fields: {
    label: f.str(),
    source: f.str(),
    confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.25, 0.5, 0.75, 0.9, 1] } }),
    score: f.float(),
    tags: f.list(f.str()),
    captured: f.timestamp(),
  },
});
const LABELS = ["bird", "cat", "dog", "fish", "frog", "horse", "deer", "truck"];

/** The header of one real shard: the template every synthetic header copies. */
export async function templateHeader(): Promise<ManifestHeader> {
  const store = new MemoryStore();
  const samples = Array.from({ length: 50 }, (_, i) => ({
    __key__: `s${i}`,
    label: LABELS[i % 8],
    source: `cam-${i % 5}`,
    confidence: (i % 10) / 10,
    score: i * 1.5,
    tags: [`t${i % 7}`],
    captured: new Date(Date.UTC(2025, 0, 1, 0, i)),
  }));
  const { manifests } = await writeShards(store, "t/shard-%06d.tar", samples, { schema: Sample });
  return manifests[0]!;
}

/** Shard `i`'s synthetic header (seeded by `i`). */
function syntheticHeader(t: ManifestHeader, i: number): ManifestHeader {
  let seed = i * 2654435761 + 1;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const hex = () =>
    Array.from({ length: 8 }, () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, "0"))
      .join("");
  const n = 200 + Math.floor(rand() * 800);
  const split = (k: number) => {
    const w = Array.from({ length: k }, () => rand() + 0.05);
    const total = w.reduce((a, b) => a + b, 0);
    const out = w.map((x) => Math.floor((x / total) * n));
    out[0]! += n - out.reduce((a, b) => a + b, 0);
    return out;
  };
  const labels = split(LABELS.length);
  const sources = split(5);
  const sourceBase = Math.floor(rand() * 300); // 300 cameras in all: a wide categorical
  const conf = new HistogramAccumulator([0, 0.25, 0.5, 0.75, 0.9, 1]);
  const score = new HistogramAccumulator();
  let cmin = Infinity, cmax = -Infinity, csum = 0, smin = Infinity, smax = -Infinity, ssum = 0;
  for (let k = 0; k < 24; k++) {
    const c = rand();
    const s = Math.exp(rand() * 8 - 2) * (rand() < 0.1 ? -1 : 1);
    conf.add(c);
    score.add(s);
    [cmin, cmax, csum] = [Math.min(cmin, c), Math.max(cmax, c), csum + c];
    [smin, smax, ssum] = [Math.min(smin, s), Math.max(smax, s), ssum + s];
  }
  const scale = (h: ReturnType<HistogramAccumulator["finish"]>) => ({
    ...h,
    counts: h.counts.map((c) => Math.round((c * n) / 24)),
  });
  const day = Date.UTC(2025, 0, 1) + Math.floor(i / 500) * 3_600_000;
  const tmin = new Date(day + Math.floor(rand() * 600_000)).toISOString();
  const tmax = new Date(day + 600_000 + Math.floor(rand() * 600_000)).toISOString();
  const tags = [
    ...new Set(
      Array.from({ length: 3 + Math.floor(rand() * 6) }, () => `t${Math.floor(rand() * 40)}`),
    ),
  ].sort();
  const name = `shard-${String(i).padStart(7, "0")}`;
  return {
    ...t,
    shard_id: `${DATASET}/${name}`,
    num_samples: n,
    size_bytes: n * (90_000 + Math.floor(rand() * 20_000)),
    created_at: new Date(day + 1_200_000).toISOString(),
    checksum_sha256: hex(),
    time_min: tmin,
    time_max: tmax,
    parquet: { key: `${name}.manifest.parquet`, size_bytes: n * 40, sha256: hex(), num_rows: n },
    aggregates: {
      label: {
        type: "categorical",
        count: n,
        null_count: 0,
        cardinality: LABELS.length,
        value_counts: Object.fromEntries(LABELS.map((l, k) => [l, labels[k]!])),
        overflow: { cardinality: 0, count: 0 },
      },
      source: {
        type: "categorical",
        count: n,
        null_count: 0,
        cardinality: 5,
        value_counts: Object.fromEntries(
          sources.map((c, k) => [`cam-${(sourceBase + k) % 300}`, c]),
        ),
        overflow: { cardinality: 0, count: 0 },
      },
      confidence: {
        type: "numeric",
        count: n,
        null_count: 0,
        nan_count: 0,
        inf_count: 0,
        min: cmin,
        max: cmax,
        sum: (csum * n) / 24,
        mean: csum / 24,
        histogram: scale(conf.finish()),
      },
      score: {
        type: "numeric",
        count: n,
        null_count: 0,
        nan_count: 0,
        inf_count: 0,
        min: smin,
        max: smax,
        sum: (ssum * n) / 24,
        mean: ssum / 24,
        histogram: scale(score.finish()),
      },
      tags: { type: "set", count: n, null_count: 0, cardinality: tags.length, all_values: tags },
      captured: { type: "timestamp", count: n, null_count: 0, min: tmin, max: tmax },
    },
  };
}

function entry(t: ManifestHeader, i: number): IndexEntry {
  const header = syntheticHeader(t, i);
  const name = `shard-${String(i).padStart(7, "0")}.tar`;
  return { name, shard: shardKeyIn(DATASET, name), header };
}

/** Writes a compacted index of `n` shards plus `fresh` fragments into folder `dir`. */
async function generate(dir: string, n: number, fresh: number): Promise<void> {
  const store = new LocalStore(dir);
  const count = Math.ceil(n / SEGMENT_ROWS);
  const info = (k: number) => `${dir}/seg-${k}.info.json`;
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !existsSync(info(k)));
  // Segments in child processes, 4 at a time (each holds its shards' headers while encoding).
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const k = missing[next++]!;
      const args = [
        "run",
        "-A",
        import.meta.filename!,
        "--gen-segment",
        dir,
        "--n",
        String(n),
        "--k",
        String(k),
      ];
      const out = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
      if (!out.success) throw new Error(`segment ${k} failed`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const segments = [];
  for (let k = 0; k < count; k++) {
    segments.push(JSON.parse(await Deno.readTextFile(info(k))));
    await Deno.remove(info(k));
  }
  await putGeneration(store, DATASET, {
    format: "shardline-index/2",
    generation: 1,
    created_at: new Date().toISOString(),
    segments,
  });
  await writeFragments(store, await templateHeader(), n, fresh);
}

/** Writes segment `k` of a dataset of `n` shards and its info beside the dataset. */
async function generateSegment(dir: string, n: number, k: number): Promise<void> {
  const t = await templateHeader();
  const entries = [];
  for (let i = k * SEGMENT_ROWS; i < Math.min(n, (k + 1) * SEGMENT_ROWS); i++) {
    entries.push(entry(t, i));
  }
  const seg = encodeSegment(newSegmentId(1), entries);
  await putSegment(new LocalStore(dir), DATASET, seg);
  await Deno.writeTextFile(`${dir}/seg-${k}.info.json`, JSON.stringify(seg.info));
}

async function writeFragments(store: Store, t: ManifestHeader, from: number, count: number) {
  const ids = Array.from({ length: count }, (_, k) => from + k);
  for (let k = 0; k < ids.length; k += 64) {
    await Promise.all(
      ids.slice(k, k + 64).map((i) => {
        const e = entry(t, i);
        return store.put(fragmentKey(DATASET, e.shard), encodeIndexEntry(e));
      }),
    );
  }
}

/** The operations measured, each in its own process. */
const OPS: Record<string, (store: Store) => Promise<string>> = {
  async prune(store) {
    const cols = await readIndexColumns(store, DATASET, {
      fields: ["label", "confidence", "captured"],
      skip: ["histogram", "set_values", "bloom", "parquet"],
      concurrency: 64,
    });
    return `${cols.length} shards`;
  },
  async "prune-wide"(store) {
    // A query testing one camera of 300: only that value's counts are read.
    const cols = await readIndexColumns(store, DATASET, {
      fields: ["source"],
      values: { source: ["cam-7"] },
      skip: ["histogram", "set_values", "bloom", "parquet"],
      concurrency: 64,
    });
    return `${cols.length} shards`;
  },
  async columns(store) {
    const cols = await readIndexColumns(store, DATASET, { concurrency: 64 });
    return `${cols.length} shards, every column`;
  },
  async stats(store) {
    const s = await datasetStats(store, DATASET, { concurrency: 64 });
    return `${s.shards} shards, ${s.num_samples} samples`;
  },
  async headers(store) {
    const { entries } = await readIndex(store, DATASET, { concurrency: 64 });
    return `${entries.length} headers`;
  },
  async compact(store) {
    const r = await compactIndex(store, DATASET, { concurrency: 64 });
    return `${r.fragmentsRemoved} folded, ${r.shards} shards`;
  },
};

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface Measure {
  ms: number;
  /** CPU time of every thread of the process (DuckDB's included). */
  cpuMs: number;
  rssMb: number;
  calls: number;
  note: string;
}

async function child(op: string, dir: string, latency: number): Promise<Measure> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      import.meta.filename!,
      "--op",
      op,
      "--dir",
      dir,
      "--latency",
      String(latency),
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`bench op ${op} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function copyDir(from: string, to: string) {
  const out = await new Deno.Command("cp", { args: ["-a", `${from}/.`, to] }).output();
  if (!out.success) throw new Error("cp failed");
}

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
}

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const sizes = arg("sizes", "10000,100000").split(",").map(Number);
  const simSizes = arg("sim-sizes", "10000,100000").split(",").map(Number);
  const latency = Number(arg("latency", "50"));
  // Datasets generated beforehand (`--gen`): `--data 100000=/tmp/idx100k,...`.
  const given = new Map(
    arg("data", "").split(",").filter(Boolean).map((kv) => {
      const [n, dir] = kv.split("=");
      return [Number(n), dir!] as const;
    }),
  );
  const rows: string[][] = [];
  const root = await Deno.makeTempDir({ prefix: "bench-index-" });
  const self = import.meta.filename!;
  const deno = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", self, ...args],
      stderr: "inherit",
    })
      .output();
    if (!out.success) throw new Error(`bench/index.ts ${args.join(" ")} failed`);
  };
  try {
    for (const n of sizes) {
      const fresh = Math.max(1, Math.round(n / 100));
      let base = given.get(n);
      if (!base) {
        base = `${root}/${n}-base`;
        await Deno.mkdir(base);
        await deno(["--gen", base, "--n", String(n), "--fresh", "0"]);
      }
      const work = `${root}/${n}-work`;
      const row = (m: Measure, store: string, label: string) =>
        rows.push([
          n.toLocaleString("en"),
          store,
          label,
          (m.ms / 1000).toFixed(2),
          (m.cpuMs / 1000).toFixed(2),
          m.rssMb.toFixed(0),
          String(m.calls),
          m.note,
        ]);
      const withFragments = async () => {
        await Deno.remove(work, { recursive: true }).catch(() => {});
        await Deno.mkdir(work);
        await copyDir(base!, work);
        await deno(["--gen", work, "--n", String(n), "--fresh", String(fresh), "--only-fresh"]);
      };
      // Read-only operations on the compacted dataset.
      const prune = await child("prune", base, 0);
      row(prune, "local", "pruning input (3 fields)");
      row(await child("prune-wide", base, 0), "local", "pruning input (source = 'cam-7')");
      const stats = await child("stats", base, 0);
      row(stats, "local", "datasetStats");
      if (n <= 100_000) row(await child("columns", base, 0), "local", "every column");
      if (n <= 100_000) {
        // The baseline: every header parsed into an object (what the index was read as before).
        const headers = await child("headers", base, 0);
        row(headers, "local", "readIndex (all headers)");
        const size = n.toLocaleString("en");
        const peer = "readIndex, every header parsed (CPU)";
        recordRatio(
          "bench/index.ts",
          `pruning input, ${size} shards`,
          peer,
          headers.cpuMs / prune.cpuMs,
        );
        recordRatio(
          "bench/index.ts",
          `datasetStats, ${size} shards`,
          peer,
          headers.cpuMs / stats.cpuMs,
        );
      }
      await withFragments();
      row(await child("prune", work, 0), "local", `pruning input, + ${fresh} fragments`);
      row(await child("compact", work, 0), "local", `compact 1% new (${fresh} fragments)`);
      if (simSizes.includes(n)) {
        const sim = `S3 sim ${latency} ms`;
        row(await child("stats", base, latency), sim, "datasetStats");
        await withFragments();
        row(await child("prune", work, latency), sim, `pruning input, + ${fresh} fragments`);
        row(await child("compact", work, latency), sim, `compact 1% new (${fresh} fragments)`);
      }
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const head = [
    "shards",
    "store",
    "operation",
    "wall s",
    "cpu s",
    "peak RSS MB",
    "store calls",
    "result",
  ];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(widths[c]!)).join(" | ")} |`;
  console.log(`\n## Dataset index (${new Date().toISOString().slice(0, 10)})\n`);
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

if (import.meta.main) {
  const gen = arg("gen", "");
  const segment = arg("gen-segment", "");
  const op = arg("op", "");
  if (segment) {
    await generateSegment(segment, Number(arg("n", "0")), Number(arg("k", "0")));
  } else if (gen) {
    const n = Number(arg("n", "0")), fresh = Number(arg("fresh", "0"));
    if (Deno.args.includes("--only-fresh")) {
      await writeFragments(new LocalStore(gen), await templateHeader(), n, fresh);
    } else await generate(gen, n, fresh);
  } else if (op) {
    const sim = new SimulatedS3Store(new LocalStore(arg("dir", "")), Number(arg("latency", "0")));
    const t0 = performance.now(), c0 = cpuUsage();
    const note = await OPS[op]!(sim);
    const ms = performance.now() - t0, c1 = cpuUsage();
    const cpuMs = (c1.user - c0.user + c1.system - c0.system) / 1000;
    console.log(JSON.stringify({ ms, cpuMs, rssMb: vmHwmMb(), calls: sim.calls, note }));
    Deno.exit(0);
  } else await run();
}
