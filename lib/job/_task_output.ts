/**
 * A task's output writer: a {@linkcode ShardWriter} over `<output_prefix>-%03d.tar` with a
 * {@linkcode ManifestBuilder} in its hooks, so that each shard commits with its manifest and
 * the job's provenance.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import { ManifestBuilder, type ManifestSchema } from "../manifest/manifest_builder.ts";
import { ShardWriter } from "../shard/shard_writer.ts";
import type { TarSample } from "../shard/tar_sample.ts";
import type { JobDefinition } from "./define_job.ts";
import type { JobSpec, TaskOutput, TaskSpec } from "./job_spec.ts";
import { encodeWith } from "./_codec.ts";

/** What the task runner writes through. */
export interface TaskWriter {
  /** Writes one validated output sample (raw: a kept input sample, written as read). */
  write(key: string, value: Record<string, unknown>, raw?: TarSample): Promise<void>;
  /** Finishes the last shard; resolves to the committed shards. */
  close(): Promise<TaskOutput[]>;
  /** Stops: no shard in progress appears; completed ones are deleted. */
  abort(): Promise<void>;
}

interface Item {
  __key__: string;
  files: Record<string, Uint8Array>;
  value: Record<string, unknown>;
}

/** Opens the output writer of a task. */
export function openTaskWriter(
  store: Store,
  spec: JobSpec,
  task: TaskSpec,
  job: JobDefinition,
): TaskWriter {
  const output = job.output as unknown as Partial<ManifestSchema>;
  const builder = new ManifestBuilder(store, {
    name: job.output.name,
    version: job.output.version,
    manifestFields: output.manifestFields ?? [],
  }, {
    provenance: {
      source_job_id: spec.id,
      parent_shards: task.inputs.map((i) => i.key),
      pipeline_version: job.version,
      code_hash: spec.code.hash,
    },
  });
  const writer = new ShardWriter<Item>(store, `${task.output_prefix}-%03d.tar`, {
    maxcount: spec.policy.maxcount,
    maxsize: spec.policy.maxsize,
    onSample: (info) => {
      (info as { sample: unknown }).sample = info.sample.value; // the manifest reads the fields
      builder.onSample(info as unknown as Parameters<typeof builder.onSample>[0]);
    },
    onShardClose: (info) => builder.onShardClose(info).then(() => {}),
  });
  return {
    write(key, value, raw) {
      const files = raw ? raw.files : encodeWith(job.output, key, value);
      return writer.write({ __key__: key, files, value });
    },
    async close() {
      const shards = await writer.close();
      return shards.map((s) => ({
        key: s.key,
        num_samples: s.numSamples,
        size_bytes: s.sizeBytes,
        sha256: s.sha256,
      }));
    },
    abort: () => {
      builder.abort();
      return writer.abort();
    },
  };
}
