import assert from "node:assert/strict";
import { LocalStore } from "../store/local_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { Store } from "../store/store.ts";
import { defineSchema } from "./define_schema.ts";
import { f } from "./field.ts";
import { toPublishedRecord } from "./atdata_published_record.ts";
import { listSchemas, loadSchema, publishSchema } from "./schema_registry.ts";
import { checkCompatibility } from "./check_compatibility.ts";
import { SchemaError } from "./schema_error.ts";
import { createdAt, Everything } from "./_test_schemas.ts";

const v1 = defineSchema({
  name: "Image",
  version: "1.0.0",
  fields: { label: f.str(), score: f.float() },
});
const v1b = defineSchema({ ...v1, version: "1.10.0-rc.1" });
const v2 = defineSchema({
  name: "Image",
  version: "1.10.0",
  fields: { label: f.str(), score: f.float(), tags: f.optional(f.list(f.str())) },
});

async function withStores(fn: (store: Store) => Promise<void>) {
  await fn(new MemoryStore());
  const dir = await Deno.makeTempDir();
  try {
    await fn(new LocalStore(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("publishSchema writes _schemas/<name>/<version>.json create-only", async () => {
  await withStores(async (store) => {
    assert.deepEqual(await publishSchema(store, v1, { createdAt }), {
      key: "_schemas/Image/1.0.0.json",
      created: true,
    });
    const text = new TextDecoder().decode(await store.get("_schemas/Image/1.0.0.json"));
    const record = JSON.parse(text);
    assert.equal(record.$ref, "atdata://local/schema/Image@1.0.0");
    assert.equal(record.createdAt, "2025-01-01T00:00:00.000Z");
    // The identical schema again (a later createdAt) is fine and leaves the object alone.
    const again = await publishSchema(store, v1, { createdAt: new Date() });
    assert.deepEqual(again, { key: "_schemas/Image/1.0.0.json", created: false });
    assert.equal(new TextDecoder().decode(await store.get("_schemas/Image/1.0.0.json")), text);
    // A different schema under the same version is refused.
    const changed = defineSchema({ ...v1, fields: { label: f.str(), score: f.int() } });
    await assert.rejects(() => publishSchema(store, changed), (e) => {
      assert.ok(e instanceof SchemaError);
      assert.equal(e.code, "incompatible_version");
      assert.match(e.message, /Cannot publish schema "Image@1.0.0": a different schema/);
      return true;
    });
  });
});

Deno.test("loadSchema loads a version or the latest by semver, listSchemas lists them", async () => {
  await withStores(async (store) => {
    for (const s of [v1, v2, v1b, Everything]) await publishSchema(store, s, { createdAt });
    assert.deepEqual((await listSchemas(store)).map((s) => `${s.name}@${s.version}`), [
      "Everything@2.1.0",
      "Image@1.0.0",
      "Image@1.10.0-rc.1",
      "Image@1.10.0",
    ]);
    const latest = await loadSchema(store, "Image");
    assert.equal(latest.version, "1.10.0");
    assert.deepEqual(Object.keys(latest.fields), ["label", "score", "tags"]);
    const old = await loadSchema(store, "Image", "1.0.0");
    assert.deepEqual(old.manifestFields, v1.manifestFields);
    const every = await loadSchema(store, "Everything", "2.1.0");
    assert.deepEqual(every.exts, Everything.exts);
    assert.ok(checkCompatibility(latest, old).ok);
  });
});

Deno.test("loadSchema reports missing schemas as not_found", async () => {
  const store = new MemoryStore();
  await assert.rejects(() => loadSchema(store, "Nope"), { code: "not_found" });
  await publishSchema(store, v1);
  await assert.rejects(() => loadSchema(store, "Image", "9.9.9"), (e) => {
    assert.ok(e instanceof SchemaError);
    assert.equal(e.code, "not_found");
    assert.equal(e.path, "_schemas/Image/9.9.9.json");
    return true;
  });
});

Deno.test("loadSchema reads a published-shape record and rejects mismatched ones", async () => {
  const store = new MemoryStore();
  await store.put("_schemas/Image/1.0.0.json", JSON.stringify(toPublishedRecord(v1)));
  assert.equal((await loadSchema(store, "Image")).fields.score!.kind, "float");
  await store.put("_schemas/Image/2.0.0.json", JSON.stringify(toPublishedRecord(v1)));
  await assert.rejects(() => loadSchema(store, "Image", "2.0.0"), { code: "invalid_record" });
  await store.put("_schemas/Image/3.0.0.json", "{not json");
  await assert.rejects(() => loadSchema(store, "Image"), { code: "invalid_record" });
});

Deno.test("checkCompatibility names fields a reader cannot read", () => {
  const r = checkCompatibility(
    defineSchema({ name: "Image", version: "2.0.0", fields: { label: f.int(), extra: f.str() } }),
    v2,
  );
  assert.ok(!r.ok);
  assert.deepEqual(r.issues.map((i) => [i.path.join("."), i.expected, i.received]), [
    ["label", "int", "str"],
    ["extra", "str", "missing"],
  ]);
  const nullable = checkCompatibility(
    defineSchema({ name: "Image", version: "2.0.0", fields: { tags: f.list(f.str()) } }),
    v2,
  );
  assert.ok(!nullable.ok);
  assert.match(nullable.issues[0]!.message, /may be null/);
});
