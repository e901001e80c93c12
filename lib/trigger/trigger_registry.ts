/**
 * The trigger rules of a store, kept at `_triggers/<rule-id>.json`: {@linkcode addTrigger}
 * (bundles the job module and stores its code, like `submit`), {@linkcode readTrigger},
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
  const rule = parseTriggerRule({
    rule_version: 1,
    id: init.id,
    prefix: (init.prefix ?? "").replace(/^\/+/, ""),
    suffix: init.suffix ?? ".tar",
    on: init.on ?? [...CREATE_ACTIONS],
    wait_for_manifest: init.waitForManifest ?? false,
    job: {
      module: bundled.module,
      code: { hash: bundled.hash, key: codeKey(bundled.hash), size: bundled.code.byteLength },
    },
    output: init.output.replace(/^\/+|\/+$/g, ""),
    params: init.params ?? {},
    created_at: new Date().toISOString(),
  });
  if (!(await store.head(rule.job.code.key))) {
    await store.put(rule.job.code.key, bundled.code, { contentType: "text/javascript" });
  }
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
