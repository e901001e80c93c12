/**
 * One scratch folder per test file, and nothing left behind. Importing this module points
 * `TMPDIR` of this test process, and so of every process it starts, at a fresh folder: temp
 * stores, job modules, supervisor logs, agent sockets, bundle and code caches all land there.
 * When the test file ends (the `unload` event), every process still running with that `TMPDIR`
 * (detached supervisors, warm agents, their workers, s3rver children) is killed by its pid and
 * the folder is removed.
 *
 * Processes are found by their environment (`/proc/<pid>/environ` holding `TMPDIR=<scratch>`),
 * so only processes this test file started, directly or not, are ever signalled.
 *
 * @module
 */

/** The scratch folder of this test file (the `TMPDIR` of it and its children). */
export const SCRATCH = Deno.makeTempDirSync({ prefix: "shardline-test-" });
Deno.env.set("TMPDIR", SCRATCH);

const marker = new TextEncoder().encode(`TMPDIR=${SCRATCH}\0`);

/** Pids of the running processes started under this scratch folder (not this one). */
export function scratchProcesses(): number[] {
  const pids: number[] = [];
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return pids; // no procfs: nothing to find
  }
  for (const e of entries) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      if (includes(Deno.readFileSync(`/proc/${pid}/environ`), marker)) pids.push(pid);
    } catch { /* gone, or not ours to read */ }
  }
  return pids;
}

function includes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    if (i === 0 || haystack[i - 1] === 0) return true;
  }
  return false;
}

/** Kills the processes of this scratch folder and removes it (synchronous: runs at unload). */
export function cleanScratch(): void {
  for (const pid of scratchProcesses()) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* ended meanwhile */ }
  }
  try {
    Deno.removeSync(SCRATCH, { recursive: true });
  } catch { /* removed already */ }
}

addEventListener("unload", cleanScratch);
