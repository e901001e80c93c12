import assert from "node:assert/strict";
import { defineSchema, f, NDArray, SchemaError } from "../../schema/mod.ts";
import { scanSamples } from "../scan_samples.ts";
import { TarWriter } from "../tar_writer.ts";
import { codecFor, registerCodec } from "./codec.ts";
import { decodeSample } from "./decode_sample.ts";
import { decodeSamples } from "./decode_samples.ts";
import { encodeSample } from "./encode_sample.ts";
import { jsonCodec } from "./json_codec.ts";
import { msgpackCodec } from "./msgpack_codec.ts";
import { npyCodec } from "./npy.ts";
import { rawCodec } from "./raw_codec.ts";
import { clsCodec, txtCodec } from "./text_codecs.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

const Files = defineSchema({
  name: "ImageClassification",
  version: "1.0.0",
  layout: "files",
  fields: {
    image: f.bytes({ ext: "jpg" }),
    label: f.int(),
    caption: f.optional(f.str()),
    confidence: f.float(),
    tags: f.list(f.str(), { ext: "tags.json" }),
    takenAt: f.timestamp({ ext: "time.txt" }),
    mask: f.optional(f.ndarray({ dtype: "uint8", shape: [null, null] })),
    extra: f.optional(f.list(f.float()), { ext: "extra.msgpack" }),
    huge: f.int({ ext: "huge.json" }),
  },
});

const sample = {
  __key__: "shard/sample-000001",
  image: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]),
  label: 3,
  confidence: 1,
  tags: ["outdoor", "cat"],
  takenAt: new Date("2025-02-03T04:05:06.789Z"),
  mask: NDArray.from([0, 1, 1, 0], { dtype: "uint8", shape: [2, 2] }),
  extra: [1, 2.5],
  huge: 2n ** 60n,
};

Deno.test("encodeSample writes one member per field in the files layout", () => {
  const { __key__, files } = encodeSample(Files, sample);
  assert.equal(__key__, "shard/sample-000001");
  assert.deepEqual(Object.keys(files), [
    "jpg",
    "cls",
    "json",
    "tags.json",
    "time.txt",
    "npy",
    "extra.msgpack",
    "huge.json",
  ]);
  assert.equal(files.jpg, sample.image);
  assert.equal(text(files.cls), "3");
  assert.equal(text(files.json), "1");
  assert.equal(text(files["tags.json"]), '["outdoor","cat"]');
  assert.equal(text(files["time.txt"]), "2025-02-03T04:05:06.789Z");
  assert.equal(text(files["huge.json"]), '"1152921504606846976"');
  assert.deepEqual([...files["extra.msgpack"]!], [
    0x92,
    0xcb,
    0x3f,
    0xf0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xcb,
    0x40,
    0x04,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("decodeSample reads the files layout back, missing optionals as null", () => {
  const { __key__, files } = encodeSample(Files, sample);
  const r = decodeSample(Files, { __key__, __url__: "t.tar", offset: 0, size: 0, files });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assert.deepEqual(r.value, { ...sample, caption: null });
  const { npy: _, ...rest } = files;
  const r2 = decodeSample(Files, { __key__, __url__: "t.tar", offset: 0, size: 0, files: rest });
  assert.ok(r2.ok);
  assert.equal(r2.value.mask, null);
  const { cls: __, ...noLabel } = files;
  const r3 = decodeSample(Files, { __key__, __url__: "t.tar", offset: 0, size: 0, files: noLabel });
  assert.ok(!r3.ok);
  assert.deepEqual(r3.issues.map((i) => [i.path[0], i.code]), [["label", "missing"]]);
});

Deno.test("encodeSample and decodeSamples round-trip through a tar shard", async () => {
  const tar = new TarWriter();
  const n = 5;
  for (let i = 0; i < n; i++) {
    const { __key__, files } = encodeSample(Files, { ...sample, __key__: `s/${i}`, label: i });
    tar.writeSample(__key__, files);
  }
  const labels: number[] = [];
  for await (const s of decodeSamples(scanSamples(tar.finishBytes(), { url: "t.tar" }), Files)) {
    labels.push(s.label as number);
    assert.deepEqual(s.tags, ["outdoor", "cat"]);
  }
  assert.deepEqual(labels, [0, 1, 2, 3, 4]);
});

Deno.test("encodeSample refuses invalid samples and keys with a typed error", () => {
  assert.throws(() => encodeSample(Files, { ...sample, label: "3" as unknown as number }), (e) => {
    assert.ok(e instanceof SchemaError);
    assert.equal(e.code, "validation_failed");
    assert.match(
      e.message,
      /Cannot encode sample "shard\/sample-000001" as "ImageClassification@1.0.0": label:/,
    );
    return true;
  });
  for (const key of ["", "a.b", "dir/", "/abs", "../up", undefined]) {
    assert.throws(() => encodeSample(Files, { ...sample, __key__: key }), (e) => {
      assert.ok(e instanceof SchemaError);
      assert.deepEqual(e.issues[0]!.path, ["__key__"]);
      return true;
    });
  }
  assert.equal(
    encodeSample(Files, { ...sample, __key__: undefined }, { key: "dir.v1/x" }).__key__,
    "dir.v1/x",
  );
});

Deno.test("codecFor picks codecs by whole extension, then last part, else raw", () => {
  assert.equal(codecFor("msgpack"), msgpackCodec);
  assert.equal(codecFor("MP"), msgpackCodec);
  assert.equal(codecFor("seg.json"), jsonCodec);
  assert.equal(codecFor("txt"), txtCodec);
  assert.equal(codecFor("cls"), clsCodec);
  assert.equal(codecFor("npy"), npyCodec);
  for (const ext of ["jpg", "png", "webp", "bin", "seg.png"]) assert.equal(codecFor(ext), rawCodec);
  const custom = { encode: () => new Uint8Array([1]), decode: () => "x" };
  registerCodec(".test.png", custom);
  assert.equal(codecFor("test.png"), custom);
  assert.equal(codecFor("png"), rawCodec);
});

Deno.test("text, cls and json codecs convert scalars by field kind", () => {
  const b = (s: string) => new TextEncoder().encode(s);
  assert.equal(clsCodec.decode(b(" 42\n"), f.int()), 42);
  assert.equal(clsCodec.decode(b("18446744073709551615"), f.int()), 18446744073709551615n);
  assert.equal(txtCodec.decode(b("0.25"), f.float()), 0.25);
  assert.equal(txtCodec.decode(b("True"), f.bool()), true);
  assert.equal(txtCodec.decode(b("x"), f.int()), "x"); // left for the schema to reject
  assert.equal(rawCodec.decode(b("<p>"), f.str()), "<p>");
  assert.deepEqual(jsonCodec.decode(b('["NaN", "Infinity", 1]'), f.list(f.float())), [
    NaN,
    Infinity,
    1,
  ]);
  assert.deepEqual(
    jsonCodec.decode(jsonCodec.encode(new Uint8Array([1, 2]), f.bytes()), f.bytes()),
    new Uint8Array([1, 2]),
  );
  const arr = NDArray.from([2n ** 62n, 1n], { dtype: "int64", shape: [1, 2] });
  const back = jsonCodec.decode(
    jsonCodec.encode(arr, f.ndarray({ dtype: "int64" })),
    f.ndarray({ dtype: "int64" }),
  );
  assert.deepEqual(back, arr);
});

Deno.test("encodeSample accepts exactly the keys the WebDataset key rules allow", () => {
  // The rules, stated plainly: a non-empty relative path, no ".." segment, and a last part
  // that is non-empty and has no "." (the extension starts at a key's first dot after "/").
  const allowed = (key: string) => {
    const base = key.slice(key.lastIndexOf("/") + 1);
    return base !== "" && !base.includes(".") && !key.startsWith("/") &&
      !key.split("/").includes("..");
  };
  const S = defineSchema({ name: "K", version: "1.0.0", fields: { n: f.int() } });
  const parts = ["", "a", ".", "..", "...", "/", "a.b", "x_1"];
  const keys = new Set<string>();
  const grow = (prefix: string, depth: number) => {
    for (const p of parts) {
      keys.add(prefix + p);
      if (depth > 1) grow(prefix + p, depth - 1);
    }
  };
  grow("", 4);
  keys.delete("");
  for (const key of keys) {
    let ok = true;
    try {
      encodeSample(S, { __key__: key, n: 1 });
    } catch (err) {
      assert.ok(err instanceof SchemaError && err.issues?.[0]?.code === "invalid_key", key);
      ok = false;
    }
    assert.equal(ok, allowed(key), JSON.stringify(key));
  }
});

Deno.test("encodeSample rejects plain { dtype, shape, data } objects and takes any copy's NDArray", async () => {
  const other = await import("../../schema/nd_array.ts?another-copy");
  const Msgpack = defineSchema({
    name: "Arrays",
    version: "1.0.0",
    fields: { a: f.ndarray({ dtype: "float32", shape: [null, 2] }) },
  });
  const plain = { dtype: "<f4", shape: [1, 2], data: new Float32Array([1, 2]) };
  for (const schema of [Msgpack, Files]) {
    const value = schema === Files ? { ...sample, mask: plain } : { a: plain };
    assert.throws(
      () => encodeSample(schema as typeof Msgpack, { __key__: "k", ...value } as never),
      (e) => {
        assert.ok(e instanceof SchemaError && e.code === "validation_failed");
        assert.match(e.message, /expected an NDArray, received a plain \{ dtype, shape, data \}/);
        assert.match(e.message, /NDArray\.from\(data, \{ dtype, shape \}\)/);
        assert.equal(e.issues[0]!.received, "plain object { dtype, shape, data }");
        return true;
      },
    );
  }
  // An NDArray made by another copy of shardline (a job bundle's) encodes and decodes back.
  const a = other.NDArray.from(plain.data, { shape: plain.shape });
  const { __key__, files } = encodeSample(Msgpack, { __key__: "k", a: a as unknown as NDArray });
  const r = decodeSample(Msgpack, { __key__, __url__: "t.tar", offset: 0, size: 0, files });
  assert.ok(r.ok);
  assert.ok(r.value.a instanceof NDArray);
  assert.deepEqual([r.value.a.dtype, r.value.a.shape, [...r.value.a.data]], ["<f4", [1, 2], [
    1,
    2,
  ]]);
  const npy = encodeSample(Files, {
    ...sample,
    mask: other.NDArray.from([1, 0], { dtype: "uint8", shape: [1, 2] }) as unknown as NDArray,
  });
  const back = decodeSample(Files, {
    __key__: npy.__key__,
    __url__: "t.tar",
    offset: 0,
    size: 0,
    files: npy.files,
  });
  assert.ok(back.ok);
  assert.deepEqual([...back.value.mask!.data], [1, 0]);
});

Deno.test("encodeSample with validated: true skips validation but still checks the key", () => {
  const S = defineSchema({ name: "V", version: "1.0.0", fields: { label: f.str() } });
  const checked = encodeSample(S, { __key__: "k", label: "cat" });
  const trusted = encodeSample(S, { label: "cat" }, { key: "k", validated: true });
  assert.deepEqual(trusted, checked);
  const extra = { label: "cat", stray: 1 } as unknown as { label: string };
  assert.deepEqual(encodeSample(S, extra, { key: "k", validated: true }).files, checked.files);
  assert.throws(
    () => encodeSample(S, { label: "cat" }, { key: "a.b", validated: true }),
    SchemaError,
  );
  assert.throws(
    () => encodeSample(S, { label: 3 as unknown as string }, { key: "k" }),
    SchemaError,
  );
});
