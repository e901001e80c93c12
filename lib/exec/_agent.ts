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
 * way: `{"job", "concurrency", "log"}`, answered `{"ok": true, "pid"}` once the agent has taken
 * the job. No answer (no agent, an agent shutting down) means: start a supervisor. The sockets
 * live in `<tmpdir>/shardline/agents`, used only when that folder is this user's and closed to
 * others (an agent runs jobs of its store for whoever can connect).
 *
 * @module
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../job/_hash.ts";

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
 * sockets are not available or the path would be too long for one.
 */
export async function agentSocket(identity: AgentIdentity): Promise<string | undefined> {
  if (Deno.build.os === "windows") return undefined;
  const key = sha256Hex(new TextEncoder().encode(JSON.stringify([
    identity.denoPath,
    root,
    await codeStamp(),
    identity.storeUrl,
    identity.storeOptions,
    identity.codeCacheDir ?? null,
  ])));
  const dir = join(tmpdir(), "shardline", "agents");
  const path = join(dir, `${key.slice(0, 32)}.sock`);
  if (new TextEncoder().encode(path).length > 100) return undefined;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Only this user may reach its agents: the folder must be ours and closed to others.
    const s = await stat(dir);
    if (s.uid !== Deno.uid() || (s.mode & 0o077) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return path;
}

/**
 * Hands a job to the agent listening on `socket`; resolves to the agent's pid once it has
 * taken the job, or undefined when no agent took it (none listening, one shutting down, no
 * answer within `timeoutMs`).
 */
export async function askAgent(
  socket: string,
  request: AgentRequest,
  timeoutMs = 5000,
): Promise<number | undefined> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch {
    return undefined;
  }
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    const line = await readLine(conn);
    const answer = line ? JSON.parse(line) as { ok?: boolean; pid?: number } : undefined;
    return answer?.ok === true && typeof answer.pid === "number" ? answer.pid : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timeout */ }
  }
}

/** Reads one line (at most 64 KiB) from a connection; undefined at end of stream. */
export async function readLine(conn: Deno.Conn): Promise<string | undefined> {
  const buf = new Uint8Array(65536);
  let used = 0;
  while (used < buf.length) {
    const n = await conn.read(buf.subarray(used));
    if (n === null) break;
    used += n;
    const nl = buf.subarray(0, used).indexOf(10);
    if (nl >= 0) return new TextDecoder().decode(buf.subarray(0, nl));
  }
  return undefined;
}

/**
 * Listens on `socket` for jobs, unless a live agent already answers there (then resolves to
 * undefined: this supervisor runs its own job only). A stale socket file is replaced.
 */
export async function listenAgent(socket: string): Promise<Deno.UnixListener | undefined> {
  try {
    const conn = await Deno.connect({ transport: "unix", path: socket });
    conn.close();
    return undefined; // someone is serving this identity
  } catch {
    // Nobody: take the name.
  }
  await Deno.remove(socket).catch(() => {});
  try {
    return Deno.listen({ transport: "unix", path: socket });
  } catch {
    return undefined;
  }
}
