import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { collectColumn, collectKeys, manifestParquetColumns } from "./_field_columns.ts";
import { encodeParquet, type EncodeParquetOptions } from "../parquet/parquet_writer.ts";
import { NumberColumn } from "../parquet/column_data.ts";
import { sqlString, withConnection, withTempFile } from "../parquet/duckdb.ts";

const fields: ManifestField[] = [
  { name: "label", role: "categorical", type: "str", list: false, nullable: true },
  { name: "caption", role: "categorical", type: "str", list: false, nullable: true },
  { name: "score", role: "numeric", type: "float", list: false, nullable: true },
  { name: "count", role: "numeric", type: "int", list: false, nullable: true },
  { name: "ok", role: "categorical", type: "bool", list: false, nullable: true },
  { name: "tags", role: "set", type: "str", list: true, nullable: true },
  { name: "ids", role: "set", type: "int", list: true, nullable: true },
  { name: "at", role: "timestamp", type: "timestamp", list: false, nullable: true },
];

/** Seeded rows exercising nulls, big and negative ints, wide deltas, non-ASCII and long text. */
function rows(n: number) {
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const keys: string[] = [];
  const values: Record<string, unknown[]> = Object.fromEntries(fields.map((f) => [f.name, []]));
  for (let i = 0; i < n; i++) {
    keys.push(
      i % 97 === 5 ? `zé-${i}` : i % 89 === 3 ? `a-${i}` : `s-${String(i).padStart(7, "0")}`,
    );
    values.label!.push(rand() < 0.1 ? null : pick(["cat", "dog", "é☃", "𝄞 clef", ""]));
    values.caption!.push(rand() < 0.05 ? null : `caption ${i} ${"x".repeat(i % 40)}`);
    values.score!.push(
      rand() < 0.1 ? null : pick([-0, 0, NaN, Infinity, -Infinity, (rand() - 0.5) * 1e6]),
    );
    values.count!.push(
      rand() < 0.1 ? null : pick([2n ** 62n, -(2n ** 60n), 0, -5, Math.floor(rand() * 1e9)]),
    );
    values.ok!.push(rand() < 0.1 ? null : rand() < 0.5);
    values.tags!.push(
      rand() < 0.1 ? null : rand() < 0.1 ? [] : [pick(["a", "b", "ü"]), `t${i % 13}`],
    );
    values.ids!.push(rand() < 0.2 ? null : [i, -i, 2 ** 40]);
    values.at!.push(
      rand() < 0.1 ? null : new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 1e12)),
    );
  }
  return { keys, values };
}

function expected(keys: string[], values: Record<string, unknown[]>, i: number) {
  const v = (name: string) => values[name]![i] ?? null;
  const count = v("count");
  return {
    __key__: keys[i],
    __offset__: i * 512,
    __size__: 512,
    label: v("label"),
    caption: v("caption"),
    score: v("score"),
    count: count === null ? null : BigInt(count as number | bigint),
    ok: v("ok"),
    tags: v("tags"),
    ids: (v("ids") as number[] | null)?.map(String) ?? null,
    at: v("at"),
  };
}

type Query = (sql: string) => Promise<unknown[][]>;

async function roundTrip(
  n: number,
  options?: EncodeParquetOptions,
  more: (query: Query) => Promise<void> = async () => {},
) {
  const { keys, values } = rows(n);
  const data = fields.map((f) => collectColumn(f, values[f.name]!));
  const columns = manifestParquetColumns(
    collectKeys(keys),
    keys.map((_, i) => i * 512),
    keys.map(() => 512),
    fields,
    data,
  );
  const bytes = encodeParquet(columns, n, options);
  return await withTempFile(".parquet", undefined, async (path) => {
    await Deno.writeFile(path, bytes);
    return await withConnection(async (con) => {
      const read = await con.runAndReadAll(
        `SELECT * FROM read_parquet(${sqlString(path)}) ORDER BY __offset__`,
      );
      const meta = await con.runAndReadAll(
        `SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count
         FROM parquet_metadata(${sqlString(path)})`,
      );
      await more(async (sql) =>
        (await con.runAndReadAll(sql.replaceAll("$file", sqlString(path)))).getRowsJS()
      );
      return {
        keys,
        values,
        rows: read.getRowObjectsJS(),
        types: read.columnNames().map((c, i) => `${c}:${read.columnType(i)}`),
        meta: meta.getRowObjectsJS(),
      };
    });
  });
}

function same(actual: unknown, want: unknown): boolean {
  if (typeof want === "number" && Number.isNaN(want)) return Number.isNaN(actual as number);
  if (want instanceof Date) return actual instanceof Date && actual.getTime() === want.getTime();
  if (typeof want === "number" && Object.is(want, -0)) return Object.is(actual, -0);
  return JSON.stringify(actual, (_, x) => (typeof x === "bigint" ? `${x}n` : x)) ===
    JSON.stringify(want, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
}

for (
  const [label, n, options] of [
    ["one row group", 3000, {}],
    ["several row groups", 3000, { rowGroupSize: 1000 }],
    ["no compression", 500, { compression: "none" }],
  ] as const
) {
  Deno.test(`encodeParquet round-trips every column type through DuckDB (${label})`, async () => {
    const { keys, values, rows, types } = await roundTrip(n, options);
    assert.deepEqual(types, [
      "__key__:VARCHAR",
      "__offset__:BIGINT",
      "__size__:BIGINT",
      "label:VARCHAR",
      "caption:VARCHAR",
      "score:DOUBLE",
      "count:BIGINT",
      "ok:BOOLEAN",
      "tags:VARCHAR[]",
      "ids:VARCHAR[]",
      "at:TIMESTAMP WITH TIME ZONE",
    ]);
    assert.equal(rows.length, n);
    for (let i = 0; i < n; i++) {
      const want = expected(keys, values, i);
      for (const [name, value] of Object.entries(want)) {
        const got = rows[i]![name];
        const norm = typeof got === "bigint" && typeof value !== "bigint" ? Number(got) : got;
        assert.ok(same(norm, value), `row ${i} ${name}: ${String(norm)} != ${String(value)}`);
      }
    }
  });
}

Deno.test("encodeParquet statistics bound each row group's values (DuckDB prunes with them)", async () => {
  const queries: [string, unknown[][]][] = [];
  const sqls = [
    "SELECT count(*) FROM $file WHERE score > 1000",
    `SELECT count(*) FROM $file WHERE count >= ${2n ** 61n}`,
    `SELECT __offset__ FROM $file WHERE __key__ = 's-0002500'`,
  ];
  const { keys, values, meta } = await roundTrip(3000, { rowGroupSize: 700 }, async (query) => {
    for (const sql of sqls) queries.push([sql, await query(sql)]);
  });
  const byPath = (p: string) => meta.filter((m) => m.path_in_schema === p);
  assert.equal(byPath("__key__").length, 5);
  // Strings whose UTF-16 and byte order differ ("𝄞") leave the label bounds out.
  assert.ok(byPath("label").every((m) => m.stats_min_value === null));
  const first = byPath("__key__")[0]!;
  const group = keys.slice(0, 700).map((k) => new TextEncoder().encode(k));
  const cmp = (a: Uint8Array, b: Uint8Array) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  group.sort(cmp);
  const dec = new TextDecoder();
  assert.equal(first.stats_min_value, dec.decode(group[0]));
  assert.equal(first.stats_max_value, dec.decode(group.at(-1)));
  // Filters answered with pruning match a scan in JS (DuckDB orders NaN above every number).
  const scores = values.score! as (number | null)[];
  const counts = values.count! as (number | bigint | null)[];
  assert.equal(keys[2500], "s-0002500");
  assert.deepEqual(queries.map(([, rows]) => rows), [
    [[BigInt(scores.filter((s) => s !== null && (s > 1000 || Number.isNaN(s))).length)]],
    [[BigInt(counts.filter((c) => c !== null && BigInt(c) >= 2n ** 61n).length)]],
    [[2500n * 512n]],
  ]);
});

Deno.test("encodeParquet writes empty files and all-null columns", async () => {
  const empty = encodeParquet(
    manifestParquetColumns(
      collectKeys([]),
      [],
      [],
      fields,
      fields.map((f) => collectColumn(f, [])),
    ),
    0,
  );
  const nulls = encodeParquet(
    manifestParquetColumns(
      collectKeys(["a", "b"]),
      [0, 1],
      [1, 1],
      fields,
      fields.map((f) => collectColumn(f, [null, undefined])),
    ),
    2,
  );
  for (const [bytes, count] of [[empty, 0n], [nulls, 2n]] as const) {
    await withTempFile(".parquet", undefined, async (path) => {
      await Deno.writeFile(path, bytes);
      await withConnection(async (con) => {
        const r = await con.runAndReadAll(
          `SELECT count(*), count(label), count(tags), count("at") FROM read_parquet(${
            sqlString(path)
          })`,
        );
        assert.deepEqual(r.getRowsJS(), [[count, 0n, 0n, 0n]]);
      });
    });
  }
});

Deno.test("encodeParquet leaves double bounds out when a NaN could be pruned by them", async () => {
  const data = new NumberColumn(new Float64Array([1, 2, NaN, 3]), undefined, 0);
  const bytes = encodeParquet([{ name: "x", type: "double", data }], 4);
  await withTempFile(".parquet", undefined, async (path) => {
    await Deno.writeFile(path, bytes);
    await withConnection(async (con) => {
      const r = await con.runAndReadAll(
        `SELECT count(*) FROM read_parquet(${sqlString(path)}) WHERE x > 10`,
      );
      assert.deepEqual(r.getRowsJS(), [[1n]]); // NaN is above 10 for DuckDB
    });
  });
});
