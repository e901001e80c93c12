/**
 * Schema-aware msgpack, compatible with atdata: one map per sample in field declaration order,
 * every field present (`nil` for missing optionals), float fields always float64 (`0xcb`),
 * ints in their smallest encoding, bytes as bin, strings as str, ndarrays as bin in atdata's
 * compact layout (`.npy` bin values accepted on read), timestamps as ISO 8601 strings.
 *
 * @module
 */
import { decode, Encoder } from "@msgpack/msgpack";
import type { Field } from "../../schema/field.ts";
import type { Schema } from "../../schema/define_schema.ts";
import { ShardError } from "../shard_error.ts";
import type { Codec } from "./codec.ts";
import { fromMsgpack, toMsgpack } from "./_values.ts";

// useBigInt64 makes bigints int64/uint64; `toMsgpack` turns only ints beyond 32 bits into bigints.
const intEncoder = new Encoder({ useBigInt64: true });
const floatEncoder = new Encoder({ useBigInt64: true, forceIntegerToFloat: true });

function hasFloat(field: Field): boolean {
  if (field.kind === "float") return true;
  const inner = field.item ?? field.inner;
  return inner !== undefined && hasFloat(inner);
}

/** Encodes one field value, schema-aware (float fields as float64 even when integral). */
export function encodeMsgpackValue(value: unknown, field: Field): Uint8Array {
  return (hasFloat(field) ? floatEncoder : intEncoder).encode(toMsgpack(value, field));
}

const keyCache = new WeakMap<object, Uint8Array[]>();

/**
 * Encodes a (validated) sample as atdata's msgpack map: fields in declaration order, `nil` for
 * missing optionals.
 *
 * @example
 * ```ts
 * import { defineSchema, f } from "../../schema/mod.ts";
 * import { encodeMsgpackSample } from "./msgpack_codec.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { x: f.float(), n: f.int() } });
 * const bytes = encodeMsgpackSample(S, { x: 1, n: 1 });
 * // 82 a1 78 cb 3ff0000000000000 a1 6e 01: x is float64 although 1 is integral
 * if (bytes.length !== 15 || bytes[3] !== 0xcb) throw new Error("expected float64");
 * ```
 */
export function encodeMsgpackSample(schema: Schema, sample: Record<string, unknown>): Uint8Array {
  const names = Object.keys(schema.fields);
  let keys = keyCache.get(schema.fields);
  if (!keys) keyCache.set(schema.fields, keys = names.map((n) => intEncoder.encode(n)));
  const parts: Uint8Array[] = [];
  const n = names.length;
  parts.push(
    n < 16
      ? new Uint8Array([0x80 | n])
      : n < 0x10000
      ? new Uint8Array([0xde, n >> 8, n & 0xff])
      : new Uint8Array([0xdf, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]),
  );
  names.forEach((name, i) => {
    parts.push(keys[i]!, encodeMsgpackValue(sample[name] ?? null, schema.fields[name]!));
  });
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes msgpack bytes; bins are views of `bytes`, 64-bit ints bigints. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  try {
    return decode(bytes, { useBigInt64: true });
  } catch (err) {
    throw new ShardError("decode_failed", `invalid msgpack: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Decodes an atdata msgpack sample map into field values (not yet validated): missing optional
 * fields become `null`, unknown keys are dropped, ndarray bins are decoded. Field-level failures
 * (an unknown dtype, malformed array bytes) are returned per field, not thrown.
 */
export function decodeMsgpackSample(
  schema: Schema,
  bytes: Uint8Array,
): { values: Record<string, unknown>; errors: Map<string, unknown> } {
  const map = decodeMsgpack(bytes);
  if (typeof map !== "object" || map === null || Array.isArray(map) || map instanceof Uint8Array) {
    throw new ShardError("decode_failed", "msgpack sample is not a map");
  }
  const values: Record<string, unknown> = {};
  const errors = new Map<string, unknown>();
  for (const [name, field] of Object.entries(schema.fields)) {
    const raw = Object.hasOwn(map, name) ? (map as Record<string, unknown>)[name] : undefined;
    try {
      values[name] = raw === undefined ? undefined : fromMsgpack(raw, field);
    } catch (err) {
      errors.set(name, err);
    }
  }
  return { values, errors };
}

/** The `msgpack`/`mp` member codec for one field in the `"files"` layout. */
export const msgpackCodec: Codec = {
  encode: encodeMsgpackValue,
  decode: (bytes, field) => fromMsgpack(decodeMsgpack(bytes), field),
};
