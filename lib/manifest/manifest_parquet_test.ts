import assert from "node:assert/strict";
import type { ManifestField } from "../schema/manifest_field.ts";
import { readManifestParquet, writeManifestParquet } from "./manifest_parquet.ts";

const fields: ManifestField[] = [
  { name: "label", role: "categorical", type: "str", list: false, nullable: true },
  { name: "confidence", role: "numeric", type: "float", list: false, nullable: false },
  { name: "count", role: "numeric", type: "int", list: false, nullable: false },
  { name: "ok", role: "categorical", type: "bool", list: false, nullable: false },
  { name: "tags", role: "set", type: "str", list: true, nullable: true },
  { name: "captured", role: "timestamp", type: "timestamp", list: false, nullable: false },
];

Deno.test("manifest Parquet has proper types per field", async () => {
  const t = Date.UTC(2025, 0, 1, 12);
  const bytes = await writeManifestParquet({
    keys: ["a", "b"],
    offsets: [0, 1536],
    sizes: [1536, 2048],
    values: {
      label: ["cat", null],
      confidence: [0.5, 0.95],
      count: [3, 2 ** 40],
      ok: [true, false],
      tags: [["x", "y"], null],
      captured: [t, t + 1000],
    },
  }, fields);
  const { columns, rows } = await readManifestParquet(bytes);
  assert.deepEqual(columns.map((c) => `${c.name}:${c.type}`), [
    "__key__:VARCHAR",
    "__offset__:BIGINT",
    "__size__:BIGINT",
    "label:VARCHAR",
    "confidence:DOUBLE",
    "count:BIGINT",
    "ok:BOOLEAN",
    "tags:VARCHAR[]",
    "captured:TIMESTAMP WITH TIME ZONE",
  ]);
  assert.deepEqual(rows[0], {
    __key__: "a",
    __offset__: 0,
    __size__: 1536,
    label: "cat",
    confidence: 0.5,
    count: 3,
    ok: true,
    tags: ["x", "y"],
    captured: new Date(t),
  });
  assert.equal(rows[1]!.label, null);
  assert.equal(rows[1]!.tags, null);
  assert.equal(rows[1]!.count, 2 ** 40);
});

Deno.test("manifest Parquet keeps many distinct strings (past the ENUM staging limit)", async () => {
  const n = 5000;
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  const labels = keys.map((k) => `label-${k}`);
  const tags = keys.map((k, i) => (i % 2 ? [k, "shared"] : []));
  const bytes = await writeManifestParquet({
    keys,
    offsets: keys.map((_, i) => i * 512),
    sizes: keys.map(() => 512),
    values: { label: labels, tags },
  }, [fields[0]!, fields[4]!]);
  const { columns, rows } = await readManifestParquet(bytes);
  assert.equal(columns[3]!.type, "VARCHAR");
  assert.deepEqual(rows.map((r) => r.label), labels);
  assert.deepEqual(rows.map((r) => r.tags), tags);
});

Deno.test("readManifestParquet rejects bytes that are not Parquet", async () => {
  await assert.rejects(() => readManifestParquet(new TextEncoder().encode("not parquet at all")));
});
