/**
 * The trigger rules of a store, kept at `_triggers/<rule-id>.json`: {@linkcode addTrigger}
 * (bundles the job module and stores its code, like `submit`), {@linkcode putTrigger} (a rule
 * over code already stored: the dispatcher's `PUT /triggers/:id`), {@linkcode readTrigger},
 * {@linkcode listTriggers}, {@linkcode removeTrigger}.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { bundleJob, type BundleJobOptions } from "../job/bundle_job.ts";
import { codeKey } from "../job/job_spec.ts";
import { CREATE_ACTIONS, parseTriggerRule, triggerKey, type TriggerRule } from "./trigger_rule.ts";
import { TriggerError } from "./trigger_error.ts";

/** What {@linkcode addTrigger} takes. */
export interface TriggerInit {
  /** The rule's id: `[a-z0-9][a-z0-9._-]*`. */
  id: string;
  /** The job module: a path (relative to the cwd) or a `file:` URL. */
  job: string | URL;
  /** Output dataset prefix (not under `prefix`). */
  output: string;
  /** Store-key prefix of the shards to process. @default "" (anywhere) */
  prefix?: string;
  /** Suffix of the shards to process. @default ".tar" */
  suffix?: string;
  /** R2 actions to act on; add `DeleteObject` to act on deletions. @default CREATE_ACTIONS */
  on?: string[];
  /** Process a shard only once its manifest commits it. @default false */
  waitForManifest?: boolean;
  /** Params for the job (JSON). @default {} */
  params?: Record<string, unknown>;
}

/** Options for {@linkcode addTrigger}. */
export interface AddTriggerOptions {
  /** Replace a rule with the same id. @default false (an existing id throws `"exists"`) */
  replace?: boolean;
  /** How to bundle the job module. */
  bundle?: BundleJobOptions;
}

/** A rule whose job code is already in the store (`_code/<hash>.js`): what {@linkcode putTrigger} takes. */
export interface StoredTriggerInit extends Omit<TriggerInit, "job"> {
  /** The stored bundle: its SHA-256 and, for people reading the rule, the module it came from. */
  code: { hash: string };
  /** The module the bundle was made from. @default "(stored code)" */
  module?: string;
}

/**
 * Adds a rule: bundles its job module (as `submit` does), stores the code at
 * `_code/<sha256>.js` and the rule at `_triggers/<id>.json` (create-only unless `replace`).
 *
 * @example
 * ```ts ignore
 * import { addTrigger } from "./trigger_registry.ts";
 * await addTrigger(store, {
 *   id: "score-raw", prefix: "raw/", job: "./score.ts", output: "scored", waitForManifest: true,
 * });
 * ```
 */
export async function addTrigger(
  store: Store,
  init: TriggerInit,
  options: AddTriggerOptions = {},
): Promise<TriggerRule> {
  const bundled = await bundleJob(init.job, options.bundle);
  const key = codeKey(bundled.hash);
  if (!(await store.head(key))) {
    await store.put(key, bundled.code, { contentType: "text/javascript" });
  }
  return await putTrigger(
    store,
    { ...init, code: { hash: bundled.hash }, module: bundled.module },
    options,
  );
}

/**
 * Stores a rule whose job code is already in the store (the dispatcher's `PUT /triggers/:id`,
 * after the client stored the bundle as `submit({ backend: "http" })` does). Throws
 * {@linkcode TriggerError} `"invalid_rule"` for a bad rule or code that is not stored, and
 * `"exists"` for an id in use (unless `replace`).
 *
 * @example
 * ```ts
 * import { putTrigger } from "./trigger_registry.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const err = await putTrigger(new MemoryStore(), {
 *   id: "r1", output: "out", code: { hash: "0".repeat(64) },
 * }).catch((e) => e);
 * if (err?.code !== "invalid_rule") throw new Error(String(err));
 * ```
 */
export async function putTrigger(
  store: Store,
  init: StoredTriggerInit,
  options: Pick<AddTriggerOptions, "replace"> = {},
): Promise<TriggerRule> {
  const key = codeKey(init.code.hash);
  const code = /^[0-9a-f]{64}$/.test(init.code.hash) ? await store.head(key) : undefined;
  if (!code) {
    throw new TriggerError(
      "invalid_rule",
      `Invalid trigger rule "${init.id}": no job code ${init.code.hash} stored at ${key}`,
      { rule: init.id },
    );
  }
  const rule = parseTriggerRule({
    rule_version: 1,
    id: init.id,
    prefix: (init.prefix ?? "").replace(/^\/+/, ""),
    suffix: init.suffix ?? ".tar",
    on: init.on ?? [...CREATE_ACTIONS],
    wait_for_manifest: init.waitForManifest ?? false,
    job: {
      module: init.module ?? "(stored code)",
      code: { hash: init.code.hash, key, size: code.size },
    },
    output: init.output.replace(/^\/+|\/+$/g, ""),
    params: init.params ?? {},
    created_at: new Date().toISOString(),
  });
  const body = JSON.stringify(rule, null, 1) + "\n";
  try {
    await store.put(triggerKey(rule.id), body, {
      contentType: "application/json",
      ...(options.replace ? {} : { ifNoneMatch: "*" as const }),
    });
  } catch (err) {
    if (err instanceof StoreError && err.code === "already_exists") {
      throw new TriggerError("exists", `Trigger rule "${rule.id}" exists in ${store.url}`, {
        rule: rule.id,
      });
    }
    throw err;
  }
  return rule;
}

/**
 * Reads one rule, or `undefined` when there is none with that id.
 *
 * @example
 * ```ts
 * import { readTrigger } from "./trigger_registry.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * if (await readTrigger(new MemoryStore(), "nope") !== undefined) throw new Error();
 * ```
 */
export async function readTrigger(store: Store, id: string): Promise<TriggerRule | undefined> {
  const key = triggerKey(id);
  let text: string;
  try {
    text = new TextDecoder().decode(await store.get(key));
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw err;
  }
  try {
    return parseTriggerRule(JSON.parse(text));
  } catch (cause) {
    throw new TriggerError("corrupt_record", `Cannot read trigger rule "${key}": ${cause}`, {
      rule: id,
      key,
      cause,
    });
  }
}

/**
 * The store's rules, by id.
 *
 * @example
 * ```ts
 * import { listTriggers } from "./trigger_registry.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * if ((await listTriggers(new MemoryStore())).length !== 0) throw new Error();
 * ```
 */
export async function listTriggers(store: Store): Promise<TriggerRule[]> {
  const rules: TriggerRule[] = [];
  for await (const { key } of store.list("_triggers/", { delimiter: "/" })) {
    const name = key.slice("_triggers/".length);
    if (name.startsWith("_") || !name.endsWith(".json")) continue;
    const rule = await readTrigger(store, name.slice(0, -".json".length));
    if (rule) rules.push(rule);
  }
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Removes a rule (jobs it made and their outputs stay); throws {@linkcode TriggerError}
 * `"not_found"` when there is none.
 *
 * @example
 * ```ts
 * import { removeTrigger } from "./trigger_registry.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * const err = await removeTrigger(new MemoryStore(), "nope").catch((e) => e);
 * if (err?.code !== "not_found") throw new Error();
 * ```
 */
export async function removeTrigger(store: Store, id: string): Promise<void> {
  const key = triggerKey(id);
  if (!(await store.head(key))) {
    throw new TriggerError("not_found", `No trigger rule "${id}" in ${store.url}`, { rule: id });
  }
  await store.delete(key);
}
