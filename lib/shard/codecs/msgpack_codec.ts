/**
 * Schema-aware msgpack, compatible with atdata: one map per sample in field declaration order,
 * every field present (`nil` for missing optionals), float fields always float64 (`0xcb`),
 * ints in their smallest encoding, bytes as bin, strings as str, ndarrays as bin in atdata's
 * compact layout (`.npy` bin values accepted on read), timestamps as ISO 8601 strings.
 *
 * Samples are written by writers compiled per field (`_field_writers.ts`) into a shared slab
 * (`_msgpack_writer.ts`) and read by a sample-map reader (`_msgpack_reader.ts`) that leaves
 * anything unusual to `@msgpack/msgpack`; both give the library's bytes and values
 * (`bench/codecs.ts` measures them against it).
 *
 * @module
 */
import { Decoder } from "@msgpack/msgpack";
import type { Field } from "../../schema/field.ts";
import type { Schema } from "../../schema/define_schema.ts";
import { ShardError } from "../shard_error.ts";
import type { Codec } from "./codec.ts";
import { fromMsgpack } from "./_values.ts";
import { MsgpackWriter } from "./_msgpack_writer.ts";
import { type FieldWriter, fieldWriter } from "./_field_writers.ts";
import { type KeyTable, readSampleMap, UNUSUAL } from "./_msgpack_reader.ts";

// One writer reused across samples (a nested call, say from a getter, gets its own).
const shared = new MsgpackWriter();
let busy = false;

/** Runs `fill` on a free writer and returns what it wrote (a view of the writer's slab). */
function write<A, B>(fill: (w: MsgpackWriter, a: A, b: B) => void, a: A, b: B): Uint8Array {
  const own = !busy;
  const w = own ? shared : new MsgpackWriter(256);
  busy = true;
  try {
    w.begin();
    fill(w, a, b);
    return w.take();
  } catch (err) {
    w.discard();
    throw err;
  } finally {
    if (own) busy = false;
  }
}

/**
 * Encodes one field value, schema-aware (float fields as float64 even when integral; ints
 * beyond 32 bits as int64/uint64). Like {@linkcode encodeMsgpackSample}'s, the bytes are a
 * view of a buffer shared with other outputs.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/mod.ts";
 * import { encodeMsgpackValue } from "./msgpack_codec.ts";
 * const bytes = encodeMsgpackValue([1, 2.5], f.list(f.float()));
 * if (bytes.length !== 19 || bytes[1] !== 0xcb) throw new Error("expected float64 items");
 * ```
 */
export function encodeMsgpackValue(value: unknown, field: Field): Uint8Array {
  return write((w, fw: FieldWriter, v: unknown) => fw(w, v), fieldWriter(field), value);
}

/** A schema's sample writer: the map header, then each field's encoded key and value writer. */
interface SamplePlan {
  names: string[];
  head: Uint8Array;
  keys: Uint8Array[];
  writers: FieldWriter[];
}

const plans = new WeakMap<object, SamplePlan>();

function samplePlan(schema: Schema): SamplePlan {
  let plan = plans.get(schema.fields);
  if (plan) return plan;
  const names = Object.keys(schema.fields);
  const w = new MsgpackWriter(256);
  w.mapHeader(names.length);
  const head = w.take();
  const keys = names.map((n) => (w.str(n), w.take()));
  const writers = names.map((n) => fieldWriter(schema.fields[n]!));
  plans.set(schema.fields, plan = { names, head, keys, writers });
  return plan;
}

/**
 * Encodes a (validated) sample as atdata's msgpack map: fields in declaration order, `nil` for
 * missing optionals. The bytes are a view of a buffer shared with other outputs (allocating a
 * buffer per sample cost more than encoding it): mind `byteOffset` when using `.buffer`, and
 * `slice()` them before transferring.
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
  return write(writeSample, samplePlan(schema), sample);
}

function writeSample(w: MsgpackWriter, plan: SamplePlan, sample: Record<string, unknown>): void {
  const { names, keys, writers } = plan;
  w.raw(plan.head);
  for (let i = 0; i < names.length; i++) {
    w.raw(keys[i]!);
    writers[i]!(w, sample[names[i]!]);
  }
}

// Reused: building a Decoder per call costs more than small samples' decoding.
const decoder = new Decoder({ useBigInt64: true });

/** Decodes msgpack bytes; bins are views of `bytes`, 64-bit ints bigints. */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  try {
    return decoder.decode(bytes);
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
  const { values: list, errors = new Map<string, unknown>() } = decodeMsgpackValues(schema, bytes);
  const names = readPlan(schema).names;
  const values: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    if (!errors.has(names[i]!)) values[names[i]!] = list[i];
  }
  return { values, errors };
}

/**
 * {@linkcode decodeMsgpackSample} with the values in field declaration order (`undefined` for
 * a missing field and for one that failed) and the field errors only if there are any.
 * Throws {@linkcode ShardError} `"decode_failed"` for bytes that are not a msgpack map.
 */
export function decodeMsgpackValues(
  schema: Schema,
  bytes: Uint8Array,
): { values: unknown[]; errors?: Map<string, unknown> } {
  const plan = readPlan(schema);
  const { names, fields } = plan;
  const values: unknown[] = new Array(names.length).fill(undefined);
  if (readSampleMap(bytes, plan, values) === UNUSUAL) {
    const map = decodeMsgpack(bytes); // the library decides, and names the problem
    if (
      typeof map !== "object" || map === null || Array.isArray(map) || map instanceof Uint8Array
    ) {
      throw new ShardError("decode_failed", "msgpack sample is not a map");
    }
    const m = map as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      values[i] = Object.hasOwn(m, names[i]!) ? m[names[i]!] : undefined;
    }
  }
  let errors: Map<string, unknown> | undefined;
  for (let i = 0; i < names.length; i++) {
    const raw = values[i];
    if (raw === undefined) continue;
    try {
      values[i] = fromMsgpack(raw, fields[i]!);
    } catch (err) {
      values[i] = undefined;
      (errors ??= new Map()).set(names[i]!, err);
    }
  }
  return errors ? { values, errors } : { values };
}

/** A schema's fields and their encoded keys, for reading sample maps. */
interface ReadPlan extends KeyTable {
  fields: Field[];
}

const readPlans = new WeakMap<object, ReadPlan>();

function readPlan(schema: Schema): ReadPlan {
  let plan = readPlans.get(schema.fields);
  if (!plan) {
    const names = Object.keys(schema.fields);
    const w = new MsgpackWriter(256);
    plan = {
      names,
      keys: names.map((n) => (w.str(n), w.take())),
      index: new Map(names.map((n, i) => [n, i])),
      fields: names.map((n) => schema.fields[n]!),
    };
    readPlans.set(schema.fields, plan);
  }
  return plan;
}

/** The `msgpack`/`mp` member codec for one field in the `"files"` layout. */
export const msgpackCodec: Codec = {
  encode: encodeMsgpackValue,
  decode: (bytes, field) => fromMsgpack(decodeMsgpack(bytes), field),
};
