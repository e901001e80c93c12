/**
 * Bearer-token check in constant time: both sides are hashed to 32 bytes first, so neither the
 * token's length nor the position of the first differing byte shows in the timing.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** A check of `Authorization: Bearer <token>` headers against one token. */
export function bearerCheck(token: string): (header: string | null) => boolean {
  const want = digest(token);
  return (header) => {
    const match = /^Bearer ([^\s]+)$/i.exec(header ?? "");
    // A missing header is compared too (against a value that cannot match).
    const got = digest(match?.[1] ?? "\0missing");
    return timingSafeEqual(got, want) && match !== null;
  };
}

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}
