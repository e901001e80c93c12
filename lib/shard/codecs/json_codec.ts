/**
 * `json`: UTF-8 JSON. Bytes travel as base64, ndarrays as `{ dtype, shape, data }`, timestamps
 * as ISO 8601 strings, ints beyond 2^53 and non-finite floats as strings.
 *
 * @module
 */
import type { Codec } from "./codec.ts";
import { fromJson, toJson } from "./_values.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The `json` member codec.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/field.ts";
 * import { jsonCodec } from "./json_codec.ts";
 * const field = f.list(f.timestamp());
 * const bytes = jsonCodec.encode([new Date(0)], field);
 * if (new TextDecoder().decode(bytes) !== '["1970-01-01T00:00:00.000Z"]') throw new Error();
 * const back = jsonCodec.decode(bytes, field) as Date[];
 * if (back[0]!.getTime() !== 0) throw new Error();
 * ```
 */
export const jsonCodec: Codec = {
  encode: (value, field) => encoder.encode(JSON.stringify(toJson(value, field))),
  decode: (bytes, field) => fromJson(JSON.parse(decoder.decode(bytes)), field),
};
