/**
 * {@linkcode loadJob}: loads bundled job code from the store by its hash, through a local
 * cache file, and checks that it default-exports a {@linkcode defineJob} result.
 *
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Store } from "../store/store.ts";
import { isJobDefinition, type JobDefinition } from "./define_job.ts";
import { JobError } from "./job_error.ts";
import { codeKey } from "./job_spec.ts";
import { sha256Hex } from "../util/sha256.ts";
import { privateDir } from "../util/private_dir.ts";

/** Options for {@linkcode loadJob}. */
export interface LoadJobOptions {
  /** Folder for cached code files. @default `<os tmpdir>/shardline-code` */
  cacheDir?: string;
}

const loaded = new Map<string, Promise<JobDefinition>>();

/**
 * Loads job code `_code/<hash>.js`: verifies its hash, writes it to the cache folder (once) and
 * imports it. Rejects with {@linkcode JobError} `"load_failed"` when the code is missing, does
 * not match its hash, throws on import or lacks a `defineJob` default export. Loaded modules
 * are memoized by hash for the life of the process.
 *
 * @example
 * ```ts ignore
 * import { loadJob } from "./load_job.ts";
 * const job = await loadJob(store, spec.code.hash);
 * console.log(job.name, job.kind);
 * ```
 */
export function loadJob(
  store: Store,
  hash: string,
  options: LoadJobOptions = {},
): Promise<JobDefinition> {
  let job = loaded.get(hash);
  if (!job) {
    job = load(store, hash, options.cacheDir ?? join(tmpdir(), "shardline-code"));
    loaded.set(hash, job);
    job.catch(() => loaded.delete(hash));
  }
  return job;
}

async function load(store: Store, hash: string, cacheDir: string): Promise<JobDefinition> {
  const key = codeKey(hash);
  const fail = (why: string, cause?: unknown) =>
    new JobError("load_failed", `Cannot load job code "${key}": ${why}`, { cause });
  if (!/^[0-9a-f]{64}$/.test(hash)) throw fail("not a SHA-256 hash");
  // Code is imported from this folder: it must be one no other user can write to.
  if (!(await privateDir(cacheDir))) cacheDir = await ownTempDir();
  const path = join(cacheDir, `${hash}.js`);
  if (!(await cachedCopy(path, hash))) {
    let code: Uint8Array;
    try {
      code = await store.get(key);
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err), err);
    }
    if (sha256Hex(code) !== hash) throw fail("its content does not match its hash");
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, code);
    await Deno.rename(tmp, path);
  }
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (err) {
    throw fail(`importing it threw: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (!isJobDefinition(mod.default)) {
    throw fail("its default export is not a job made with defineJob()");
  }
  return mod.default;
}

/** Whether `path` holds code whose hash is `hash` (a torn or foreign file is replaced). */
async function cachedCopy(path: string, hash: string): Promise<boolean> {
  try {
    return sha256Hex(await Deno.readFile(path)) === hash;
  } catch {
    return false;
  }
}

let ownTemp: Promise<string> | undefined;

/** A folder of this process's own (made owner-only), for when the cache folder is not ours. */
function ownTempDir(): Promise<string> {
  return ownTemp ??= Deno.makeTempDir({ prefix: "shardline-code-" });
}
