/**
 * {@linkcode encodeSample}: a typed sample to the tar members of its schema's layout.
 *
 * @module
 */
import type { Fields, SampleInput, Schema } from "../../schema/define_schema.ts";
import { SchemaError, type SchemaIssue } from "../../schema/schema_error.ts";
import { codecFor } from "./codec.ts";
import { encodeMsgpackSample } from "./msgpack_codec.ts";

/** A sample ready for the tar writer: its key and member payloads by extension. */
export interface EncodedSample {
  /** The sample key (member names are `<key>.<ext>`). */
  __key__: string;
  /**
   * Member payloads by extension (`"msgpack"`, or one per field in the `"files"` layout).
   * Payloads may be views of a larger buffer (mind `byteOffset`; `slice()` before transferring).
   */
  files: Record<string, Uint8Array>;
}

/** Options for {@linkcode encodeSample}. */
export interface EncodeSampleOptions {
  /**
   * The sample key.
   * @default the sample's `__key__`
   */
  key?: string;
  /**
   * The sample was just validated against `schema` (its `safeParse` value, say): skip the
   * second validation and encode it as given. The key is still checked. A sample that does not
   * in fact match the schema gives unspecified bytes or a `TypeError`, so leave this off for
   * anything not straight out of `safeParse`.
   * @default false
   */
  validated?: boolean;
}

/** Why `key` cannot be a WebDataset key, or undefined when it can. */
function keyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key === "") return "a sample needs a non-empty string __key__";
  // One pass (this runs for every sample written): a "." after the last "/", a ".." segment.
  const n = key.length;
  let dot = false, dotdot = false, start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? key.charCodeAt(i) : 0x2f;
    if (c === 0x2f) { // "/"
      if (i - start === 2 && key.charCodeAt(start) === 0x2e && key.charCodeAt(start + 1) === 0x2e) {
        dotdot = true;
      }
      if (i < n) dot = false;
      start = i + 1;
    } else if (c === 0x2e) dot = true;
  }
  if (key.charCodeAt(n - 1) === 0x2f || dot) {
    return `key ${JSON.stringify(key)} must not end in "/" nor have a "." after its last "/"`;
  }
  if (key.charCodeAt(0) === 0x2f || dotdot) {
    return `key ${JSON.stringify(key)} must be a relative path without ".."`;
  }
  return undefined;
}

/**
 * Validates a sample against its schema and encodes it: in the `"msgpack"` layout as one
 * atdata `msgpack` member, in the `"files"` layout as one member per field (by the field's ext,
 * through the codec registered for it; missing optional fields write no member). Throws
 * {@linkcode SchemaError} `"validation_failed"` for an invalid sample or key. With
 * `{ validated: true }` (the job runner's hot path) the sample is not validated again.
 *
 * @example
 * ```ts
 * import { defineSchema, f, NDArray } from "../../schema/mod.ts";
 * import { encodeSample } from "./encode_sample.ts";
 * const S = defineSchema({
 *   name: "ImageSample",
 *   version: "1.0.0",
 *   fields: { image: f.ndarray({ dtype: "float32" }), label: f.str(), confidence: f.float() },
 * });
 * const { __key__, files } = encodeSample(S, {
 *   __key__: "69518926-0179-11f1-8000-000000000000",
 *   image: NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] }),
 *   label: "cat",
 *   confidence: 0.95,
 * });
 * if (files.msgpack!.length !== 76 || __key__.length !== 36) throw new Error(); // atdata's bytes
 * ```
 */
export function encodeSample<F extends Fields>(
  schema: Schema<F>,
  sample: SampleInput<F> & { __key__?: string },
  options: EncodeSampleOptions = {},
): EncodedSample {
  const key = options.key ?? sample.__key__;
  const problem = keyProblem(key);
  const r = options.validated && !problem
    ? { ok: true as const, value: sample }
    : schema.safeParse(sample);
  if (problem || !r.ok) {
    const issues: SchemaIssue[] = r.ok ? [] : r.issues;
    if (problem) {
      issues.unshift({
        path: ["__key__"],
        expected: "WebDataset key",
        received: JSON.stringify(key) ?? "missing",
        message: problem,
        code: "invalid_key",
      });
    }
    const first = issues[0]!;
    throw new SchemaError(
      "validation_failed",
      `Cannot encode sample ${typeof key === "string" ? JSON.stringify(key) + " " : ""}as ` +
        `"${schema.id}": ${first.path.join(".") || "(sample)"}: ${first.message}` +
        (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
      { issues },
    );
  }
  const value = r.value as Record<string, unknown>;
  const files: Record<string, Uint8Array> = {};
  if (schema.layout === "msgpack") {
    files.msgpack = encodeMsgpackSample(schema, value);
  } else {
    for (const [name, field] of Object.entries(schema.fields)) {
      const v = value[name];
      if (v === null || v === undefined) continue;
      const ext = schema.exts[name]!;
      files[ext] = codecFor(ext).encode(v, field);
    }
  }
  return { __key__: key!, files };
}
