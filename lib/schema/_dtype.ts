/**
 * The numpy dtypes shardline understands, by numpy name (`"float32"`) and by `dtype.str`
 * (`"<f4"`). Private: {@linkcode NDArray} and the field builders use it.
 *
 * @module
 */
import { SchemaError } from "./schema_error.ts";

/** A typed array holding ndarray elements (always in the platform's little-endian order). */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float16Array
  | Float32Array
  | Float64Array;

/** A constructor of one {@linkcode TypedArray} kind. */
export interface TypedArrayConstructor {
  new (length: number): TypedArray;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** One known dtype. */
export interface DtypeInfo {
  /** numpy `dtype.str` in little-endian form: `"<f4"`, `"|u1"`, `"|b1"`. */
  str: string;
  /** numpy name: `"float32"`, `"uint8"`, `"bool"`. */
  name: string;
  /** Bytes per element. */
  itemsize: number;
  /** The typed array holding the elements. */
  array: TypedArrayConstructor;
}

const TABLE: [string, string, TypedArrayConstructor][] = [
  ["bool", "|b1", Uint8Array],
  ["int8", "|i1", Int8Array],
  ["uint8", "|u1", Uint8Array],
  ["int16", "<i2", Int16Array],
  ["uint16", "<u2", Uint16Array],
  ["int32", "<i4", Int32Array],
  ["uint32", "<u4", Uint32Array],
  ["int64", "<i8", BigInt64Array],
  ["uint64", "<u8", BigUint64Array],
  ["float16", "<f2", Float16Array],
  ["float32", "<f4", Float32Array],
  ["float64", "<f8", Float64Array],
];

const BY_NAME = new Map<string, DtypeInfo>();
const BY_CODE = new Map<string, DtypeInfo>(); // "f4", "b1", ...
for (const [name, str, array] of TABLE) {
  const info: DtypeInfo = { str, name, itemsize: array.BYTES_PER_ELEMENT, array };
  BY_NAME.set(name, info);
  BY_CODE.set(str.slice(1), info);
}
const ALIASES: Record<string, string> = {
  bool_: "bool",
  "?": "bool",
  byte: "int8",
  ubyte: "uint8",
  short: "int16",
  ushort: "uint16",
  intc: "int32",
  uintc: "uint32",
  int: "int64",
  uint: "uint64",
  longlong: "int64",
  ulonglong: "uint64",
  half: "float16",
  single: "float32",
  float: "float64",
  double: "float64",
};

/** A parsed dtype: the element type plus the byte order of the bytes it describes. */
export interface ParsedDtype {
  info: DtypeInfo;
  /** True for `">..."` dtypes of more than one byte: the bytes need swapping. */
  bigEndian: boolean;
}

/**
 * Parses a numpy dtype name (`"float32"`) or `dtype.str` (`"<f4"`, `">i8"`, `"|u1"`, `"f4"`).
 * Throws a {@linkcode SchemaError} with code `"unknown_dtype"` for anything else.
 */
export function parseDtype(dtype: string): ParsedDtype {
  const named = BY_NAME.get(dtype) ?? BY_NAME.get(ALIASES[dtype] ?? "");
  if (named) return { info: named, bigEndian: false };
  const m = /^([<>|=]?)([biuf]\d{1,2})$/.exec(dtype);
  const info = m ? BY_CODE.get(m[2]!) : undefined;
  if (!m || !info) {
    throw new SchemaError(
      "unknown_dtype",
      `Unknown dtype "${dtype}": expected one of ${TABLE.map(([n]) => n).join(", ")} ` +
        `or their numpy dtype.str forms ("<f4", "|u1", ...)`,
    );
  }
  return { info, bigEndian: m[1] === ">" && info.itemsize > 1 };
}

/** The dtype info of a name or `dtype.str`, in little-endian form. Throws `"unknown_dtype"`. */
export function dtypeInfo(dtype: string): DtypeInfo {
  return parseDtype(dtype).info;
}

/** The dtype whose typed array kind is that of `data` (`Uint8Array` gives `"|u1"`). */
export function dtypeOfArray(data: TypedArray): DtypeInfo | undefined {
  for (const [name, , array] of TABLE) {
    if (name !== "bool" && data instanceof array) return BY_NAME.get(name);
  }
  return undefined;
}

/** Swaps the byte order of each `itemsize`-byte element of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, itemsize: number): void {
  for (let i = 0; i + itemsize <= bytes.length; i += itemsize) {
    for (let a = i, b = i + itemsize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
