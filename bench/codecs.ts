/**
 * Sample codec throughput: `encodeSample` (validate + msgpack) and `decodeSample` (msgpack +
 * validate) in samples/s, against the previous path rebuilt here (zod-only validation, one
 * `@msgpack/msgpack` `Encoder.encode` per field then a concatenation, a one-shot `decode` per
 * sample), for a small 3-field sample and an image-classification sample (1 KiB image bytes,
 * label, confidence, 3 tags, timestamp). Run with `deno task bench` (all benches) or
 * `deno run -A bench/codecs.ts`.
 *
 * Both paths run interleaved, best of several rounds, timed in process CPU time (user + system,
 * so other processes on a busy machine disturb it less than wall time); the bench first checks
 * that both paths write the same bytes and decode to equal samples.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import { decode } from "@msgpack/msgpack";
import { defineSchema, f, type Schema } from "../lib/schema/mod.ts";
import { decodeSample } from "../lib/shard/codecs/decode_sample.ts";
import { encodeSample } from "../lib/shard/codecs/encode_sample.ts";
import { fromMsgpack } from "../lib/shard/codecs/_values.ts";
import { referenceEncodeKey, referenceEncodeValue } from "../tests/_msgpack_reference.ts";
import type { TarSample } from "../lib/shard/tar_sample.ts";
import { recordRatio } from "./_report.ts";

const Small = defineSchema({
  name: "Small",
  version: "1.0.0",
  fields: { label: f.str(), n: f.int(), x: f.float() },
});

const Image = defineSchema({
  name: "ImageClassification",
  version: "1.0.0",
  fields: {
    image: f.bytes({ ext: "jpg" }),
    label: f.str(),
    confidence: f.float(),
    tags: f.list(f.str()),
    timestamp: f.timestamp(),
  },
});

// deno-lint-ignore no-explicit-any
type AnySchema = Schema<any>;
type Sample = Record<string, unknown> & { __key__: string };

interface Case {
  label: string;
  schema: AnySchema;
  make: (i: number) => Sample;
}

const image = new Uint8Array(1024).map((_, i) => (i * 31) & 0xff);
const LABELS = ["cat", "dog", "bird", "fish"];
const key = (i: number) => `sample-${String(i).padStart(7, "0")}`;

const CASES: Case[] = [
  {
    label: "small (str, int, float)",
    schema: Small,
    make: (i) => ({ __key__: key(i), label: LABELS[i % 4]!, n: i, x: i / 7 }),
  },
  {
    label: "image (1 KiB bytes, str, float, list<str>, timestamp)",
    schema: Image,
    make: (i) => ({
      __key__: key(i),
      image,
      label: LABELS[i % 4]!,
      confidence: (i % 100) / 100,
      tags: ["outdoor", LABELS[(i + 1) % 4]!, "daylight"],
      timestamp: new Date(Date.UTC(2025, 0, 1) + i * 1000),
    }),
  },
];

const SAMPLES = 20_000;
const ROUNDS = 7;

// ---- the previous path, as it was before the compiled validator and msgpack writer ----

const keyCache = new WeakMap<object, Uint8Array[]>();

function previousEncodeMsgpack(schema: AnySchema, sample: Record<string, unknown>): Uint8Array {
  const names = Object.keys(schema.fields);
  let keys = keyCache.get(schema.fields);
  if (!keys) keyCache.set(schema.fields, keys = names.map(referenceEncodeKey));
  const parts: Uint8Array[] = [new Uint8Array([0x80 | names.length])];
  names.forEach((name, i) => {
    const field = schema.fields[name]!;
    parts.push(keys[i]!, referenceEncodeValue(sample[name] ?? null, field));
  });
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key === "") return "a sample needs a non-empty string __key__";
  const base = key.slice(key.lastIndexOf("/") + 1);
  if (base === "" || base.includes(".")) return "bad key";
  if (key.startsWith("/") || key.split("/").includes("..")) return "bad key";
  return undefined;
}

function previousEncode(schema: AnySchema, sample: Sample): Record<string, Uint8Array> {
  const problem = keyProblem(sample.__key__);
  const r = schema.zod.safeParse(sample); // the zod-only validation
  if (problem || !r.success) throw new Error("invalid sample");
  return { msgpack: previousEncodeMsgpack(schema, r.data as Record<string, unknown>) };
}

function previousDecode(schema: AnySchema, sample: TarSample): Sample {
  const map = decode(sample.files.msgpack!, { useBigInt64: true }) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.fields)) {
    const raw = Object.hasOwn(map, name) ? map[name] : undefined;
    values[name] = raw === undefined ? undefined : fromMsgpack(raw, field);
  }
  const r = schema.zod.safeParse(values);
  if (!r.success) throw new Error("invalid sample");
  return { __key__: sample.__key__, ...(r.data as Record<string, unknown>) };
}

// ---- the current path ----

function currentDecode(schema: AnySchema, sample: TarSample): Sample {
  const r = decodeSample(schema, sample);
  if (!r.ok) throw new Error("invalid sample");
  return r.value as Sample;
}

// ---- timing ----

function tarSamples(schema: AnySchema, samples: Sample[]): TarSample[] {
  return samples.map((s, i) => ({
    __key__: s.__key__,
    __url__: "bench.tar",
    offset: i * 1536,
    size: 1536,
    files: encodeSample(schema, s).files,
  }));
}

/** Process CPU seconds. */
function cpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Best samples/s of each function over interleaved rounds. */
function race(fns: (() => void)[]): number[] {
  const best = fns.map(() => 0);
  for (const fn of fns) fn(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    fns.forEach((fn, i) => {
      const t0 = cpu();
      fn();
      best[i] = Math.max(best[i]!, SAMPLES / Math.max(cpu() - t0, 1e-6));
    });
  }
  return best;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(11);

/** Runs the codec benchmark and prints its table. */
export function run(): void {
  console.log(`\nSample codecs: samples per CPU second, best of ${ROUNDS} rounds of ${SAMPLES}`);
  console.log(
    `${"case".padEnd(54)} ${"op".padEnd(10)} ${"previous".padStart(11)} ${
      "current".padStart(11)
    }  ratio`,
  );
  for (const c of CASES) {
    const samples = Array.from({ length: SAMPLES }, (_, i) => c.make(i));
    const tars = tarSamples(c.schema, samples);
    for (let i = 0; i < 100; i++) { // same bytes, equal samples
      assert.deepEqual(
        previousEncode(c.schema, samples[i]!),
        encodeSample(c.schema, samples[i]!).files,
      );
      assert.deepEqual(previousDecode(c.schema, tars[i]!), currentDecode(c.schema, tars[i]!));
    }
    const rows: [string, () => void, () => void][] = [
      ["validate", () => {
        for (const s of samples) c.schema.zod.safeParse(s);
      }, () => {
        for (const s of samples) c.schema.safeParse(s);
      }],
      ["encode", () => {
        for (const s of samples) previousEncode(c.schema, s);
      }, () => {
        for (const s of samples) encodeSample(c.schema, s);
      }],
      ["decode", () => {
        for (const t of tars) previousDecode(c.schema, t);
      }, () => {
        for (const t of tars) currentDecode(c.schema, t);
      }],
      ["roundtrip", () => {
        for (const t of tars) previousEncode(c.schema, previousDecode(c.schema, t));
      }, () => {
        for (const t of tars) encodeSample(c.schema, currentDecode(c.schema, t));
      }],
    ];
    for (const [op, previous, current] of rows) {
      const [p, n] = race([previous, current]);
      recordRatio(
        "bench/codecs.ts",
        `${op}, ${c.label}`,
        "previous path (zod, @msgpack/msgpack)",
        n! / p!,
      );
      console.log(
        `${c.label.padEnd(54)} ${op.padEnd(10)} ${fmt(p!)} ${fmt(n!)}  ${(n! / p!).toFixed(2)}x`,
      );
    }
  }
}

if (import.meta.main) run();
