/**
 * The one SHA-256 hex digest of bytes or a string (node:crypto: ~3x Web Crypto's one-shot
 * digest here, and synchronous), for manifests, verification and job ids alike.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** SHA-256 of bytes or a UTF-8 string, as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
