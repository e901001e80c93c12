/**
 * The house rule on private files, checked by `deno task check`: a file whose name starts with
 * `_` is private to its area (`lib/<area>/`, or `cli/`), so no other area imports it. Areas share
 * through their public files instead (`lib/util/` holds the small helpers several need).
 *
 * Scanned: every `.ts` file under `lib/` and `cli/`, plus `cli.ts` (the cli area's entry) and the
 * root `mod.ts` (an area of its own), including the imports of JSDoc examples (they run as code under
 * `deno test --doc`). One exception: a test (`*_test.ts`) may import another area's test fixtures
 * (`_test_*.ts`). Tests, benchmarks and scripts outside `lib/` and `cli/` are not areas and may
 * reach private files to test them.
 *
 * Usage: `deno run --allow-read scripts/check_imports.ts [root]` (default: the current folder).
 * Prints each offending import as `file:line: specifier` and exits 1 when there is one.
 *
 * @module
 */
import { dirname, join, normalize, relative, resolve, sep } from "node:path";

/** One import of another area's private file. */
export interface PrivateImport {
  /** The importing file, relative to the root. */
  file: string;
  /** 1-based line of the specifier. */
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** The imported file, relative to the root. */
  target: string;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** The area of a root-relative path: `lib/<area>`, `cli` (with `cli.ts`), `root` (`mod.ts`), or none. */
export function areaOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}`;
  if ((parts[0] === "cli" && parts.length > 1) || path === "cli.ts") return "cli";
  if (path === "mod.ts") return "root";
  return undefined;
}

async function* tsFiles(root: string, dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(root, dir)));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory && entry.name !== "node_modules") yield* tsFiles(root, path);
    else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

/**
 * Every import, under `root`, of another area's `_`-private file, in file order.
 *
 * @example
 * ```ts
 * import { findPrivateImports } from "./check_imports.ts";
 * const found = await findPrivateImports(new URL("..", import.meta.url).pathname);
 * if (found.length) throw new Error(JSON.stringify(found));
 * ```
 */
export async function findPrivateImports(root: string): Promise<PrivateImport[]> {
  const found: PrivateImport[] = [];
  const files: string[] = [];
  for (const top of ["mod.ts", "cli.ts"]) {
    if (await Deno.stat(join(root, top)).then((s) => s.isFile, () => false)) files.push(top);
  }
  for (const dir of ["cli", "lib"]) for await (const f of tsFiles(root, dir)) files.push(f);
  for (const file of files) {
    const area = areaOf(file);
    const text = await Deno.readTextFile(join(root, file));
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1]!;
      const target = relative(resolve(root), resolve(root, dirname(file), specifier))
        .split(sep).join("/");
      const name = target.slice(target.lastIndexOf("/") + 1);
      if (!name.startsWith("_") || normalize(target).startsWith("..")) continue;
      const targetArea = areaOf(target);
      if (targetArea === undefined || targetArea === area) continue;
      if (file.endsWith("_test.ts") && name.startsWith("_test_")) continue;
      const line = text.slice(0, match.index).split("\n").length;
      found.push({ file, line, specifier, target });
    }
  }
  return found;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const found = await findPrivateImports(root);
  for (const f of found) {
    console.error(`${f.file}:${f.line}: imports ${f.specifier}, private to ${areaOf(f.target)}`);
  }
  if (found.length) {
    console.error(
      `${found.length} import(s) of another area's private (_) file: import its public file, ` +
        "or move what is shared to a public file (lib/util/ for small helpers).",
    );
    Deno.exit(1);
  }
}
