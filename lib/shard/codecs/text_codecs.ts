/**
 * The text codecs: `txt` (UTF-8 text) and `cls` (an integer as decimal text, as webdataset
 * writes class labels). Both read scalar fields of other kinds from their text form.
 *
 * @module
 */
import type { Field } from "../../schema/field.ts";
import type { Codec } from "./codec.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function baseKind(field: Field): Field["kind"] {
  while (field.kind === "optional") field = field.inner!;
  return field.kind;
}

function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Parses text as a value of the field's kind; text that does not parse is passed through. */
function parseAs(text: string, field: Field): unknown {
  const t = text.trim();
  switch (baseKind(field)) {
    case "int":
      if (!/^[+-]?\d+$/.test(t)) return text;
      return Number.isSafeInteger(Number(t)) ? Number(t) : BigInt(t);
    case "float":
      return t === "" || isNaN(Number(t)) && t !== "NaN" ? text : Number(t);
    case "bool":
      return t === "true" || t === "True" || t === "1"
        ? true
        : t === "false" || t === "False" || t === "0"
        ? false
        : text;
    case "timestamp":
      return new Date(t);
    default:
      return text;
  }
}

/**
 * `txt`: UTF-8 text. Encodes any scalar as its text (timestamps as ISO 8601); decodes to a
 * string, or for int, float, bool and timestamp fields to their value.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/field.ts";
 * import { txtCodec } from "./text_codecs.ts";
 * const bytes = txtCodec.encode("a cat", f.str());
 * if (txtCodec.decode(bytes, f.str()) !== "a cat") throw new Error();
 * ```
 */
export const txtCodec: Codec = {
  encode: (value) => encoder.encode(textOf(value)),
  decode: (bytes, field) => parseAs(decoder.decode(bytes), field),
};

/**
 * `cls`: an integer class label as decimal text (`"3"`), webdataset style. Decodes surrounding
 * whitespace away.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/field.ts";
 * import { clsCodec } from "./text_codecs.ts";
 * const bytes = clsCodec.encode(7, f.int());
 * if (new TextDecoder().decode(bytes) !== "7" || clsCodec.decode(bytes, f.int()) !== 7) throw new Error();
 * ```
 */
export const clsCodec: Codec = {
  encode: (value) => encoder.encode(textOf(value)),
  decode: (bytes, field) => parseAs(decoder.decode(bytes), field),
};
