/**
 * {@linkcode decodeSamples}: a stage decoding a stream of tar samples with a schema, with an
 * error policy for samples that do not decode.
 *
 * @module
 */
import type { Fields, Schema } from "../../schema/define_schema.ts";
import type { OnError, ShardError } from "../shard_error.ts";
import type { TarSample } from "../tar_sample.ts";
import { type DecodedSample, decodeSample, sampleError } from "./decode_sample.ts";

/** Options for {@linkcode decodeSamples}. */
export interface DecodeSamplesOptions {
  /**
   * What to do with a sample that fails to decode or validate: `"throw"` its
   * {@linkcode ShardError} (`"schema_mismatch"`, `"unknown_dtype"` or `"decode_failed"`, naming
   * shard, key and byte offset), `"skip"` it, or call a function and skip it.
   * @default "throw"
   */
  onError?: OnError;
  /** Receives every error of a skipped sample (under `"skip"` and a function `onError`). */
  skipped?: ShardError[];
}

/**
 * Decodes each sample of `samples` with `schema`, yielding `{ __key__, ...fields }`.
 *
 * @example
 * ```ts
 * import { defineSchema, f } from "../../schema/mod.ts";
 * import { scanSamples } from "../scan_samples.ts";
 * import { TarWriter } from "../tar_writer.ts";
 * import { encodeSample } from "./encode_sample.ts";
 * import { decodeSamples } from "./decode_samples.ts";
 * import type { ShardError } from "../shard_error.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const tar = new TarWriter();
 * for (const label of ["cat", "dog"]) {
 *   const { __key__, files } = encodeSample(S, { __key__: label, label });
 *   tar.writeSample(__key__, files);
 * }
 * tar.writeSample("bad", { msgpack: new Uint8Array([0xc1]) }); // not msgpack
 * const skipped: ShardError[] = [];
 * const labels: string[] = [];
 * const samples = scanSamples(tar.finishBytes(), { url: "s.tar" });
 * for await (const s of decodeSamples(samples, S, { onError: "skip", skipped })) labels.push(s.label);
 * if (labels.join() !== "cat,dog" || skipped[0]?.code !== "decode_failed") throw new Error();
 * ```
 */
export async function* decodeSamples<F extends Fields>(
  samples: AsyncIterable<TarSample> | Iterable<TarSample>,
  schema: Schema<F>,
  options: DecodeSamplesOptions = {},
): AsyncGenerator<DecodedSample<F>> {
  const { onError = "throw", skipped } = options;
  for await (const sample of samples) {
    const r = decodeSample(schema, sample);
    if (r.ok) {
      yield r.value;
      continue;
    }
    const error = sampleError(sample, r.issues, schema.id);
    if (onError === "throw") throw error;
    skipped?.push(error);
    if (typeof onError === "function") onError(error);
  }
}
