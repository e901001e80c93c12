/**
 * The local executor's warm agent: a supervisor that, once its own job is done, stays up for a
 * while (`keepAliveMs`) with its worker processes, listening on a Unix socket for more jobs on
 * the same store. A job submitted meanwhile starts at once on workers whose code is already
 * loaded and compiled, instead of paying for a new supervisor, new workers and their JIT warm-up
 * (seconds, on a small job, against the run itself).
 *
 * The socket's name is a hash of everything that makes two supervisors interchangeable: the
 * `deno` binary, shardline's code (paths, sizes and mtimes of its files, so an edit starts a
 * fresh agent), the store URL and options, the code cache. The protocol is one JSON line each
 * way: `{"job", "concurrency", "log"}`, answered `{"pid"}` at once when the agent takes the job,
 * then `{"claimed": true}` once the job is claimed in the store (`false`: its run ended before;
 * the caller may start a supervisor). No answer (no agent, an agent shutting down) means: start
 * a supervisor. A caller that got the first line never starts another: two supervisors must not
 * run one job. The sockets
 * live in `<tmpdir>/shardline/agents`, used only when that folder is this user's and closed to
 * others (an agent runs jobs of its store for whoever can connect).
 *
 * @module
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createHmac } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../util/sha256.ts";
import { privateDir } from "../util/private_dir.ts";

/** A job handed to an agent. */
export interface AgentRequest {
  job: string;
  concurrency: number;
  /** The job's log file (the agent appends its lines for this job there). */
  log?: string;
}

/** What identifies interchangeable supervisors (see the module doc). */
export interface AgentIdentity {
  denoPath: string;
  storeUrl: string;
  /** The store options as passed to the supervisor's environment (JSON). */
  storeOptions: string;
  codeCacheDir?: string;
}

const root = fileURLToPath(new URL("../../", import.meta.url));
let stamp: Promise<string> | undefined;

/** Paths, sizes and mtimes of shardline's code and config (computed once per process). */
function codeStamp(): Promise<string> {
  return stamp ??= (async () => {
    const parts: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
        const rel = join(dir, e.name);
        if (e.isDirectory()) await walk(rel);
        else if (e.name.endsWith(".ts")) {
          const s = await stat(join(root, rel));
          parts.push(`${rel}:${s.size}:${s.mtimeMs}`);
        }
      }
    };
    await walk("lib");
    for (const f of ["deno.json", "deno.lock"]) {
      const s = await stat(join(root, f)).catch(() => undefined);
      parts.push(`${f}:${s?.size}:${s?.mtimeMs}`);
    }
    return sha256Hex(new TextEncoder().encode(parts.sort().join("\n")));
  })();
}

/**
 * The agent socket for `identity`, its folder created (owner only); undefined where Unix
 * sockets are not available, the folder is not this user's own, or the path would be too long.
 * The name is an HMAC of the identity under a random key of this user's (kept in the folder),
 * so that it cannot be checked against guessed store credentials.
 */
export async function agentSocket(identity: AgentIdentity): Promise<string | undefined> {
  if (Deno.build.os === "windows") return undefined;
  const dir = join(tmpdir(), "shardline", "agents");
  // Only this user may reach its agents: the folder must be ours and closed to others.
  if (!(await privateDir(dir))) return undefined;
  const key = await userKey(join(dir, "key"));
  if (!key) return undefined;
  const name = createHmac("sha256", key).update(JSON.stringify([
    identity.denoPath,
    root,
    await codeStamp(),
    identity.storeUrl,
    identity.storeOptions,
    identity.codeCacheDir ?? null,
  ])).digest("hex");
  const path = join(dir, `${name.slice(0, 32)}.sock`);
  return new TextEncoder().encode(path).length > 100 ? undefined : path;
}

/** This user's random key (made once, owner-only); undefined when it cannot be had. */
async function userKey(path: string): Promise<Uint8Array | undefined> {
  try {
    await writeFile(path, crypto.getRandomValues(new Uint8Array(32)), { flag: "wx", mode: 0o600 });
  } catch {
    // Made before (or by a racing process: read what it wrote).
  }
  try {
    const key = await readFile(path);
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** What the agent said of a job handed to it (see {@linkcode askAgent}). */
export interface AgentAnswer {
  /** The agent's process id. */
  pid: number;
  /**
   * True once the job is claimed in the store; false when its run ended before that (the
   * caller may start a supervisor); undefined when no word came in time (the agent has it).
   */
  claimed?: boolean;
}

/**
 * Hands a job to the agent listening on `socket`. Resolves to undefined when no agent took it
 * (none listening, one shutting down); else to the agent's answer, waiting up to `timeoutMs`
 * for the claim.
 */
export async function askAgent(
  socket: string,
  request: AgentRequest,
  timeoutMs = 30_000,
): Promise<AgentAnswer | undefined> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch {
    return undefined;
  }
  const timer = setTimeout(() => conn.close(), timeoutMs);
  let answer: AgentAnswer | undefined;
  try {
    await conn.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    const lines = new LineReader(conn);
    const taken = JSON.parse((await lines.next()) ?? "null") as { pid?: unknown } | null;
    if (typeof taken?.pid !== "number") return undefined;
    answer = { pid: taken.pid };
    const claim = JSON.parse((await lines.next()) ?? "null") as { claimed?: unknown } | null;
    if (typeof claim?.claimed === "boolean") answer.claimed = claim.claimed;
    return answer;
  } catch {
    return answer; // taken but no word of the claim: the agent has the job
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timeout */ }
  }
}

/** Reads lines (each at most 64 KiB) from a connection. */
export class LineReader {
  readonly #conn: Deno.Conn;
  #buf = "";
  readonly #decoder = new TextDecoder();

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The next line, or undefined at the end of the stream. */
  async next(): Promise<string | undefined> {
    const chunk = new Uint8Array(4096);
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      if (this.#buf.length > 65536) return undefined;
      const n = await this.#conn.read(chunk);
      if (n === null) return undefined;
      this.#buf += this.#decoder.decode(chunk.subarray(0, n), { stream: true });
    }
  }
}

/** A listening agent: its listener and a `close` that gives the name up (if still its own). */
export interface AgentListener {
  listener: Deno.UnixListener;
  close(): Promise<void>;
}

/**
 * Listens on `socket` for jobs, unless a live agent already answers there (then resolves to
 * undefined: this supervisor runs its own job only). A stale socket file is replaced; a lock
 * beside it keeps two starting supervisors from both taking the name.
 */
export async function listenAgent(socket: string): Promise<AgentListener | undefined> {
  let lock: Deno.FsFile | undefined;
  try {
    lock = await Deno.open(`${socket}.lock`, { create: true, write: true, mode: 0o600 });
    await lock.lock(true);
    try {
      const conn = await Deno.connect({ transport: "unix", path: socket });
      conn.close();
      return undefined; // someone is serving this identity
    } catch {
      // Nobody: take the name.
    }
    await Deno.remove(socket).catch(() => {});
    const listener = Deno.listen({ transport: "unix", path: socket });
    const ino = (await Deno.stat(socket)).ino;
    return {
      listener,
      async close() {
        // The name first (a caller from now on starts a supervisor), unless another took it.
        const now = await Deno.stat(socket).catch(() => undefined);
        if (now?.ino === ino) await Deno.remove(socket).catch(() => {});
        listener.close();
      },
    };
  } catch {
    return undefined;
  } finally {
    lock?.close();
  }
}
