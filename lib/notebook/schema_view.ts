/**
 * {@linkcode renderSchema}: a schema as a table of its fields (kind, manifest role, tar member
 * extension), for Jupyter.
 *
 * @module
 */
import { registerRenderer } from "../display/mod.ts";
import type { Schema } from "../schema/mod.ts";
import { describeField } from "../schema/field.ts";
import type { DisplayBundle } from "../display/mod.ts";
import { esc, section, table } from "./_html.ts";

/**
 * Renders a schema: name, version, layout and one row per field with its type, whether it may
 * be null, its manifest role (`exclude` when it is not queryable) and its member extension.
 *
 * @example
 * ```ts
 * import { renderSchema } from "./schema_view.ts";
 * import { defineSchema, f } from "../schema/mod.ts";
 * const S = defineSchema({ name: "S", version: "1.0.0", fields: { label: f.str(), score: f.float() } });
 * const bundle = renderSchema(S);
 * if (!bundle["text/html"]!.includes("<td>categorical</td>")) throw new Error(bundle["text/html"]);
 * if (!bundle["text/plain"]!.includes("score: float (numeric)")) throw new Error(bundle["text/plain"]);
 * ```
 */
export function renderSchema(schema: Schema): DisplayBundle {
  const roles = new Map(schema.manifestFields.map((f) => [f.name, f.role]));
  const rows = Object.entries(schema.fields).map(([name, field]) => {
    const optional = field.kind === "optional";
    return {
      name,
      type: describeField(field),
      nullable: optional ? "yes" : "",
      role: roles.get(name) ?? "exclude",
      ext: (schema.exts as Record<string, string>)[name] ?? "",
      description: field.description ?? "",
    };
  });
  const title = `Schema ${schema.id} (${schema.layout} layout, ${rows.length} fields)`;
  const html = section(
    title,
    (schema.description ? `<div>${esc(schema.description)}</div>` : "") +
      table(
        ["field", "type", "nullable", "manifest role", "ext", "description"],
        rows.map((r) => [r.name, r.type, r.nullable, r.role, r.ext, r.description].map(esc)),
      ),
  );
  const text = [title, ...rows.map((r) => `  ${r.name}: ${r.type} (${r.role})`)].join("\n");
  return { "text/html": html, "text/plain": text };
}

registerRenderer("schema", renderSchema);
