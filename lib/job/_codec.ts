/**
 * The task runner's sample codec: decoding input samples and encoding output samples with the
 * job's schemas (which come from the job's bundle: the codecs read them structurally).
 *
 * @module
 */
import type { Schema } from "../schema/define_schema.ts";
import { formatIssues } from "../schema/schema_error.ts";
import { decodeSample } from "../shard/codecs/decode_sample.ts";
import { encodeSample } from "../shard/codecs/encode_sample.ts";
import type { TarSample } from "../shard/tar_sample.ts";
import type { JobSchema } from "./define_job.ts";

/** Decodes and validates a raw input sample; a failure comes back as a reason. */
export function decodeWith(
  schema: JobSchema,
  raw: TarSample,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const r = decodeSample(schema as unknown as Schema, raw);
  if (r.ok) return { ok: true, value: r.value as Record<string, unknown> };
  const id = `${schema.name}@${schema.version}`;
  return { ok: false, reason: `does not match input schema "${id}": ${formatIssues(r.issues)}` };
}

/**
 * Encodes an output sample that the pipeline has just validated with `schema.safeParse`, so
 * without validating it a second time (this is the hot path of every job). Throws
 * `SchemaError` for a key that cannot be a WebDataset key.
 */
export function encodeWith(
  schema: JobSchema,
  key: string,
  value: Record<string, unknown>,
): Record<string, Uint8Array> {
  return encodeSample(schema as unknown as Schema, value, { key, validated: true }).files;
}
