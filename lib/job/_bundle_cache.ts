/**
 * A cache of job bundles, so that submitting the same code again skips `deno bundle` (a
 * subprocess, ~0.25 s). An entry is keyed by what goes into the bundle besides source files
 * (the module, the config's text, the `deno` binary, the externals) and holds the bundle with
 * a stamp of its sources: the size and mtime of every `.ts`/`.js`/`.tsx`/`.jsx`/`.mts` file in
 * each folder the bundle inlined a module from (the bundler names each inlined module in a
 * `// <path>` comment). A whole folder, not only the named files, so that a file the bundle
 * holds no code of (types only) is covered by its neighbours. Any change there, a missing file,
 * or a module the bundler did not name by a local path makes a miss. Entries are written
 * atomically (temp file, then rename), so concurrent submits at worst bundle twice.
 *
 * @module
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { sha256Hex } from "./_hash.ts";

/** What keys an entry besides the sources. */
export interface BundleKey {
  module: string;
  config: string;
  denoPath: string;
  externals: string[];
}

interface Entry {
  /** Folder -> stamp of its source files. */
  folders: Record<string, string>;
  /** Base64 of the bundle. */
  code: string;
}

const SOURCE = /\.(ts|tsx|mts|js|jsx|mjs)$/;

async function keyOf(key: BundleKey): Promise<string> {
  const config = await readFile(key.config, "utf8").catch(() => "");
  return sha256Hex(JSON.stringify([key.module, key.config, config, key.denoPath, key.externals]));
}

/**
 * Sizes and mtimes of a folder's source files and the latest mtime; undefined when it cannot
 * be read.
 */
async function folderStamp(dir: string): Promise<{ stamp: string; latest: number } | undefined> {
  try {
    const names = (await readdir(dir)).filter((n) => SOURCE.test(n)).sort();
    let latest = 0;
    const parts = await Promise.all(names.map(async (n) => {
      const s = await stat(join(dir, n));
      latest = Math.max(latest, s.mtimeMs);
      return `${n}:${s.size}:${s.mtimeMs}`;
    }));
    return { stamp: parts.join("\n"), latest };
  } catch {
    return undefined;
  }
}

/** The folders whose modules `code` inlines, from the bundler's comments (relative to `cwd`). */
function inlinedFolders(code: string, cwd: string, module: string): string[] | undefined {
  const folders = new Set([dirname(module)]);
  for (const m of code.matchAll(/^\/\/ (.+)$/gm)) {
    const name = m[1]!.trim();
    if (!SOURCE.test(name)) continue; // a comment of another kind
    if (/^[a-z][a-z0-9+.-]*:/i.test(name)) return undefined; // remote or npm: not stamped
    folders.add(dirname(resolve(cwd, name)));
  }
  return [...folders].sort();
}

/** The cached bundle for `key`, if its sources are unchanged. */
export async function cachedBundle(dir: string, key: BundleKey): Promise<Uint8Array | undefined> {
  let entry: Entry;
  try {
    entry = JSON.parse(await readFile(join(dir, `${await keyOf(key)}.json`), "utf8"));
  } catch {
    return undefined;
  }
  for (const [folder, stamp] of Object.entries(entry.folders)) {
    if ((await folderStamp(folder))?.stamp !== stamp) return undefined;
  }
  return Uint8Array.from(atob(entry.code), (c) => c.charCodeAt(0));
}

/**
 * Stores a bundle made from `key` in folder `cwd`, begun at `startedMs`; not when a source
 * file changed since (it may have been read before or after its change).
 */
export async function storeBundle(
  dir: string,
  key: BundleKey,
  cwd: string,
  code: Uint8Array,
  startedMs: number,
): Promise<void> {
  const folders = inlinedFolders(new TextDecoder().decode(code), cwd, key.module);
  if (!folders) return;
  const stamps: Record<string, string> = {};
  for (const folder of folders) {
    const s = await folderStamp(folder);
    // 1 s of slack: file systems with coarse mtimes.
    if (!s || s.latest >= startedMs - 1000) return;
    stamps[folder] = s.stamp;
  }
  let text = "";
  for (let i = 0; i < code.length; i += 0x8000) {
    text += String.fromCharCode(...code.subarray(i, i + 0x8000));
  }
  const entry: Entry = { folders: stamps, code: btoa(text) };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${await keyOf(key)}.json`);
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
  await rename(tmp, path);
}
