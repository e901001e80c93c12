/**
 * A demo job: decodes each sample's PNG, measures its mean colour, predicts a label from the
 * nearest reference colour, and writes a scored sample (the input fields plus `predicted`,
 * `correct`, `brightness` and a `score`).
 *
 * Submit it with `deno task cli submit raw/images scored --job examples/jobs/score_images.ts`.
 *
 * @module
 */
import { inflateSync } from "node:zlib";
import { defineJob, defineSchema, f } from "../../mod.ts";
import { ImageSample, LABELS } from "../image_schema.ts";

/** What the job writes: the input sample plus its prediction. */
export const ScoredImage = defineSchema({
  name: "ScoredImage",
  version: "1.0.0",
  fields: {
    ...ImageSample.fields,
    predicted: f.str(),
    correct: f.bool(),
    brightness: f.float({
      manifest: { role: "numeric", buckets: [0, 32, 64, 96, 128, 160, 192, 224, 256] },
    }),
    score: f.float({
      manifest: { role: "numeric", buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    }),
  },
});

/** Mean RGB of an 8-bit RGB PNG without filters (what the synthetic generator writes). */
function meanColour(png: Uint8Array): [number, number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const sum = [0, 0, 0];
  const stride = 1 + 3 * width;
  for (let row = 0; row < raw.length; row += stride) {
    for (let i = row + 1; i < row + stride; i += 3) {
      sum[0]! += raw[i]!;
      sum[1]! += raw[i + 1]!;
      sum[2]! += raw[i + 2]!;
    }
  }
  const n = raw.length / stride * width;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

export default defineJob({
  name: "score-images",
  version: "1.0.0",
  input: ImageSample,
  output: ScoredImage,
  params: { minConfidence: 0 },
  onError: "skip",
  map(sample, ctx) {
    if (sample.confidence < ctx.params.minConfidence) return undefined;
    const colour = meanColour(sample.image);
    const distances = Object.entries(LABELS).map(([label, ref]) => ({
      label,
      d: Math.hypot(...ref.map((v, i) => v - colour[i]!)),
    })).sort((a, b) => a.d - b.d);
    const [best, second] = distances as [
      { label: string; d: number },
      { label: string; d: number },
    ];
    return {
      ...sample,
      predicted: best.label,
      correct: best.label === sample.label,
      brightness: (colour[0] + colour[1] + colour[2]) / 3,
      score: Math.round(1e4 * second.d / (best.d + second.d)) / 1e4,
    };
  },
});
