/**
 * The job a large view runs as (see `materialize`): `materialize` bundles this module like any
 * job module and runs it on an executor. Each task copies one output shard of the view: it reads
 * its rows from `<plan><task-id>.json` (written by `materialize` before the job) and runs the
 * same copy as the in-process path (`_view_shard.ts`), writing `<output_prefix>-000.tar` with
 * its manifest (private to the query room).
 *
 * @module
 */
import { defineJob } from "../job/define_job.ts";
import { copyViewShard } from "./_view_shard.ts";
import { decodeViewRows, type ViewJobParams, type ViewRow } from "./_view_plan.ts";

/** What a task reads: its task file (checked by {@linkcode decodeViewRows}). */
const TaskFile = {
  name: "shardline.view-task",
  version: "1.0.0",
  safeParse: (value: unknown) => ({ ok: true as const, value: value as { rows: ViewRow[] } }),
};

export default defineJob({
  name: "view",
  version: "1.0.0",
  description: "Copies one output shard of a materialized view per task, byte for byte",
  input: TaskFile,
  async task(io, ctx) {
    const params = ctx.params as unknown as ViewJobParams;
    const key = `${params.plan}${io.task.id}.json`;
    const rows = decodeViewRows(new TextDecoder().decode(await io.store.get(key)), key);
    const shard = await copyViewShard(io.store, rows, {
      pattern: `${io.task.output_prefix}-%03d.tar`,
      index: 0,
      output: io.output,
      hash: params.view,
      schema: params.schema,
      // The manifest encoder's worker thread is a file of shardline: a bundle cannot start it.
      encodeIn: "thread",
      signal: io.signal,
    });
    return {
      outputs: [{
        key: shard.key,
        num_samples: shard.numSamples,
        size_bytes: shard.sizeBytes,
        sha256: shard.sha256,
      }],
    };
  },
});
