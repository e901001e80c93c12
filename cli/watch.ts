/**
 * `deno task cli watch [--backfill] [--rule ID ...] [--interval SECONDS]`: the pull path of the
 * trigger rules: lists what arrived since each rule's checkpoint (kept in the store) and
 * submits it by the same rules as `POST /events`; `--backfill` takes the whole prefix.
 *
 * @module
 */
import { type WatchRuleResult, watchTriggers } from "../lib/trigger/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, UsageError, withStore } from "./_context.ts";
import { openServiceStore, parseJsonObject } from "./_jobs.ts";

const help = `usage: deno task cli watch [--backfill] [--rule ID ...] [--overlap SECONDS]
  [--interval SECONDS] [--backend local] [--backend-options JSON] [--json] [--store URL]
  [S3 flags]

For each trigger rule ("deno task cli trigger"), lists its prefix, takes the shards modified
since the rule's checkpoint (_triggers/_checkpoints/<rule>.json) minus --overlap (default 600:
a multipart upload keeps its start time), submits one job per new shard version (the same job
an R2 event would make: nothing runs twice), then moves the checkpoint. --backfill takes every
shard under the prefix. Runs once, or every --interval seconds until interrupted. The store's
options come from SHARDLINE_STORE_OPTIONS (JSON) when set, as for serve. Prints one
line per rule (--json: one JSON object per rule and run).`;

/** Runs `watch`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "watch",
    help,
    options: {
      backfill: { type: "boolean" },
      rule: { type: "string", multiple: true },
      overlap: { type: "string" },
      interval: { type: "string" },
      backend: { type: "string" },
      "backend-options": { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const overlap = seconds(values.overlap, "overlap");
  const interval = seconds(values.interval, "interval");
  const backendOptions = values["backend-options"]
    ? parseJsonObject(values["backend-options"], "--backend-options")
    : undefined;
  const { store, storeOptions } = await openServiceStore(values, ctx);
  return await withStore(Promise.resolve(store), async (store) => {
    let failed = 0;
    for (let run = 0;; run++) {
      const results = await watchTriggers(store, {
        backfill: values.backfill && run === 0,
        rules: values.rule,
        overlapMs: overlap === undefined ? undefined : overlap * 1000,
        backend: values.backend,
        backendOptions,
        storeOptions,
      });
      for (const r of results) report(r, ctx, values.json);
      if (results.length === 0 && run === 0) ctx.err("no trigger rules in the store");
      failed = results.reduce((n, r) => n + r.failed, 0);
      if (interval === undefined) break;
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
    return failed > 0 ? 1 : 0;
  });
}

function report(r: WatchRuleResult, ctx: CliContext, json?: boolean): void {
  const { outcomes, ...summary } = r;
  if (json) {
    const jobs = [...new Set(outcomes.flatMap((o) => (o.job ? [o.job] : [])))];
    ctx.out(JSON.stringify({ ...summary, jobs }));
    return;
  }
  ctx.out(
    `${r.rule}: took ${r.taken} of ${r.candidates} shards (modified since the checkpoint): ` +
      `${r.submitted} submitted, ${r.existing} already done or running, ${r.ignored} ignored, ` +
      `${r.failed} failed (checkpoint ${r.checkpoint ?? "none"})`,
  );
  for (const o of outcomes) {
    if (o.outcome === "failed") ctx.err(`  ${o.key}: ${o.reason}`);
  }
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${flag} expects a number of seconds, got "${value}"`);
  }
  return n;
}
