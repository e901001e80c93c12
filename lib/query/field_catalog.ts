/**
 * {@linkcode FieldCatalog}: the fields a `where`, `select` or `orderBy` may name, with their
 * types, gathered from the dataset's manifest headers (every schema version present), plus the
 * per-sample columns every manifest has (`__key__`, `__offset__`, `__size__`).
 *
 * @module
 */
import type { ManifestHeader } from "../manifest/mod.ts";
import type { ManifestValueType } from "../schema/mod.ts";

/** One queryable field. */
export interface FieldInfo {
  name: string;
  /** Scalar type (for lists, of the items). */
  type: ManifestValueType;
  /** A list field (`set` role): `list_contains` / `has` and `IS NULL` apply. */
  list: boolean;
  /** Manifest role; `"meta"` for `__key__`, `__offset__`, `__size__`. */
  role: "categorical" | "numeric" | "set" | "timestamp" | "meta";
}

/** Queryable fields by name. */
export type FieldCatalog = Map<string, FieldInfo>;

/** The per-sample columns of every manifest. */
export const META_FIELDS: readonly FieldInfo[] = [
  { name: "__key__", type: "str", list: false, role: "meta" },
  { name: "__offset__", type: "int", list: false, role: "meta" },
  { name: "__size__", type: "int", list: false, role: "meta" },
];

const byRole: Record<string, Omit<FieldInfo, "name">> = {
  categorical: { type: "str", list: false, role: "categorical" },
  numeric: { type: "float", list: false, role: "numeric" },
  set: { type: "str", list: true, role: "set" },
  timestamp: { type: "timestamp", list: false, role: "timestamp" },
};

/**
 * The catalog of a dataset from its headers: each header's `fields` (the schema it was written
 * with; later headers win on a conflict), else the roles of its aggregates (atdata's headers).
 *
 * @example
 * ```ts
 * import { fieldCatalog } from "./field_catalog.ts";
 * import { parseManifestHeader } from "../manifest/mod.ts";
 * const header = parseManifestHeader({ num_samples: 0, fields: [
 *   { name: "label", role: "categorical", type: "str", list: false, nullable: false }],
 *   aggregates: {} });
 * const catalog = fieldCatalog([header]);
 * if (catalog.get("label")?.type !== "str" || !catalog.has("__key__")) throw new Error();
 * ```
 */
export function fieldCatalog(headers: Iterable<ManifestHeader>): FieldCatalog {
  const out: FieldCatalog = new Map(META_FIELDS.map((f) => [f.name, f]));
  const seen = new Set<string>();
  for (const h of headers) {
    // Headers of one schema version list the same fields: look at each version once.
    const version = `${h.schema_type}@${h.schema_version}:${h.fields ? "f" : "a"}`;
    if (seen.has(version)) continue;
    seen.add(version);
    if (h.fields) {
      for (const f of h.fields) {
        out.set(f.name, { name: f.name, type: f.type, list: f.list, role: f.role });
      }
    } else {
      for (const [name, agg] of Object.entries(h.aggregates)) {
        const info = byRole[agg.type];
        if (info && !out.has(name)) out.set(name, { name, ...info });
      }
    }
  }
  return out;
}

/** The catalog name closest to `name` (edit distance, at most half its length), if any. */
export function closestField(name: string, catalog: FieldCatalog): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(name.length / 2)) + 1;
  for (const candidate of catalog.keys()) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}
