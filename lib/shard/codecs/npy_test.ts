import assert from "node:assert/strict";
import { NDArray } from "../../schema/nd_array.ts";
import { ShardError } from "../shard_error.ts";
import { decodeNpy, encodeNpy } from "./npy.ts";
import { decodeNdarrayBytes, encodeNdarrayBytes } from "./ndarray_bytes.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));

/** `.npy` header as numpy 2.x writes it: the dict, padded with spaces to 118 bytes, then "\n". */
const npyHead = (dict: string) => {
  const text = dict + " ".repeat(117 - dict.length) + "\n";
  return "934e554d50590100" + "7600" + hex(new TextEncoder().encode(text));
};

// Outputs of numpy.save (numpy 2.4), captured once.
const F4_2X2 = npyHead("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }") +
  "000000000000803f0000004000004040";
const I8_3 = npyHead("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }") +
  "010000000000000002000000000000000300000000000000";
const I8_SCALAR = npyHead("{'descr': '<i8', 'fortran_order': False, 'shape': (), }") +
  "0700000000000000";
const B1_2 = npyHead("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }") + "0100";
const BE_I2_2X3 = npyHead("{'descr': '>i2', 'fortran_order': False, 'shape': (2, 3), }") +
  "000000010002000300040005";
const F_U1_2X3 = npyHead("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }") +
  "000301040205";

Deno.test("encodeNpy writes what numpy.save writes", () => {
  assert.equal(
    hex(encodeNpy(NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] }))),
    F4_2X2,
  );
  assert.equal(hex(encodeNpy(NDArray.from([1, 2, 3], { dtype: "int64" }))), I8_3);
  assert.equal(hex(encodeNpy(NDArray.from([7], { dtype: "<i8", shape: [] }))), I8_SCALAR);
  assert.equal(hex(encodeNpy(NDArray.from([1, 0], { dtype: "bool" }))), B1_2);
});

Deno.test("decodeNpy reads C, Fortran and big-endian arrays", () => {
  const f4 = decodeNpy(unhex(F4_2X2));
  assert.deepEqual([f4.dtype, f4.shape, [...f4.data]], ["<f4", [2, 2], [0, 1, 2, 3]]);
  const scalar = decodeNpy(unhex(I8_SCALAR));
  assert.deepEqual([scalar.shape, [...scalar.data]], [[], [7n]]);
  const be = decodeNpy(unhex(BE_I2_2X3));
  assert.deepEqual([be.dtype, be.shape, [...be.data]], ["<i2", [2, 3], [0, 1, 2, 3, 4, 5]]);
  const fortran = decodeNpy(unhex(F_U1_2X3));
  assert.deepEqual([fortran.dtype, fortran.shape, [...fortran.data]], ["|u1", [2, 3], [
    0,
    1,
    2,
    3,
    4,
    5,
  ]]);
  const big = NDArray.from(new Float64Array(5000).map((_, i) => i), { shape: [10, 500] });
  assert.deepEqual(decodeNpy(encodeNpy(big)).data, big.data);
});

Deno.test("decodeNpy rejects malformed data and unknown dtypes", () => {
  const fails = (bytes: Uint8Array, code: string, re: RegExp) =>
    assert.throws(() => decodeNpy(bytes), (e) => {
      assert.equal((e as ShardError).code, code);
      assert.match((e as Error).message, re);
      return true;
    });
  fails(unhex("00010203"), "decode_failed", /no \\x93NUMPY magic/);
  fails(unhex(F4_2X2).subarray(0, 100), "decode_failed", /truncated header/);
  fails(unhex(F4_2X2).subarray(0, 140), "decode_failed", /expected 16 data bytes, got 12/);
  const unicode = npyHead("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }") +
    "00".repeat(12);
  fails(unhex(unicode), "unknown_dtype", /Unknown dtype "<U3"/);
});

Deno.test("compact ndarray bytes round-trip every dtype and reject malformed input", () => {
  const dtypes = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"];
  for (const dtype of [...dtypes, "float16", "float32", "float64"]) {
    const a = NDArray.from(/int64/.test(dtype) ? [1n, 0n, 1n] : [1, 0, 1], {
      dtype,
      shape: [3, 1],
    });
    const back = decodeNdarrayBytes(encodeNdarrayBytes(a));
    assert.equal(back.dtype, a.dtype);
    assert.deepEqual(back.shape, [3, 1]);
    assert.deepEqual([...back.data], [...a.data]);
  }
  assert.throws(
    () => decodeNdarrayBytes(new Uint8Array([3])),
    (e) => e instanceof ShardError && e.code === "decode_failed",
  );
  assert.throws(
    () => decodeNdarrayBytes(unhex("033c6634010200000000000000000000")),
    (e) => e instanceof ShardError && /expected 8 data bytes, got 3/.test(e.message),
  );
});
