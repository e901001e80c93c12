/**
 * {@linkcode ManifestError}: what the manifest layer throws, with a stable code and the shard.
 *
 * @module
 */

/** Codes of {@linkcode ManifestError}. */
export type ManifestErrorCode =
  /** The shard has no `.manifest.json` (it is not committed). */
  | "not_found"
  /** A `.manifest.json` or `.manifest.parquet` could not be parsed. */
  | "invalid_manifest"
  /** A different manifest already commits this shard. */
  | "already_committed"
  /** The `.manifest.parquet` named by a committed header is missing. */
  | "missing_parquet"
  /** An aggregate role has no registered implementation. */
  | "unknown_aggregate"
  /** Samples were fed for a shard after it was committed, or in the wrong order. */
  | "invalid_state"
  /**
   * A dataset's index could not be read: objects its generation names kept missing (a damaged
   * index: `index rebuild` rewrites it from the manifests) or it kept changing.
   */
  | "index_unreadable";

/**
 * An error from the manifest layer. Messages name the shard and what failed:
 * `Cannot read manifest of "ds/shard-000003.tar": ...`.
 *
 * @example
 * ```ts
 * import { ManifestError } from "./manifest_error.ts";
 * const err = new ManifestError("not_found", "No manifest for \"ds/a.tar\"", { shard: "ds/a.tar" });
 * if (err.code !== "not_found" || err.shard !== "ds/a.tar") throw new Error("unreachable");
 * ```
 */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
  /** What went wrong, as a stable code. */
  readonly code: ManifestErrorCode;
  /** The shard key (`ds/shard-000003.tar`) involved, when there is one. */
  readonly shard?: string;
  /** The store key of the manifest object involved, when there is one. */
  readonly path?: string;

  constructor(
    code: ManifestErrorCode,
    message: string,
    options: { shard?: string; path?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.shard = options.shard;
    this.path = options.path;
  }
}
