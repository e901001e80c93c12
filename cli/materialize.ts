/**
 * `deno task cli materialize <dataset> --where EXPR [--output DATASET]`: the matching samples
 * written as a new dataset (a view cached under `_views/<hash>/`; asking again writes nothing).
 * A large view (or `--job`) is copied by a job on an executor: its id is printed, and the
 * command waits for it with a progress bar unless `--no-wait`.
 *
 * @module
 */
import { materialize } from "../lib/query/mod.ts";
import type { JobStatus } from "../lib/job/mod.ts";
import { type CliContext, parseCommand, storeOptionsFrom, withStore } from "./_context.ts";
import { openDataset } from "./_dataset.ts";
import { parseJsonObject, progressBar } from "./_jobs.ts";

const help = `usage: deno task cli materialize <dataset> [--where EXPR] [--output DATASET]
                                 [--maxcount N] [--job | --inline] [--no-wait]
                                 [--backend local] [--backend-options JSON] [--concurrency N]
                                 [--json] [--cache DIR] [--store URL] [S3 flags]

--output is a dataset in the same store (default _views/<hash>). A view of more than 100,000
samples or 1 GiB is copied by a job on the executor (--backend, default local; --job: always,
--inline: never, in this process): the job id is printed on stderr, and the command waits for it
with a progress bar (--no-wait: returns at once; run the same command again to wait for the job
and record the view). \`deno task cli status <job-id>\` shows the job. Exit codes: 0 done, 2 bad
input, 5 the view's job failed or was cancelled (no view recorded).`;

/** Runs `materialize`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "materialize",
    help,
    options: {
      where: { type: "string" },
      output: { type: "string" },
      maxcount: { type: "string" },
      job: { type: "boolean" },
      inline: { type: "boolean" },
      "no-wait": { type: "boolean" },
      backend: { type: "string" },
      "backend-options": { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      cache: { type: "string" },
    },
    positionals: 1,
    needs: "a dataset",
    valid: ({ values: v }) =>
      (v.maxcount === undefined || /^[1-9]\d*$/.test(v.maxcount)) &&
      (v.concurrency === undefined || /^[1-9]\d*$/.test(v.concurrency)) &&
      !(v.job && v.inline),
  });
  if (!parsed) return 0;
  const { values, positionals: [location = ""] } = parsed;
  const { store, dataset } = await openDataset(ctx, location, values);
  const bar = values.json ? undefined : progressBar();
  let announced = false;
  const onProgress = (s: JobStatus) => {
    if (!announced) {
      announced = true;
      ctx.err(
        `view job ${s.id}: ${s.tasks.total} tasks -> ${s.output} ` +
          `(deno task cli status ${s.id} --store ${store.url})`,
      );
    }
    bar?.(s);
  };
  return await withStore(store, async () => {
    const view = await materialize(store, dataset, { where: values.where }, {
      output: values.output?.replace(/\/+$/, ""),
      maxcount: values.maxcount ? Number(values.maxcount) : undefined,
      cacheDir: values.cache,
      asJob: values.job ? true : values.inline ? false : undefined,
      wait: !values["no-wait"],
      onProgress,
      executor: {
        backend: values.backend,
        storeOptions: storeOptionsFrom(values, ctx.env),
        ...(values["backend-options"] && {
          backendOptions: parseJsonObject(values["backend-options"], "--backend-options"),
        }),
        concurrency: values.concurrency ? Number(values.concurrency) : undefined,
      },
    });
    const job = view.job ? ` (job ${view.job})` : "";
    if (values.json) ctx.out(JSON.stringify(view));
    else if (view.pending) {
      ctx.out(
        `view ${view.hash} pending: job ${view.job} copies ${view.samples} samples into ` +
          `${view.shards.length} shards at "${view.output}"`,
      );
      ctx.err(
        `run the same materialize again to wait for the job and record the view; ` +
          `deno task cli status ${view.job} --store ${store.url} shows it`,
      );
    } else {
      ctx.out(
        `${
          view.cached ? "cached" : "wrote"
        } view ${view.hash}: ${view.samples} samples in ${view.shards.length} shards at "${view.output}"${job}`,
      );
    }
    return 0;
  });
}
