/**
 * The member {@linkcode Codec} interface and the codec registry by extension:
 * {@linkcode registerCodec} and {@linkcode codecFor}.
 *
 * @module
 */
import type { Field } from "../../schema/field.ts";
import { jsonCodec } from "./json_codec.ts";
import { msgpackCodec } from "./msgpack_codec.ts";
import { npyCodec } from "./npy.ts";
import { rawCodec } from "./raw_codec.ts";
import { clsCodec, txtCodec } from "./text_codecs.ts";

/** Turns one field's value into a tar member's bytes and back. */
export interface Codec {
  /** Encodes a (validated) field value. */
  encode(value: unknown, field: Field): Uint8Array;
  /**
   * Decodes member bytes into a value for `field`. The schema validates the result, so a codec
   * may pass through what it cannot convert; it throws only for bytes it cannot read.
   */
  decode(bytes: Uint8Array, field: Field): unknown;
}

const codecs = new Map<string, Codec>();

/**
 * Registers the codec of a member extension (lowercase, without the leading dot), replacing
 * any earlier one.
 *
 * @example
 * ```ts
 * import { codecFor, registerCodec } from "./codec.ts";
 * const upper = {
 *   encode: (v: unknown) => new TextEncoder().encode(String(v).toUpperCase()),
 *   decode: (b: Uint8Array) => new TextDecoder().decode(b),
 * };
 * registerCodec("upper.txt", upper);
 * if (codecFor("upper.txt") !== upper) throw new Error();
 * ```
 */
export function registerCodec(ext: string, codec: Codec): void {
  codecs.set(ext.toLowerCase().replace(/^\./, ""), codec);
}

/**
 * The codec of an extension: registered for the whole extension (`"seg.png"`), else for its
 * last part (`"png"`), else raw bytes.
 *
 * @example
 * ```ts
 * import { codecFor } from "./codec.ts";
 * import { jsonCodec } from "./json_codec.ts";
 * import { rawCodec } from "./raw_codec.ts";
 * if (codecFor("meta.json") !== jsonCodec || codecFor("jpg") !== rawCodec) throw new Error();
 * ```
 */
export function codecFor(ext: string): Codec {
  const e = ext.toLowerCase();
  return codecs.get(e) ?? codecs.get(e.slice(e.lastIndexOf(".") + 1)) ?? rawCodec;
}

for (const ext of ["msgpack", "mp"]) registerCodec(ext, msgpackCodec);
for (const ext of ["json", "jsn"]) registerCodec(ext, jsonCodec);
for (const ext of ["txt", "text", "transcript"]) registerCodec(ext, txtCodec);
for (const ext of ["cls", "cls2", "class", "count", "index", "inx", "id"]) {
  registerCodec(ext, clsCodec);
}
registerCodec("npy", npyCodec);
