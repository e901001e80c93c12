import assert from "node:assert/strict";
import { isNDArray, NDArray } from "./nd_array.ts";
import { compareSemver, isSemver } from "./_semver.ts";

Deno.test("NDArray.from takes the dtype of a typed array or a declared one", () => {
  const a = NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] });
  assert.equal(a.dtype, "<f4");
  assert.deepEqual(a.shape, [2, 2]);
  assert.equal(a.ndim, 2);
  assert.equal(NDArray.from(new Uint8Array(2)).dtype, "|u1");
  assert.equal(NDArray.from(new BigInt64Array(2)).dtype, "<i8");
  const b = NDArray.from([1, 2, 3], { dtype: "int64" });
  assert.deepEqual([...b.data], [1n, 2n, 3n]);
  const c = NDArray.from([1, 0], { dtype: "bool" });
  assert.equal(c.dtype, "|b1");
  assert.deepEqual(c.toJSON(), { dtype: "|b1", shape: [2], data: [true, false] });
  assert.equal(NDArray.from([1.5]).dtype, "<f8");
});

Deno.test("NDArray rejects a shape that does not fit and a mismatched typed array", () => {
  assert.throws(() => NDArray.from(new Float32Array(3), { shape: [2, 2] }), RangeError);
  assert.throws(() => new NDArray("<f4", [2], new Float64Array(2)), TypeError);
  assert.throws(() => new NDArray("<c8", [2], new Float64Array(2)), { code: "unknown_dtype" });
});

Deno.test("NDArray.fromBytes copies into an aligned array and swaps big-endian data", () => {
  const raw = new Uint8Array([0xff, 0, 0, 0x80, 0x3f]); // misaligned: starts at offset 1
  const le = NDArray.fromBytes("<f4", [1], raw.subarray(1));
  assert.deepEqual([...le.data], [1]);
  const be = NDArray.fromBytes(">f4", [1], new Uint8Array([0x3f, 0x80, 0, 0]));
  assert.equal(be.dtype, "<f4");
  assert.deepEqual([...be.data], [1]);
  assert.deepEqual([...be.bytes()], [0, 0, 0x80, 0x3f]);
  assert.throws(() => NDArray.fromBytes("<f4", [2], new Uint8Array(4)), RangeError);
});

Deno.test("NDArray toJSON writes large 64-bit values as strings", () => {
  const a = NDArray.from([2n ** 63n - 1n, 5n], { dtype: "<i8" });
  assert.deepEqual(a.toJSON().data, ["9223372036854775807", 5]);
});

Deno.test("isNDArray takes NDArray instances of any shardline copy, not plain objects", async () => {
  // A second copy of the module, as a job bundle inlines its own.
  const other = await import("./nd_array.ts?another-copy");
  assert.notEqual(other.NDArray, NDArray);
  const a = other.NDArray.from(new Float32Array([1, 2]));
  assert.ok(!(a instanceof NDArray));
  assert.ok(isNDArray(a) && other.isNDArray(NDArray.from([1])));
  assert.ok(isNDArray(NDArray.from([1])));
  assert.ok(!isNDArray({ dtype: "<f4", shape: [1], data: new Float32Array(1) }));
  assert.ok(!isNDArray({ dtype: "<f4", shape: [1], data: [1] }));
  assert.ok(!isNDArray(null) && !isNDArray(new Float32Array(1)));
});

Deno.test("semver validation and precedence", () => {
  assert.ok(isSemver("1.0.0") && isSemver("2.0.0-rc.1+build.5"));
  assert.ok(!isSemver("1.0") && !isSemver("01.0.0") && !isSemver("v1.0.0"));
  const sorted = [
    "1.0.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta",
    "0.9.12",
    "1.10.0",
    "1.2.0",
  ]
    .sort(compareSemver);
  assert.deepEqual(sorted, [
    "0.9.12",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta",
    "1.0.0",
    "1.2.0",
    "1.10.0",
  ]);
});
