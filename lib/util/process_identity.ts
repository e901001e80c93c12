/**
 * Telling, from a record in the store, whether the process it names is gone: the
 * host, pid and, on Linux, the boot id, the pid namespace and the process's start time (field
 * 22 of `/proc/<pid>/stat`), so that a pid reused by another process, another container's pid
 * or another boot's pid is never taken for the recorded one.
 *
 * @module
 */
import { hostname } from "node:os";
import process from "node:process";

/**
 * What identifies a process beyond host and pid (Linux; absent elsewhere), recorded in
 * supervisor records, running markers and start claims.
 */
export interface ProcessIds {
  /** `/proc/sys/kernel/random/boot_id`. */
  boot_id?: string;
  /** The pid namespace (`/proc/self/ns/pid` link: `pid:[4026531836]`). */
  pid_ns?: string;
  /** The process's start time in clock ticks after boot (`/proc/<pid>/stat`, field 22). */
  pid_start?: string;
}

/** A record naming a process: its host, pid and {@linkcode ProcessIds}. */
export type ProcessRecord = { host: string; pid: number } & ProcessIds;

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

/** State (field 3) and start time (field 22) of a process; undefined when it does not exist. */
function statOf(pid: number): { state: string; start: string } | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
  return { state: rest[0] ?? "", start: rest[19] ?? "" };
}

let own: { boot_id?: string; pid_ns?: string } | undefined;

/** This host's boot id and this process's pid namespace (read once). */
function ownIds(): { boot_id?: string; pid_ns?: string } {
  if (own) return own;
  let pid_ns: string | undefined;
  try {
    pid_ns = Deno.readLinkSync("/proc/self/ns/pid");
  } catch { /* no /proc */ }
  return own = { boot_id: read("/proc/sys/kernel/random/boot_id"), pid_ns };
}

/**
 * The ids of process `pid` of this host (this process by default) to record beside its pid;
 * empty where `/proc` is not available.
 *
 * @example
 * ```ts
 * import { processIds } from "./process_identity.ts";
 * const ids = processIds();
 * if (Deno.build.os === "linux" && !(ids.boot_id && ids.pid_start)) throw new Error("no ids");
 * ```
 */
export function processIds(pid: number = Deno.pid): ProcessIds {
  const { boot_id, pid_ns } = ownIds();
  const start = statOf(pid)?.start;
  if (!boot_id || !start) return {};
  return { boot_id, ...(pid_ns && { pid_ns }), pid_start: start };
}

/**
 * True only when the recorded process is certainly gone: it ran on this host, in this boot and
 * pid namespace, and its pid is free, a zombie, or now another process (another start time).
 * A record of another host (or one this process cannot check) is never gone here: its
 * heartbeat decides. Records without ids (written elsewhere than Linux) are checked by pid.
 *
 * @example
 * ```ts
 * import { hostname } from "node:os";
 * import { processGone, processIds } from "./process_identity.ts";
 * const me = { host: hostname(), pid: Deno.pid, ...processIds() };
 * if (processGone(me)) throw new Error("this process is alive");
 * if (processGone({ ...me, host: "elsewhere" })) throw new Error("another host: cannot tell");
 * ```
 */
export function processGone(m: ProcessRecord): boolean {
  if (m.host !== hostname()) return false;
  const mine = ownIds();
  if (m.boot_id !== undefined || m.pid_start !== undefined) {
    if (!mine.boot_id || m.boot_id !== mine.boot_id) return false;
    if (m.pid_ns !== undefined && m.pid_ns !== mine.pid_ns) return false;
    const stat = statOf(m.pid);
    if (stat === undefined) return true;
    if (stat.state === "Z" || stat.state === "X") return true;
    return m.pid_start !== undefined && stat.start !== m.pid_start;
  }
  try {
    process.kill(m.pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === "ESRCH";
  }
  const stat = statOf(m.pid);
  return stat !== undefined && (stat.state === "Z" || stat.state === "X");
}
