/**
 * A template job to copy (notebooks/04-your-own-job.ipynb submits it): reads the demo's
 * `ImageSample`s, writes a smaller sample with the hour of capture and the number of tags, and
 * rejects samples below a confidence threshold by throwing, so that the job's failures (key and
 * reason) show how bad samples are recorded rather than dropped (`onError: "skip"`).
 *
 * @module
 */
import { defineJob, defineSchema, f } from "../../mod.ts";
import { ImageSample } from "../image_schema.ts";

/** What the job writes. */
export const TaggedImage = defineSchema({
  name: "TaggedImage",
  version: "1.0.0",
  fields: {
    label: f.str(),
    confidence: f.float({
      manifest: { role: "numeric", buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    }),
    hour: f.int({ manifest: { role: "categorical" } }),
    tag_count: f.int(),
  },
});

export default defineJob({
  name: "your-own-job",
  version: "1.0.0",
  input: ImageSample,
  output: TaggedImage,
  params: { rejectBelow: 0.02 },
  onError: "skip",
  map(sample, ctx) {
    if (sample.confidence < ctx.params.rejectBelow) {
      throw new Error(`confidence ${sample.confidence} is below ${ctx.params.rejectBelow}`);
    }
    return {
      label: sample.label,
      confidence: sample.confidence,
      hour: sample.captured_at.getUTCHours(),
      tag_count: sample.tags.length,
    };
  },
});
