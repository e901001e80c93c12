/**
 * {@linkcode compileFilter}: the typed filter object form of a `where`
 * (`{ label: "dog", confidence: { gt: 0.9 }, tags: { has: "outdoor" } }`), compiled to the same
 * {@linkcode Predicate} tree as the SQL form, so one planner and one checker serve both.
 *
 * @module
 */
import type { CompareOp, Literal, Operand, Predicate } from "./predicate.ts";
import { QueryError } from "./query_error.ts";

/** A value in a filter: timestamps as `Date`, nulls as `null`. */
export type FilterValue = string | number | bigint | boolean | Date | null;

/** Conditions on one field (all given conditions must hold). */
export interface FieldFilter {
  eq?: FilterValue;
  ne?: FilterValue;
  gt?: FilterValue;
  gte?: FilterValue;
  lt?: FilterValue;
  lte?: FilterValue;
  /** One of these values. */
  in?: readonly FilterValue[];
  /** None of these values (SQL `NOT IN`: a null field matches neither). */
  nin?: readonly FilterValue[];
  /** `[low, high]`, both inclusive (SQL `BETWEEN`). */
  between?: readonly [FilterValue, FilterValue];
  /** `true`: the field is null; `false`: it is not. */
  isNull?: boolean;
  /** List fields: holds this item. */
  has?: string;
  /** List fields: holds at least one of these items. */
  hasAny?: readonly string[];
  /** Negates the other conditions of this object. */
  not?: FieldFilter;
}

/**
 * A filter object: field names map to a value (equality; `null`: IS NULL; an array: IN) or a
 * {@linkcode FieldFilter}; `$and`, `$or`, `$not` combine filters. Every entry must hold.
 */
export interface WhereFilter {
  $and?: readonly WhereFilter[];
  $or?: readonly WhereFilter[];
  $not?: WhereFilter;
  [field: string]:
    | FilterValue
    | readonly FilterValue[]
    | FieldFilter
    | WhereFilter
    | readonly WhereFilter[]
    | undefined;
}

const cmpOps: Record<string, CompareOp> = {
  eq: "=",
  ne: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
};

function literal(v: unknown, path: string): Literal {
  if (v === null) return { type: "null" };
  if (typeof v === "string") return { type: "str", value: v };
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (typeof v === "number") return { type: "num", value: v };
  if (typeof v === "bigint") {
    const value = Number(v);
    return Math.abs(value) < 2 ** 53 ? { type: "num", value } : { type: "num", value, big: v };
  }
  if (v instanceof Date && !Number.isNaN(v.getTime())) return { type: "time", value: v.getTime() };
  throw new QueryError(
    "invalid_option",
    `Filter value at ${path} is not a string, number, boolean, Date or null: ${String(v)}`,
  );
}

function lit(v: unknown, path: string): Operand {
  return { kind: "lit", lit: literal(v, path) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function fieldPredicate(field: string, spec: unknown): Predicate {
  const f: Operand = { kind: "field", name: field };
  if (Array.isArray(spec)) {
    return {
      op: "in",
      arg: f,
      list: spec.map((v, i) => lit(v, `${field}[${i}]`)),
    };
  }
  if (!isPlainObject(spec)) {
    return spec === null
      ? { op: "is_null", arg: f }
      : { op: "cmp", cmp: "=", left: f, right: lit(spec, field) };
  }
  const parts: Predicate[] = [];
  for (const [key, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    const path = `${field}.${key}`;
    if (key in cmpOps) {
      parts.push({ op: "cmp", cmp: cmpOps[key]!, left: f, right: lit(v, path) });
    } else if (key === "in" || key === "nin") {
      if (!Array.isArray(v)) {
        throw new QueryError("invalid_option", `Filter ${path} must be an array`);
      }
      const p: Predicate = { op: "in", arg: f, list: v.map((x, i) => lit(x, `${path}[${i}]`)) };
      parts.push(key === "in" ? p : { op: "not", arg: p });
    } else if (key === "between") {
      if (!Array.isArray(v) || v.length !== 2) {
        throw new QueryError("invalid_option", `Filter ${path} must be [low, high]`);
      }
      parts.push({ op: "between", arg: f, low: lit(v[0], path), high: lit(v[1], path) });
    } else if (key === "isNull") {
      const p: Predicate = { op: "is_null", arg: f };
      parts.push(v ? p : { op: "not", arg: p });
    } else if (key === "has") {
      parts.push({ op: "has", field, value: literal(v, path) });
    } else if (key === "hasAny") {
      if (!Array.isArray(v)) {
        throw new QueryError("invalid_option", `Filter ${path} must be an array`);
      }
      parts.push({
        op: "or",
        args: v.map((x, i) => ({ op: "has", field, value: literal(x, `${path}[${i}]`) })),
      });
    } else if (key === "not") {
      parts.push({ op: "not", arg: fieldPredicate(field, v) });
    } else {
      throw new QueryError(
        "invalid_option",
        `Unknown filter operator "${key}" at ${path} (operators: ${
          [...Object.keys(cmpOps), "in", "nin", "between", "isNull", "has", "hasAny", "not"].join(
            ", ",
          )
        })`,
      );
    }
  }
  return parts.length === 1 ? parts[0]! : { op: "and", args: parts };
}

/**
 * Compiles a filter object to a {@linkcode Predicate} (checked against the fields later, by the
 * same checker as SQL).
 *
 * @example
 * ```ts
 * import { compileFilter } from "./filter_object.ts";
 * import { predicateToSql } from "./predicate.ts";
 * const p = compileFilter({ label: "dog", confidence: { gt: 0.9 }, tags: { has: "outdoor" } });
 * const sql = predicateToSql(p);
 * if (sql !== `(("label" = 'dog') AND ("confidence" > 0.9::DOUBLE) AND list_contains("tags", 'outdoor'))`) {
 *   throw new Error(sql);
 * }
 * ```
 */
export function compileFilter(filter: WhereFilter): Predicate {
  if (!isPlainObject(filter)) throw new QueryError("invalid_option", "A filter must be an object");
  const parts: Predicate[] = [];
  for (const [key, v] of Object.entries(filter)) {
    if (v === undefined) continue;
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(v)) {
        throw new QueryError("invalid_option", `Filter ${key} must be an array`);
      }
      parts.push({
        op: key === "$and" ? "and" : "or",
        args: v.map((x) => compileFilter(x as WhereFilter)),
      });
    } else if (key === "$not") {
      parts.push({ op: "not", arg: compileFilter(v as WhereFilter) });
    } else parts.push(fieldPredicate(key, v));
  }
  return parts.length === 1 ? parts[0]! : { op: "and", args: parts };
}
