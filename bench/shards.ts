/**
 * Tar layer throughput: shardline's reader/writer against tar-stream and Python's tarfile,
 * for 1 KiB samples of 3 members and for 100 KiB samples. Run with `deno task bench` (all
 * benches) or `deno run -A bench/shards.ts`.
 *
 * Reading: the same tar, in memory, fed as 64 KiB chunks; every member's bytes are
 * materialized and grouped into samples. Writing: the same samples, in memory, to a sink
 * that counts bytes. Python streams the same tar (`mode="r|"`, every member read) and writes
 * the same members (`mode="w|"`). Best of several rounds; MB/s counts tar bytes.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { once } from "node:events";
import tarStream from "tar-stream";
import { scanSamples } from "../lib/shard/scan_samples.ts";
import { TarWriter } from "../lib/shard/tar_writer.ts";
import { recordRatio } from "./_report.ts";

interface Case {
  label: string;
  samples: number;
  files: Record<string, number>;
}

interface Timing {
  readS: number;
  writeS: number;
}

const CASES: Case[] = [
  { label: "1 KiB x3 members", samples: 10_000, files: { jpg: 700, json: 300, cls: 24 } },
  { label: "100 KiB", samples: 2_000, files: { jpg: 102_376, cls: 24 } },
];
const CHUNK = 65536;
const ROUNDS = 5;

function makeSamples(c: Case): { key: string; files: Record<string, Uint8Array> }[] {
  let seed = 42;
  const payload = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    return b;
  };
  const shared = Object.fromEntries(Object.entries(c.files).map(([e, n]) => [e, payload(n)]));
  return Array.from({ length: c.samples }, (_, i) => ({
    key: `sample-${String(i).padStart(7, "0")}`,
    files: { ...shared },
  }));
}

function chunked(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

async function best(fn: () => Promise<number> | number, expect: number): Promise<number> {
  let min = Infinity;
  await fn(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const n = await fn();
    min = Math.min(min, (performance.now() - t0) / 1000);
    if (Math.abs(n - expect) >= 10240) throw new Error(`bench: expected ${expect}, got ${n}`);
  }
  return min;
}

async function ourRead(chunks: Uint8Array[]): Promise<number> {
  let n = 0;
  async function* source() {
    yield* chunks;
  }
  for await (const s of scanSamples(source())) if (s.files) n++;
  return n;
}

function ourWrite(samples: ReturnType<typeof makeSamples>): number {
  const tar = new TarWriter();
  let bytes = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    tar.writeSample(s.key, s.files);
    if ((i & 63) === 63) { for (const c of tar.take()) bytes += c.length; }
  }
  for (const c of tar.finish()) bytes += c.length;
  return bytes;
}

async function theirRead(chunks: Uint8Array[]): Promise<number> {
  const extract = tarStream.extract();
  const feed = (async () => {
    for (const c of chunks) {
      if (!extract.write(Buffer.from(c.buffer, c.byteOffset, c.length))) {
        await once(extract, "drain");
      }
    }
    extract.end(undefined);
  })();
  let n = 0;
  let key = "";
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const part of entry) parts.push(part as Buffer);
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const name: string = entry.header.name;
    const k = name.slice(0, name.indexOf("."));
    if (k !== key && data) (key = k), n++;
  }
  await feed;
  return n;
}

async function theirWrite(samples: ReturnType<typeof makeSamples>): Promise<number> {
  const pack = tarStream.pack();
  let bytes = 0;
  pack.on("data", (c: unknown) => (bytes += (c as Uint8Array).length));
  const ended = once(pack, "end");
  const mtime = new Date(0);
  for (const s of samples) {
    // Wait for each sample's last entry: tar-stream queues pending entries in an array that
    // it shift()s, so queueing a whole shard up front goes quadratic.
    let last: Promise<unknown> = Promise.resolve();
    for (const [ext, data] of Object.entries(s.files)) {
      const header = { name: `${s.key}.${ext}`, size: data.length, mode: 0o444, mtime };
      const body = Buffer.from(data.buffer, data.byteOffset, data.length);
      last = new Promise((resolve, reject) =>
        pack.entry(header, body, (e: unknown) => e ? reject(e) : resolve(e))
      );
    }
    await last;
  }
  pack.finalize();
  await ended;
  return bytes;
}

async function python(path: string): Promise<Timing & { bytes: number } | undefined> {
  const script = new URL("./shards_tarfile.py", import.meta.url).pathname;
  for (const exe of ["python3", "/usr/bin/python3"]) {
    try {
      const out = await new Deno.Command(exe, { args: [script, path, "3"], stderr: "inherit" })
        .output();
      if (!out.success) continue;
      const r = JSON.parse(new TextDecoder().decode(out.stdout));
      return { readS: r.read_s, writeS: r.write_s, bytes: r.bytes };
    } catch {
      // try the next interpreter
    }
  }
  return undefined;
}

function row(label: string, impl: string, n: number, bytes: number, t: Timing): string {
  const f = (x: number) => Math.round(x).toLocaleString("en-US").padStart(11);
  return `${label.padEnd(18)} ${impl.padEnd(11)} ${f(n / t.readS)} ${f(bytes / t.readS / 1e6)} ${
    f(n / t.writeS)
  } ${f(bytes / t.writeS / 1e6)}`;
}

/** Runs the tar benchmark and prints a table and ratios. */
export async function run(): Promise<void> {
  console.log("\n## Tar layer: shardline vs tar-stream vs Python tarfile");
  console.log(
    `${"case".padEnd(18)} ${"impl".padEnd(11)} ${"read smp/s".padStart(11)} ${
      "read MB/s".padStart(11)
    } ${"write smp/s".padStart(11)} ${"write MB/s".padStart(11)}`,
  );
  const ratios: string[] = [];
  for (const c of CASES) {
    const samples = makeSamples(c);
    const tar = (() => {
      const w = new TarWriter();
      for (const s of samples) w.writeSample(s.key, s.files);
      return w.finishBytes();
    })();
    const chunks = chunked(tar);
    const ours = {
      readS: await best(() => ourRead(chunks), c.samples),
      writeS: await best(() => ourWrite(samples), tar.length),
    };
    const theirs = {
      readS: await best(() => theirRead(chunks), c.samples),
      writeS: await best(() => theirWrite(samples), tar.length),
    };
    const path = await Deno.makeTempFile({ suffix: ".tar" });
    await Deno.writeFile(path, tar);
    const py = await python(path);
    await Deno.remove(path);
    console.log(row(c.label, "shardline", c.samples, tar.length, ours));
    console.log(row("", "tar-stream", c.samples, tar.length, theirs));
    if (py) console.log(row("", "tarfile", c.samples, py.bytes, py));
    const x = (a: number, b: number) => `${(b / a).toFixed(2)}x`;
    const B = "bench/shards.ts";
    recordRatio(B, `read, ${c.label}`, "tar-stream", theirs.readS / ours.readS);
    recordRatio(B, `write, ${c.label}`, "tar-stream", theirs.writeS / ours.writeS);
    if (py) recordRatio(B, `read, ${c.label}`, "Python tarfile", py.readS / ours.readS);
    if (py) recordRatio(B, `write, ${c.label}`, "Python tarfile", py.writeS / ours.writeS);
    ratios.push(
      `${c.label}: shardline/tar-stream read ${x(ours.readS, theirs.readS)}, write ${
        x(ours.writeS, theirs.writeS)
      }` +
        (py
          ? `; shardline/tarfile read ${x(ours.readS, py.readS)}, write ${
            x(ours.writeS, py.writeS)
          }`
          : "; tarfile: no python3"),
    );
  }
  console.log(`\nRatios (throughput, higher is better for shardline):\n${ratios.join("\n")}`);
  console.log(
    "Note: MB/s counts tar bytes. Both JS writers pass large members through without copying, so\n" +
      "100 KiB write MB/s measures header work only; Python copies every byte.",
  );
}

if (import.meta.main) await run();
