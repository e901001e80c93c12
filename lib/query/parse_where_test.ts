import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { checkPredicate } from "./_check_predicate.ts";
import { withSandbox } from "./_sandbox.ts";
import { fieldCatalog } from "./field_catalog.ts";
import { parseWhere } from "./parse_where.ts";
import { predicateToSql } from "./predicate.ts";
import { QueryError } from "./query_error.ts";
import { parseManifestHeader } from "../manifest/mod.ts";

const catalog = fieldCatalog([parseManifestHeader({
  num_samples: 0,
  aggregates: {},
  fields: [
    { name: "label", role: "categorical", type: "str", list: false, nullable: false },
    { name: "confidence", role: "numeric", type: "float", list: false, nullable: false },
    { name: "tags", role: "set", type: "str", list: true, nullable: false },
    { name: "t", role: "timestamp", type: "timestamp", list: false, nullable: true },
    { name: "ok", role: "categorical", type: "bool", list: false, nullable: true },
  ],
})]);

async function withCon<T>(fn: (con: Awaited<ReturnType<DuckDBInstance["connect"]>>) => Promise<T>) {
  const con = await (await DuckDBInstance.create(":memory:")).connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}

async function refused(text: string, code: string): Promise<QueryError> {
  return await withCon(async (con) => {
    try {
      checkPredicate(await parseWhere(con, text), catalog);
    } catch (err) {
      assert.ok(err instanceof QueryError, `${text}: ${err}`);
      assert.equal(err.code, code, `${text}: ${err.message}`);
      return err;
    }
    throw new Error(`accepted: ${text}`);
  });
}

Deno.test("parseWhere refuses what reaches beyond the manifests", async () => {
  const before = await Deno.stat("/tmp/x.csv").then(() => true, () => false);
  await refused("1=1) UNION SELECT * FROM read_csv('/etc/passwd'", "forbidden");
  await refused("label = 'x'; COPY (SELECT 1) TO '/tmp/x.csv'", "forbidden");
  await refused("label = 'x' -- and the rest", "forbidden");
  await refused("label = 'x' /* swallow */", "forbidden");
  await refused("label IN (SELECT label FROM read_parquet('/etc/x.parquet'))", "forbidden");
  await refused("EXISTS (SELECT 1)", "forbidden");
  await refused("label = (SELECT 'a')", "forbidden");
  await refused("1=1 UNION SELECT * FROM read_csv('/etc/passwd')", "forbidden");
  await refused("1=1 ORDER BY 1", "forbidden");
  await refused("length(read_text('/etc/passwd')) > 0", "forbidden");
  await refused("getenv('HOME') = 'x'", "forbidden");
  await refused("current_setting('allowed_directories') IS NULL", "forbidden");
  await refused("t.label = 'x'", "forbidden");
  await refused("label = 'x')", "forbidden");
  // Nothing was written: DuckDB never ran the COPY.
  assert.equal(await Deno.stat("/tmp/x.csv").then(() => true, () => false), before);
});

Deno.test("parseWhere reports syntax errors, unknown fields and type mismatches", async () => {
  const syntax = await refused("label = = 'x'", "syntax_error");
  assert.match(syntax.message, /syntax error/);
  await refused("(label = 'x'", "syntax_error");
  const unknown = await refused("lable = 'dog'", "unknown_field");
  assert.equal(unknown.suggestion, "label");
  assert.match(unknown.message, /did you mean "label"/);
  assert.equal((await refused("confidnce > 0.5", "unknown_field")).suggestion, "confidence");
  await refused("confidence > 'x'", "type_mismatch");
  await refused("label > 3", "type_mismatch");
  await refused("tags = 'a'", "type_mismatch");
  await refused("list_contains(label, 'a')", "type_mismatch");
  await refused("t > 'not a date'", "type_mismatch");
  await refused("label", "type_mismatch");
  await refused("confidence IN (1, 'a')", "type_mismatch");
});

Deno.test("parseWhere prints a canonical predicate (literals typed, casts folded)", async () => {
  await withCon(async (con) => {
    const sql = async (text: string) =>
      predicateToSql(checkPredicate(await parseWhere(con, text), catalog));
    assert.equal(
      await sql("label = 'dog' AND confidence > 0.9 AND list_contains(tags, 'outdoor')"),
      `(("label" = 'dog') AND ("confidence" > 0.9::DOUBLE) AND list_contains("tags", 'outdoor'))`,
    );
    assert.equal(
      await sql("t >= '2025-01-02' AND t < TIMESTAMP '2025-01-03 12:00:00'"),
      `(("t" >= TIMESTAMPTZ '2025-01-02T00:00:00.000Z') AND ("t" < TIMESTAMPTZ '2025-01-03T12:00:00.000Z'))`,
    );
    assert.equal(
      await sql("ok AND label NOT IN ('a', 'b''c')"),
      `("ok" AND (NOT ("label" IN ('a', 'b''c'))))`,
    );
    assert.equal(
      await sql("confidence NOT BETWEEN 1 AND 2"),
      `(NOT ("confidence" BETWEEN 1 AND 2))`,
    );
    assert.equal(await sql("t IS NOT NULL"), `(NOT ("t" IS NULL))`);
    // The same predicate, written differently, prints the same.
    assert.equal(await sql("label='dog'"), await sql("( label  =  'dog' )"));
  });
});

Deno.test("the sandboxed DuckDB reads and writes nothing outside its cache folder", async () => {
  const cache = await Deno.makeTempDir({ prefix: "query-sandbox-" });
  const outside = await Deno.makeTempDir({ prefix: "query-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/secret.csv`, "a\n1\n");
    await withSandbox(cache, async (con) => {
      for (
        const sql of [
          `SELECT * FROM read_csv('${outside}/secret.csv')`,
          `SELECT * FROM read_csv('/etc/passwd')`,
          `COPY (SELECT 1) TO '${outside}/x.csv'`,
          `SELECT * FROM read_csv('${cache}/../${outside.split("/").pop()}/secret.csv')`,
          `ATTACH '${outside}/db.duckdb'`,
          `SET enable_external_access = true`,
          `SET allowed_directories = ['/']`,
        ]
      ) {
        await assert.rejects(() => con.run(sql), Error, sql);
      }
    });
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.csv"]);
  } finally {
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
