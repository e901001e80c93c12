/**
 * The msgpack encoding as it was before the compiled writer: `@msgpack/msgpack`'s `Encoder`
 * per value, after {@linkcode toMsgpack}: the reference that `lib/shard/codecs/_msgpack_writer_test.ts`
 * and `bench/codecs.ts` compare the compiled writer against (not part of the library).
 *
 * @module
 */
import { Encoder } from "@msgpack/msgpack";
import type { Field } from "../lib/schema/field.ts";
import { toMsgpack } from "../lib/shard/codecs/_values.ts";

const intEncoder = new Encoder({ useBigInt64: true });
const floatEncoder = new Encoder({ useBigInt64: true, forceIntegerToFloat: true });

/** Whether `field` holds floats, at any depth (its numbers then encode as floats). */
function hasFloat(field: Field): boolean {
  if (field.kind === "float") return true;
  const inner = field.item ?? field.inner;
  return inner !== undefined && hasFloat(inner);
}

/**
 * A field value encoded the previous way.
 *
 * @example
 * ```ts
 * import { f } from "../lib/schema/mod.ts";
 * import { referenceEncodeValue } from "./_msgpack_reference.ts";
 *
 * if (referenceEncodeValue(1, f.float())[0] !== 0xcb) throw new Error("not a float64");
 * ```
 */
export function referenceEncodeValue(value: unknown, field: Field): Uint8Array {
  return (hasFloat(field) ? floatEncoder : intEncoder).encode(toMsgpack(value, field));
}

/** A map key (a field name) encoded the previous way. */
export function referenceEncodeKey(name: string): Uint8Array {
  return intEncoder.encode(name);
}
