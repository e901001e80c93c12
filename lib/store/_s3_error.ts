/**
 * Maps AWS SDK failures to {@linkcode StoreError}s without leaking credentials.
 *
 * @module
 */
import { StoreError } from "./store_error.ts";

/** What the SDK puts on a service error (or on anything else thrown through `send`). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status and error name of an SDK failure. */
export function sdkStatus(err: unknown): { status?: number; name: string } {
  const e = (err ?? {}) as SdkErrorShape;
  return { status: e.$metadata?.httpStatusCode, name: e.Code ?? e.name ?? "Error" };
}

/** Whether the SDK failure says the object does not exist (not that the bucket is missing). */
export function isNotFound(err: unknown): boolean {
  const { status, name } = sdkStatus(err);
  if (name === "NoSuchBucket") return false;
  return name === "NoSuchKey" || name === "NotFound" || status === 404;
}

/** Whether a conditional write was refused because the object exists (HTTP 412). */
export function isPreconditionFailed(err: unknown): boolean {
  const { status, name } = sdkStatus(err);
  return status === 412 || name === "PreconditionFailed";
}

/** Whether the range started at or past the object's end (HTTP 416). */
export function isInvalidRange(err: unknown): boolean {
  const { status, name } = sdkStatus(err);
  return status === 416 || name === "InvalidRange";
}

/**
 * Whether reading a response body failed because the connection dropped mid-body (reset, broken
 * pipe, timeout; node's http client says "aborted"): the SDK's own retries end once the headers
 * arrived, so a whole read is worth trying again.
 */
export function isDroppedConnection(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && DROPPED.includes(e.code)) return true;
  return e.message === "aborted" || (e.cause !== undefined && isDroppedConnection(e.cause));
}

const DROPPED = ["ECONNRESET", "EPIPE", "ETIMEDOUT"];

/**
 * A `StoreError` for a failed operation `op` ("read", "write", ...) on `key` in the store `url`.
 * The message carries the SDK's error name, HTTP status and message, which never hold secrets;
 * the request (with its signed headers) is not kept.
 */
export function s3Error(op: string, key: string, url: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (isNotFound(err)) {
    return new StoreError("not_found", `Cannot ${op} "${key}" in ${url}: no such object`, {
      key,
      url,
      cause: err,
    });
  }
  if (op === "create" && isPreconditionFailed(err)) {
    return new StoreError(
      "already_exists",
      `Cannot create "${key}" in ${url}: the object already exists`,
      { key, url, cause: err },
    );
  }
  const { status, name } = sdkStatus(err);
  const message = (err as SdkErrorShape)?.message;
  const detail = [name, status ? `HTTP ${status}` : "", message && message !== name ? message : ""]
    .filter(Boolean).join(", ");
  return new StoreError("io", `Cannot ${op} "${key}" in ${url}: ${detail}`, {
    key,
    url,
    cause: err,
  });
}

/** Rejects every request of a client opened without credentials, instead of probing the host. */
export function missingCredentials(url: string): () => Promise<never> {
  return () =>
    Promise.reject(
      new StoreError(
        "io",
        `No credentials for ${url}: pass options.s3.credentials (accessKeyId, secretAccessKey)`,
        { url },
      ),
    );
}
