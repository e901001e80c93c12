/**
 * The categorical values a predicate tests: per field, the literals it is compared to with
 * `=`, `<>` or `IN`, and `true` for a field used as a condition (`WHERE flag`, which pruning
 * tests as `flag = true`), keyed as the aggregates store values ({@linkcode categoricalKey}).
 * Pruning reads only these values' counts from the index (`readIndexColumns`' `values`), which
 * is what its categorical rule looks up; a wide field (a camera id among hundreds) then costs a
 * column per value tested, not one per value stored.
 *
 * @module
 */
import type { Literal, Operand, Predicate } from "./predicate.ts";

/** A categorical value's key as the aggregates store it (`true` -> `"true"`, dates ISO). */
export function categoricalKey(lit: Exclude<Literal, { type: "null" }>): string {
  if (lit.type === "time") return new Date(lit.value).toISOString();
  if (lit.type === "num" && lit.big !== undefined) return lit.big.toString();
  return String(lit.value);
}

/**
 * Per field, the keys of the literals `p` compares it to (`=`, `<>`, `IN`; a field as a condition
 * is compared to `true`): every value the pruning rule of `prune_shards.ts` looks up.
 */
export function comparedValues(
  p: Predicate,
  out = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const add = (a: Operand, b: Operand) => {
    if (a.kind !== "field" || b.kind !== "lit" || b.lit.type === "null") return;
    let keys = out.get(a.name);
    if (!keys) out.set(a.name, keys = new Set());
    keys.add(categoricalKey(b.lit));
  };
  switch (p.op) {
    case "and":
    case "or":
      for (const a of p.args) comparedValues(a, out);
      break;
    case "not":
      comparedValues(p.arg, out);
      break;
    case "cmp":
      add(p.left, p.right), add(p.right, p.left);
      break;
    case "in":
      for (const item of p.list) add(p.arg, item);
      break;
    case "value":
      add(p.arg, { kind: "lit", lit: { type: "bool", value: true } });
      break;
  }
  return out;
}

/** True when every key of `need` is among `have`'s for its field. */
export function valuesCovered(
  need: ReadonlyMap<string, ReadonlySet<string>>,
  have: Readonly<Record<string, readonly string[]>>,
): boolean {
  for (const [field, keys] of need) {
    const got = have[field];
    if (got && [...keys].some((k) => !got.includes(k))) return false;
  }
  return true;
}
