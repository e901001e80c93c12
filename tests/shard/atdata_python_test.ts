/**
 * Cross-tests against a live peer: Python's own `msgpack` and `numpy` (Debian's
 * `python3-msgpack` and `python3-numpy`, installed by `scripts/setup.ts --test`, run with
 * `/usr/bin/python3`), through `tests/shard/_py/atdata_peer.py`.
 *
 * - shardline writes atdata shards (`writeShards`); Python reads every value back with
 *   `tarfile` + `msgpack.unpackb` + numpy, and `msgpack.packb` of the decoded map (arrays
 *   re-encoded in the compact layout) is byte-identical to shardline's member.
 * - Python writes shards the atdata way (PAX tar, compact arrays, one legacy `.npy` sample);
 *   shardline reads them with `scanSamples` + `decodeSample`.
 * - `encodeNpy` equals `np.save`; `decodeNpy` reads `np.save` output (Fortran order, big-endian).
 *
 * Under CI (`CI=true`) missing Debian packages fail the run, naming the setup step; locally these
 * tests are skipped with a loud notice (see `tests/_tools.ts`).
 */
import assert from "node:assert/strict";
import { defineSchema, f, type Field, NDArray } from "../../lib/schema/mod.ts";
import {
  decodeNpy,
  decodeSample,
  encodeNpy,
  encodeSample,
  scanSamples,
} from "../../lib/shard/mod.ts";
import { writeShards } from "../../lib/dataset/mod.ts";
import { MemoryStore } from "../../lib/store/mod.ts";
import { runPiped } from "../../lib/shard/_test_tars.ts";
import { needs, PYTHON, pythonHas } from "../_tools.ts";

const PEER = new URL("./_py/atdata_peer.py", import.meta.url).pathname;
const NEEDS = "[needs Debian python3-msgpack, python3-numpy]";
const ignore = needs(
  `Python 3 with msgpack and numpy (${PYTHON})`,
  pythonHas("msgpack", "numpy"),
  "python3-msgpack python3-numpy",
);

/** Runs the peer script; throws with Python's stderr when it fails. */
async function peer(args: string[], stdin?: Uint8Array): Promise<unknown> {
  const out = await runPiped(PYTHON, [PEER, ...args], stdin);
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${PYTHON} ${PEER} ${args[0]} failed:\n${err}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

// Tagged values, the peer's JSON form: nothing is lost between Python and JavaScript.
type Tagged = unknown;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
function f64hex(v: number): string {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return hex(b);
}
const f64 = (bits: string) => new DataView(unhex(bits).buffer).getFloat64(0);

function tagArray(a: NDArray): Tagged {
  const float = a.dtype[1] === "f";
  const data = Array.from(
    a.data as ArrayLike<number | bigint>,
    (x) => float ? { float: f64hex(Number(x)) } : { int: String(x) },
  );
  return { ndarray: { dtype: a.dtype, shape: a.shape, data } };
}

/** A field value in the peer's tagged form (the field tells ints from floats). */
function tag(v: unknown, field: Field): Tagged {
  if (v === null || v === undefined) return null;
  switch (field.kind) {
    case "optional":
      return tag(v, field.inner!);
    case "list":
      return (v as unknown[]).map((x) => tag(x, field.item!));
    case "int":
      return { int: String(v) };
    case "float":
      return { float: f64hex(v as number) };
    case "bytes":
      return { bytes: hex(v as Uint8Array) };
    case "ndarray":
      return tagArray(v as NDArray);
    default:
      return v;
  }
}

/** numpy keeps big-endian dtypes (`">f4"`); shardline holds arrays little-endian (`"<f4"`). */
function littleEndian(t: Tagged): Tagged {
  if (Array.isArray(t)) return t.map(littleEndian);
  if (t && typeof t === "object" && "ndarray" in t) {
    const a = (t as { ndarray: { dtype: string } }).ndarray;
    return { ndarray: { ...a, dtype: a.dtype.replace(">", "<") } };
  }
  return t;
}

const Atdata = defineSchema({
  name: "AtdataInterop",
  version: "1.0.0",
  fields: {
    image: f.ndarray({ dtype: "float32" }),
    label: f.str(),
    confidence: f.float(),
    count: f.int(),
    // Not in the manifest: its Parquet column is int64 and this field goes up to 2^64 - 1.
    big: f.int({ manifest: "exclude" }),
    flag: f.bool(),
    blob: f.bytes(),
    pixels: f.ndarray({ dtype: "uint8" }),
    ids: f.ndarray({ dtype: "int64" }),
    tags: f.list(f.str()),
    scores: f.list(f.float()),
    note: f.optional(f.str()),
    mask: f.optional(f.ndarray({ dtype: "bool" })),
  },
});
const FIELDS = Object.keys(Atdata.fields);
const ARRAYS = FIELDS.filter((n) => {
  const field = Atdata.fields[n as keyof typeof Atdata.fields] as Field;
  return field.kind === "ndarray" || field.inner?.kind === "ndarray";
});

// Every msgpack int width, both signs (Python packs non-negative ints unsigned).
const INTS: (number | bigint)[] = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40 + 3,
  2 ** 53 - 1,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 32),
  -(2 ** 53 - 1),
  -(2n ** 63n),
];
const INT64 = INTS.filter((v) => v < 2n ** 63n);
const FLOATS = [
  0,
  1.0,
  -0.0,
  0.1,
  0.95,
  -2.5,
  3,
  2 ** 53,
  1e308,
  5e-324,
  Infinity,
  -Infinity,
  NaN,
];
const STRS = ["", "cat", "ünïcødé 🐱", "x".repeat(31), "y".repeat(32), "z".repeat(255)];
const LONG_STRS = ["w".repeat(256), "v".repeat(65535), "u".repeat(65536)];
const BYTE_SIZES = [0, 3, 255, 256, 65535, 65536];

function sample(i: number) {
  const n = (k: number) => k % 256;
  return {
    __key__: i % 5 === 0 ? `${String(i).padStart(8, "0")}-0179-11f1-8000-000000000000` : `s/${i}`,
    image: NDArray.from(new Float32Array([i, -i, 0.5, FLOATS[i % FLOATS.length]!]), {
      shape: [2, 2],
    }),
    label: i < LONG_STRS.length ? LONG_STRS[i]! : STRS[i % STRS.length]!,
    confidence: FLOATS[i % FLOATS.length]!,
    count: INT64[i % INT64.length]!,
    big: INTS[(i + 11) % INTS.length]!,
    flag: i % 2 === 0,
    blob: new Uint8Array(BYTE_SIZES[i % BYTE_SIZES.length]!).map((_, k) => n(k * 31 + i)),
    pixels: NDArray.from(new Uint8Array([0, 5, 300, 70000][i % 4]!).map((_, k) => n(k + i)), {
      dtype: "uint8",
    }),
    ids: NDArray.from(new BigInt64Array([-(2n ** 63n), BigInt(i), 2n ** 63n - 1n])),
    tags: i === 1
      ? Array.from({ length: 16 }, (_, k) => `t${k}`)
      : i === 2
      ? Array.from({ length: 15 }, (_, k) => `t${k}`)
      : STRS.slice(0, i % 4),
    scores: i === 0 ? FLOATS : [i, i / 3],
    note: i % 3 === 0 ? null : STRS[i % STRS.length]!,
    mask: i % 2 === 0 ? null : NDArray.from([1, 0, 1, 1, 0, 0], { dtype: "bool", shape: [2, 3] }),
  };
}
const SAMPLES = Array.from({ length: INTS.length }, (_, i) => sample(i));

interface PyRead {
  key: string;
  ext: string;
  fields: string[];
  values: Record<string, Tagged>;
  member: string;
  repacked: string;
}

Deno.test(
  {
    name:
      `${NEEDS} Python msgpack + numpy read shardline shards; packb re-encodes them byte for byte`,
    ignore,
  },
  async () => {
    const store = new MemoryStore();
    const { shards } = await writeShards(store, "ds/shard-%06d.tar", SAMPLES, {
      schema: Atdata,
      maxcount: 10,
    });
    assert.equal(shards.length, 3);
    const read: PyRead[] = [];
    for (const s of shards) {
      for (const suffix of [".manifest.json", ".manifest.parquet"]) {
        assert.ok(await store.head(s.key.replace(/\.tar$/, suffix)), s.key + suffix);
      }
      const tar = await store.get(s.key);
      read.push(...await peer(["read", JSON.stringify({ ndarray: ARRAYS })], tar) as PyRead[]);
    }
    assert.deepEqual(read.map((r) => r.key), SAMPLES.map((s) => s.__key__));
    for (const [i, r] of read.entries()) {
      const s = SAMPLES[i]! as Record<string, unknown>;
      const where = `sample ${i} (${r.key})`;
      assert.equal(r.ext, "msgpack", where);
      assert.deepEqual(r.fields, FIELDS, `${where}: map keys in declaration order`);
      for (const name of FIELDS) {
        const field = Atdata.fields[name as keyof typeof Atdata.fields] as Field;
        assert.deepEqual(r.values[name], tag(s[name], field), `${where}: field ${name}`);
      }
      const ours = hex(encodeSample(Atdata, SAMPLES[i]!).files.msgpack!);
      assert.equal(r.member, ours, `${where}: the tar member is encodeSample's bytes`);
      if (r.repacked !== r.member) {
        assert.fail(
          `${where}: msgpack.packb differs from shardline\n` + firstDiff(r.member, r.repacked),
        );
      }
    }
  },
);

/** Where two hex strings first differ, with some context. */
function firstDiff(ours: string, theirs: string): string {
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  const at = Math.floor(i / 2) * 2;
  return `first difference at byte ${at / 2} of ${ours.length / 2} (python: ${
    theirs.length / 2
  }):` +
    `\n  shardline ...${ours.slice(Math.max(0, at - 16), at + 32)}` +
    `\n  python    ...${theirs.slice(Math.max(0, at - 16), at + 32)}`;
}

Deno.test(
  {
    name:
      `${NEEDS} shardline reads shards Python writes the atdata way (PAX, compact and .npy arrays)`,
    ignore,
  },
  async () => {
    const path = await Deno.makeTempFile({ suffix: ".tar" });
    try {
      const written = await peer(["write", path]) as {
        key: string;
        values: Record<string, Tagged>;
      }[];
      const tar = await Deno.readFile(path);
      assert.equal(String.fromCharCode(tar[156]!), "x", "Python wrote a PAX header first");
      assert.equal(tar.length % 10240, 0);
      const got = [];
      for await (const s of scanSamples(tar, { url: path })) got.push(s);
      assert.deepEqual(got.map((s) => s.__key__), written.map((w) => w.key));
      for (const [i, s] of got.entries()) {
        const r = decodeSample(Atdata, s);
        assert.ok(r.ok, `${s.__key__}: ${JSON.stringify(!r.ok && r.issues)}`);
        for (const name of FIELDS) {
          const field = Atdata.fields[name as keyof typeof Atdata.fields] as Field;
          assert.deepEqual(
            tag((r.value as Record<string, unknown>)[name], field),
            littleEndian(written[i]!.values[name]),
            `${s.__key__}: field ${name}`,
          );
        }
      }
      // Spot checks, in plain terms.
      const [first, second, legacy] = got.map((s) => decodeSample(Atdata, s));
      assert.ok(first?.ok && second?.ok && legacy?.ok);
      assert.equal(first.value.image.dtype, "<f4");
      assert.deepEqual(first.value.image.shape, [2, 2]);
      assert.deepEqual([...first.value.image.data], [0, 1, 2, 3]);
      assert.equal(first.value.confidence, 0.95);
      assert.equal(first.value.note, null);
      assert.deepEqual([...second.value.ids.data], [1n, -1n]); // from ">i8"
      assert.equal(second.value.big, 2n ** 64n - 1n);
      assert.deepEqual(second.value.mask?.shape, [1, 3]);
      assert.ok(s0IsNpy(got[2]!.files.msgpack!), "the legacy sample holds .npy bytes");
      assert.deepEqual(legacy.value.image.shape, [2, 3]); // Fortran-ordered .npy
      assert.deepEqual([...legacy.value.image.data], [0, 1, 2, 3, 4, 5]);
      assert.deepEqual([...legacy.value.ids.data], [5n, 6n, 7n, 8n]); // big-endian .npy
      assert.deepEqual([...legacy.value.mask!.data], [1, 0, 0, 0]);
      assert.ok(Object.is(legacy.value.confidence, -0));
    } finally {
      await Deno.remove(path);
    }
  },
);

/** True when a msgpack map holds a bin starting with `\x93NUMPY`. */
function s0IsNpy(bytes: Uint8Array): boolean {
  return hex(bytes).includes(hex(new TextEncoder().encode("NUMPY")));
}

interface PyNpy {
  name: string;
  canonical: boolean;
  npy: string;
  ndarray: { dtype: string; shape: number[]; data: ({ int: string } | { float: string })[] };
}

Deno.test(
  { name: `${NEEDS} encodeNpy equals np.save; decodeNpy reads np.save output`, ignore },
  async () => {
    const cases = await peer(["npy"]) as PyNpy[];
    assert.ok(cases.some((c) => !c.canonical) && cases.some((c) => c.canonical));
    for (const c of cases) {
      const { dtype, shape, data } = c.ndarray;
      const back = decodeNpy(unhex(c.npy));
      assert.deepEqual(
        tagArray(back),
        littleEndian({ ndarray: c.ndarray }),
        `decodeNpy: ${c.name}`,
      );
      if (!c.canonical) continue;
      const values = data.map((x) => "int" in x ? BigInt(x.int) : f64(x.float));
      const big = dtype.endsWith("8") && (dtype[1] === "i" || dtype[1] === "u");
      const array = NDArray.from(
        big ? values as bigint[] : values.map(Number),
        { dtype, shape },
      );
      assert.equal(hex(encodeNpy(array)), c.npy, `encodeNpy: ${c.name}`);
    }
  },
);
