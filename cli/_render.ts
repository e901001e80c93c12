/**
 * Turns decoded sample values into JSON-friendly values for the CLI: ndarrays as
 * `{dtype, shape, values}`, bytes as `{bytes, base64}` (truncated), dates as ISO strings,
 * bigints as numbers when safe.
 *
 * Without a schema, members are decoded by extension: msgpack maps (spread into fields, as
 * atdata stores one map per sample) (bin values that hold the
 * atdata compact ndarray layout or `.npy` bytes become arrays), json, txt, cls, npy; anything
 * else stays bytes.
 *
 * @module
 */
import { isNDArray } from "../lib/schema/mod.ts";
import { decodeMsgpack, decodeNdarrayBytes, decodeNpy, type TarSample } from "../lib/shard/mod.ts";

const MAX_INLINE_BYTES = 48;

function bytesView(b: Uint8Array): { bytes: number; base64: string; truncated?: true } {
  const head = b.subarray(0, MAX_INLINE_BYTES);
  const base64 = btoa(String.fromCharCode(...head));
  return b.length > MAX_INLINE_BYTES
    ? { bytes: b.length, base64, truncated: true }
    : { bytes: b.length, base64 };
}

/** A JSON-friendly rendering of one decoded value. */
export function renderValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (isNDArray(value)) {
    const { dtype, shape, data } = value.toJSON();
    return { dtype, shape, values: data };
  }
  if (value instanceof Uint8Array) return bytesView(value);
  if (Array.isArray(value)) return value.map(renderValue);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v)]));
  }
  return value;
}

/** Bin values in a schemaless msgpack map: an ndarray when they parse as one, else bytes. */
function guessBin(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    try {
      return decodeNdarrayBytes(value);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(guessBin);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, guessBin(v)]));
  }
  return value;
}

const text = new TextDecoder();

/** Schemaless decoders by the last part of a member extension. */
const byExtension: Record<string, (bytes: Uint8Array) => unknown> = {
  msgpack: (b) => guessBin(decodeMsgpack(b)),
  mp: (b) => guessBin(decodeMsgpack(b)),
  json: (b) => JSON.parse(text.decode(b)),
  txt: (b) => text.decode(b),
  cls: (b) => Number(text.decode(b).trim()),
  npy: (b) => decodeNpy(b),
};

/** Decodes a raw sample's members by extension, without a schema. */
export function decodeSchemaless(sample: TarSample): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ext, bytes] of Object.entries(sample.files)) {
    const last = ext.slice(ext.lastIndexOf(".") + 1);
    const decode = byExtension[last];
    const value = decode ? decode(bytes) : bytes;
    // An atdata sample is one msgpack map of fields: show the fields themselves.
    const isMap = value !== null && typeof value === "object" && value.constructor === Object;
    if ((last === "msgpack" || last === "mp") && isMap) Object.assign(out, value);
    else out[ext] = value;
  }
  return out;
}
