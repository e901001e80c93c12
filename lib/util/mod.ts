/**
 * Small helpers shared by every area: {@linkcode sha256Hex}, {@linkcode canonicalJson} (equal
 * values hash equally), {@linkcode toBase64} / {@linkcode fromBase64}, {@linkcode mapLimit}
 * (bounded concurrency), {@linkcode privateDir} (owner-only folders), {@linkcode processGone}
 * (whether a recorded process of this host is gone, pid reuse included), the typed-array growers
 * ({@linkcode growF64}, ...), and {@linkcode ArgumentError} with the front-door checks
 * {@linkcode checkStore} and {@linkcode checkName}.
 *
 * @example
 * ```ts
 * import { canonicalJson, sha256Hex } from "./mod.ts";
 *
 * const a = sha256Hex(canonicalJson({ b: 1, a: [2, 3] }));
 * const b = sha256Hex(canonicalJson({ a: [2, 3], b: 1 }));
 * if (a !== b || a.length !== 64) throw new Error("not canonical");
 * ```
 *
 * @module
 */
export { fromBase64, toBase64 } from "./base64.ts";
export { canonicalJson } from "./canonical_json.ts";
export { growF64, growI32, growU8 } from "./grow_array.ts";
export { mapLimit } from "./map_limit.ts";
export { privateDir } from "./private_dir.ts";
export {
  processGone,
  type ProcessIds,
  processIds,
  type ProcessRecord,
} from "./process_identity.ts";
export { sha256Hex } from "./sha256.ts";
export { ArgumentError, checkName, checkStore } from "./argument_error.ts";
