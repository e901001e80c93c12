/**
 * {@linkcode ColumnArena}: one full-length typed array per column of a merged
 * {@linkcode IndexColumns}, handed out piece by piece as views. Pieces read straight into their
 * place in the result, and the merge (`_index_merge.ts`) adopts the array instead of copying it:
 * the index at a million shards is held once, not twice.
 *
 * @module
 */

/** Full-length arrays by column key; views of them at a piece's offset. */
export class ColumnArena {
  readonly #arrays = new Map<string, Float64Array | Uint8Array>();
  /** `length`: rows of the merged result. */
  constructor(readonly length: number) {}

  /** Rows `[at, at + rows)` of column `key` (doubles), created on first use. */
  doubles(key: string, at: number, rows: number): Float64Array {
    let a = this.#arrays.get(key);
    if (!a) this.#arrays.set(key, a = new Float64Array(this.length));
    if (!(a instanceof Float64Array)) throw new TypeError(`Column "${key}" is not doubles`);
    return a.subarray(at, at + rows);
  }

  /** True when `buffer` is one of this arena's full-length arrays. */
  owns(buffer: ArrayBufferLike): boolean {
    for (const a of this.#arrays.values()) if (a.buffer === buffer) return true;
    return false;
  }

  /** Rows `[at, at + rows)` of column `key` (bytes), created on first use. */
  bytes(key: string, at: number, rows: number): Uint8Array {
    let a = this.#arrays.get(key);
    if (!a) this.#arrays.set(key, a = new Uint8Array(this.length));
    if (!(a instanceof Uint8Array)) throw new TypeError(`Column "${key}" is not bytes`);
    return a.subarray(at, at + rows);
  }
}

/** Where a piece's columns go: an arena and the piece's first row in it. */
export interface ArenaSlot {
  arena: ColumnArena;
  at: number;
}

/**
 * Allocators for a piece of `n` rows: views into `slot`'s arena when given, else new arrays.
 * Keys name a column uniquely (a field's stats are keyed by field, role and stat).
 */
export function allocators(n: number, slot?: ArenaSlot): {
  f64(key: string): Float64Array;
  u8(key: string): Uint8Array;
} {
  if (!slot) return { f64: () => new Float64Array(n), u8: () => new Uint8Array(n) };
  return {
    f64: (key) => slot.arena.doubles(key, slot.at, n),
    u8: (key) => slot.arena.bytes(key, slot.at, n),
  };
}
