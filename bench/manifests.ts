/**
 * Manifest overhead and size: typed samples written as shards to a local folder with
 * `writeShards`, with manifests (Parquet + header + index fragment per shard) and without;
 * then the Parquet manifests' size against the same rows as JSON Lines. Run with
 * `deno task bench` (all benches) or `deno run -A bench/manifests.ts`.
 *
 * The schema has 7 manifest fields (categorical str and bool, numeric float with fixed buckets,
 * float on the decimal grid, int, a list of tags, a timestamp) beside the image bytes. Rounds
 * alternate with/without in fresh folders; the fastest round of each is reported (the usual
 * estimate of the cost without interference from other work on the machine), with the process
 * CPU time (DuckDB's threads included) as a second measure.
 *
 * @module
 */
import process from "node:process";
import { defineSchema, f } from "../lib/schema/mod.ts";
import { LocalStore } from "../lib/store/mod.ts";
import { readManifest, writeShards } from "../lib/manifest/mod.ts";

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
}

const CASES: Case[] = [
  { label: "1 KiB samples", imageBytes: 1024, samples: 30_000, perShard: 10_000 },
  { label: "16 KiB samples", imageBytes: 16 * 1024, samples: 20_000, perShard: 10_000 },
  { label: "100 KiB samples", imageBytes: 100 * 1024, samples: 4_000, perShard: 2_000 },
];
const ROUNDS = 7;
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

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function timeWrite(c: Case, samples: unknown[], manifests: boolean, dir: string) {
  const store = new LocalStore(dir);
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await writeShards(store, "ds/shard-%06d.tar", samples, {
    schema: Sample,
    maxcount: c.perShard,
    manifest: manifests ? {} : false,
  });
  return { wallMs: performance.now() - t0, cpuMs: cpuMs() - cpu0, store };
}

const fastest = (xs: number[]) => Math.min(...xs);

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
  console.log(
    "\nmanifests: writeShards to a local folder, with vs without manifests (fastest of rounds)",
  );
  console.log(
    "case              samples  without ms  with ms  overhead  cpu overhead  parquet KiB  jsonl KiB  parquet/jsonl",
  );
  for (const c of CASES) {
    const samples = makeSamples(c);
    const root = await Deno.makeTempDir({ prefix: "bench-manifests-" });
    try {
      await timeWrite(c, samples, true, `${root}/warm`); // warm-up: JIT, DuckDB instance
      const wall = { with: [] as number[], without: [] as number[] };
      const cpu = { with: [] as number[], without: [] as number[] };
      let last: LocalStore | undefined;
      for (let r = 0; r < ROUNDS; r++) {
        for (const m of r % 2 ? [true, false] : [false, true]) {
          const t = await timeWrite(c, samples, m, `${root}/${r}-${m}`);
          (m ? wall.with : wall.without).push(t.wallMs);
          (m ? cpu.with : cpu.without).push(t.cpuMs);
          if (m) last = t.store;
          else await Deno.remove(`${root}/${r}-${m}`, { recursive: true });
        }
      }
      const { parquet, jsonl } = await sizes(last!, c);
      const w0 = fastest(wall.without), w1 = fastest(wall.with);
      const c0 = fastest(cpu.without), c1 = fastest(cpu.with);
      console.log(
        `${c.label.padEnd(16)} ${String(c.samples).padStart(8)} ${w0.toFixed(0).padStart(11)} ${
          w1.toFixed(0).padStart(8)
        } ${pct(w1 / w0 - 1).padStart(9)} ${pct(c1 / c0 - 1).padStart(13)} ${
          (parquet / 1024).toFixed(0).padStart(12)
        } ${(jsonl / 1024).toFixed(0).padStart(10)} ${(parquet / jsonl).toFixed(3).padStart(14)}`,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

if (import.meta.main) await run();
