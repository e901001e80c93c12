/**
 * Test fixtures of the job area: a job spec over N one-shard tasks and task results.
 *
 * @module
 */
import type { JobSpec, TaskResult } from "./job_spec.ts";

/** A job spec with `n` tasks over `in/s-<i>.tar`. */
export function fixtureSpec(n: number, policy: Partial<JobSpec["policy"]> = {}): JobSpec {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: `task-${String(i).padStart(6, "0")}`,
    index: i,
    inputs: [{ key: `in/s-${i}.tar` }],
    output_prefix: `out/shard-${String(i).padStart(6, "0")}`,
  }));
  return {
    spec_version: 1,
    id: "j-test",
    module: "job.ts",
    code: { hash: "0".repeat(64), key: "_code/x.js", size: 0 },
    input: { source: "in", shards: tasks.map((t) => ({ key: t.inputs[0]!.key, size: 1 })) },
    output: "out",
    params: {},
    granularity: { shards_per_task: 1 },
    tasks,
    backend: "local",
    policy: {
      max_attempts: 3,
      backoff_ms: 1,
      max_failed_task_fraction: 0,
      heartbeat_ms: 50,
      maxcount: 100,
      maxsize: 1e9,
      ...policy,
    },
    pipeline_version: "test",
    created_at: new Date(0).toISOString(),
  };
}

/** A task result with 10 samples in and out, overridable. */
export function fixtureResult(taskId: string, over: Partial<TaskResult> = {}): TaskResult {
  const at = new Date(1000).toISOString();
  return {
    job_id: "j-test",
    task_id: taskId,
    status: "ok",
    samples_in: 10,
    samples_out: 10,
    skipped: 0,
    failed: 0,
    failures: [],
    duration_ms: 5,
    attempt: 1,
    started_at: at,
    finished_at: at,
    outputs: [{ key: `out/${taskId}.tar`, num_samples: 10, size_bytes: 100 }],
    ...over,
  };
}
