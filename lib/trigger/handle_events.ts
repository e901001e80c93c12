/**
 * {@linkcode handleEvents}: what the dispatcher does with a batch of R2 event notifications
 * (`POST /events`): match each event against the store's trigger rules and submit one job per
 * new shard version (or find it, when the event was delivered before), retract outputs for the
 * deletions a rule asks for, and say what became of every event.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { parseStoreUrl } from "../store/store_url.ts";
import { listTriggers } from "./trigger_registry.ts";
import { matchRule } from "./match_rule.ts";
import type { TriggerRule } from "./trigger_rule.ts";
import {
  objectVersion,
  type ShardVersion,
  submitTriggerJob,
  type SubmitTriggerJobOptions,
} from "./trigger_job.ts";
import { retractOutputs } from "./retract_outputs.ts";

/** An R2 event notification (Cloudflare's documented message body). */
export interface R2Event {
  account?: string;
  /** `PutObject`, `CopyObject`, `CompleteMultipartUpload`, `DeleteObject`, `LifecycleDeletion`. */
  action: string;
  bucket: string;
  object: { key: string; size?: number; eTag?: string };
  eventTime?: string;
  copySource?: { bucket: string; object: string };
}

/** Options for {@linkcode handleEvents}. */
export interface HandleEventsOptions extends SubmitTriggerJobOptions {
  /**
   * The store's bucket: events from other buckets are ignored.
   * @default the bucket of an `s3://` store; none (any bucket) for other stores
   */
  bucket?: string;
  /**
   * Where the store starts inside the bucket: event keys outside it are ignored, the rest are
   * made relative to it. @default the path of an `s3://` store URL, else ""
   */
  keyPrefix?: string;
  /** The rules to apply. @default the store's (`listTriggers`) */
  rules?: TriggerRule[];
}

/** What became of one event for one rule (or for none). */
export interface EventOutcome {
  /** The event's position in the batch. */
  index: number;
  /** The event's key (as the bucket names it) and action. */
  key: string;
  action: string;
  /** The rule, when one matched. */
  rule?: string;
  /**
   * `submitted`: a new job; `exists`: the job of this shard version was made before (a
   * repeated event); `retracted`: outputs of a deleted shard removed; `ignored`: nothing to do
   * (`reason` says why); `invalid`: not an R2 event; `failed`: could not be done now (`reason`),
   * worth delivering again.
   */
  outcome: "submitted" | "exists" | "retracted" | "ignored" | "invalid" | "failed";
  reason?: string;
  /** The job's id (`submitted`, `exists`). */
  job?: string;
  /** The shard's store key, when one was resolved. */
  shard?: string;
}

/** The outcomes of a batch with their counts. */
export interface HandleEventsResult {
  outcomes: EventOutcome[];
  counts: Record<EventOutcome["outcome"], number>;
}

/**
 * Handles a batch of events. Events are handled one after another, in order; a failure (the
 * store unreachable, say) is recorded in that event's outcome and the others go on. Idempotent:
 * delivering the batch again finds the same jobs.
 *
 * A shard's version is the store's current ETag of it (the event's `eTag` is not trusted: it
 * may be older than the object), so an event delivered late processes what is there now, and
 * the event of that newer version then finds the same job.
 *
 * @example
 * ```ts ignore
 * import { handleEvents } from "./handle_events.ts";
 * const { outcomes, counts } = await handleEvents(store, [{
 *   action: "PutObject", bucket: "data",
 *   object: { key: "raw/shard-000003.tar", size: 10240, eTag: "9b2cf5" },
 * }]);
 * console.log(counts.submitted, outcomes[0]!.job);
 * ```
 */
export async function handleEvents(
  store: Store,
  events: readonly unknown[],
  options: HandleEventsOptions = {},
): Promise<HandleEventsResult> {
  const url = parseStoreUrl(store.url);
  const bucket = options.bucket ?? (url.scheme === "s3" ? url.host : undefined);
  const keyPrefix = options.keyPrefix ?? (url.scheme === "s3" ? url.path : "");
  const base = keyPrefix === "" ? "" : `${keyPrefix.replace(/\/+$/, "")}/`;
  const rules = options.rules ?? await listTriggers(store);
  const outcomes: EventOutcome[] = [];
  for (const [index, raw] of events.entries()) {
    const event = asEvent(raw);
    if (!event) {
      outcomes.push({ index, key: "", action: "", outcome: "invalid", reason: "not an R2 event" });
      continue;
    }
    const { key: objectKey } = event.object;
    const at = { index, key: objectKey, action: event.action };
    if (bucket !== undefined && event.bucket !== bucket) {
      outcomes.push({
        ...at,
        outcome: "ignored",
        reason: `bucket "${event.bucket}" is not ${bucket}`,
      });
      continue;
    }
    if (!objectKey.startsWith(base)) {
      outcomes.push({ ...at, outcome: "ignored", reason: `outside the store's prefix "${base}"` });
      continue;
    }
    const key = objectKey.slice(base.length);
    const reasons: string[] = [];
    let matched = false;
    for (const rule of rules) {
      const match = matchRule(rule, key, event.action);
      if (match.kind === "ignored") {
        reasons.push(`${rule.id}: ${match.reason}`);
        continue;
      }
      matched = true;
      try {
        if (match.kind === "deleted") {
          const removed = await retractOutputs(store, rule, match.shard);
          outcomes.push({
            ...at,
            rule: rule.id,
            shard: match.shard,
            outcome: removed.length > 0 ? "retracted" : "ignored",
            ...(removed.length === 0 && { reason: "no outputs of the deleted shard" }),
          });
          continue;
        }
        const found = await currentVersion(store, match, bucket ?? "", event.action);
        if (typeof found === "string") {
          outcomes.push({ ...at, rule: rule.id, outcome: "ignored", reason: found });
          continue;
        }
        const job = await submitTriggerJob(store, rule, found, options);
        outcomes.push({
          ...at,
          rule: rule.id,
          shard: found.key,
          job: job.id,
          outcome: job.created ? "submitted" : "exists",
        });
      } catch (err) {
        outcomes.push({
          ...at,
          rule: rule.id,
          outcome: "failed",
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
    if (!matched) {
      outcomes.push({
        ...at,
        outcome: "ignored",
        reason: rules.length === 0 ? "no trigger rules" : `no rule matches (${reasons.join("; ")})`,
      });
    }
  }
  const counts = { submitted: 0, exists: 0, retracted: 0, ignored: 0, invalid: 0, failed: 0 };
  for (const o of outcomes) counts[o.outcome]++;
  return { outcomes, counts };
}

/** The shard version to process, or why there is none yet. */
async function currentVersion(
  store: Store,
  match: { kind: "shard"; shard: string } | { kind: "manifest"; shards: string[] },
  bucket: string,
  source: string,
): Promise<ShardVersion | string> {
  if (match.kind === "shard") {
    const info = await store.head(match.shard);
    if (!info) return "the shard is gone";
    return { key: match.shard, etag: objectVersion(info), bucket, source };
  }
  for (const key of match.shards) {
    const info = await store.head(key);
    if (!info) continue;
    const manifest = await store.head(key.replace(/\.(tar|tar\.gz|tgz)$/, ".manifest.json"));
    if (!manifest) return "the manifest is gone";
    // A shard rewritten after its manifest is not committed by it: its own manifest will come.
    if (info.lastModified && manifest.lastModified && info.lastModified > manifest.lastModified) {
      return "the shard is newer than its manifest";
    }
    return { key, etag: objectVersion(info), bucket, source };
  }
  return "the manifest's shard does not exist";
}

function asEvent(value: unknown): R2Event | undefined {
  const v = value as R2Event | undefined;
  return typeof v === "object" && v !== null && typeof v.action === "string" &&
      typeof v.bucket === "string" && typeof v.object?.key === "string"
    ? v
    : undefined;
}
