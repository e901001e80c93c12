/**
 * What the job commands (`submit`, `status`, `wait`, `jobs`, `cancel`, `retry`) share: the
 * store flag, exit codes by job state, status formatting and the stderr progress bar.
 *
 * @module
 */
import { awaitResults, type JobResults } from "../lib/job/mod.ts";
import type { JobState, JobStatus } from "../lib/job/status.ts";
import { openStore, type OpenStoreOptions, type Store } from "../lib/store/mod.ts";
import { type CliContext, type StoreFlags, storeOptionsFrom, UsageError } from "./_context.ts";
import { formatSeconds, progressBar } from "../lib/notebook/progress_bar.ts";

/** The store the job commands use without `--store`. */
export function storeUrlOf(flags: { store?: string }, ctx: CliContext): string {
  return flags.store ?? ctx.env.SHARDLINE_STORE ?? "./data";
}

/**
 * The store of a long-running service (`serve`, `watch`) and the options its executors open it
 * with: SHARDLINE_STORE_OPTIONS (JSON, as executor processes get them; on Modal, from the
 * Secret), else the S3 flags and the usual environment variables (for an `s3:` store).
 */
export async function openServiceStore(
  flags: StoreFlags & { store?: string },
  ctx: CliContext,
): Promise<{ store: Store; storeOptions?: OpenStoreOptions }> {
  const url = storeUrlOf(flags, ctx);
  const storeOptions = ctx.env.SHARDLINE_STORE_OPTIONS
    ? parseJsonObject(
      ctx.env.SHARDLINE_STORE_OPTIONS,
      "SHARDLINE_STORE_OPTIONS",
    ) as OpenStoreOptions
    : url.startsWith("s3:")
    ? storeOptionsFrom(flags, ctx.env)
    : undefined;
  const store = storeOptions ? await openStore(url, storeOptions) : await openJobStore(flags, ctx);
  return { store, storeOptions };
}

/** Opens the store from the flags. */
export function openJobStore(flags: StoreFlags & { store?: string }, ctx: CliContext) {
  return ctx.openStore(storeUrlOf(flags, ctx), flags);
}

/**
 * Exit codes by job state: 0 completed (or still going, for `status`), 4 completed with errors,
 * 5 failed, 6 cancelled, 7 timed out waiting, 8 stalled (executor gone; resubmit or retry).
 */
export const stateExitCodes: Record<JobState | "timeout", number> = {
  pending: 0,
  running: 0,
  completed: 0,
  completed_with_errors: 4,
  failed: 5,
  cancelled: 6,
  timeout: 7,
  stalled: 8,
};

/** Exit codes of job error codes (the rest fall back to cli/_context.ts). */
export function jobErrorExitCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  if (code === "failed" || code === "cancelled" || code === "timeout" || code === "stalled") {
    return stateExitCodes[code];
  }
  if (code === "invalid_input" || code === "unknown_backend") return 2;
  if (code === "not_found") return 3;
  return undefined;
}

/** Options of {@linkcode awaitAndReport}. */
export interface AwaitAndReportOptions {
  /** Report JSON lines on stdout instead of a progress bar and status lines on stderr. */
  json?: boolean;
  /** Give up after this many ms (exit code 7). @default no limit */
  timeout?: number;
  /** What the command reports about the job either way, merged into its JSON line. */
  info: object;
  /** The JSON fields of a finished job, merged after `info`. */
  report: (res: JobResults) => object;
}

/**
 * `--wait` for `submit` and `retry`: waits with a progress bar on stderr (none with `json`),
 * reports the final status, and resolves to its exit code. A job that fails, is cancelled,
 * stalls or times out is reported with its error (`{ ...info, error }` with `json`) and exits
 * by {@linkcode jobErrorExitCode}; other errors are thrown.
 */
export async function awaitAndReport(
  store: Store,
  jobId: string,
  ctx: CliContext,
  options: AwaitAndReportOptions,
): Promise<number> {
  const { json, info } = options;
  try {
    const res = await awaitResults(store, jobId, {
      timeout: options.timeout,
      onProgress: json ? undefined : progressBar(),
    });
    if (json) ctx.out(JSON.stringify({ ...info, ...options.report(res) }));
    else for (const line of formatStatus(res.status)) ctx.err(line);
    return stateExitCodes[res.state];
  } catch (err) {
    const code = jobErrorExitCode(err);
    if (code === undefined) throw err;
    if (json) ctx.out(JSON.stringify({ ...info, error: (err as Error).message }));
    else ctx.err((err as Error).message);
    return code;
  }
}

/** A human summary of a status, several lines. */
export function formatStatus(s: JobStatus): string[] {
  const t = s.tasks;
  const lines = [
    `job ${s.id}${s.job ? ` (${s.job.name}@${s.job.version})` : ""}: ${s.state}`,
    `  output   ${s.output}`,
    `  tasks    ${t.ok} ok, ${t.failed} failed, ${t.running} running, ${t.pending} pending ` +
    `(of ${t.total})`,
    `  samples  ${s.samples.in} in, ${s.samples.out} out, ${s.samples.skipped} skipped, ` +
    `${s.samples.failed} failed`,
  ];
  if (s.samples_per_second !== undefined) {
    const eta = s.eta_seconds !== undefined ? `, ETA ${formatSeconds(s.eta_seconds)}` : "";
    lines.push(`  rate     ${Math.round(s.samples_per_second)} samples/s${eta}`);
  }
  if (s.stalled) {
    lines.push(`  stalled  ${s.stalled.reason}${s.stalled.log ? `; see ${s.stalled.log}` : ""}`);
    for (const l of s.stalled.log_tail?.slice(-5) ?? []) lines.push(`  log      ${l}`);
  }
  for (const f of s.failures.slice(0, 10)) {
    lines.push(`  failure  ${f.task}${f.key ? ` [${f.key}]` : ""}: ${f.reason}`);
  }
  if (s.failures.length > 10) lines.push(`  ... ${s.failures.length - 10} more failures`);
  for (const w of s.warnings?.slice(0, 10) ?? []) {
    lines.push(
      `  warning  ${w.task}: ${w.stage} of "${w.dataset}" failed (${w.code}): ${w.message}`,
    );
  }
  if ((s.warnings?.length ?? 0) > 10) lines.push(`  ... ${s.warnings!.length - 10} more warnings`);
  return lines;
}

export { formatSeconds, progressBar } from "../lib/notebook/progress_bar.ts";

/**
 * Job params from `--params JSON` then each `--param key=value` (the value parsed as JSON when it
 * is JSON, else kept as text), for `submit` and `trigger add`.
 */
export function parseParams(
  values: { params?: string; param?: string[] },
): Record<string, unknown> {
  const params = values.params ? parseJsonObject(values.params, "--params") : {};
  for (const kv of values.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param expects key=value, got "${kv}"`);
    params[kv.slice(0, eq)] = tryJson(kv.slice(eq + 1));
  }
  return params;
}

/** A flag's JSON object value; a {@linkcode UsageError} naming the flag otherwise. */
export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch { /* below */ }
  // Never the value in the message: it may hold credentials.
  throw new UsageError(`${flag} expects a JSON object`);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
