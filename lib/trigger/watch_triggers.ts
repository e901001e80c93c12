/**
 * {@linkcode watchTriggers}: the pull path. For each trigger rule, lists the rule's prefix,
 * keeps what was modified since the rule's checkpoint (`_triggers/_checkpoints/<rule>.json`,
 * kept in the store), submits it by the same rule (through {@linkcode handleEvents}, so a shard
 * version gets the same job as its R2 event would), then moves the checkpoint. `backfill` takes
 * the whole prefix. Run it on a schedule, or once to catch up with events that were lost.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { StoreError } from "../store/store_error.ts";
import { parseStoreUrl } from "../store/store_url.ts";
import { listTriggers } from "./trigger_registry.ts";
import { matchRule } from "./match_rule.ts";
import { CREATE_ACTIONS, type TriggerRule } from "./trigger_rule.ts";
import { type EventOutcome, handleEvents, type R2Event } from "./handle_events.ts";
import type { SubmitTriggerJobOptions } from "./trigger_job.ts";
import { TriggerError } from "./trigger_error.ts";

/** Options for {@linkcode watchTriggers}. */
export interface WatchTriggersOptions extends SubmitTriggerJobOptions {
  /** Take every matching object under the prefixes, whatever the checkpoints say. @default false */
  backfill?: boolean;
  /** Only these rules. @default every rule of the store */
  rules?: string[];
  /**
   * Objects modified up to this long before a checkpoint are taken again: a multipart upload
   * keeps its start time, and clocks differ. Costs nothing but a lookup (same job ids).
   * @default 600000 (10 minutes)
   */
  overlapMs?: number;
  /** The bucket, for job ids. @default the bucket of an `s3://` store, else "" */
  bucket?: string;
}

/** What a watch did for one rule. */
export interface WatchRuleResult {
  rule: string;
  /** Objects listed under the prefix that the rule would act on. */
  candidates: number;
  /** Of those, modified since the checkpoint (all of them in a backfill). */
  taken: number;
  submitted: number;
  existing: number;
  ignored: number;
  failed: number;
  /** The checkpoint after this run (ISO 8601), when there is one. */
  checkpoint?: string;
  /** Per-object outcomes of the objects taken. */
  outcomes: EventOutcome[];
}

/** The store key of a rule's checkpoint. */
export function checkpointKey(rule: string): string {
  return `_triggers/_checkpoints/${rule}.json`;
}

interface Checkpoint {
  rule: string;
  /** The latest modification time among the objects taken (ISO 8601). */
  last_modified: string;
  updated_at: string;
}

/**
 * Runs the pull path once over the store's rules.
 *
 * @example
 * ```ts ignore
 * import { watchTriggers } from "./watch_triggers.ts";
 * for (const r of await watchTriggers(store, { backfill: true })) {
 *   console.log(r.rule, r.submitted, r.existing);
 * }
 * ```
 */
export async function watchTriggers(
  store: Store,
  options: WatchTriggersOptions = {},
): Promise<WatchRuleResult[]> {
  const url = parseStoreUrl(store.url);
  const bucket = options.bucket ?? (url.scheme === "s3" ? url.host : "");
  const overlapMs = options.overlapMs ?? 600_000;
  let rules = await listTriggers(store);
  if (options.rules) {
    const missing = options.rules.filter((id) => !rules.some((r) => r.id === id));
    if (missing.length > 0) {
      throw new TriggerError("not_found", `No trigger rule "${missing[0]}" in ${store.url}`, {
        rule: missing[0],
      });
    }
    rules = rules.filter((r) => options.rules!.includes(r.id));
  }
  const results: WatchRuleResult[] = [];
  for (const rule of rules) results.push(await watchRule(store, rule, bucket, overlapMs, options));
  return results;
}

async function watchRule(
  store: Store,
  rule: TriggerRule,
  bucket: string,
  overlapMs: number,
  options: WatchTriggersOptions,
): Promise<WatchRuleResult> {
  const action = rule.on.find((a) => CREATE_ACTIONS.includes(a));
  const result: WatchRuleResult = {
    rule: rule.id,
    candidates: 0,
    taken: 0,
    submitted: 0,
    existing: 0,
    ignored: 0,
    failed: 0,
    outcomes: [],
  };
  if (!action) return result; // a rule for deletions only: nothing to list
  const previous = await readCheckpoint(store, rule.id);
  const since = options.backfill || !previous
    ? undefined
    : Date.parse(previous.last_modified) - overlapMs;
  const taken: { key: string; time?: number }[] = [];
  for await (const info of store.list(rule.prefix)) {
    if (matchRule(rule, info.key, action).kind === "ignored") continue;
    result.candidates++;
    const time = info.lastModified?.getTime();
    if (since !== undefined && time !== undefined && time < since) continue;
    taken.push({ key: info.key, time });
  }
  result.taken = taken.length;
  const events: R2Event[] = taken.map(({ key }) => ({ action, bucket, object: { key } }));
  const { outcomes } = await handleEvents(store, events, {
    ...options,
    rules: [rule],
    bucket,
    keyPrefix: "",
  });
  result.outcomes = outcomes;
  for (const o of outcomes) {
    if (o.outcome === "submitted") result.submitted++;
    else if (o.outcome === "exists") result.existing++;
    else if (o.outcome === "failed") result.failed++;
    else result.ignored++;
  }
  // The checkpoint moves to the newest object taken, but never past one that failed.
  const failedAt = outcomes.filter((o) => o.outcome === "failed")
    .map((o) => taken[o.index]?.time ?? 0);
  const times = taken.map((t) => t.time).filter((t): t is number => t !== undefined);
  let next = times.length > 0 ? Math.max(...times) : undefined;
  if (failedAt.length > 0) next = Math.min(...failedAt) - 1;
  const prev = previous ? Date.parse(previous.last_modified) : undefined;
  if (next !== undefined && (prev === undefined || next > prev || options.backfill)) {
    const record: Checkpoint = {
      rule: rule.id,
      last_modified: new Date(next).toISOString(),
      updated_at: new Date().toISOString(),
    };
    await store.put(checkpointKey(rule.id), JSON.stringify(record, null, 1) + "\n", {
      contentType: "application/json",
    });
    result.checkpoint = record.last_modified;
  } else result.checkpoint = previous?.last_modified;
  return result;
}

async function readCheckpoint(store: Store, rule: string): Promise<Checkpoint | undefined> {
  const key = checkpointKey(rule);
  try {
    const value = JSON.parse(new TextDecoder().decode(await store.get(key))) as Checkpoint;
    if (Number.isNaN(Date.parse(value.last_modified))) throw new SyntaxError("no last_modified");
    return value;
  } catch (err) {
    if (err instanceof StoreError && err.code === "not_found") return undefined;
    throw new TriggerError("corrupt_record", `Cannot read checkpoint "${key}": ${err}`, {
      rule,
      key,
      cause: err,
    });
  }
}
