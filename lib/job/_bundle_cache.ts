/**
 * A cache of job bundles, so that submitting the same code again skips `deno bundle` (a
 * subprocess). An entry is keyed by what goes into the bundle besides source files (the
 * module, the config and its text, the `deno` binary, the externals) and holds the bundle with a
 * stamp of its sources: `deno info --json` (much cheaper than a bundle) lists the module graph as Deno resolves it
 * (every local file, whatever its kind: re-exports, types, JSON; remote modules; npm packages at
 * their resolved versions) and the stamp holds each local file's size and mtime and the rest by
 * name. A lookup stamps the graph before bundling; the bundle is stored under that stamp, so a
 * file changed while it was bundled makes the next lookup miss. The cache folder must be this
 * user's own (see `lib/util/private_dir.ts`), else nothing is cached: a planted entry would run as the
 * user, with the store's credentials.
 *
 * @module
 */
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../util/sha256.ts";
import { privateDir } from "../util/private_dir.ts";
import { fromBase64, toBase64 } from "../util/base64.ts";

/** What keys an entry besides the sources. */
export interface BundleKey {
  module: string;
  config: string;
  denoPath: string;
  externals: string[];
}

interface Entry {
  stamp: string;
  /** Base64 of the bundle. */
  code: string;
}

interface GraphInfo {
  modules?: { specifier: string; error?: string }[];
  npmPackages?: Record<string, unknown>;
}

/** A cache lookup: the bundle when the sources are unchanged, and the stamp to store under. */
export interface CacheLookup {
  code?: Uint8Array;
  /** Undefined: not cacheable (no private folder, the graph could not be listed). */
  stamp?: string;
}

async function entryPath(dir: string, key: BundleKey): Promise<string> {
  const config = await readFile(key.config, "utf8").catch(() => "");
  const id = sha256Hex(
    JSON.stringify([key.module, key.config, config, key.denoPath, key.externals]),
  );
  return join(dir, `${id}.json`);
}

/** The stamp of the module graph of `key.module`, or undefined when it cannot be listed. */
async function graphStamp(key: BundleKey): Promise<string | undefined> {
  const out = await new Deno.Command(key.denoPath, {
    args: ["info", "--json", "--no-lock", "--config", key.config, key.module],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).output().catch(() => undefined);
  if (!out?.success) return undefined;
  let info: GraphInfo;
  try {
    info = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  for (const m of info.modules ?? []) {
    if (m.error) return undefined; // the bundle will fail or differ: nothing to cache
    if (m.specifier.startsWith("file:")) {
      const s = await stat(fileURLToPath(m.specifier)).catch(() => undefined);
      if (!s) return undefined;
      parts.push(`${m.specifier} ${s.size} ${s.mtimeMs}`);
    } else parts.push(m.specifier);
  }
  if (parts.length === 0) return undefined;
  parts.sort();
  parts.push(JSON.stringify(Object.keys(info.npmPackages ?? {}).sort()));
  return parts.join("\n");
}

/** Looks `key` up in the cache folder `dir`. */
export async function lookupBundle(dir: string, key: BundleKey): Promise<CacheLookup> {
  if (!(await privateDir(dir))) return {};
  const stamp = await graphStamp(key);
  if (stamp === undefined) return {};
  try {
    const entry = JSON.parse(await readFile(await entryPath(dir, key), "utf8")) as Entry;
    if (entry.stamp === stamp) {
      return { code: fromBase64(entry.code), stamp };
    }
  } catch {
    // No entry yet, or a torn one: bundle.
  }
  return { stamp };
}

/** Stores a bundle of `key` made after a lookup that gave `stamp` (atomic: temp, rename). */
export async function storeBundle(
  dir: string,
  key: BundleKey,
  stamp: string,
  code: Uint8Array,
): Promise<void> {
  const entry: Entry = { stamp, code: toBase64(code) };
  const path = await entryPath(dir, key);
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
  await rename(tmp, path);
}
