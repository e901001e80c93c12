/**
 * {@linkcode checkCompatibility}: can one schema version read samples written under another?
 *
 * @module
 */
import type { Schema } from "./define_schema.ts";
import type { Field } from "./field.ts";
import { describeField } from "./_issues.ts";
import type { SchemaIssue } from "./schema_error.ts";

/** Result of {@linkcode checkCompatibility}. */
export type CompatibilityResult = { ok: true } | { ok: false; issues: SchemaIssue[] };

function base(field: Field): Field {
  while (field.kind === "optional") field = field.inner!;
  return field;
}

function sameType(reader: Field, writer: Field): boolean {
  const r = base(reader), w = base(writer);
  if (r.kind !== w.kind) return false;
  if (r.kind === "list") return sameType(r.item!, w.item!);
  if (r.kind === "ndarray") return r.dtype === undefined || r.dtype === w.dtype;
  return true;
}

/**
 * Checks that `reader` decodes every sample written under `writer`: each reader field is either
 * in the writer with the same type (a required reader field needs a required writer field), or
 * optional (an added optional field decodes as `null`). Writer fields the reader lacks are
 * dropped. Layouts, and in the `"files"` layout the member extensions, must agree.
 *
 * @example
 * ```ts
 * import { defineSchema } from "./define_schema.ts";
 * import { f } from "./field.ts";
 * import { checkCompatibility } from "./check_compatibility.ts";
 * const v1 = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str() } });
 * const v2 = defineSchema({
 *   name: "S",
 *   version: "1.1.0",
 *   fields: { label: f.str(), score: f.optional(f.float()) },
 * });
 * if (!checkCompatibility(v2, v1).ok) throw new Error("v2 reads v1 samples");
 * if (checkCompatibility(v1, defineSchema({ ...v1, fields: { label: f.int() } })).ok) {
 *   throw new Error("str cannot read int");
 * }
 * ```
 */
export function checkCompatibility(reader: Schema, writer: Schema): CompatibilityResult {
  const issues: SchemaIssue[] = [];
  const add = (path: string[], expected: string, received: string, message: string) =>
    issues.push({ path, expected, received, message, code: "incompatible" });
  if (reader.layout !== writer.layout) {
    add([], `layout ${reader.layout}`, `layout ${writer.layout}`, `Layouts differ`);
  }
  for (const [name, r] of Object.entries(reader.fields)) {
    const w = writer.fields[name];
    const expected = describeField(r);
    if (!w) {
      if (r.kind !== "optional") {
        add([name], expected, "missing", `Field "${name}" is required but ${writer.id} lacks it`);
      }
      continue;
    }
    const received = describeField(w);
    if (!sameType(r, w)) {
      add([name], expected, received, `Field "${name}" is ${received} in ${writer.id}`);
    } else if (r.kind !== "optional" && w.kind === "optional") {
      add([name], expected, received, `Field "${name}" may be null in ${writer.id}`);
    }
    const rExt = reader.exts[name], wExt = writer.exts[name];
    if (reader.layout === "files" && writer.layout === "files" && rExt !== wExt) {
      add([name], `.${rExt}`, `.${wExt}`, `Field "${name}" is stored as .${wExt} in ${writer.id}`);
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true };
}
