/**
 * {@linkcode parseWhere}: a SQL boolean expression to a {@linkcode Predicate}, with DuckDB's own
 * parser (`json_serialize_sql`) and a whitelist over its parse tree.
 *
 * The text is refused before DuckDB parses it when it holds `;`, a comment (`--`, `/*`), or a
 * parenthesis that closes the expression early; then the parse tree must be exactly
 * `SELECT * FROM t WHERE <expr>` (no set operation, no modifiers) and `<expr>` may hold only
 * AND/OR/NOT, comparisons, IN, BETWEEN, IS [NOT] NULL, field names, literals (casts of literals
 * folded) and the functions of {@linkcode ALLOWED_FUNCTIONS}: no subquery, no table function,
 * no file reader, no star. The query later runs the SQL printed from the checked tree.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { parseTime } from "./_check_predicate.ts";
import type { CompareOp, Literal, Operand, Predicate } from "./predicate.ts";
import { sqlString } from "./predicate.ts";
import { QueryError } from "./query_error.ts";

const PREFIX = "SELECT * FROM t WHERE ";

// deno-lint-ignore no-explicit-any
type Node = any;

/** Refuses `;`, comments and unbalanced parentheses outside quotes, before any parsing. */
export function lexicalCheck(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = closingQuote(text, i);
      if (end < 0) {
        throw new QueryError(
          "syntax_error",
          `Unterminated ${c === "'" ? "string" : "name"} at ${i}`,
          {
            position: i,
          },
        );
      }
      i = end;
    } else if (c === ";") {
      throw new QueryError("forbidden", `";" at ${i}: a where is one expression`, { position: i });
    } else if (text.startsWith("--", i) || text.startsWith("/*", i)) {
      throw new QueryError("forbidden", `A comment at ${i} is not allowed in a where`, {
        position: i,
      });
    } else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) {
      throw new QueryError("forbidden", `")" at ${i} closes the expression early`, { position: i });
    }
  }
  if (depth > 0) throw new QueryError("syntax_error", `${depth} unclosed "(" in the where`);
}

function closingQuote(text: string, start: number): number {
  const q = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== q) continue;
    if (text[i + 1] === q) i++;
    else return i;
  }
  return -1;
}

const compareOps: Record<string, CompareOp> = {
  COMPARE_EQUAL: "=",
  COMPARE_NOTEQUAL: "<>",
  COMPARE_LESSTHAN: "<",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHAN: ">",
  COMPARE_GREATERTHANOREQUALTO: ">=",
};

function at(node: Node): number | undefined {
  const q = Number(node?.query_location);
  return Number.isFinite(q) && q >= PREFIX.length && q < 1e15 ? q - PREFIX.length : undefined;
}

function refuse(node: Node, what: string): never {
  const position = at(node);
  throw new QueryError(
    "forbidden",
    `${what}${position !== undefined ? ` at ${position}` : ""} is not allowed in a where`,
    { position },
  );
}

function constant(node: Node): Literal {
  const v = node.value;
  if (v.is_null) return { type: "null" };
  const id = String(v.type?.id);
  switch (id) {
    case "VARCHAR":
      return { type: "str", value: String(v.value) };
    case "BOOLEAN":
      return { type: "bool", value: Boolean(v.value) };
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
    case "HUGEINT":
    case "UBIGINT":
    case "UHUGEINT": {
      const big = BigInt(String(v.value));
      const value = Number(big);
      return Math.abs(value) < 2 ** 53 ? { type: "num", value } : { type: "num", value, big };
    }
    case "DECIMAL": {
      const scale = Number(v.type.type_info?.scale ?? 0);
      return { type: "num", value: Number(`${v.value}e-${scale}`) };
    }
    case "FLOAT":
    case "DOUBLE":
      return { type: "num", value: Number(v.value) };
    case "NULL":
    case "SQLNULL":
      return { type: "null" };
  }
  refuse(node, `A constant of type ${id}`);
}

function cast(node: Node): Literal {
  if (node.child?.class !== "CONSTANT") refuse(node, "A cast of something other than a literal");
  const lit = constant(node.child);
  const to = String(node.cast_type?.id);
  if (lit.type === "null") return lit;
  if (/^(TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_TZ|DATE)$/.test(to) && lit.type === "str") {
    const ms = parseTime(lit.value);
    if (ms === undefined) {
      throw new QueryError("syntax_error", `Not a timestamp: ${sqlString(lit.value)}`, {
        position: at(node.child),
      });
    }
    return { type: "time", value: ms };
  }
  if (to === "BOOLEAN" && lit.type === "str" && /^(t|true|f|false)$/i.test(lit.value)) {
    return { type: "bool", value: /^t/i.test(lit.value) };
  }
  if (/^(DOUBLE|FLOAT|INTEGER|BIGINT|DECIMAL)$/.test(to) && lit.type === "num") return lit;
  if (
    /^(DOUBLE|FLOAT)$/.test(to) && lit.type === "str" && /^[+-]?(inf(inity)?|nan)$/i.test(lit.value)
  ) {
    return { type: "num", value: Number(lit.value.replace(/inf$/i, "Infinity")) };
  }
  if (to === "VARCHAR" && lit.type === "str") return lit;
  refuse(node, `A cast of ${lit.type} to ${to}`);
}

function operand(node: Node): Operand {
  switch (node?.class) {
    case "COLUMN_REF": {
      const names = node.column_names as string[];
      if (names.length !== 1) refuse(node, `The qualified name "${names.join(".")}"`);
      return { kind: "field", name: names[0]! };
    }
    case "CONSTANT":
      return { kind: "lit", lit: constant(node) };
    case "CAST":
      return { kind: "lit", lit: cast(node) };
    case "FUNCTION": {
      if (node.distinct || node.filter || node.order_bys?.orders?.length || node.export_state) {
        refuse(node, "An aggregate or window modifier");
      }
      if (node.schema || node.catalog) refuse(node, "A qualified function name");
      return {
        kind: "fn",
        name: String(node.function_name).toLowerCase(),
        args: node.children.map(operand),
      };
    }
  }
  refuse(node, node?.class === "SUBQUERY" ? "A subquery" : `The expression ${node?.class ?? "?"}`);
}

function predicate(node: Node): Predicate {
  switch (node?.class) {
    case "CONJUNCTION": {
      const op = node.type === "CONJUNCTION_AND"
        ? "and"
        : node.type === "CONJUNCTION_OR"
        ? "or"
        : undefined;
      if (!op) refuse(node, node.type);
      return { op, args: node.children.map(predicate) };
    }
    case "COMPARISON": {
      const cmp = compareOps[node.type];
      if (!cmp) {
        throw new QueryError("unsupported", `${node.type} is not supported in a where`, {
          position: at(node),
        });
      }
      return { op: "cmp", cmp, left: operand(node.left), right: operand(node.right) };
    }
    case "BETWEEN":
      return {
        op: "between",
        arg: operand(node.input),
        low: operand(node.lower),
        high: operand(node.upper),
      };
    case "OPERATOR": {
      const [first, ...rest] = node.children as Node[];
      switch (node.type) {
        case "OPERATOR_NOT":
          return { op: "not", arg: predicate(first) };
        case "OPERATOR_IS_NULL":
          return { op: "is_null", arg: operand(first) };
        case "OPERATOR_IS_NOT_NULL":
          return { op: "not", arg: { op: "is_null", arg: operand(first) } };
        case "COMPARE_IN":
        case "COMPARE_NOT_IN": {
          const p: Predicate = { op: "in", arg: operand(first), list: rest.map(operand) };
          return node.type === "COMPARE_IN" ? p : { op: "not", arg: p };
        }
      }
      refuse(node, `The operator ${node.type}`);
      break;
    }
    case "FUNCTION": {
      const fn = operand(node);
      if (fn.kind === "fn" && (fn.name === "list_contains" || fn.name === "array_contains")) {
        const [list, item] = fn.args;
        if (list?.kind === "field" && item?.kind === "lit") {
          return { op: "has", field: list.name, value: item.lit };
        }
      }
      return { op: "value", arg: fn };
    }
    case "COLUMN_REF":
    case "CONSTANT":
    case "CAST":
      return { op: "value", arg: operand(node) };
  }
  refuse(node, node?.class === "SUBQUERY" ? "A subquery" : `The expression ${node?.class ?? "?"}`);
}

function checkStatement(tree: Node, text: string): Node {
  if (tree.error) {
    const pos = Number(tree.position);
    const position = Number.isFinite(pos) ? Math.max(0, pos - PREFIX.length) : undefined;
    throw new QueryError(
      tree.error_type === "parser" ? "syntax_error" : "forbidden",
      `Cannot parse where ${JSON.stringify(text)}: ${tree.error_message}${
        position !== undefined ? ` (at ${position})` : ""
      }`,
      { position },
    );
  }
  const statements = tree.statements as Node[];
  const node = statements?.[0]?.node;
  const from = node?.from_table;
  const star = node?.select_list;
  if (
    statements.length !== 1 || node.type !== "SELECT_NODE" || node.modifiers?.length ||
    node.cte_map?.map?.length || node.group_expressions?.length || node.having ||
    node.qualify || node.sample || from?.type !== "BASE_TABLE" || from.table_name !== "t" ||
    star?.length !== 1 || star[0].class !== "STAR" || !node.where_clause
  ) {
    throw new QueryError(
      "forbidden",
      `The where ${JSON.stringify(text)} reaches beyond one expression`,
    );
  }
  return node.where_clause;
}

/**
 * Parses a SQL boolean expression into a {@linkcode Predicate} (not yet checked against the
 * fields: see `checkPredicate`). `con` is a DuckDB connection (only `json_serialize_sql` runs).
 *
 * @example
 * ```ts
 * import { parseWhere } from "./parse_where.ts";
 * import { DuckDBInstance } from "@duckdb/node-api";
 * const con = await (await DuckDBInstance.create(":memory:")).connect();
 * const p = await parseWhere(con, "label IN ('dog', 'cat') AND NOT confidence < 0.5");
 * // DuckDB's parser folds NOT over a comparison: NOT confidence < 0.5 is confidence >= 0.5.
 * if (p.op !== "and" || p.args[1]?.op !== "cmp" || p.args[1].cmp !== ">=") throw new Error();
 * await parseWhere(con, "1=1) UNION SELECT * FROM read_csv('/etc/passwd'").then(
 *   () => { throw new Error("accepted"); },
 *   (err) => { if (err.code !== "forbidden") throw err; },
 * );
 * con.closeSync();
 * ```
 */
export async function parseWhere(con: DuckDBConnection, text: string): Promise<Predicate> {
  if (typeof text !== "string" || text.trim() === "") {
    throw new QueryError("syntax_error", "The where is empty");
  }
  lexicalCheck(text);
  const reader = await con.runAndReadAll(`SELECT json_serialize_sql(${sqlString(PREFIX + text)})`);
  const json = reader.getRows()[0]?.[0];
  return predicate(checkStatement(JSON.parse(String(json)), text));
}
