/**
 * The schema registry in a {@linkcode Store}: {@linkcode publishSchema}, {@linkcode loadSchema}
 * and {@linkcode listSchemas} over `_schemas/<name>/<version>.json` (atdata local records).
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import type { Schema } from "./define_schema.ts";
import { type AtdataLocalRecord, toLocalRecord } from "./atdata_local_record.ts";
import { schemaFromRecord } from "./schema_from_record.ts";
import { compareSemver, isSemver } from "./_semver.ts";
import { SchemaError } from "./schema_error.ts";

const PREFIX = "_schemas/";

/** The store key of a published schema version. */
function schemaKey(name: string, version: string): string {
  return `${PREFIX}${name}/${version}.json`;
}

/** What {@linkcode publishSchema} did. */
export interface PublishedSchema {
  /** The store key: `_schemas/<name>/<version>.json`. */
  key: string;
  /** False when the identical schema was already published there. */
  created: boolean;
}

/** Options for {@linkcode publishSchema}. */
export interface PublishSchemaOptions {
  /**
   * The record's `createdAt` (ignored when comparing with an already published record).
   * @default new Date()
   */
  createdAt?: Date;
}

/** A published schema version, as {@linkcode listSchemas} finds it. */
export interface SchemaListing {
  name: string;
  version: string;
  key: string;
}

function sameRecord(a: unknown, b: AtdataLocalRecord): boolean {
  if (typeof a !== "object" || a === null) return false;
  const { createdAt: _a, ...restA } = a as AtdataLocalRecord;
  const { createdAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

async function readJson(store: Store, key: string): Promise<unknown | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(key);
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new SchemaError("invalid_record", `Cannot read schema "${key}": not JSON`, {
      path: key,
      cause: err,
    });
  }
}

/**
 * Publishes a schema as an atdata local record at `_schemas/<name>/<version>.json`, create-only.
 * Publishing the identical schema again is a no-op (`created: false`); a different schema under
 * a published version throws {@linkcode SchemaError} `"incompatible_version"`: bump the version.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { defineSchema, f, loadSchema, publishSchema } from "./mod.ts";
 * const store = new MemoryStore();
 * const S = defineSchema({ name: "Tour", version: "1.0.0", fields: { label: f.str() } });
 * const { key } = await publishSchema(store, S);
 * const loaded = await loadSchema(store, "Tour");
 * if (key !== "_schemas/Tour/1.0.0.json" || loaded.version !== "1.0.0") throw new Error();
 * ```
 */
export async function publishSchema(
  store: Store,
  schema: Schema,
  options: PublishSchemaOptions = {},
): Promise<PublishedSchema> {
  const key = schemaKey(schema.name, schema.version);
  const record = toLocalRecord(schema, { createdAt: options.createdAt ?? new Date() });
  const check = (existing: unknown): PublishedSchema => {
    if (sameRecord(existing, record)) return { key, created: false };
    throw new SchemaError(
      "incompatible_version",
      `Cannot publish schema "${schema.id}": a different schema is already published at "${key}"; ` +
        `publish it under a new version`,
      { path: key },
    );
  };
  const existing = await readJson(store, key);
  if (existing !== undefined) return check(existing);
  try {
    await store.put(key, JSON.stringify(record, null, 2) + "\n", {
      ifNoneMatch: "*",
      contentType: "application/json",
    });
  } catch (err) {
    if (!(err instanceof StoreError && err.code === "already_exists")) throw err;
    return check(await readJson(store, key)); // lost a race with another publisher
  }
  return { key, created: true };
}

/**
 * Lists the published schema versions (`_schemas/<name>/<version>.json`), sorted by name and
 * then semver precedence. Keys that are not a name and a semver are skipped.
 */
export async function listSchemas(store: Store): Promise<SchemaListing[]> {
  const out: SchemaListing[] = [];
  for await (const info of store.list(PREFIX)) {
    const m = /^_schemas\/([^/]+)\/([^/]+)\.json$/.exec(info.key);
    if (m && isSemver(m[2]!)) out.push({ name: m[1]!, version: m[2]!, key: info.key });
  }
  return out.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : compareSemver(a.version, b.version)
  );
}

/**
 * Loads a published schema: the given version, or the latest by semver precedence when the
 * version is left out. Throws {@linkcode SchemaError} `"not_found"` when there is none, and
 * `"invalid_record"` when the stored record is malformed or names another schema.
 */
export async function loadSchema(store: Store, name: string, version?: string): Promise<Schema> {
  let key: string;
  if (version === undefined) {
    const versions = (await listSchemas(store)).filter((s) => s.name === name);
    const latest = versions.at(-1);
    if (!latest) {
      throw new SchemaError("not_found", `Cannot load schema "${name}": no version is published`);
    }
    key = latest.key;
    version = latest.version;
  } else key = schemaKey(name, version);
  const record = await readJson(store, key);
  if (record === undefined) {
    throw new SchemaError(
      "not_found",
      `Cannot load schema "${name}@${version}": "${key}" does not exist`,
      { path: key },
    );
  }
  const schema = schemaFromRecord(record);
  if (schema.name !== name || schema.version !== version) {
    throw new SchemaError(
      "invalid_record",
      `Cannot load schema "${name}@${version}": "${key}" holds "${schema.id}"`,
      { path: key },
    );
  }
  return schema;
}
