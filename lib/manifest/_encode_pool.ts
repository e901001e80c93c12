/**
 * Where a shard's commit encodes: a {@linkcode ShardEncoding} runs a `ShardEncoder`
 * (aggregates, Parquet, sha256) in one worker thread shared by every ManifestBuilder of the
 * process, so that the thread writing the shards pays only the per-sample capture; or on the
 * calling thread. A shard's rows reach it in batches of `ROW_GROUP_ROWS` while the shard is
 * written, so that at the commit only the last batch is left to encode.
 *
 * The worker (`node:worker_threads`, which can be unref'd: a web Worker keeps the process alive)
 * starts at a commit: in `"auto"` mode that of the first shard big enough to need it that is not
 * its writer's last (its start costs the calling thread once: a process writing one shard,
 * a job's task, never starts it); in `"worker"` mode the first commit. It is referenced
 * only while commits wait on it, so it never holds the process or a test open. Until it says it
 * is ready, and for small shards, the calling thread encodes (no wait for a boot or a round
 * trip). If it cannot start (no worker support, no module file: a
 * bundle) or dies, every later shard encodes on the calling thread, and so do the shards it was
 * encoding (their batches are kept until their commit). Only shards whose aggregates are all
 * built in go to the worker (an aggregate registered at run time exists only on its own thread).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { builtinAggregatesOnly } from "./aggregate.ts";
import { ManifestError, type ManifestErrorCode } from "./manifest_error.ts";
import { encodeBatches, type EncodedShard, type ShardRows, wireRows } from "./_encode_shard.ts";

/**
 * Where the commit's CPU work runs: `"auto"` in the worker once it is ready: for a shard whose
 * batches went there while it was written, and for a shard of at least
 * {@linkcode WORKER_MIN_ROWS} rows that is not its writer's last (nothing follows the last to
 * overlap with: on the calling thread it skips the round trip); `"worker"` in the worker whenever
 * it can start (waits for it); `"thread"` on the calling thread.
 */
export type EncodeMode = "auto" | "worker" | "thread";

/** Fewer rows than this encode on the calling thread in `"auto"` (a round trip costs more). */
export const WORKER_MIN_ROWS = 1024;

interface Job {
  resolve(result: EncodedShard): void;
  reject(err: unknown): void;
}

/** The worker died or could not take a message: the shard is encoded on the calling thread. */
class WorkerFailure extends Error {}

interface WireResult extends Omit<EncodedShard, "parquet"> {
  parquet: { buffer: ArrayBuffer; offset: number; length: number };
}

interface WireError {
  name: string;
  message: string;
  code?: unknown;
}

class EncodeWorker {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, Job>();
  /** Callers waiting for the open session count, in order. */
  readonly #stats: ((sessions: number) => void)[] = [];
  #next = 0;
  /** Pending jobs and callers waiting for the start: while any, the worker is referenced. */
  #holds = 0;
  ready = false;
  /** Resolves to whether the worker started. */
  readonly started: Promise<boolean>;
  /** Shards encoded in the worker, and batches sent to it before their shard's commit (tests). */
  encoded = 0;
  batches = 0;

  constructor() {
    let started!: (ok: boolean) => void;
    this.started = new Promise((resolve) => (started = resolve));
    const worker = new Worker(new URL("./_encode_worker.ts", import.meta.url));
    this.#worker = worker;
    worker.unref();
    type Reply = {
      ready?: boolean;
      session: number;
      result?: WireResult;
      error?: WireError;
      sessions?: number;
    };
    worker.on("message", (m: Reply) => {
      if (m.ready) {
        this.ready = true;
        return started(true);
      }
      if (m.sessions !== undefined) return this.#stats.shift()?.(m.sessions);
      const job = this.#jobs.get(m.session);
      if (!job) return;
      this.#done(m.session);
      if (m.error) job.reject(rebuildError(m.error));
      else {
        this.encoded++;
        const { parquet: p, ...rest } = m.result!;
        job.resolve({ ...rest, parquet: new Uint8Array(p.buffer, p.offset, p.length) });
      }
    });
    const fail = (err: unknown) => {
      if (shared === this) shared = null; // later shards encode on their own thread
      this.ready = false;
      started(false);
      for (const answer of this.#stats.splice(0)) answer(-1);
      const jobs = [...this.#jobs.values()];
      this.#jobs.clear();
      this.#holds -= jobs.length;
      this.#worker.unref();
      for (const job of jobs) {
        job.reject(
          new WorkerFailure(`The manifest encode worker failed: ${describe(err)}`, { cause: err }),
        );
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code: number) => fail(`exited with code ${code}`));
  }

  /** Resolves to whether the worker started (holding the process open meanwhile). */
  async start(): Promise<boolean> {
    this.#hold();
    try {
      return await this.started;
    } finally {
      this.#release();
    }
  }

  /** Stops the worker; resolves once it has exited (its pending jobs rejected). */
  async terminate(): Promise<void> {
    const exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    await this.#worker.terminate();
    await exited;
  }

  /** A new session: one shard's encoder in the worker. */
  session(): number {
    return this.#next++;
  }

  /** Adds a batch of rows to a session's encoder; false when the worker cannot take it. */
  add(session: number, rows: ShardRows): boolean {
    if (!this.ready) return false;
    const { message, transfer } = wireRows(rows);
    try {
      this.#worker.postMessage({ session, rows: message }, transfer);
      this.batches++;
      return true;
    } catch {
      return false;
    }
  }

  /** Drops a session whose shard will not be committed. */
  drop(session: number): void {
    if (!this.ready) return;
    try {
      this.#worker.postMessage({ session, drop: true });
    } catch {
      // The worker is gone, and its sessions with it.
    }
  }

  /** Resolves to the number of sessions open in the worker (tests; the worker must be up). */
  openSessions(): Promise<number> {
    return new Promise((resolve) => {
      this.#hold();
      this.#stats.push((n) => {
        this.#release();
        resolve(n);
      });
      this.#worker.postMessage({ session: -1, stats: true });
    });
  }

  /**
   * Adds the last batch and finishes the session; rejects with a {@linkcode WorkerFailure} when
   * the worker dies first (or was dead).
   */
  finish(session: number, rows: ShardRows): Promise<EncodedShard> {
    if (!this.ready) return Promise.reject(new WorkerFailure("The manifest encode worker is down"));
    const { message, transfer } = wireRows(rows);
    return new Promise((resolve, reject) => {
      this.#hold(); // a pending job holds the process open
      this.#jobs.set(session, { resolve, reject });
      try {
        this.#worker.postMessage({ session, rows: message, finish: true }, transfer);
      } catch (err) {
        this.#done(session);
        reject(new WorkerFailure(describe(err), { cause: err }));
      }
    });
  }

  #done(id: number): void {
    if (this.#jobs.delete(id)) this.#release();
  }

  #hold(): void {
    if (this.#holds++ === 0) this.#worker.ref();
  }

  #release(): void {
    if (--this.#holds === 0) this.#worker.unref();
  }
}

/** The shared worker; null once it could not start or died. */
let shared: EncodeWorker | null | undefined;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const ERRORS: Record<string, new (message: string) => Error> = { RangeError, TypeError };

function rebuildError(e: WireError): Error {
  if (e.name === "ManifestError" && typeof e.code === "string") {
    return new ManifestError(e.code as ManifestErrorCode, e.message);
  }
  const err = new (ERRORS[e.name] ?? Error)(e.message);
  if (!(e.name in ERRORS) && e.name !== "Error") err.name = e.name;
  return err;
}

/** The shared worker, started on first use (undefined when it cannot be). */
function encodeWorker(): EncodeWorker | undefined {
  if (shared === undefined) {
    try {
      shared = new EncodeWorker();
    } catch {
      shared = null;
    }
  }
  return shared ?? undefined;
}

/**
 * Terminates the shared worker, as if it died (tests: the shards it was encoding fall back to
 * their own thread); the next shard that needs a worker starts a new one.
 */
export async function terminateEncodeWorker(): Promise<void> {
  const worker = shared;
  if (!worker) return;
  await worker.terminate();
  if (shared === null) shared = undefined;
}

/** Shards the worker has encoded in this process (tests check that it was used). */
export function workerEncodedCount(): number {
  return shared?.encoded ?? 0;
}

/** Sessions (shards being encoded) open in the worker; 0 without a worker (tests). */
export async function workerOpenSessions(): Promise<number> {
  return shared?.ready ? await shared.openSessions() : 0;
}

/** Batches sent to the worker while their shard was written (tests check the streaming). */
export function workerBatchCount(): number {
  return shared?.batches ?? 0;
}

/** Whether a shard's rows can go to the worker (their aggregates are all built in). */
function workerCan(rows: ShardRows): boolean {
  return builtinAggregatesOnly(rows.fields);
}

/**
 * One shard's encoding where `mode` says (see {@linkcode EncodeMode}): {@linkcode add} hands it
 * each full batch of rows while the shard is written (to the worker once it is up, else kept),
 * {@linkcode finish} the last rows at the commit. The batches' typed arrays are copied into the
 * message to the worker, and kept: if the worker dies, the shard is encoded on this thread.
 */
export class ShardEncoding {
  readonly #mode: EncodeMode;
  readonly #batches: ShardRows[] = [];
  /** Batches sent to the session. */
  #sent = 0;
  #worker: EncodeWorker | undefined;
  #session = -1;

  constructor(mode: EncodeMode) {
    this.#mode = mode;
  }

  /** Adds a full batch (`ROW_GROUP_ROWS` rows, all but the shard's last). */
  add(rows: ShardRows): void {
    this.#batches.push(rows);
    if (this.#mode === "thread" || !workerCan(rows)) return;
    // Not started for a batch: a process that writes one shard (a job's task) never needs it.
    if (!this.#worker && shared?.ready) this.#open(shared);
    if (this.#worker) this.#send();
  }

  /**
   * Adds the shard's last rows and resolves to its encoding (`last`: no shard of its writer
   * follows). Encoding errors reject (a field named); a worker that dies is replaced by this
   * thread.
   */
  async finish(rows: ShardRows, last = false): Promise<EncodedShard> {
    const batches = this.#batches;
    batches.push(rows);
    if (this.#mode === "thread" || !workerCan(rows)) return this.#here();
    if (!this.#worker) {
      const count = batches.reduce((n, b) => n + b.offsets.length, 0);
      if (this.#mode === "auto" && (last || count < WORKER_MIN_ROWS)) return this.#here();
      const worker = encodeWorker();
      if (worker && this.#mode === "worker") await worker.start();
      if (!worker?.ready) return this.#here();
      this.#open(worker);
    }
    const worker = this.#worker!;
    this.#send(batches.length - 1);
    if (this.#sent < batches.length - 1) return this.#here(); // a batch could not be sent
    const session = this.#session;
    this.#forget();
    try {
      return await worker.finish(session, rows);
    } catch (err) {
      if (err instanceof WorkerFailure) return encodeBatches(batches);
      throw err;
    }
  }

  /** Drops the encoding of a shard that will not be committed (frees its worker session). */
  discard(): void {
    this.#drop();
    this.#batches.length = 0;
  }

  #open(worker: EncodeWorker): void {
    this.#worker = worker;
    this.#session = worker.session();
    // A shard dropped without its commit or `discard` (a writer that failed): its session goes
    // when this encoding is collected.
    orphans.register(this, { worker, session: this.#session }, this);
  }

  /** Encodes every batch on this thread (the worker's session, if any, dropped). */
  #here(): EncodedShard {
    this.#drop();
    return encodeBatches(this.#batches);
  }

  /** Drops the worker's session, if it has one. */
  #drop(): void {
    if (this.#worker && this.#sent > 0) this.#worker.drop(this.#session);
    this.#forget();
  }

  /** Leaves the session to the worker (finished or dropped). */
  #forget(): void {
    if (this.#worker) orphans.unregister(this);
    this.#worker = undefined;
    this.#sent = 0;
  }

  /** Sends the batches not yet sent, up to `end`, while the worker takes them. */
  #send(end = this.#batches.length): void {
    const worker = this.#worker!;
    while (this.#sent < end && worker.add(this.#session, this.#batches[this.#sent]!)) {
      this.#sent++;
    }
  }
}

/** Sessions of encodings collected without their commit: dropped in the worker. */
const orphans = new FinalizationRegistry<{ worker: EncodeWorker; session: number }>(
  ({ worker, session }) => worker.drop(session),
);

/**
 * Encodes a shard's rows at once where `mode` says (see {@linkcode EncodeMode}; `last`: no shard
 * of its writer follows); falls back to the calling thread when the worker cannot be used.
 */
export function encodeShardRows(
  rows: ShardRows,
  mode: EncodeMode,
  last = false,
): Promise<EncodedShard> {
  return new ShardEncoding(mode).finish(rows, last);
}
