/**
 * Where a shard's commit encodes: {@linkcode encodeShardRows} runs `encodeShard` (aggregates,
 * Parquet, sha256) in one worker thread shared by every ManifestBuilder of the process, so that
 * the thread writing the shards pays only the per-sample capture; or on the calling thread.
 *
 * The worker (`node:worker_threads`, which can be unref'd: a web Worker keeps the process alive)
 * starts at the first shard big enough to need it (its start costs the calling thread ~70 ms
 * once) and is referenced only while jobs are pending, so it never holds the process or a test
 * open. Until it says it is ready, and for small shards, the calling thread encodes (no wait for
 * a boot or a round trip).
 * If it cannot start (no worker support, no module file: a bundle) or dies, every later shard
 * encodes on the calling thread. Only shards whose aggregates are all built in go to the worker
 * (an aggregate registered at run time exists only on its own thread).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { isBuiltinAggregate } from "./aggregate.ts";
import { ManifestError, type ManifestErrorCode } from "./manifest_error.ts";
import { type EncodedShard, encodeShard, type ShardRows, wireRows } from "./_shard_encode.ts";

/**
 * Where the commit's CPU work runs: `"auto"` in the worker once it is ready, for shards of at
 * least {@linkcode WORKER_MIN_ROWS} rows that are not their writer's last (nothing follows the
 * last to overlap with: on the calling thread it skips the round trip, and a process writing one
 * shard, a job task, never starts the worker); `"worker"` in the worker whenever it can start
 * (waits for it); `"thread"` on the calling thread.
 */
export type EncodeMode = "auto" | "worker" | "thread";

/** Fewer rows than this encode on the calling thread in `"auto"` (a round trip costs more). */
export const WORKER_MIN_ROWS = 1024;

interface Job {
  resolve(result: EncodedShard): void;
  reject(err: unknown): void;
}

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
  #next = 0;
  /** Pending jobs and callers waiting for the start: while any, the worker is referenced. */
  #holds = 0;
  ready = false;
  /** Resolves to whether the worker started. */
  readonly started: Promise<boolean>;
  /** Shards encoded in the worker (tests read it). */
  encoded = 0;

  constructor() {
    let started!: (ok: boolean) => void;
    this.started = new Promise((resolve) => (started = resolve));
    const worker = new Worker(new URL("./_encode_worker.ts", import.meta.url));
    this.#worker = worker;
    worker.unref();
    type Reply = { ready?: boolean; id: number; result?: WireResult; error?: WireError };
    worker.on("message", (m: Reply) => {
      if (m.ready) {
        this.ready = true;
        return started(true);
      }
      const job = this.#jobs.get(m.id);
      if (!job) return;
      this.#done(m.id);
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
      const jobs = [...this.#jobs.values()];
      this.#jobs.clear();
      this.#holds -= jobs.length;
      this.#worker.unref();
      for (const job of jobs) {
        job.reject(
          new Error(`The manifest encode worker failed: ${describe(err)}`, { cause: err }),
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

  encode(rows: ShardRows): Promise<EncodedShard> {
    const id = this.#next++;
    const { message, transfer } = wireRows(rows);
    return new Promise((resolve, reject) => {
      this.#hold(); // a pending job holds the process open
      this.#jobs.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ id, rows: message }, transfer);
      } catch (err) {
        this.#done(id);
        reject(err);
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

/** Shards the worker has encoded in this process (tests check that it was used). */
export function workerEncodedCount(): number {
  return shared?.encoded ?? 0;
}

/**
 * Encodes a shard's rows where `mode` says (see {@linkcode EncodeMode}; `last`: no shard of its
 * writer follows); falls back to the calling thread when the worker cannot be used. The rows'
 * typed arrays are transferred to the worker: the caller must not use them afterwards.
 */
export async function encodeShardRows(
  rows: ShardRows,
  mode: EncodeMode,
  last = false,
): Promise<EncodedShard> {
  if (mode === "thread" || !rows.fields.every((f) => isBuiltinAggregate(f.role))) {
    return encodeShard(rows);
  }
  if (mode === "auto" && (last || rows.offsets.length < WORKER_MIN_ROWS)) {
    return encodeShard(rows);
  }
  const worker = encodeWorker();
  if (worker && mode === "worker") await worker.start();
  if (!worker?.ready) return encodeShard(rows);
  return await worker.encode(rows);
}
