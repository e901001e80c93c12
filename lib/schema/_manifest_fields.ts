/**
 * Derives a schema's {@linkcode ManifestField}s from its field declarations: the declared role,
 * or the role atdata infers. Private to the schema area.
 *
 * @module
 */
import type { Field, FieldKind } from "./field.ts";
import type { ManifestField, ManifestRole, ManifestValueType } from "./manifest_field.ts";

const INFERRED: Record<Exclude<FieldKind, "optional">, ManifestRole> = {
  str: "categorical",
  bool: "categorical",
  int: "numeric",
  float: "numeric",
  list: "set",
  timestamp: "timestamp",
  bytes: "exclude",
  ndarray: "exclude",
};

/** The manifest value type of each scalar field kind (kinds absent here are not scalars). */
export const SCALAR: Partial<Record<FieldKind, ManifestValueType>> = {
  str: "str",
  int: "int",
  float: "float",
  bool: "bool",
  timestamp: "timestamp",
};

/** The field's manifest role: declared, else inferred (optional fields keep the inner role). */
export function roleOf(field: Field): ManifestRole {
  if (field.manifest) return field.manifest;
  if (field.kind === "optional") return roleOf(field.inner!);
  const role = INFERRED[field.kind];
  // A list of non-scalars (list<bytes>, list<list<...>>) has nothing to aggregate.
  let item = field.item;
  while (item?.kind === "optional") item = item.inner;
  if (role === "set" && !SCALAR[item!.kind]) return "exclude";
  return role;
}

/** The manifest fields of a schema, in field declaration order, excluded fields left out. */
export function manifestFieldsOf(fields: Record<string, Field>): ManifestField[] {
  const out: ManifestField[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const role = roleOf(field);
    if (role === "exclude") continue;
    let base = field;
    while (base.kind === "optional") base = base.inner!;
    const list = base.kind === "list";
    let scalar = list ? base.item! : base;
    while (scalar.kind === "optional") scalar = scalar.inner!;
    const type = SCALAR[scalar.kind];
    if (!type) continue;
    const buckets = field.buckets ?? (field.kind === "optional" ? field.inner!.buckets : undefined);
    out.push({
      name,
      role,
      type,
      list,
      nullable: field.kind === "optional",
      ...(buckets && { buckets: [...buckets] }),
    });
  }
  return out;
}
