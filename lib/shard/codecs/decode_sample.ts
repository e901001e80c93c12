/**
 * {@linkcode decodeSample}: the tar members of one sample to a validated, typed sample, and
 * {@linkcode sampleError} to turn its issues into a located {@linkcode ShardError}.
 *
 * @module
 */
import type { Fields, SampleOf, Schema } from "../../schema/define_schema.ts";
import { describeField } from "../../schema/field.ts";
import { formatIssues, SchemaError, type SchemaIssue } from "../../schema/schema_error.ts";
import { ShardError } from "../shard_error.ts";
import type { TarSample } from "../tar_sample.ts";
import { codecFor } from "./codec.ts";
import { decodeMsgpackValues } from "./msgpack_codec.ts";
import { FAIL, keyedParseOf } from "../../schema/fast_parse.ts";

/** A decoded sample: its key plus the schema's fields. */
export type DecodedSample<F extends Fields = Fields> = SampleOf<F> & { __key__: string };

/** Result of {@linkcode decodeSample}. */
export type DecodeSampleResult<F extends Fields = Fields> =
  | { ok: true; value: DecodedSample<F> }
  | { ok: false; issues: SchemaIssue[] };

function codeOf(err: unknown): string {
  return (err instanceof ShardError || err instanceof SchemaError) && err.code === "unknown_dtype"
    ? "unknown_dtype"
    : "decode_failed";
}

function failure(path: (string | number)[], expected: string, err: unknown): SchemaIssue {
  const detail = err instanceof ShardError ? err.detail : (err as Error)?.message ?? String(err);
  return { path, expected, received: "undecodable bytes", message: detail, code: codeOf(err) };
}

/**
 * Decodes one sample's members with its schema and validates the result. In the `"msgpack"`
 * layout it reads the `msgpack` (or `mp`) member; in the `"files"` layout each field's member
 * by extension. Missing optional fields (an older schema version's samples) decode as `null`;
 * members and map keys the schema lacks are ignored. Never throws for bad data: issues carry
 * the field path and a code (`"missing"`, `"unknown_dtype"`, `"decode_failed"`, or zod's).
 *
 * @example
 * ```ts
 * import { defineSchema, f } from "../../schema/mod.ts";
 * import { decodeSample } from "./decode_sample.ts";
 * import { encodeSample } from "./encode_sample.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const { __key__, files } = encodeSample(S, { __key__: "k", label: "cat" });
 * const r = decodeSample(S, { __key__, __url__: "x.tar", offset: 0, size: 1024, files });
 * if (!r.ok || r.value.label !== "cat" || r.value.__key__ !== "k") throw new Error();
 * ```
 */
export function decodeSample<F extends Fields>(
  schema: Schema<F>,
  sample: TarSample,
): DecodeSampleResult<F> {
  const issues: SchemaIssue[] = [];
  const values: Record<string, unknown> = {};
  if (schema.layout === "msgpack") {
    const bytes = sample.files.msgpack ?? sample.files.mp;
    if (!bytes) {
      const found = Object.keys(sample.files).map((e) => "." + e).join(", ") || "no members";
      return {
        ok: false,
        issues: [{
          path: [],
          expected: "a .msgpack member",
          received: found,
          message: `Missing the .msgpack member (found ${found})`,
          code: "missing",
        }],
      };
    }
    let decoded: ReturnType<typeof decodeMsgpackValues>;
    try {
      decoded = decodeMsgpackValues(schema, bytes);
    } catch (err) {
      return { ok: false, issues: [failure([], "an atdata msgpack map", err)] };
    }
    if (!decoded.errors) { // the common case: build the sample as it is validated
      const value = keyedParseOf(schema)?.(decoded.values, sample.__key__);
      if (value !== undefined && value !== FAIL) {
        return { ok: true, value: value as DecodedSample<F> };
      }
    }
    Object.keys(schema.fields).forEach((name, i) => {
      if (!decoded.errors?.has(name)) values[name] = decoded.values[i];
    });
    for (const [name, err] of decoded.errors ?? []) {
      issues.push(failure([name], describeField(schema.fields[name]!), err));
    }
  } else {
    for (const [name, field] of Object.entries(schema.fields)) {
      const ext = schema.exts[name]!;
      const bytes = sample.files[ext];
      if (bytes === undefined) continue;
      try {
        values[name] = codecFor(ext).decode(bytes, field);
      } catch (err) {
        issues.push(failure([name], describeField(field), err));
      }
    }
  }
  const r = schema.safeParse(values);
  if (!r.ok) {
    const failed = new Set(issues.map((i) => i.path[0]));
    issues.push(...r.issues.filter((i) => !failed.has(i.path[0]!)));
  }
  if (issues.length || !r.ok) return { ok: false, issues };
  return { ok: true, value: { __key__: sample.__key__, ...r.value } as DecodedSample<F> };
}

/**
 * The {@linkcode ShardError} for a sample that failed to decode, naming the shard, key and
 * byte offset. Its code is `"unknown_dtype"` or `"decode_failed"` when an issue has that code,
 * else `"schema_mismatch"`; its `cause` is a `SchemaError` holding all the issues.
 *
 * @example
 * ```ts
 * import { sampleError } from "./decode_sample.ts";
 * const err = sampleError(
 *   { __key__: "k1", __url__: "ds/shard-000000.tar", offset: 1536, size: 1024, files: {} },
 *   [{ path: ["label"], expected: "str", received: "number 3", message: "expected str" }],
 *   "ImageSample@1.0.0",
 * );
 * if (err.code !== "schema_mismatch" || err.offset !== 1536 || err.key !== "k1") throw new Error();
 * ```
 */
export function sampleError(
  sample: TarSample,
  issues: SchemaIssue[],
  schemaId: string,
): ShardError {
  const code = issues.some((i) => i.code === "unknown_dtype")
    ? "unknown_dtype"
    : issues.some((i) => i.code === "decode_failed")
    ? "decode_failed"
    : "schema_mismatch";
  const detail = `sample does not match schema "${schemaId}": ${formatIssues(issues)}`;
  const cause = new SchemaError("validation_failed", detail, { issues });
  return new ShardError(code, detail, {
    shard: sample.__url__,
    key: sample.__key__,
    offset: sample.offset,
    cause,
  });
}
