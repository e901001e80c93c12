/**
 * The demo's sample schema and a seeded generator of synthetic image-classification samples:
 * a small real PNG (a colour tile tinted by label), a label, a confidence, tags and a capture
 * time. Used by the demo, the tests and the benchmarks; a template for user schemas.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import { defineSchema, f, type Infer } from "../lib/schema/mod.ts";

/** An image-classification sample, stored atdata-style (one msgpack member per sample). */
export const ImageSample = defineSchema({
  name: "ImageSample",
  version: "1.0.0",
  description: "A synthetic labelled image",
  fields: {
    image: f.bytes({ ext: "png", description: "PNG bytes" }),
    label: f.str(),
    confidence: f.float({
      manifest: { role: "numeric", buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    }),
    tags: f.list(f.str()),
    captured_at: f.timestamp(),
  },
});

/** One {@linkcode ImageSample} value. */
export type ImageSampleValue = Infer<typeof ImageSample>;

/** The labels the generator draws from, with their colours. */
export const LABELS = { cat: [200, 120, 40], dog: [90, 60, 30], bird: [40, 140, 220] } as const;
const TAGS = ["outdoor", "indoor", "night", "day", "urban", "rural"];

/** mulberry32: a small seeded PRNG, so generated datasets are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A `size`x`size` RGB PNG: a gradient tinted by `rgb`, with seeded noise. */
export function tinyPng(rgb: readonly number[], size: number, random: () => number): Uint8Array {
  const raw = new Uint8Array(size * (1 + 3 * size));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + 3 * size);
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        const v = rgb[c]! * (0.5 + (x + y) / (4 * size)) + 40 * (random() - 0.5);
        raw[row + 1 + 3 * x + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/** Options of {@linkcode syntheticImages}. */
export interface SyntheticImagesOptions {
  /** PRNG seed. @default {42} */
  seed?: number;
  /** Image side in pixels. @default {16} */
  size?: number;
  /** Key prefix. @default {"img"} */
  prefix?: string;
  /** Capture time of the first sample; one minute apart. @default {"2025-01-01T00:00:00Z"} */
  start?: Date;
}

/**
 * `count` reproducible synthetic samples, keyed `<prefix>-000000`, ...
 *
 * @example
 * ```ts
 * import { ImageSample, syntheticImages } from "./image_schema.ts";
 * const samples = [...syntheticImages(3)];
 * if (samples.length !== 3 || !ImageSample.safeParse(samples[0]).ok) throw new Error();
 * ```
 */
export function* syntheticImages(
  count: number,
  options: SyntheticImagesOptions = {},
): Generator<ImageSampleValue & { __key__: string }> {
  const { seed = 42, size = 16, prefix = "img" } = options;
  const start = (options.start ?? new Date("2025-01-01T00:00:00Z")).getTime();
  const random = seededRandom(seed);
  const labels = Object.keys(LABELS) as (keyof typeof LABELS)[];
  for (let i = 0; i < count; i++) {
    const label = labels[Math.floor(random() * labels.length)]!;
    const tags = TAGS.filter(() => random() < 0.3);
    yield {
      __key__: `${prefix}-${String(i).padStart(6, "0")}`,
      image: tinyPng(LABELS[label], size, random),
      label,
      confidence: Math.round(random() * 1e4) / 1e4,
      tags,
      captured_at: new Date(start + i * 60_000),
    };
  }
}
