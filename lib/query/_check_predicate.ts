/**
 * The one checker both `where` forms go through: field names against the catalog (closest name
 * suggested), literal types against field types (a string literal compared with a timestamp
 * field becomes a timestamp), functions against the allowed list.
 *
 * @module
 */
import { closestField, type FieldCatalog, type FieldInfo } from "./field_catalog.ts";
import { ALLOWED_FUNCTIONS, type Literal, type Operand, type Predicate } from "./predicate.ts";
import { QueryError } from "./query_error.ts";

type Kind = "str" | "num" | "bool" | "time" | "list" | "null" | "any";

/** Throws `unknown_field` for a name not in the catalog. */
export function checkField(name: string, catalog: FieldCatalog): FieldInfo {
  const info = catalog.get(name);
  if (info) return info;
  const suggestion = closestField(name, catalog);
  throw new QueryError(
    "unknown_field",
    `Unknown field "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; fields: ${
      [...catalog.keys()].join(", ")
    }`,
    { field: name, suggestion },
  );
}

function fieldKind(f: FieldInfo): Kind {
  if (f.list) return "list";
  if (f.type === "int" || f.type === "float") return "num";
  if (f.type === "timestamp") return "time";
  return f.type;
}

function litKind(l: Literal): Kind {
  return l.type;
}

/** Parses a timestamp text as UTC when it names no offset. */
export function parseTime(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(t)) {
    return undefined;
  }
  let iso = t.replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += "T00:00:00";
  if (!/(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso)) iso += "Z";
  else if (/[+-]\d{2}$/.test(iso)) iso += ":00";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function mismatch(field: string, f: FieldInfo, lit: Literal): QueryError {
  const shown = lit.type === "null" ? "NULL" : JSON.stringify(String(lit.value));
  return new QueryError(
    "type_mismatch",
    `Cannot compare field "${field}" (${
      f.list ? `list of ${f.type}` : f.type
    }) with ${lit.type} ${shown}`,
    { field },
  );
}

/** `lit` as a value comparable with field `f`, or a `type_mismatch` error. */
function coerce(fieldName: string, f: FieldInfo, lit: Literal): Literal {
  const want = fieldKind(f);
  const have = litKind(lit);
  if (have === "null" || want === have) return lit;
  if (want === "time" && lit.type === "str") {
    const ms = parseTime(lit.value);
    if (ms !== undefined) return { type: "time", value: ms };
  }
  throw mismatch(fieldName, f, lit);
}

class Checker {
  constructor(readonly catalog: FieldCatalog) {}

  operand(o: Operand): Operand {
    if (o.kind === "field") return checkField(o.name, this.catalog), o;
    if (o.kind === "lit") return o;
    const arities = ALLOWED_FUNCTIONS[o.name];
    if (!arities) {
      throw new QueryError(
        "forbidden",
        `Function "${o.name}" is not allowed in a where (allowed: ${
          Object.keys(ALLOWED_FUNCTIONS).filter((n) => /^\w/.test(n)).join(", ")
        })`,
      );
    }
    if (!arities.includes(o.args.length)) {
      throw new QueryError(
        "syntax_error",
        `Function "${o.name}" takes ${arities.join(" or ")} arguments, not ${o.args.length}`,
      );
    }
    return { ...o, args: o.args.map((a) => this.operand(a)) };
  }

  /** Checks `a` against `b` when one is a field and the other a literal. */
  pair(a: Operand, b: Operand): [Operand, Operand] {
    a = this.operand(a);
    b = this.operand(b);
    if (a.kind === "field" && b.kind === "lit") return [a, this.lit(a.name, b.lit)];
    if (a.kind === "lit" && b.kind === "field") return [this.lit(b.name, a.lit), b];
    if (a.kind === "field" && b.kind === "field") {
      const [fa, fb] = [this.catalog.get(a.name)!, this.catalog.get(b.name)!];
      if (fieldKind(fa) !== fieldKind(fb) || fa.list) {
        throw new QueryError(
          "type_mismatch",
          `Cannot compare field "${a.name}" (${fa.type}) with field "${b.name}" (${fb.type})`,
          { field: a.name },
        );
      }
    }
    return [a, b];
  }

  lit(field: string, lit: Literal): Operand {
    const f = this.catalog.get(field)!;
    if (f.list) throw mismatch(field, f, lit);
    return { kind: "lit", lit: coerce(field, f, lit) };
  }

  predicate(p: Predicate): Predicate {
    switch (p.op) {
      case "and":
      case "or":
        return { op: p.op, args: p.args.map((a) => this.predicate(a)) };
      case "not":
        return { op: "not", arg: this.predicate(p.arg) };
      case "cmp": {
        const [left, right] = this.pair(p.left, p.right);
        return { ...p, left, right };
      }
      case "in": {
        const arg = this.operand(p.arg);
        return { op: "in", arg, list: p.list.map((o) => this.pair(arg, o)[1]) };
      }
      case "between": {
        const arg = this.operand(p.arg);
        return {
          op: "between",
          arg,
          low: this.pair(arg, p.low)[1],
          high: this.pair(arg, p.high)[1],
        };
      }
      case "is_null":
        return { op: "is_null", arg: this.operand(p.arg) };
      case "has": {
        const f = checkField(p.field, this.catalog);
        if (!f.list) {
          throw new QueryError(
            "type_mismatch",
            `Cannot test membership in field "${p.field}": it is a ${f.type}, not a list`,
            { field: p.field },
          );
        }
        const v = p.value;
        if (v.type === "null") return p;
        if (v.type === "time" || v.type === "bool" || (v.type === "num" && f.type === "str")) {
          throw mismatch(p.field, f, v);
        }
        // List items are stored as text.
        return v.type === "str" ? p : { ...p, value: { type: "str", value: String(v.value) } };
      }
      case "value": {
        const arg = this.operand(p.arg);
        if (arg.kind === "field") {
          const f = this.catalog.get(arg.name)!;
          if (f.type !== "bool" || f.list) {
            throw new QueryError(
              "type_mismatch",
              `Field "${arg.name}" (${f.type}) is not a condition: compare it with a value`,
              { field: arg.name },
            );
          }
        } else if (arg.kind === "lit" && arg.lit.type !== "bool" && arg.lit.type !== "null") {
          throw new QueryError("type_mismatch", `A ${arg.lit.type} literal is not a condition`);
        }
        return { op: "value", arg };
      }
    }
  }
}

/**
 * Checks a predicate against a catalog and returns it with literals coerced to the fields'
 * types; throws a {@linkcode QueryError} (`unknown_field`, `type_mismatch`, `forbidden`).
 */
export function checkPredicate(p: Predicate, catalog: FieldCatalog): Predicate {
  return new Checker(catalog).predicate(p);
}
