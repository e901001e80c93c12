/**
 * {@linkcode ShardError}: the typed error of the shard layer (tar reading, sample grouping and,
 * later, sample decoding), and its code union.
 *
 * @module
 */

/**
 * Codes of {@linkcode ShardError}.
 *
 * Tar layer: `"truncated"`, `"checksum_mismatch"`, `"invalid_header"`, `"member_too_large"`,
 * `"unsafe_path"`, `"invalid_name"`, `"duplicate_extension"`, `"invalid_gzip"`, `"empty_shard"`
 * (0 bytes: no tar at all, as Python's `tarfile` says; an archive of no members has its end
 * blocks).
 * Codec layer: `"schema_mismatch"`, `"unknown_dtype"`, `"decode_failed"`.
 */
export type ShardErrorCode =
  | "truncated"
  | "checksum_mismatch"
  | "invalid_header"
  | "member_too_large"
  | "unsafe_path"
  | "invalid_name"
  | "duplicate_extension"
  | "invalid_gzip"
  | "empty_shard"
  | "schema_mismatch"
  | "unknown_dtype"
  | "decode_failed";

/** Context of a {@linkcode ShardError}. */
export interface ShardErrorOptions {
  /** The shard URL or store key. */
  shard?: string;
  /** The sample key, when known. */
  key?: string;
  /** Byte offset in the (decompressed) shard: the header of the offending member. */
  offset?: number;
  /** The member name, when known. */
  path?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An error reading or writing a shard. Names the shard, the sample key and the byte offset.
 *
 * The message reads `Cannot read shard "<shard>": <detail> at byte <offset>`.
 *
 * @example
 * ```ts
 * import { ShardError } from "./shard_error.ts";
 * const err = new ShardError("checksum_mismatch", "header checksum mismatch", {
 *   shard: "raw/shard-000003.tar",
 *   offset: 1536,
 * });
 * if (err.message !== 'Cannot read shard "raw/shard-000003.tar": header checksum mismatch at byte 1536') {
 *   throw new Error(err.message);
 * }
 * ```
 */
export class ShardError extends Error {
  override readonly name = "ShardError";
  /** What went wrong, as a stable code. */
  readonly code: ShardErrorCode;
  /** The shard URL or key, when known. */
  readonly shard?: string;
  /** The sample key, when known. */
  readonly key?: string;
  /** Byte offset of the offending header, when known. */
  readonly offset?: number;
  /** The member name, when known. */
  readonly path?: string;
  /** The problem without the location prefix and suffix. */
  readonly detail: string;

  constructor(code: ShardErrorCode, detail: string, options: ShardErrorOptions = {}) {
    const where = options.shard === undefined ? "" : ` ${JSON.stringify(options.shard)}`;
    const key = options.key === undefined ? "" : ` in sample ${JSON.stringify(options.key)}`;
    const at = options.offset === undefined ? "" : ` at byte ${options.offset}`;
    super(`Cannot read shard${where}: ${detail}${key}${at}`, { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.shard = options.shard;
    this.key = options.key;
    this.offset = options.offset;
    this.path = options.path;
  }

  /** A copy of this error with more context (used by stages that learn the shard or key later). */
  with(options: ShardErrorOptions): ShardError {
    return new ShardError(this.code, this.detail, {
      shard: options.shard ?? this.shard,
      key: options.key ?? this.key,
      offset: options.offset ?? this.offset,
      path: options.path ?? this.path,
      cause: options.cause ?? this.cause,
    });
  }
}

/** What a streaming stage does with a bad record: throw, skip (and record), or call a function. */
export type OnError = "throw" | "skip" | ((error: ShardError) => void);
