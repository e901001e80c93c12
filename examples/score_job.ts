/**
 * An example job: scores each synthetic image by its mean brightness, relabels the samples
 * whose confidence is under a threshold as "uncertain", and tags the bright ones. Submit it with
 *
 * ```sh
 * deno task cli submit examples/score_job.ts --input demo/raw --output demo/scored --wait
 * ```
 *
 * or `submit(store, { input, output, job: "examples/score_job.ts", params: { threshold: 0.3 } })`.
 * A job module can live in any folder; it imports shardline like any other module.
 *
 * @module
 */
import { defineJob, defineSchema, f } from "../mod.ts";
import { ImageSample } from "./image_schema.ts";

/** The output: the input's fields plus a brightness score and whether it passed. */
export const ScoredImage = defineSchema({
  name: "ScoredImage",
  version: "1.0.0",
  fields: {
    image: f.bytes({ ext: "png" }),
    label: f.str(),
    confidence: f.float({ manifest: { role: "numeric", buckets: [0, 0.2, 0.4, 0.6, 0.8, 1] } }),
    tags: f.list(f.str()),
    captured_at: f.timestamp(),
    brightness: f.float({ manifest: { role: "numeric", buckets: [0, 0.25, 0.5, 0.75, 1] } }),
    passed: f.bool(),
  },
});

/** Mean byte value of the PNG payload, in [0, 1]: a stand-in for a real model's score. */
function brightness(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
  return bytes.length ? sum / bytes.length / 255 : 0;
}

export default defineJob({
  name: "score-images",
  version: "1.0.0",
  description: "Scores images by brightness; relabels low-confidence samples as uncertain",
  input: ImageSample,
  output: ScoredImage,
  params: { threshold: 0.3 },
  onError: "skip",
  map(sample, ctx) {
    const score = brightness(sample.image);
    const passed = sample.confidence >= ctx.params.threshold;
    return {
      ...sample,
      label: passed ? sample.label : "uncertain",
      tags: score > 0.5 ? [...sample.tags, "bright"] : sample.tags,
      brightness: score,
      passed,
    };
  },
});
