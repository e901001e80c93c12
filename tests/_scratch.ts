/**
 * Temp folders for tests, and nothing left behind. A folder made with {@linkcode scratchDir}
 * is removed when the test module ends (its `unload` event), with what the tests started in
 * it: processes whose command line or environment names the folder (supervisors and workers of
 * a store in it, supervisors logging into it) are killed by pid, with their agent socket; for
 * every store inside it (a folder with `_jobs/`), each job's supervisor log folder
 * (`<tmp>/shardline/jobs/<id>/`) and cached code (`<tmp>/shardline-code/<hash>.js`) go, and so
 * do the bundle cache entries of job modules inside the folder (`<tmp>/shardline/bundles/`).
 *
 * The folders are unique temp folders, so only processes this module started are signalled.
 * (`TMPDIR` cannot simply be pointed elsewhere: `deno test --parallel` runs modules as workers
 * of one process, which share one environment.)
 *
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = new Set<string>();

/** Makes a temp folder (`<tmp>/<prefix>XXXX`) that is removed, with its processes, at unload. */
export async function scratchDir(options: Deno.MakeTempOptions = {}): Promise<string> {
  const dir = await Deno.makeTempDir(options);
  made.add(dir);
  return dir;
}

/** Stores (folders holding `_jobs/`) at most two levels down `dir`. */
function storesIn(dir: string, depth = 0): string[] {
  const found: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.isDirectory) continue;
      if (e.name === "_jobs") found.push(dir);
      else if (depth < 2 && !e.name.startsWith(".")) {
        found.push(...storesIn(join(dir, e.name), depth + 1));
      }
    }
  } catch { /* gone */ }
  return found;
}

function readJsonSync(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
  } catch {
    return [];
  }
}

function remove(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch { /* not there */ }
}

/**
 * The processes (other than this one) whose command line or environment names one of `dirs`,
 * with their command lines. Empty without procfs.
 */
export function processesNaming(dirs: readonly string[]): { pid: number; args: string[] }[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return []; // no procfs
  }
  const found: { pid: number; args: string[] }[] = [];
  for (const e of entries) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    const args = cmdline(pid);
    let env = "";
    try {
      env = Deno.readTextFileSync(`/proc/${pid}/environ`);
    } catch { /* gone, or not ours */ }
    if (dirs.some((d) => args.some((a) => a.includes(d)) || env.includes(d))) {
      found.push({ pid, args });
    }
  }
  return found;
}

/**
 * Kills the processes whose command line or environment names a scratch folder (supervisors
 * and workers of a store in one, or logging to one), and removes the agent socket a supervisor
 * listened on.
 */
function stopProcesses(): void {
  for (const { pid, args } of processesNaming([...made])) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* ended meanwhile */ }
    const socket = args.find((a) => a.endsWith(".sock"));
    if (socket) {
      remove(socket);
      remove(`${socket}.lock`);
    }
  }
}

/** Removes every scratch folder of this module, with what the tests started in it. */
export function cleanScratch(): void {
  stopProcesses();
  const tmp = tmpdir();
  const codes = new Set<string>();
  for (const dir of made) {
    for (const store of storesIn(dir)) {
      let jobs: Deno.DirEntry[] = [];
      try {
        jobs = [...Deno.readDirSync(join(store, "_jobs"))];
      } catch { /* none */ }
      for (const job of jobs) {
        const path = join(store, "_jobs", job.name);
        const code = readJsonSync(join(path, "spec.json"))?.code as { hash?: string } | undefined;
        if (code?.hash) codes.add(code.hash);
        remove(join(tmp, "shardline", "jobs", job.name));
      }
    }
  }
  for (const hash of codes) remove(join(tmp, "shardline-code", `${hash}.js`));
  const bundles = join(tmp, "shardline", "bundles");
  try {
    for (const e of Deno.readDirSync(bundles)) {
      if (!e.name.endsWith(".json")) continue;
      // An entry is `{"stamp": "<file:// URL> <size> <mtime>\n...", "code": ...}`.
      const text = Deno.readTextFileSync(join(bundles, e.name));
      const stamp = text.slice(0, text.indexOf('","code"'));
      if ([...made].some((d) => stamp.includes(`file://${d}/`))) {
        remove(join(bundles, e.name));
      }
    }
  } catch { /* no cache */ }
  for (const dir of made) remove(dir);
  made.clear();
}

addEventListener("unload", cleanScratch);
