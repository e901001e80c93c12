/**
 * numpy's `.npy` format (versions 1.0 to 3.0): {@linkcode encodeNpy} writes what `numpy.save`
 * writes, byte for byte; {@linkcode decodeNpy} reads C- and Fortran-order arrays of the dtypes
 * {@linkcode NDArray} knows, either byte order.
 *
 * @module
 */
import { isNDArray, NDArray } from "../../schema/nd_array.ts";
import type { Codec } from "./codec.ts";
import { ShardError } from "../shard_error.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when `bytes` starts with the `.npy` magic `\x93NUMPY`. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

function shapeRepr(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * Encodes an array as `.npy` bytes, exactly as `numpy.save` does (format 1.0, header padded to
 * a multiple of 64 bytes; 2.0 when the header needs more than 65535 bytes).
 *
 * @example
 * ```ts
 * import { isNDArray, NDArray } from "../../schema/nd_array.ts";
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const a = NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] });
 * const npy = encodeNpy(a);
 * if (npy.length !== 128 + 16 || decodeNpy(npy).shape.join() !== "2,2") throw new Error();
 * ```
 */
export function encodeNpy(array: NDArray): Uint8Array {
  // Like numpy: room for the first dimension to grow to 21 digits, then 1 to 64 spaces (64
  // when already aligned) and a newline up to the next multiple of 64.
  const dict =
    `{'descr': '${array.dtype}', 'fortran_order': False, 'shape': ${shapeRepr(array.shape)}, }` +
    " ".repeat(array.shape.length ? 21 - String(array.shape[0]).length : 0);
  const aligned = (prefix: number) => {
    const n = prefix + dict.length + 1;
    return n + 64 - (n % 64);
  };
  let prefix = 10;
  let total = aligned(prefix);
  if (total - prefix > 0xffff) {
    prefix = 12;
    total = aligned(prefix);
  }
  const data = array.bytes();
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC);
  out[6] = prefix === 10 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, total - prefix, true);
  else view.setUint32(8, total - prefix, true);
  const header = dict + " ".repeat(total - prefix - dict.length - 1) + "\n";
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(data, total);
  return out;
}

function fail(detail: string): never {
  throw new ShardError("decode_failed", `invalid .npy data: ${detail}`);
}

/**
 * Decodes `.npy` bytes. Throws a {@linkcode ShardError} `"decode_failed"` for malformed data
 * and a `SchemaError` `"unknown_dtype"` for dtypes shardline lacks (`"<U10"`, `"O"`, ...).
 */
export function decodeNpy(bytes: Uint8Array): NDArray {
  if (!isNpy(bytes) || bytes.length < 10) fail("no \\x93NUMPY magic");
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (major < 1 || major > 3 || bytes.length < prefix) fail(`unsupported version ${major}`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < prefix + headerLen) fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1")
    .decode(bytes.subarray(prefix, prefix + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(`cannot parse header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  let array: NDArray;
  try {
    array = NDArray.fromBytes(descr, shape, bytes.subarray(prefix + headerLen));
  } catch (err) {
    if (err instanceof RangeError) fail(err.message);
    throw err;
  }
  return fortran === "True" ? fortranToC(array) : array;
}

/** Reorders a Fortran-order array's elements into C order. */
function fortranToC(a: NDArray): NDArray {
  const n = a.shape.length;
  if (n < 2) return a;
  const src = a.data as unknown as ArrayLike<number | bigint>;
  const out = new (a.data.constructor as new (n: number) => typeof a.data)(a.size);
  const dst = out as unknown as (number | bigint)[];
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < a.size; c++) {
    let f = 0;
    for (let d = n - 1; d >= 0; d--) f = f * a.shape[d]! + idx[d]!;
    dst[c] = src[f]!;
    for (let d = n - 1; d >= 0; d--) { // next C-order index
      if (++idx[d]! < a.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new NDArray(a.dtype, a.shape, out);
}

/**
 * The `npy` member codec: an ndarray field as numpy `.npy` bytes.
 *
 * @example
 * ```ts
 * import { f } from "../../schema/field.ts";
 * import { isNDArray, NDArray } from "../../schema/nd_array.ts";
 * import { npyCodec } from "./npy.ts";
 * const field = f.ndarray({ dtype: "uint8" });
 * const back = npyCodec.decode(npyCodec.encode(NDArray.from([1, 2], { dtype: "uint8" }), field), field);
 * if ((back as NDArray).data[1] !== 2) throw new Error();
 * ```
 */
export const npyCodec: Codec = {
  encode: (value) => {
    if (!isNDArray(value)) throw new TypeError("Cannot write .npy: the value is not an ndarray");
    return encodeNpy(value);
  },
  decode: (bytes) => decodeNpy(bytes),
};
