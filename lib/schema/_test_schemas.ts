/**
 * Schemas shared by the schema area's tests. Private.
 *
 * @module
 */
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";

/** A fixed creation time for records. */
export const createdAt: Date = new Date("2025-01-01T00:00:00Z");

/** A schema with every field kind and option. */
export const Everything = defineSchema({
  name: "Everything",
  version: "2.1.0",
  description: "every field kind",
  layout: "files",
  fields: {
    image: f.bytes({ ext: "jpg" }),
    label: f.str({ description: "class name" }),
    n: f.int({ manifest: "categorical" }),
    score: f.float({ manifest: { role: "numeric", buckets: [0, 0.5, 1] } }),
    ok: f.bool({ ext: "ok.json" }),
    arr: f.ndarray({ dtype: "float32", shape: [null, 3] }),
    anyArr: f.ndarray({ dtype: undefined, ext: "arr.npy" }),
    tags: f.list(f.str(), { ext: "tags.json" }),
    grid: f.list(f.list(f.int()), { ext: "grid.json" }),
    maybe: f.optional(f.float({ ext: "maybe.json" })),
    at: f.timestamp({ ext: "at.json" }),
    times: f.list(f.optional(f.timestamp()), { ext: "times.json", manifest: "exclude" }),
  },
});
