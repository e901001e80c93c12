import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import tarStream from "tar-stream";
import { defineSchema, f, NDArray } from "../../schema/mod.ts";
import { scanSamples } from "../scan_samples.ts";
import { decodeSample } from "./decode_sample.ts";
import { decodeSamples } from "./decode_samples.ts";
import { encodeSample } from "./encode_sample.ts";
import { encodeMsgpackSample } from "./msgpack_codec.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));

/** The worked example of ref/formats.md. */
const PAYLOAD = "83a5696d616765c425033c66340202000000000000000200000000000000000000000000803f" +
  "0000004000004040a56c6162656ca3636174aa636f6e666964656e6365cb3fee666666666666";
const KEY = "69518926-0179-11f1-8000-000000000000";

const ImageSample = defineSchema({
  name: "ImageSample",
  version: "1.0.0",
  fields: { image: f.ndarray({ dtype: "float32" }), label: f.str(), confidence: f.float() },
});

const tarSample = (files: Record<string, Uint8Array>, key = KEY) => ({
  __key__: key,
  __url__: "ref.tar",
  offset: 0,
  size: 1536,
  files,
});

/** Member payloads of a tar, read with tar-stream (the reference implementation). */
async function tarMembers(path: string): Promise<Map<string, Uint8Array>> {
  const extract = tarStream.extract();
  const members = new Map<string, Uint8Array>();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      members.set(entry.header.name, new Uint8Array(Buffer.concat(parts)));
    }
  })();
  extract.end(Buffer.from(await Deno.readFile(path)));
  await done;
  return members;
}

function assertWorkedExample(value: Record<string, unknown>) {
  const image = value.image as NDArray;
  assert.ok(image instanceof NDArray);
  assert.equal(image.dtype, "<f4");
  assert.deepEqual(image.shape, [2, 2]);
  assert.ok(image.data instanceof Float32Array);
  assert.deepEqual([...image.data], [0, 1, 2, 3]);
  assert.equal(value.label, "cat");
  assert.equal(value.confidence, 0.95);
}

Deno.test("encodeSample writes the worked example byte-identical to atdata's payload", () => {
  const { __key__, files } = encodeSample(ImageSample, {
    __key__: KEY,
    image: NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] }),
    label: "cat",
    confidence: 0.95,
  });
  assert.equal(__key__, KEY);
  assert.deepEqual(Object.keys(files), ["msgpack"]);
  assert.equal(files.msgpack!.length, 76);
  assert.equal(hex(files.msgpack!), PAYLOAD);
});

Deno.test("decodeSample reads the worked example payload", () => {
  const r = decodeSample(ImageSample, tarSample({ msgpack: unhex(PAYLOAD) }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assert.equal(r.value.__key__, KEY);
  assertWorkedExample(r.value);
});

for (const name of ["example_float_mtime.tar", "example_int_mtime.tar"]) {
  Deno.test(`decodeSample reads the sample of ref/${name}`, async () => {
    const path = new URL(`../../../tests/fixtures/${name}`, import.meta.url);
    const members = await tarMembers(path.pathname);
    const payload = members.get(`${KEY}.msgpack`)!;
    assert.equal(hex(payload), PAYLOAD);
    const r = decodeSample(ImageSample, tarSample({ msgpack: payload }));
    assert.ok(r.ok);
    assertWorkedExample(r.value);
  });
}

Deno.test("decodeSamples reads both ref example tars through scanSamples", async () => {
  for (const name of ["example_float_mtime.tar", "example_int_mtime.tar"]) {
    const bytes = await Deno.readFile(new URL(`../../../tests/fixtures/${name}`, import.meta.url));
    const out = [];
    for await (const s of decodeSamples(scanSamples(bytes, { url: name }), ImageSample)) {
      out.push(s);
    }
    assert.equal(out.length, 1);
    assert.equal(out[0]!.__key__, KEY);
    assertWorkedExample(out[0]!);
  }
});

Deno.test("msgpack matches Python's msgpack.packb for ints, floats, bytes, str and nil", () => {
  // /usr/bin/python3 -c "import msgpack; print(msgpack.packb(d).hex())" with the same values.
  const expected = "87a173a668c3a96c6c6fa169dc0013007fcc80ccffcd0100cdffffce00010000ceffffffffcf" +
    "0000000100000000cf0020000000000001cf8000000000000000ffe0d0dfd080d1ff7fd280000000d3ffffffff" +
    "7fffffffd38000000000000000a16693cb3ff0000000000000cb3fb999999999999acb8000000000000000a162" +
    "c3a3726177c4020001a46e6f6e65c0a3626967cfffffffffffffffff";
  const S = defineSchema({
    name: "Py",
    version: "1.0.0",
    fields: {
      s: f.str(),
      i: f.list(f.int()),
      f: f.list(f.float()),
      b: f.bool(),
      raw: f.bytes(),
      none: f.optional(f.str()),
      big: f.int(),
    },
  });
  const ints = [
    0,
    127,
    128,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    2n ** 53n + 1n,
    2n ** 63n,
  ];
  const negs = [-1, -32, -33, -128, -129, -(2 ** 31), -(2 ** 31) - 1, -(2n ** 63n)];
  const sample = {
    s: "h\u00e9llo",
    i: [...ints, ...negs],
    f: [1, 0.1, -0],
    b: true,
    raw: new Uint8Array([0, 1]),
    big: 2n ** 64n - 1n,
  };
  const bytes = encodeMsgpackSample(S, S.parse(sample));
  assert.equal(hex(bytes), expected);
  const r = decodeSample(S, tarSample({ msgpack: bytes }));
  assert.ok(r.ok);
  assert.deepEqual(r.value, { __key__: KEY, ...sample, none: null });
  assert.ok(Object.is((r.value.f as number[])[2], -0));
});

Deno.test("decodeSample accepts legacy .npy bytes in ndarray fields", () => {
  // numpy.save(np.arange(4, dtype="<f4").reshape(2, 2)) inside the worked example's map.
  const npy = unhex(
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c" +
      "73652c20277368617065273a2028322c2032292c207d" + "20".repeat(58) + "0a" +
      "000000000000803f0000004000004040",
  );
  const head = unhex("83a5696d616765c5" + npy.length.toString(16).padStart(4, "0"));
  const tail = unhex(PAYLOAD.slice(PAYLOAD.indexOf("a56c6162656c")));
  const payload = new Uint8Array([...head, ...npy, ...tail]);
  const r = decodeSample(ImageSample, tarSample({ mp: payload }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assertWorkedExample(r.value);
});
