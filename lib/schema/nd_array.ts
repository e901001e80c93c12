/**
 * {@linkcode NDArray}: an n-dimensional array as numpy describes it (dtype, shape, C-order data),
 * the value of `f.ndarray()` fields.
 *
 * @module
 */
import { type DisplayBundle, JUPYTER_DISPLAY, renderDisplay } from "../display/mod.ts";
import {
  dtypeInfo,
  dtypeOfArray,
  parseDtype,
  swapBytes,
  type TypedArray,
  type TypedArrayConstructor,
} from "./_dtype.ts";

export type { TypedArray, TypedArrayConstructor };

/** Options for {@linkcode NDArray.from}. */
export interface NDArrayFromOptions {
  /**
   * Shape of the array; the product must equal the number of elements.
   * @default [data.length]
   */
  shape?: number[];
  /**
   * dtype, as numpy name (`"float32"`) or `dtype.str` (`"<f4"`). Required for plain number
   * arrays unless float64 is meant; for typed arrays it defaults to the array's own kind.
   * @default the typed array's dtype, or "<f8" for number[]
   */
  dtype?: string;
}

/**
 * Brand on {@linkcode NDArray} instances, shared by every copy of shardline: job bundles inline
 * their own copy, so an array made by a job's `NDArray` is not an `instanceof` the runtime's.
 */
const NDARRAY_BRAND: unique symbol = Symbol.for("shardline.ndarray") as never;

/**
 * An n-dimensional array: numpy `dtype.str` (`"<f4"`), shape, and the elements in C order in a
 * typed array of the matching kind (`Float32Array` for `"<f4"`, `BigInt64Array` for `"<i8"`,
 * `Uint8Array` for `"|b1"` and `"|u1"`).
 *
 * @example
 * ```ts
 * import { NDArray } from "./nd_array.ts";
 * const a = NDArray.from(new Float32Array([0, 1, 2, 3]), { shape: [2, 2] });
 * if (a.dtype !== "<f4" || a.ndim !== 2 || a.size !== 4) throw new Error("unexpected");
 * const b = NDArray.from([1, 2, 3], { dtype: "int32" });
 * if (!(b.data instanceof Int32Array)) throw new Error("unexpected");
 * ```
 */
export class NDArray<T extends TypedArray = TypedArray> {
  /** numpy `dtype.str`, little-endian form: `"<f4"`, `"|u1"`, `"<i8"`, `"|b1"`. */
  readonly dtype: string;
  /** Length of each dimension; `[]` for a 0-d (scalar) array. */
  readonly shape: number[];
  /** The elements, C order. */
  readonly data: T;

  /**
   * Wraps a typed array. Throws {@linkcode SchemaError} `"unknown_dtype"` for an unknown dtype,
   * `RangeError` when the shape does not fit the data, `TypeError` when the typed array kind
   * does not match the dtype.
   */
  constructor(dtype: string, shape: number[], data: T) {
    const info = dtypeInfo(dtype);
    if (!(data instanceof info.array)) {
      throw new TypeError(
        `Cannot make an ndarray of dtype "${info.str}" from a ${data.constructor.name}: ` +
          `expected a ${info.array.name}`,
      );
    }
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new RangeError(`Invalid ndarray shape [${shape}]: dimensions must be integers >= 0`);
      }
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new RangeError(
        `Cannot shape ${data.length} elements as [${shape}] (${size} elements)`,
      );
    }
    this.dtype = info.str;
    this.shape = [...shape];
    this.data = data;
  }

  /** Jupyter rendering: dtype, shape and a preview of the values (see `lib/notebook/`). */
  [JUPYTER_DISPLAY](): Promise<DisplayBundle> {
    return renderDisplay("ndarray", this);
  }

  /** Builds an array from a typed array or plain numbers (copied into the dtype's typed array). */
  static from(
    data: TypedArray | ArrayLike<number> | ArrayLike<bigint>,
    options: NDArrayFromOptions = {},
  ): NDArray {
    const typed = isTypedArray(data) ? data : undefined;
    const info = options.dtype
      ? dtypeInfo(options.dtype)
      : typed
      ? dtypeOfArray(typed)!
      : dtypeInfo("<f8");
    let arr: TypedArray;
    if (typed && typed instanceof info.array) arr = typed;
    else {
      arr = new info.array(data.length);
      const big = arr instanceof BigInt64Array || arr instanceof BigUint64Array;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        (arr as unknown as (number | bigint)[])[i] = big ? BigInt(v) : Number(v);
      }
    }
    return new NDArray(info.str, options.shape ?? [arr.length], arr);
  }

  /**
   * Builds an array from raw element bytes (C order) of a dtype, copying them into an aligned
   * typed array; big-endian dtypes (`">f4"`) are swapped to little-endian.
   */
  static fromBytes(dtype: string, shape: number[], bytes: Uint8Array): NDArray {
    const { info, bigEndian } = parseDtype(dtype);
    const size = shape.reduce((a, b) => a * b, 1);
    if (bytes.length !== size * info.itemsize) {
      throw new RangeError(
        `Cannot read ndarray "${info.str}" [${shape}]: expected ${size * info.itemsize} data ` +
          `bytes, got ${bytes.length}`,
      );
    }
    const buf = new ArrayBuffer(bytes.length);
    const copy = new Uint8Array(buf);
    copy.set(bytes);
    if (bigEndian) swapBytes(copy, info.itemsize);
    return new NDArray(info.str, shape, new info.array(buf, 0, size));
  }

  /** Marks instances of this and every other copy of the class (see {@linkcode isNDArray}). */
  get [NDARRAY_BRAND](): true {
    return true;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The raw little-endian element bytes (a view, not a copy). */
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** A JSON-friendly form: `{ dtype, shape, data }` with numbers (bigints as decimal strings). */
  toJSON(): { dtype: string; shape: number[]; data: (number | string | boolean)[] } {
    const out: (number | string | boolean)[] = [];
    const isBool = this.dtype === "|b1";
    for (const v of this.data) {
      out.push(typeof v === "bigint" ? jsonBigint(v) : isBool ? v !== 0 : v);
    }
    return { dtype: this.dtype, shape: [...this.shape], data: out };
  }
}

function jsonBigint(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

/** True for any typed array (not a DataView). */
export function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/**
 * True for {@linkcode NDArray} instances, including those of another copy of shardline (a job
 * bundle's). Plain `{ dtype, shape, data }` objects are not ndarrays: `NDArray.from(data,
 * { dtype, shape })` checks and makes one.
 *
 * @example
 * ```ts
 * import { isNDArray, NDArray } from "./nd_array.ts";
 * const data = new Float32Array([1, 2]);
 * if (!isNDArray(NDArray.from(data))) throw new Error();
 * if (isNDArray({ dtype: "<f4", shape: [2], data })) throw new Error();
 * ```
 */
export function isNDArray(x: unknown): x is NDArray {
  return x instanceof NDArray ||
    (typeof x === "object" && x !== null &&
      (x as { [NDARRAY_BRAND]?: unknown })[NDARRAY_BRAND] === true);
}
