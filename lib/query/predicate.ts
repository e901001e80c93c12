/**
 * {@linkcode Predicate}: the one tree that both forms of `where` (SQL text and filter object)
 * compile to. The planner prunes shards with it and the scan runs the SQL generated from it
 * ({@linkcode predicateToSql}), never the text the user typed: what reaches DuckDB is only what
 * this tree can express (fields, literals, a short list of scalar functions).
 *
 * @module
 */

/** A literal value. Timestamps are epoch milliseconds (UTC). */
export type Literal =
  | { type: "str"; value: string }
  /** A number; `big` keeps an integer literal exactly when it is past 2^53. */
  | { type: "num"; value: number; big?: bigint }
  | { type: "bool"; value: boolean }
  | { type: "time"; value: number }
  | { type: "null" };

/** A value inside a predicate: a field, a literal, or an allowed scalar function of values. */
export type Operand =
  | { kind: "field"; name: string }
  | { kind: "lit"; lit: Literal }
  | { kind: "fn"; name: string; args: Operand[] };

/** Comparison operators. */
export type CompareOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

/**
 * A boolean expression with SQL's three-valued logic. `NOT IN`, `NOT BETWEEN` and
 * `IS NOT NULL` are `not` around `in`, `between`, `is_null`.
 */
export type Predicate =
  | { op: "and" | "or"; args: Predicate[] }
  | { op: "not"; arg: Predicate }
  | { op: "cmp"; cmp: CompareOp; left: Operand; right: Operand }
  | { op: "in"; arg: Operand; list: Operand[] }
  | { op: "between"; arg: Operand; low: Operand; high: Operand }
  | { op: "is_null"; arg: Operand }
  /** `list_contains(field, value)`: the list field holds the item. */
  | { op: "has"; field: string; value: Literal }
  /** A boolean operand used as a condition (`WHERE flagged`, `starts_with(label, 'd')`). */
  | { op: "value"; arg: Operand };

/**
 * Scalar functions a `where` may call, by name, with their argument counts. Nothing here reads
 * files, settings or the environment. Operators (`+`, `-`, `*`, `/`, `%`) are listed too.
 */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, readonly number[]>> = {
  "+": [1, 2],
  "-": [1, 2],
  "*": [2],
  "/": [2],
  "%": [2],
  abs: [1],
  ceil: [1],
  floor: [1],
  round: [1, 2],
  lower: [1],
  upper: [1],
  length: [1],
  len: [1],
  strlen: [1],
  starts_with: [2],
  ends_with: [2],
  contains: [2],
  prefix: [2],
  suffix: [2],
  regexp_matches: [2],
  list_contains: [2],
  list_has_any: [2],
  year: [1],
  month: [1],
  day: [1],
  hour: [1],
  epoch_ms: [1],
  isnan: [1],
};

/** `s` as a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `s` as a quoted SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** The SQL text of a literal. */
export function literalSql(lit: Literal): string {
  switch (lit.type) {
    case "str":
      return sqlString(lit.value);
    case "num":
      if (lit.big !== undefined) return lit.big.toString();
      if (!Number.isFinite(lit.value)) return `'${lit.value}'::DOUBLE`;
      return Number.isInteger(lit.value) && Math.abs(lit.value) < 2 ** 53
        ? String(lit.value)
        : `${lit.value}::DOUBLE`;
    case "bool":
      return lit.value ? "TRUE" : "FALSE";
    case "time":
      return `TIMESTAMPTZ ${sqlString(new Date(lit.value).toISOString())}`;
    case "null":
      return "NULL";
  }
}

/** The SQL text of an operand. */
export function operandSql(o: Operand): string {
  if (o.kind === "field") return sqlIdent(o.name);
  if (o.kind === "lit") return literalSql(o.lit);
  const args = o.args.map(operandSql);
  if (/^[-+*/%]$/.test(o.name)) {
    return args.length === 1 ? `(${o.name}${args[0]})` : `(${args[0]} ${o.name} ${args[1]})`;
  }
  return `${o.name}(${args.join(", ")})`;
}

/**
 * The SQL text of a predicate, fully parenthesized: the canonical form of a `where` (the same
 * predicate always prints the same text), used by the scan and in view hashes.
 *
 * @example
 * ```ts
 * import { predicateToSql } from "./predicate.ts";
 * const sql = predicateToSql({ op: "and", args: [
 *   { op: "cmp", cmp: ">", left: { kind: "field", name: "confidence" },
 *     right: { kind: "lit", lit: { type: "num", value: 0.9 } } },
 *   { op: "has", field: "tags", value: { type: "str", value: "it's" } },
 * ] });
 * if (sql !== `(("confidence" > 0.9::DOUBLE) AND list_contains("tags", 'it''s'))`) throw new Error(sql);
 * ```
 */
export function predicateToSql(p: Predicate): string {
  switch (p.op) {
    case "and":
    case "or":
      return p.args.length === 0
        ? (p.op === "and" ? "TRUE" : "FALSE")
        : `(${p.args.map(predicateToSql).join(p.op === "and" ? " AND " : " OR ")})`;
    case "not":
      return `(NOT ${predicateToSql(p.arg)})`;
    case "cmp":
      return `(${operandSql(p.left)} ${p.cmp} ${operandSql(p.right)})`;
    case "in":
      return `(${operandSql(p.arg)} IN (${p.list.map(operandSql).join(", ")}))`;
    case "between":
      return `(${operandSql(p.arg)} BETWEEN ${operandSql(p.low)} AND ${operandSql(p.high)})`;
    case "is_null":
      return `(${operandSql(p.arg)} IS NULL)`;
    case "has":
      return `list_contains(${sqlIdent(p.field)}, ${literalSql(p.value)})`;
    case "value":
      return operandSql(p.arg);
  }
}

/** The field names a predicate mentions. */
export function predicateFields(p: Predicate, out = new Set<string>()): Set<string> {
  const operand = (o: Operand): void => {
    if (o.kind === "field") out.add(o.name);
    else if (o.kind === "fn") o.args.forEach(operand);
  };
  switch (p.op) {
    case "and":
    case "or":
      p.args.forEach((a) => predicateFields(a, out));
      break;
    case "not":
      predicateFields(p.arg, out);
      break;
    case "cmp":
      operand(p.left), operand(p.right);
      break;
    case "in":
      operand(p.arg), p.list.forEach(operand);
      break;
    case "between":
      operand(p.arg), operand(p.low), operand(p.high);
      break;
    case "is_null":
    case "value":
      operand(p.arg);
      break;
    case "has":
      out.add(p.field);
  }
  return out;
}
