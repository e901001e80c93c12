/**
 * {@linkcode matchRule}: what one trigger rule makes of one object event (a store key and an R2
 * action): a shard to process, a manifest that commits a shard, a deletion the rule asks for,
 * or nothing (with the reason). Pure: no store access.
 *
 * @module
 */
import { DELETE_ACTIONS, type TriggerRule } from "./trigger_rule.ts";

/** Extensions a shard may have, in the order a manifest's shard is looked for. */
export const SHARD_EXTENSIONS: readonly string[] = [".tar", ".tar.gz", ".tgz"];

/** What a rule makes of an event. */
export type RuleMatch =
  /** Process this shard. */
  | { kind: "shard"; shard: string }
  /** A manifest was written: process its shard (the first of these keys that exists). */
  | { kind: "manifest"; shards: string[] }
  /** The shard was deleted and the rule acts on deletions. */
  | { kind: "deleted"; shard: string }
  /** Nothing to do for this rule. */
  | { kind: "ignored"; reason: string };

/**
 * Matches an event against a rule. Keys under the rule's output, and keys in `_`-folders
 * (`_jobs/`, `_index/`, ...), never match; deletions match only a rule whose `on` lists them;
 * with `wait_for_manifest`, the shard's own event is passed over and its `.manifest.json`
 * event stands for it.
 *
 * @example
 * ```ts
 * import { matchRule } from "./match_rule.ts";
 * const rule = { prefix: "raw/", suffix: ".tar", on: ["PutObject"], wait_for_manifest: true,
 *   output: "scored" } as Parameters<typeof matchRule>[0];
 * const m = matchRule(rule, "raw/shard-000001.manifest.json", "PutObject");
 * if (m.kind !== "manifest" || m.shards[0] !== "raw/shard-000001.tar") throw new Error();
 * if (matchRule(rule, "raw/shard-000001.tar", "PutObject").kind !== "ignored") throw new Error();
 * if (matchRule(rule, "raw/shard-000001.tar", "DeleteObject").kind !== "ignored") throw new Error();
 * ```
 */
export function matchRule(
  rule: Pick<TriggerRule, "prefix" | "suffix" | "on" | "wait_for_manifest" | "output">,
  key: string,
  action: string,
): RuleMatch {
  if (!key.startsWith(rule.prefix)) return ignored(`outside the prefix "${rule.prefix}"`);
  if (key.startsWith(`${rule.output}/`)) return ignored("the rule's own output");
  if (key.slice(rule.prefix.length).split("/").some((part) => part.startsWith("_"))) {
    return ignored("in a _-folder");
  }
  if (!rule.on.includes(action)) {
    return ignored(
      DELETE_ACTIONS.includes(action)
        ? "a deletion (the rule does not act on deletions)"
        : `action ${action} is not one the rule acts on`,
    );
  }
  if (DELETE_ACTIONS.includes(action)) {
    return key.endsWith(rule.suffix) ? { kind: "deleted", shard: key } : suffixMismatch(rule);
  }
  if (rule.wait_for_manifest) {
    if (key.endsWith(".manifest.json")) {
      const stem = key.slice(0, -".manifest.json".length);
      const shards = SHARD_EXTENSIONS.map((ext) => stem + ext).filter((k) =>
        k.endsWith(rule.suffix)
      );
      return shards.length > 0 ? { kind: "manifest", shards } : suffixMismatch(rule);
    }
    if (key.endsWith(rule.suffix)) return ignored("waits for the shard's manifest");
    return suffixMismatch(rule);
  }
  return key.endsWith(rule.suffix) ? { kind: "shard", shard: key } : suffixMismatch(rule);
}

function ignored(reason: string): RuleMatch {
  return { kind: "ignored", reason };
}

function suffixMismatch(rule: Pick<TriggerRule, "suffix">): RuleMatch {
  return ignored(`not a "${rule.suffix}" key`);
}
