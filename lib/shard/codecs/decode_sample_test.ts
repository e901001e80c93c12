import assert from "node:assert/strict";
import { defineSchema, f, NDArray } from "../../schema/mod.ts";
import { ShardError } from "../shard_error.ts";
import type { TarSample } from "../tar_sample.ts";
import { decodeSample, sampleError } from "./decode_sample.ts";
import { decodeSamples } from "./decode_samples.ts";
import { encodeSample } from "./encode_sample.ts";
import { encodeNdarrayBytes } from "./ndarray_bytes.ts";
import { decodeMsgpackSample, encodeMsgpackSample } from "./msgpack_codec.ts";

const at = (key: string, files: Record<string, Uint8Array>, offset = 0): TarSample => ({
  __key__: key,
  __url__: "ds/shard-000000.tar",
  offset,
  size: 1024,
  files,
});

const V1 = defineSchema({
  name: "Evolving",
  version: "1.0.0",
  fields: { label: f.str(), score: f.float() },
});
const V2 = defineSchema({
  name: "Evolving",
  version: "1.1.0",
  fields: {
    label: f.str(),
    score: f.float(),
    tags: f.optional(f.list(f.str())),
    note: f.optional(f.str()),
  },
});

Deno.test("decodeSample reads a sample written under an older version (added optional -> null)", () => {
  const { files } = encodeSample(V1, { __key__: "a", label: "cat", score: 1 });
  const r = decodeSample(V2, at("a", files));
  assert.ok(r.ok);
  assert.deepEqual(r.value, { __key__: "a", label: "cat", score: 1, tags: null, note: null });
  // And the other way: an older reader drops fields it does not know.
  const newer = encodeSample(V2, { __key__: "b", label: "dog", score: 0.5, tags: ["x"] });
  const back = decodeSample(V1, at("b", newer.files));
  assert.ok(back.ok);
  assert.deepEqual(back.value, { __key__: "b", label: "dog", score: 0.5 });
});

Deno.test("decodeSample reports a sample that fails its schema", () => {
  const payload = encodeMsgpackSample(
    defineSchema({ name: "Other", version: "1.0.0", fields: { label: f.int(), score: f.str() } }),
    { label: 3, score: "high" },
  );
  const r = decodeSample(V1, at("k", { msgpack: payload }, 1536));
  assert.ok(!r.ok);
  assert.deepEqual(r.issues.map((i) => [i.path, i.expected, i.received]), [
    [["label"], "str", "number 3"],
    [["score"], "float", 'string "high"'],
  ]);
  const err = sampleError(at("k", {}, 1536), r.issues, V1.id);
  assert.ok(err instanceof ShardError);
  assert.equal(err.code, "schema_mismatch");
  assert.equal(err.shard, "ds/shard-000000.tar");
  assert.equal(err.key, "k");
  assert.equal(err.offset, 1536);
  assert.equal(
    err.message,
    'Cannot read shard "ds/shard-000000.tar": sample does not match schema "Evolving@1.0.0": ' +
      "label: Invalid input: expected str, received number 3; score: Invalid input: expected " +
      'float, received string "high" in sample "k" at byte 1536',
  );
  assert.equal((err.cause as { issues: unknown[] }).issues.length, 2);
});

Deno.test("decodeSample reports an unknown dtype with code unknown_dtype", () => {
  const S = defineSchema({
    name: "A",
    version: "1.0.0",
    fields: { x: f.ndarray({ dtype: undefined }) },
  });
  const good = encodeNdarrayBytes(NDArray.from([1, 2], { dtype: "<f8" }));
  const bad = good.slice();
  bad.set(new TextEncoder().encode("<c8"), 1); // complex64: not a dtype shardline knows
  const payload = encodeMsgpackSample(S, { x: NDArray.from([1, 2], { dtype: "<f8" }) });
  const i = payload.indexOf(good[0]!, 3);
  payload.set(bad, i);
  const r = decodeSample(S, at("k", { msgpack: payload }, 512));
  assert.ok(!r.ok);
  assert.equal(r.issues.length, 1);
  assert.deepEqual(r.issues[0]!.path, ["x"]);
  assert.equal(r.issues[0]!.code, "unknown_dtype");
  assert.match(r.issues[0]!.message, /Unknown dtype "<c8"/);
  const err = sampleError(at("k", {}, 512), r.issues, S.id);
  assert.equal(err.code, "unknown_dtype");
  assert.match(err.message, /Unknown dtype "<c8".* in sample "k" at byte 512$/);
});

Deno.test("decodeSample reports missing members, bad msgpack and truncated arrays", () => {
  const missing = decodeSample(V1, at("k", { jpg: new Uint8Array(1) }));
  assert.ok(!missing.ok);
  assert.equal(missing.issues[0]!.code, "missing");
  assert.match(missing.issues[0]!.message, /found \.jpg/);
  const junk = decodeSample(V1, at("k", { msgpack: new Uint8Array([0xc1]) }));
  assert.ok(!junk.ok);
  assert.equal(junk.issues[0]!.code, "decode_failed");
  const notMap = decodeSample(V1, at("k", { msgpack: new Uint8Array([0x01]) }));
  assert.ok(!notMap.ok);
  assert.match(notMap.issues[0]!.message, /not a map/);
  const S = defineSchema({
    name: "A",
    version: "1.0.0",
    fields: { x: f.ndarray({ dtype: "<f8" }) },
  });
  const payload = encodeMsgpackSample(S, { x: NDArray.from([1, 2]) });
  payload[payload.length - 25] = 3; // claim ndim 3: the shape runs into the data
  const r = decodeSample(S, at("k", { msgpack: payload }));
  assert.ok(!r.ok);
  assert.equal(r.issues[0]!.code, "decode_failed");
  assert.equal(sampleError(at("k", {}), r.issues, S.id).code, "decode_failed");
});

Deno.test("decodeSamples throws, skips or reports bad samples", async () => {
  const good = encodeSample(V1, { __key__: "a", label: "cat", score: 1 }).files;
  const samples = [
    at("a", good, 0),
    at("b", { msgpack: new Uint8Array([0xc1]) }, 1024),
    at("c", good, 2048),
  ];
  await assert.rejects(async () => {
    for await (const _ of decodeSamples(samples, V1)) { /* drain */ }
  }, (e) => e instanceof ShardError && e.code === "decode_failed" && e.offset === 1024);
  const skipped: ShardError[] = [];
  const keys: string[] = [];
  for await (const s of decodeSamples(samples, V1, { onError: "skip", skipped })) {
    keys.push(s.__key__);
  }
  assert.deepEqual(keys, ["a", "c"]);
  assert.deepEqual(skipped.map((e) => [e.key, e.offset]), [["b", 1024]]);
  const seen: string[] = [];
  for await (const _ of decodeSamples(samples, V1, { onError: (e) => seen.push(e.key!) })) { /* */ }
  assert.deepEqual(seen, ["b"]);
});

Deno.test("decodeSample's fast path builds what safeParse builds, __key__ first", () => {
  const S = defineSchema({
    name: "Fast",
    version: "1.0.0",
    fields: {
      label: f.str(),
      grid: f.list(f.list(f.int())),
      at: f.timestamp(),
      arr: f.ndarray({ dtype: "float32", shape: [2] }),
      maybe: f.optional(f.float()),
    },
  });
  const values = [
    { label: "a", grid: [[1], []], at: new Date(0), arr: NDArray.from(new Float32Array(2)) },
    { label: "b", grid: [], at: new Date(1e12), arr: NDArray.from(new Float32Array(2)), maybe: 2 },
  ];
  for (const [i, v] of values.entries()) {
    const { files } = encodeSample(S, { __key__: `k${i}`, ...v });
    const r = decodeSample(S, at(`k${i}`, files));
    assert.ok(r.ok);
    const slow = S.zod.safeParse(decodeMsgpackSample(S, files.msgpack!).values);
    assert.ok(slow.success);
    assert.deepStrictEqual(r.value, { __key__: `k${i}`, ...slow.data });
    assert.deepEqual(Object.keys(r.value), ["__key__", ...Object.keys(S.fields)]);
  }
  // a sample the fast path rejects still gets zod's issues
  const bad = encodeMsgpackSample(S, { ...values[0]!, arr: NDArray.from(new Float32Array(3)) });
  const r = decodeSample(S, at("bad", { msgpack: bad }));
  assert.ok(!r.ok);
  assert.deepEqual(r.issues.map((i) => [i.path, i.message]), [[["arr"], "shape [3] is not [2]"]]);
});
