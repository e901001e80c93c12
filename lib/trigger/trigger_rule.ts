/**
 * {@linkcode TriggerRule}: "when a shard arrives under this prefix with this suffix, run this
 * job on it and write to that output", as stored at `_triggers/<rule-id>.json` (snake_case
 * JSON like the job records), and {@linkcode parseTriggerRule}, which checks one.
 *
 * @module
 */
import { z } from "zod";
import { TriggerError } from "./trigger_error.ts";

/** R2 actions that create or replace an object. */
export const CREATE_ACTIONS: readonly string[] = [
  "PutObject",
  "CopyObject",
  "CompleteMultipartUpload",
];
/** R2 actions that delete an object. */
export const DELETE_ACTIONS: readonly string[] = ["DeleteObject", "LifecycleDeletion"];

/** A trigger rule as stored. */
export interface TriggerRule {
  rule_version: 1;
  /** `[a-z0-9][a-z0-9._-]*`, at most 64 characters; the file name under `_triggers/`. */
  id: string;
  /** Store-key prefix a shard must start with (`""`: anywhere). */
  prefix: string;
  /** Suffix a shard must end with. */
  suffix: string;
  /** R2 actions the rule acts on. */
  on: string[];
  /** Process a shard only once its `.manifest.json` commits it (events for the manifest). */
  wait_for_manifest: boolean;
  /** The job: the module as given and its bundled code in the store (`_code/<sha256>.js`). */
  job: { module: string; code: { hash: string; key: string; size: number } };
  /** Output dataset prefix. */
  output: string;
  /** Params passed to the job. */
  params: Record<string, unknown>;
  /** ISO 8601 time the rule was added. */
  created_at: string;
}

const ACTIONS = [...CREATE_ACTIONS, ...DELETE_ACTIONS] as [string, ...string[]];

const ruleSchema = z.object({
  rule_version: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lowercase letters, digits, . _ -"),
  prefix: z.string().refine((p) => !p.startsWith("/"), "no leading /"),
  suffix: z.string(),
  on: z.array(z.enum(ACTIONS)).min(1),
  wait_for_manifest: z.boolean(),
  job: z.object({
    module: z.string(),
    code: z.object({
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
    }),
  }),
  output: z.string().min(1).refine((o) => !o.startsWith("/") && !o.endsWith("/"), "no / at ends"),
  params: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});

/**
 * Checks a rule record, including that the rule cannot trigger itself: its output must not lie
 * under a non-empty prefix (its own output shards would start it again). Throws {@linkcode TriggerError}
 * `"invalid_rule"` naming the failing fields.
 *
 * @example
 * ```ts
 * import { parseTriggerRule } from "./trigger_rule.ts";
 * const rule = {
 *   rule_version: 1, id: "score", prefix: "raw/", suffix: ".tar", on: ["PutObject"],
 *   wait_for_manifest: false, output: "scored", params: {},
 *   job: { module: "/jobs/score.ts", code: { hash: "a".repeat(64), key: "_code/a.js", size: 1 } },
 *   created_at: "2026-12-07T00:00:00Z",
 * };
 * if (parseTriggerRule(rule).id !== "score") throw new Error();
 * let refused = false;
 * try { parseTriggerRule({ ...rule, output: "raw/scored" }); } catch { refused = true; }
 * if (!refused) throw new Error("an output under the prefix must be refused");
 * ```
 */
export function parseTriggerRule(value: unknown): TriggerRule {
  const parsed = ruleSchema.safeParse(value);
  const id = (value as { id?: unknown })?.id;
  const name = typeof id === "string" ? id : undefined;
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(rule)"}: ${i.message}`)
      .join("; ");
    throw new TriggerError("invalid_rule", `Invalid trigger rule "${name ?? "?"}": ${detail}`, {
      rule: name,
    });
  }
  const rule = parsed.data as TriggerRule;
  // With an empty prefix the rule's own output is skipped when matching (see matchRule).
  if (rule.prefix !== "" && `${rule.output}/`.startsWith(rule.prefix)) {
    throw new TriggerError(
      "invalid_rule",
      `Invalid trigger rule "${rule.id}": its output "${rule.output}" lies under its prefix ` +
        `"${rule.prefix}", so its own outputs would trigger it again`,
      { rule: rule.id },
    );
  }
  return rule;
}

/** The store key of a rule: `_triggers/<id>.json`. */
export function triggerKey(id: string): string {
  return `_triggers/${id}.json`;
}
