/**
 * `deno task cli trigger <add|ls|rm>`: the store's trigger rules (`_triggers/<id>.json`), which
 * the dispatcher's `POST /events` and `watch` apply to new shards.
 *
 * @module
 */
import {
  addTrigger,
  CREATE_ACTIONS,
  listTriggers,
  removeTrigger,
  type TriggerRule,
} from "../lib/trigger/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, UsageError, withStore } from "./_context.ts";
import { openJobStore, parseParams } from "./_jobs.ts";

const help = `usage: deno task cli trigger add <rule-id> <job-module> --output <dataset>
         [--prefix P] [--suffix .tar] [--on PutObject,CopyObject,...] [--wait-for-manifest]
         [--param key=value ...] [--params JSON] [--replace] [--json]
       deno task cli trigger ls [--json]
       deno task cli trigger rm <rule-id>
       (all take [--store URL] [S3 flags])

A rule runs <job-module> (bundled and stored in _code/ now, as submit does) on each new shard
under --prefix (default: anywhere) ending in --suffix (default .tar), for the R2 actions of --on
(default ${CREATE_ACTIONS.join(",")}; add DeleteObject to remove a deleted shard's
outputs), writing to --output. --wait-for-manifest processes a shard only once its
.manifest.json commits it. Each shard version (ETag) is processed once, into
<output>/<shard-name>-<8 hex>-000.tar. The store defaults to $SHARDLINE_STORE, else ./data.`;

/** Runs `trigger`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "trigger",
    help,
    options: {
      output: { type: "string" },
      prefix: { type: "string" },
      suffix: { type: "string" },
      on: { type: "string", multiple: true },
      "wait-for-manifest": { type: "boolean" },
      param: { type: "string", multiple: true },
      params: { type: "string" },
      replace: { type: "boolean" },
      json: { type: "boolean" },
    },
    positionals: 1,
    needs: "add, ls or rm",
    valid: ({ positionals: [action, id, module], values }) =>
      action === "ls" || (action === "rm" && !!id) ||
      (action === "add" && !!id && !!module && !!values.output),
  });
  if (!parsed) return 0;
  const { values, positionals: [action, id = "", module = ""] } = parsed;
  return await withStore(openJobStore(values, ctx), async (store) => {
    if (action === "add") {
      const rule = await addTrigger(store, {
        id,
        job: module,
        output: values.output!,
        prefix: values.prefix,
        suffix: values.suffix,
        on: values.on?.flatMap((a) => a.split(",")).map((a) => a.trim()).filter((a) => a !== ""),
        waitForManifest: values["wait-for-manifest"],
        params: parseParams(values),
      }, { replace: values.replace });
      if (values.json) ctx.out(JSON.stringify(rule));
      else ctx.out(describe(rule));
    } else if (action === "ls") {
      for (const rule of await listTriggers(store)) {
        ctx.out(values.json ? JSON.stringify(rule) : describe(rule));
      }
    } else if (action === "rm") {
      await removeTrigger(store, id);
      ctx.err(`removed trigger rule "${id}" (its jobs and outputs stay)`);
    } else throw new UsageError(`trigger: unknown action "${action}"`);
    return 0;
  });
}

function describe(rule: TriggerRule): string {
  const gate = rule.wait_for_manifest ? " once committed by its manifest" : "";
  return `${rule.id}: ${rule.prefix || "(anywhere)"}*${rule.suffix} on ${rule.on.join(",")}` +
    `${gate} -> ${rule.job.module} -> ${rule.output} ${JSON.stringify(rule.params)}`;
}
