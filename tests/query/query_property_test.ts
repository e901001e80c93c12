/**
 * The property that matters: whatever the predicate, `query` returns exactly the rows a full
 * DuckDB scan of every manifest returns (pruning never loses a match, never adds one). The
 * dataset mixes schema versions, nulls, NaN, infinities, sets with values and with bloom
 * filters, categoricals with overflow and timestamps; predicates are random AND/OR/NOT trees of
 * comparisons, IN (with NULL), BETWEEN, IS [NOT] NULL, set membership and time ranges. The
 * reference runs the user's own text on plain DuckDB over a glob of all manifests. Counts
 * (total and grouped by a categorical), partly answered from the aggregates, agree with it too.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore } from "../../lib/store/mod.ts";
import { countRows, query } from "../../lib/query/mod.ts";
import { compactIndex } from "../../lib/dataset/mod.ts";
import { randomWhere, rng, writeRandomDataset } from "./_query_fixtures.ts";

Deno.test({
  name:
    "query returns the rows of a full DuckDB scan for random predicates (pruning loses nothing)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "query-prop-" });
    const cacheDir = await Deno.makeTempDir({ prefix: "query-cache-" });
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run("SET TimeZone = 'UTC'");
      const store = new LocalStore(root);
      const total = await writeRandomDataset(store, "ds", 7, 40);
      assert.ok(total > 300);
      const glob = `read_parquet('${root}/ds/*.manifest.parquet', union_by_name = true)`;
      const r = rng(11);
      let pruned = 0;
      let decided = 0;
      let nonEmpty = 0;
      let fromIndex = 0;
      for (let q = 0; q < 230; q++) {
        // After 150 predicates over fragments, the same over a compacted index (segments, the
        // wide categorical's counts stored as JSON).
        if (q === 150) await compactIndex(store, "ds");
        const where = randomWhere(r);
        const expected = (await con.runAndReadAll(`SELECT __key__ FROM ${glob} WHERE ${where}`))
          .getRows().map((row) => String(row[0])).sort();
        const got = await query(store, "ds", { where, select: [], cacheDir });
        const keys = (got.df.getColumn("__key__").toArray() as string[]).sort();
        assert.deepEqual(keys, expected, `where ${where}\n${got.toString()}`);
        pruned += got.explain.shards.pruned;
        decided += got.explain.shards.fullyDecided;
        if (keys.length) nonEmpty++;
        // Counts, which the aggregates answer for fully decided shards, agree too.
        const groupBy = [undefined, "label", "level", "flag", "cam"][q % 5];
        const counted = await countRows(store, "ds", { where, groupBy, cacheDir });
        assert.equal(counted.count, expected.length, `count where ${where}`);
        fromIndex += counted.explain.shards.answeredFromIndex;
        if (groupBy) {
          const ref = (await con.runAndReadAll(
            `SELECT CAST(${groupBy} AS VARCHAR), count(*) FROM ${glob} WHERE ${where} GROUP BY ALL`,
          )).getRows().map(([k, n]) => `${k}=${n}`).sort();
          const mine = (counted.df!.rows() as unknown[][]).map(([k, n]) => `${k}=${n}`).sort();
          assert.deepEqual(mine, ref, `count by ${groupBy} where ${where}`);
        }
      }
      // The property is not vacuous: shards were pruned, some decided, many queries matched.
      assert.ok(pruned > 500, `pruned ${pruned}`);
      assert.ok(decided > 20, `decided ${decided}`);
      assert.ok(nonEmpty > 40, `non-empty ${nonEmpty}`);
      assert.ok(fromIndex > 20, `counted from the index ${fromIndex}`);
    } finally {
      con.closeSync();
      await Deno.remove(root, { recursive: true });
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});
