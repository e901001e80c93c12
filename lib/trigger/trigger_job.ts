/**
 * {@linkcode submitTriggerJob}: the job a trigger rule makes of one shard version, an ordinary
 * job over that one input shard, recorded and started by the machinery of `submit`
 * (`launchJob`). Its id derives from the bucket, the shard's key and version (ETag) and the
 * rule, so a repeated event or listing finds the same job and writes nothing twice, while a
 * re-uploaded shard (a new ETag) gets a new job and a new output.
 *
 * @module
 */
import type { ObjectInfo, Store } from "../store/store.ts";
import type { Job } from "../job/job.ts";
import type { JobSpec } from "../job/job_spec.ts";
import { resolveInput, shardStem } from "../job/plan_tasks.ts";
import { canonicalJson, sha256Hex } from "../util/mod.ts";
import {
  jobPolicy,
  type JobPolicyOptions,
  launchJob,
  type LaunchJobOptions,
} from "../exec/launch_job.ts";
import { PIPELINE_VERSION } from "../exec/start_job.ts";
import type { TriggerRule } from "./trigger_rule.ts";

/** One version of one shard, as an event or a listing reported it. */
export interface ShardVersion {
  /** The shard's store key. */
  key: string;
  /** Its version: see {@linkcode objectVersion}. */
  etag: string;
  /** The bucket (`""` for a store without one). */
  bucket: string;
  /** What reported it: an R2 action or `"watch"`. */
  source: string;
}

/**
 * An object's version for job ids: its ETag without quotes or weak marker (so R2's event
 * `eTag` and the S3 API's quoted `ETag` agree), else a stamp of size and modification time
 * (local folders have no ETag).
 *
 * @example
 * ```ts
 * import { objectVersion } from "./trigger_job.ts";
 * if (objectVersion({ key: "k", size: 1, etag: '"abc"' }) !== "abc") throw new Error();
 * const v = objectVersion({ key: "k", size: 5, lastModified: new Date(1000) });
 * if (v !== "size-5-mtime-1000") throw new Error(v);
 * ```
 */
export function objectVersion(info: ObjectInfo): string {
  const etag = info.etag?.replace(/^W\//, "").replace(/^"|"$/g, "");
  if (etag) return etag;
  return `size-${info.size}-mtime-${info.lastModified?.getTime() ?? 0}`;
}

/**
 * The id of the job a rule makes of a shard version: `t-` and 20 hex digits of the SHA-256 of
 * the bucket, key, version, the rule's id and what the rule runs (code, output, params), so
 * editing a rule (`trigger add --replace` with new code) processes shards anew.
 *
 * @example
 * ```ts
 * import { triggerJobId } from "./trigger_job.ts";
 * const rule = { id: "r", output: "o", params: {}, job: { code: { hash: "h" } } } as never;
 * const v = { key: "raw/s.tar", etag: "e1", bucket: "b", source: "PutObject" };
 * const a = triggerJobId(rule, v);
 * if (a !== triggerJobId(rule, { ...v, source: "watch" })) throw new Error("same version");
 * if (a === triggerJobId(rule, { ...v, etag: "e2" })) throw new Error("new version");
 * ```
 */
export function triggerJobId(
  rule: Pick<TriggerRule, "id" | "output" | "params" | "job">,
  version: ShardVersion,
): string {
  return "t-" + sha256Hex(canonicalJson({
    bucket: version.bucket,
    key: version.key,
    etag: version.etag,
    rule: rule.id,
    code: rule.job.code.hash,
    output: rule.output,
    params: rule.params,
  })).slice(0, 20);
}

/** Options for {@linkcode submitTriggerJob}. */
export interface SubmitTriggerJobOptions extends LaunchJobOptions, JobPolicyOptions {
  /** Executor name: where the deployment runs jobs (a rule says what to run, not where). @default "local" */
  backend?: string;
}

/**
 * Records and starts the job of `rule` over one shard version (or finds it: same id). Its one
 * task writes `<output>/<shard-name>-<8 hex of the id>-000.tar` (and `-001`, ... on rotation),
 * so the outputs of two versions of a shard never collide. Returns at once; `job.created`
 * says whether this call recorded it.
 *
 * @example
 * ```ts ignore
 * import { submitTriggerJob } from "./trigger_job.ts";
 * const job = await submitTriggerJob(store, rule,
 *   { key: "raw/shard-000003.tar", etag: "9b2cf5", bucket: "data", source: "PutObject" });
 * await job.awaitResults();
 * ```
 */
export async function submitTriggerJob(
  store: Store,
  rule: TriggerRule,
  version: ShardVersion,
  options: SubmitTriggerJobOptions = {},
): Promise<Job> {
  const id = triggerJobId(rule, version);
  const [shard] = await resolveInput(store, version.key);
  const name = shardStem(version.key).split("/").pop()!;
  const policy = jobPolicy(options);
  const spec: JobSpec = {
    spec_version: 1,
    id,
    module: rule.job.module,
    code: rule.job.code,
    input: { source: version.key, shards: [shard!] },
    output: rule.output,
    params: rule.params,
    granularity: { shards_per_task: 1 },
    tasks: [{
      id: "task-000000",
      index: 0,
      inputs: [{ key: version.key }],
      output_prefix: `${rule.output}/${name}-${id.slice(2, 10)}`,
    }],
    backend: options.backend ?? "local",
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    policy,
    pipeline_version: PIPELINE_VERSION,
    created_at: new Date().toISOString(),
    trigger: {
      rule: rule.id,
      bucket: version.bucket,
      key: version.key,
      etag: version.etag,
      source: version.source,
    },
  };
  return await launchJob(store, spec, options);
}
