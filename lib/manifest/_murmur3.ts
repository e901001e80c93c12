/**
 * MurmurHash3 x86 32-bit over bytes: the hash of the manifest bloom filters, chosen because
 * every ecosystem has it (Python: `mmh3.hash(data, seed, signed=False)`).
 *
 * @module
 */

/**
 * MurmurHash3_x86_32 of `bytes` with `seed`, as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import { murmur3 } from "./_murmur3.ts";
 * if (murmur3(new TextEncoder().encode("hello"), 0) !== 0x248bfa47) throw new Error("bad hash");
 * ```
 */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = bytes.length;
  const tail = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < tail; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= bytes[tail + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[tail + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[tail]!;
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
