/**
 * The task runner's sample codec: decoding input samples and encoding output samples with the
 * job's schemas (which come from the job's bundle: the codecs read them structurally).
 *
 * @module
 */
import type { Schema } from "../schema/define_schema.ts";
import { formatIssues, SchemaError } from "../schema/schema_error.ts";
import { codecFor } from "../shard/codecs/codec.ts";
import { decodeSample } from "../shard/codecs/decode_sample.ts";
import { encodeMsgpackSample } from "../shard/codecs/msgpack_codec.ts";
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
 * Encodes an output sample that the pipeline has just validated with `schema.safeParse` (so,
 * unlike `encodeSample`, without validating it a second time: this is the hot path of every
 * job). Throws {@linkcode SchemaError} for a key that cannot be a WebDataset key.
 */
export function encodeWith(
  schema: JobSchema,
  key: string,
  value: Record<string, unknown>,
): Record<string, Uint8Array> {
  const problem = keyProblem(key);
  if (problem) {
    throw new SchemaError(
      "validation_failed",
      `Cannot encode sample ${JSON.stringify(key)}: ${problem}`,
    );
  }
  const s = schema as unknown as Schema;
  if (s.layout === "msgpack") return { msgpack: encodeMsgpackSample(s, value) };
  const files: Record<string, Uint8Array> = {};
  for (const [name, field] of Object.entries(s.fields)) {
    const v = value[name];
    if (v === null || v === undefined) continue;
    const ext = s.exts[name]!;
    files[ext] = codecFor(ext).encode(v, field);
  }
  return files;
}

/** Why `key` cannot be a WebDataset key (the rules of `encodeSample`), or undefined. */
function keyProblem(key: string): string | undefined {
  if (key === "") return "a sample needs a non-empty key";
  const base = key.slice(key.lastIndexOf("/") + 1);
  if (base === "" || base.includes(".")) {
    return `the key must not end in "/" nor have a "." after its last "/"`;
  }
  if (key.startsWith("/") || key.split("/").includes("..")) {
    return `the key must be a relative path without ".."`;
  }
  return undefined;
}
