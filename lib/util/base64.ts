/**
 * Base64 of bytes and back (standard alphabet, padded), by `btoa`/`atob`: decoding rejects text
 * that is not base64.
 *
 * @module
 */

/** The base64 text of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: spreading a large array into one call overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of base64 `text`; throws a `DOMException` when it is not base64. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
