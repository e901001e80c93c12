/**
 * The manifest role of a schema field: what the manifest builder extracts per sample and how it
 * aggregates it per shard.
 *
 * @module
 */

/** How a queryable field is aggregated in a shard manifest. `exclude` keeps it out. */
export type ManifestRole = "categorical" | "numeric" | "set" | "timestamp" | "exclude";

/** Scalar kind of a manifest column (lists are `set` fields over `str` items). */
export type ManifestValueType = "str" | "int" | "float" | "bool" | "timestamp";

/**
 * One queryable field of a schema, as the manifest builder sees it. Produced by the schema from
 * its field declarations (declared role, or inferred as atdata infers it).
 */
export interface ManifestField {
  /** Field name in the sample (top-level). */
  name: string;
  /** Aggregate kind. Never `exclude` here: excluded fields are not listed. */
  role: Exclude<ManifestRole, "exclude">;
  /**
   * Scalar type of the values (for `set`, the type of the list items; stored as strings in the
   * aggregate). Timestamps are JS `Date` values in samples.
   */
  type: ManifestValueType;
  /** True for `list<...>` fields (role `set`). */
  list: boolean;
  /** True when the field may be null/undefined in a sample. */
  nullable: boolean;
  /**
   * Numeric fields: histogram bucket edges (ascending, length >= 2) fixed by the schema so that
   * shard histograms add up across a dataset. Undefined: the manifest layer uses its
   * dataset-wide default rule.
   */
  buckets?: number[];
}
