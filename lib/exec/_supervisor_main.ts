/**
 * Entry point of the detached local supervisor:
 * `deno run -A _supervisor_main.ts <store-url> <job-id> [concurrency] [workers] [socket keep-alive-ms]`.
 *
 * Runs the job's unfinished tasks in a {@linkcode WorkerPool} until they are done or the job is
 * cancelled. `workers` worker processes are started first thing, so that they boot while this
 * process loads the rest of its code and reads the job. With a `socket`, it then stays up as
 * the warm agent of `_agent.ts`: jobs handed over the socket run on the same (warm) workers,
 * several at once, and it exits once it has been idle for `keep-alive-ms`.
 *
 * Store options come from `SHARDLINE_STORE_OPTIONS` (JSON), the code cache folder from
 * `SHARDLINE_CODE_CACHE`, the `deno` binary of its workers from `SHARDLINE_DENO`, the launcher
 * from `SHARDLINE_LAUNCHER` (`processes`: a {@linkcode ProcessLauncher} instead of the worker
 * pool), the path of the log that its parent sends its stdout and stderr to
 * from `SHARDLINE_SUPERVISOR_LOG` (recorded in `_jobs/<id>/supervisor.json`; a job handed over
 * the socket names its own log). It logs each job's start, attempts that did not succeed, the
 * warnings of those that did (a failed automatic compaction, with its dataset and error code)
 * and its end; never the store options. It removes job logs older than a week from the log folder.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { WorkerPool } from "./_worker_pool.ts";
import { ProcessLauncher } from "./process_launcher.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

/** What job ids look like (`j-` and hex): anything else in a request is refused. */
const JOB_ID = /^j-[0-9a-f]{8,64}$/;

/** Logs are kept this long after their last line. */
const LOG_DAYS = 7;

/** Removes the job log folders (`<logDir>/j-<hash>/`) whose log is older than {@linkcode LOG_DAYS}. */
async function pruneLogs(logDir: string): Promise<void> {
  const cutoff = Date.now() - LOG_DAYS * 86_400_000;
  try {
    for await (const e of Deno.readDir(logDir)) {
      if (!e.isDirectory || !JOB_ID.test(e.name)) continue;
      const dir = join(logDir, e.name);
      const info = await Deno.stat(join(dir, "supervisor.log")).catch(() => undefined);
      if (info?.mtime && info.mtime.getTime() < cutoff) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
  } catch { /* no folder, or not ours to list */ }
}

if (import.meta.main) {
  const [storeUrl, jobId, concurrency, workers, socket, keepAlive] = Deno.args;
  if (!storeUrl || !jobId) {
    console.error(
      "usage: _supervisor_main.ts <store-url> <job-id> [concurrency] [workers] [socket keep-alive-ms]",
    );
    Deno.exit(2);
  }
  const stamp = (line: string) => `${new Date().toISOString()} ${line}\n`;
  const storeOptions = parseStoreOptions(Deno.env.get(STORE_OPTIONS_ENV));
  // Credentials stay out of the job code's reach (its env, its subprocesses).
  Deno.env.delete(STORE_OPTIONS_ENV);
  const codeCacheDir = Deno.env.get("SHARDLINE_CODE_CACHE") || undefined;
  const firstLog = Deno.env.get("SHARDLINE_SUPERVISOR_LOG") || undefined;
  // SHARDLINE_LAUNCHER=processes: each attempt its own taskCommand() process (as on Modal).
  const denoPath = Deno.env.get("SHARDLINE_DENO") || undefined;
  const pool = Deno.env.get("SHARDLINE_LAUNCHER") === "processes"
    ? new ProcessLauncher({ storeUrl, storeOptions, codeCacheDir, denoPath })
    : new WorkerPool({ storeUrl, storeOptions, codeCacheDir, denoPath });
  if (workers) pool.warm(Number(workers));
  const { openStore } = await import("../store/open_store.ts");
  const { superviseJob } = await import("./supervisor.ts");
  const { LineReader, listenAgent } = await import("./_agent.ts");
  const store = await openStore(storeUrl, storeOptions);

  /**
   * Jobs being supervised here: a second request for one is answered, not run twice, and marks
   * it in `again`: once its supervision ends it is supervised once more (a request that found
   * its final record written, after a `retryJob` the run's last look missed, gets its tasks run;
   * otherwise the second run finds nothing to do).
   */
  const running = new Set<string>();
  const again = new Set<string>();

  /** Runs one job on the shared pool, logging to its own log (the first job: stdout). */
  const runJob = async (
    id: string,
    jobConcurrency: number | undefined,
    log?: string,
    onClaimed?: () => void,
  ) => {
    // A job handed over later logs to its own file, line after line, in order.
    let appends = log && log !== firstLog
      ? Deno.mkdir(dirname(log), { recursive: true, mode: 0o700 }).catch(() => {})
      : undefined;
    const write = appends
      ? (line: string) =>
        void (appends = appends!.then(() =>
          Deno.writeTextFile(log!, stamp(line), { append: true, mode: 0o600 })
        ).catch(() => {}))
      : (line: string) => void Deno.stdout.write(new TextEncoder().encode(stamp(line)));
    write(`supervisor ${Deno.pid} starts job ${id} on ${storeUrl}`);
    const jobPool = pool.forJob(id);
    const launcher = {
      ...jobPool,
      run: async (request: Parameters<typeof pool["run"]>[0]) => {
        const outcome = await jobPool.run(request);
        const what = `${request.taskId} attempt ${request.attempt}`;
        if (outcome.kind === "crashed") write(`${what} crashed: ${outcome.reason}`);
        else if (outcome.status !== "ok") write(`${what} failed: ${outcome.error ?? "?"}`);
        for (const w of outcome.kind === "result" ? outcome.warnings ?? [] : []) {
          write(
            `${what} warning: ${w.stage} of dataset "${w.dataset}" failed (${w.code}): ${w.message}`,
          );
        }
        return outcome;
      },
    };
    running.add(id);
    do {
      again.delete(id);
      try {
        const summary = await superviseJob(store, id, {
          launcher,
          concurrency: jobConcurrency,
          log,
          onClaimed,
        });
        write(
          `supervisor ${Deno.pid} ends job ${id}: ${summary.ok} ok, ${summary.failed} failed, ` +
            `${summary.alreadyDone} done before, ${summary.attempts} attempts` +
            (summary.cancelled ? ", cancelled" : ""),
        );
      } catch (err) {
        write(`supervisor ${Deno.pid} fails job ${id}: ${(err as Error)?.message ?? err}`);
      }
    } while (again.has(id)); // asked for again meanwhile: the caller was told it is taken
    running.delete(id);
    await appends;
  };

  if (firstLog) void pruneLogs(dirname(dirname(firstLog)));
  const agent = socket ? await listenAgent(socket) : undefined;
  let active = 0;
  let closing = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const done = Promise.withResolvers<void>();
  const track = async (job: Promise<void>) => {
    active++;
    clearTimeout(idle);
    await job;
    if (--active > 0) return;
    if (!agent) return done.resolve();
    idle = setTimeout(async () => {
      closing = true;
      await agent.close();
      done.resolve();
    }, Number(keepAlive) || 0);
  };
  /** Answers one caller: takes its job (see `_agent.ts` for the protocol). */
  const serve = async (conn: Deno.Conn) => {
    const say = (text: string) => conn.write(new TextEncoder().encode(text + "\n"));
    try {
      const line = await new LineReader(conn).next();
      if (!line || closing) return; // no answer: the caller starts a supervisor
      const req = JSON.parse(line) as { job?: unknown; concurrency?: unknown; log?: unknown };
      if (typeof req.job !== "string" || !JOB_ID.test(req.job)) return;
      // Its log only where a job's log goes: <logDir>/<job id>/supervisor.log.
      const log = typeof req.log === "string" && req.log.endsWith(`/${req.job}/supervisor.log`)
        ? req.log
        : undefined;
      await say(`{"pid": ${Deno.pid}}`);
      if (running.has(req.job)) {
        again.add(req.job);
        return void await say(`{"claimed": true}`);
      }
      const claimed = Promise.withResolvers<boolean>();
      const concurrency = typeof req.concurrency === "number" ? req.concurrency : undefined;
      const run = runJob(req.job, concurrency, log, () => claimed.resolve(true));
      void track(run);
      run.then(() => claimed.resolve(false));
      await say(`{"claimed": ${await claimed.promise}}`);
    } catch {
      /* a caller that went away */
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  if (agent) {
    (async () => {
      try {
        for await (const conn of agent.listener) void serve(conn);
      } catch { /* closed */ }
    })();
  }
  void track(runJob(jobId, concurrency ? Number(concurrency) : undefined, firstLog));
  await done.promise;
  if (agent) {
    console.log(stamp(`agent ${Deno.pid} idle for ${keepAlive} ms: exits`).trimEnd());
  }
  await pool.close();
  await store.close?.();
}
