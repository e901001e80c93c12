/**
 * The default codec for extensions without a registered one (`jpg`, `png`, `webp`, `bin`, ...):
 * the member bytes are the value.
 *
 * @module
 */
import type { Codec } from "./codec.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Raw bytes: a bytes field's value is written as is. Strings are written as UTF-8 and read back
 * as strings for str fields (an `html` member, say); other kinds are left to the schema.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/field.ts";
 * import { rawCodec } from "./raw_codec.ts";
 * const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
 * if (rawCodec.decode(rawCodec.encode(jpeg, f.bytes()), f.bytes()) !== jpeg) throw new Error();
 * ```
 */
export const rawCodec: Codec = {
  encode: (value) => {
    if (value instanceof Uint8Array) return value;
    if (typeof value === "string") return encoder.encode(value);
    throw new TypeError(`Cannot write a ${typeof value} as raw bytes: expected a Uint8Array`);
  },
  decode: (bytes, field) => {
    let base = field;
    while (base.kind === "optional") base = base.inner!;
    return base.kind === "str" ? decoder.decode(bytes) : bytes;
  },
};
