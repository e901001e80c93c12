/** Codes of {@linkcode StoreError}. */
export type StoreErrorCode =
  | "not_found"
  | "already_exists"
  | "invalid_key"
  | "invalid_url"
  | "unsupported_scheme"
  | "io";

/** Brand of StoreError instances, shared by every copy of shardline. */
const BRAND: unique symbol = Symbol.for("shardline.StoreError") as never;

/**
 * An error from a {@linkcode Store}: names the store URL and key.
 *
 * @example
 * ```ts
 * import { StoreError } from "./store_error.ts";
 * const err = new StoreError("not_found", "Cannot read \"a/b.tar\": no such object", { key: "a/b.tar" });
 * if (err.code !== "not_found") throw new Error("unreachable");
 * ```
 */
export class StoreError extends Error {
  /**
   * True for a StoreError of any copy of shardline: a job bundle inlines its own copy of the
   * code it uses, and a `task` job's store (the runner's) throws the runner's StoreError.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true;
  }
  override readonly name = "StoreError";
  /** What went wrong, as a stable code. */
  readonly code: StoreErrorCode;
  /** The key involved, when there is one. */
  readonly key?: string;
  /** The store URL involved, when known. */
  readonly url?: string;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { key?: string; url?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.key = options.key;
    this.url = options.url;
  }
}

Object.defineProperty(StoreError.prototype, BRAND, { value: true });
