/**
 * The one SHA-256 hex digest of bytes or a string (node:crypto: synchronous, and cheaper than
 * Web Crypto's one-shot digest on small inputs), for manifests, verification and job ids alike.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** SHA-256 of bytes or a UTF-8 string, as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
