/**
 * atdata's compact ndarray bytes, the bin value of `NDArray` fields in `.msgpack` samples:
 * `u8 dtype_len | dtype (numpy dtype.str) | u8 ndim | int64 LE shape[ndim] | raw C-order data`.
 * Readers also accept the `.npy` bytes older atdata versions wrote.
 *
 * @module
 */
import { NDArray } from "../../schema/nd_array.ts";
import { ShardError } from "../shard_error.ts";
import { decodeNpy, isNpy } from "./npy.ts";

/**
 * Encodes an array in atdata's compact layout.
 *
 * @example
 * ```ts
 * import { NDArray } from "../../schema/nd_array.ts";
 * import { decodeNdarrayBytes, encodeNdarrayBytes } from "./ndarray_bytes.ts";
 * const a = NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] });
 * const bytes = encodeNdarrayBytes(a); // 03 "<f4" 02 shape... data
 * if (bytes.length !== 1 + 3 + 1 + 16 + 16) throw new Error();
 * if (decodeNdarrayBytes(bytes).data[3] !== 3) throw new Error();
 * ```
 */
export function encodeNdarrayBytes(array: NDArray): Uint8Array {
  const dtype = array.dtype;
  const ndim = array.shape.length;
  const data = array.bytes();
  const head = 1 + dtype.length + 1 + 8 * ndim;
  const out = new Uint8Array(head + data.length);
  const view = new DataView(out.buffer);
  out[0] = dtype.length;
  for (let i = 0; i < dtype.length; i++) out[1 + i] = dtype.charCodeAt(i);
  out[1 + dtype.length] = ndim;
  array.shape.forEach((d, i) => view.setBigInt64(2 + dtype.length + 8 * i, BigInt(d), true));
  out.set(data, head);
  return out;
}

function fail(detail: string): never {
  throw new ShardError("decode_failed", `invalid ndarray bytes: ${detail}`);
}

/**
 * Decodes atdata's compact ndarray bytes, or `.npy` bytes (they start with `\x93NUMPY`).
 * Throws {@linkcode ShardError} `"decode_failed"` for malformed bytes and `SchemaError`
 * `"unknown_dtype"` for a dtype shardline lacks.
 */
export function decodeNdarrayBytes(bytes: Uint8Array): NDArray {
  if (isNpy(bytes)) return decodeNpy(bytes);
  if (bytes.length < 2) fail(`${bytes.length} bytes`);
  const dtypeLen = bytes[0]!;
  if (bytes.length < 2 + dtypeLen) fail("truncated dtype");
  const dtype = String.fromCharCode(...bytes.subarray(1, 1 + dtypeLen));
  const ndim = bytes[1 + dtypeLen]!;
  const head = 2 + dtypeLen + 8 * ndim;
  if (bytes.length < head) fail(`truncated shape (ndim ${ndim})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = view.getBigInt64(2 + dtypeLen + 8 * i, true);
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER)) fail(`bad dimension ${d}`);
    shape.push(Number(d));
  }
  try {
    return NDArray.fromBytes(dtype, shape, bytes.subarray(head));
  } catch (err) {
    if (err instanceof RangeError) fail(err.message);
    throw err;
  }
}
