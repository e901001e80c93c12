/**
 * Growing typed arrays: a copy at least `need` long (twice the length when that is more).
 *
 * @module
 */

// One grow function per array type: a shared generic one is megamorphic, and slower.
export function growF64(a: Float64Array, need: number): Float64Array {
  const next = new Float64Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

export function growI32(a: Int32Array, need: number): Int32Array {
  const next = new Int32Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

export function growU8(a: Uint8Array, need: number): Uint8Array {
  const next = new Uint8Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}
