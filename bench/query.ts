/**
 * Query speed: shardline's `query` (prune from the index, scan the surviving manifests) against
 * DuckDB scanning every manifest of the dataset with a glob, in the same run, on the same
 * rows (results checked equal), as ratios. Run with `deno task bench` (all benches) or
 * `deno run -A bench/query.ts [--shards 1000] [--samples 1000] [--rounds 5]`.
 *
 * The dataset (written to `/dev/shm` when it exists): `--shards` shards of `--samples` samples
 * (no payload beyond the manifest fields: label, confidence, day, tags), each shard covering one
 * day (`taken`) and a mix of labels, then its index compacted. Queries:
 *
 * - selective: one label over a 10-day window (about 1% of the shards can match);
 * - unselective: `confidence > 0.5` (every shard survives pruning).
 *
 * Both sides end with a polars DataFrame of all the fields (DuckDB writes Parquet, polars reads
 * it). Each is timed `--rounds` times after one warm-up round (which fills shardline's manifest
 * cache and the OS page cache for both); the medians are compared. Then the planner alone:
 * `pruneShards` over synthetic index columns of 10,000 and 100,000 shard headers (built with
 * `indexColumnsFromHeaders`, no shards written). Then `getSample`: the key index's first build
 * (every manifest once), its size, and a lookup once built.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { recordRatio } from "./_report.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import pl from "nodejs-polars";
import { defineSchema, f } from "../lib/schema/mod.ts";
import { LocalStore } from "../lib/store/mod.ts";
import { type ManifestHeader, parseManifestHeader, readManifest } from "../lib/manifest/mod.ts";
import { compactIndex, indexColumnsFromHeaders, writeShards } from "../lib/dataset/mod.ts";
import { getSample, parseWhere, pruneShards, query } from "../lib/query/mod.ts";
import { checkPredicate } from "../lib/query/_check_predicate.ts";
import { fieldCatalog } from "../lib/query/field_catalog.ts";

const Sample = defineSchema({
  name: "BenchQuery",
  version: "1.0.0",
  fields: { label: f.str(), confidence: f.float(), taken: f.timestamp(), tags: f.list(f.str()) },
});
const LABELS = ["cat", "dog", "bird", "fish", "horse", "cow", "sheep", "goat", "fox", "owl"];
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

function ramDir(prefix: string): Promise<string> {
  try {
    if (Deno.statSync("/dev/shm").isDirectory) return Deno.makeTempDir({ dir: "/dev/shm", prefix });
  } catch {
    // No RAM folder.
  }
  return Deno.makeTempDir({ prefix });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(fn: () => Promise<unknown>, rounds: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Runs the benchmark and prints its tables. */
export async function run(args: string[] = []): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      shards: { type: "string", default: "1000" },
      samples: { type: "string", default: "1000" },
      rounds: { type: "string", default: "5" },
    },
  });
  const shards = Number(values.shards);
  const perShard = Number(values.samples);
  const rounds = Number(values.rounds);
  const root = await ramDir("bench-query-");
  const cacheDir = await ramDir("bench-query-cache-");
  try {
    const store = new LocalStore(root);
    let t = performance.now();
    // One writeShards call per shard, so that each shard covers its own day.
    for (let s = 0; s < shards; s++) {
      const samples = Array.from({ length: perShard }, (_, i) => ({
        __key__: `s${String(s).padStart(6, "0")}-${String(i).padStart(5, "0")}`,
        label: LABELS[(s + i) % 7 + (i % 5 === 0 ? 3 : 0)]!,
        confidence: ((i * 7919 + s * 104729) % 1000) / 1000,
        taken: new Date(T0 + s * DAY + (i % 86_400) * 1000),
        tags: [`t${i % 13}`, `s${s % 17}`],
      }));
      await writeShards(store, `ds/shard-${String(s).padStart(6, "0")}-%02d.tar`, samples, {
        schema: Sample,
        manifest: { background: false, dataset: "ds" },
      });
    }
    await compactIndex(store, "ds");
    console.log(
      `bench/query.ts: ${shards} shards x ${perShard} samples written in ${
        ((performance.now() - t) / 1000).toFixed(1)
      } s (${root})`,
    );

    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    const glob =
      `read_parquet('${root}/ds/*.manifest.parquet', union_by_name = true, filename = true)`;
    const lo = new Date(T0 + Math.floor(shards / 2) * DAY).toISOString().slice(0, 10);
    const hi = new Date(T0 + (Math.floor(shards / 2) + Math.max(1, Math.round(shards / 100))) * DAY)
      .toISOString().slice(0, 10);
    const cases = [
      { name: "selective", where: `label = 'dog' AND taken >= '${lo}' AND taken < '${hi}'` },
      { name: "unselective", where: "confidence > 0.5" },
    ];
    console.log(
      "\n| query | shards scanned | rows | shardline ms (cold) | shardline ms | DuckDB glob ms | ratio glob / shardline |",
    );
    console.log("|---|---|---|---|---|---|---|");
    for (const c of cases) {
      t = performance.now();
      const cold = await query(store, "ds", { where: c.where, cacheDir });
      const coldMs = performance.now() - t;
      const ref = (await con.runAndReadAll(`SELECT __key__ FROM ${glob} WHERE ${c.where}`))
        .getRows()
        .map((r) => String(r[0])).sort();
      const mine = (cold.df.getColumn("__key__").toArray() as string[]).sort();
      if (ref.length !== mine.length || ref.some((k, i) => k !== mine[i])) {
        throw new Error(`${c.name}: shardline ${mine.length} rows, DuckDB ${ref.length}`);
      }
      const ours = await timeIt(() => query(store, "ds", { where: c.where, cacheDir }), rounds);
      // The peer ends where shardline does: a polars DataFrame (DuckDB writes Parquet, polars
      // reads it: the fastest route from DuckDB to polars here, the one shardline takes).
      const theirs = await timeIt(async () => {
        const out = `${cacheDir}/peer.parquet`;
        await con.run(`COPY (SELECT * FROM ${glob} WHERE ${c.where}) TO '${out}' (FORMAT parquet)`);
        const df = pl.readParquet(out);
        await Deno.remove(out);
        return df;
      }, rounds);
      recordRatio(
        "bench/query.ts",
        `${c.name} query (${cold.explain.shards.scanned} of ${shards} shards scanned), time`,
        "DuckDB glob over every manifest",
        theirs / ours,
      );
      console.log(
        `| ${c.name} | ${cold.explain.shards.scanned} of ${shards} | ${mine.length} | ${
          coldMs.toFixed(0)
        } | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${(theirs / ours).toFixed(2)} |`,
      );
    }
    const last = await query(store, "ds", { where: cases[0]!.where, cacheDir });
    console.log(
      `\nselective, explain:\n${
        last.explain ? (await import("../lib/query/mod.ts")).formatExplain(last.explain) : ""
      }`,
    );
    con.closeSync();

    // The planner alone, over synthetic headers (one real header, varied per shard).
    const real = (await readManifest(store, `ds/shard-000000-00.tar`, { rows: false })).header;
    const where = cases[0]!.where;
    const parseCon = await (await DuckDBInstance.create(":memory:")).connect();
    const predicate = checkPredicate(await parseWhere(parseCon, where), fieldCatalog([real]));
    parseCon.closeSync();
    console.log("\n| headers | build IndexColumns ms | pruneShards ms | may match |");
    console.log("|---|---|---|---|");
    for (const n of [10_000, 100_000]) {
      const text = JSON.stringify(real);
      const entries = Array.from({ length: n }, (_, s) => {
        const h: ManifestHeader = parseManifestHeader(JSON.parse(text));
        const taken = h.aggregates.taken;
        if (taken?.type === "timestamp") {
          taken.min = new Date(T0 + s * DAY).toISOString();
          taken.max = new Date(T0 + s * DAY + DAY - 1000).toISOString();
        }
        return { name: `shard-${String(s).padStart(7, "0")}.tar`, header: h };
      });
      t = performance.now();
      const cols = indexColumnsFromHeaders("ds", entries);
      const buildMs = performance.now() - t;
      const times: number[] = [];
      let kept = 0;
      for (let r = 0; r < 5; r++) {
        t = performance.now();
        const res = pruneShards(cols, predicate);
        times.push(performance.now() - t);
        kept = res.mayMatch.reduce((a, b) => a + b, 0);
      }
      console.log(`| ${n} | ${buildMs.toFixed(0)} | ${median(times).toFixed(1)} | ${kept} |`);
    }

    // getSample's key index.
    const key = `s${String(Math.floor(shards / 3)).padStart(6, "0")}-00042`;
    let stats: { indexed: number; keyIndexBytes: number; scanned: number } | undefined;
    t = performance.now();
    await getSample(store, "ds", key, { cacheDir, onStats: (s) => (stats = s) });
    const buildMs = performance.now() - t;
    const first = stats!;
    const lookup = await timeIt(
      () => getSample(store, "ds", key, { cacheDir, onStats: (s) => (stats = s) }),
      rounds,
    );
    console.log(
      `\ngetSample: key index built in ${buildMs.toFixed(0)} ms over ${first.indexed} shards (${
        (first.keyIndexBytes / 1024).toFixed(0)
      } KiB); a lookup then takes ${lookup.toFixed(1)} ms and scans ${stats!.scanned} manifest(s)`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
}

if (import.meta.main) await run(Deno.args);
