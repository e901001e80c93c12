/**
 * Executes the notebooks headlessly with the Deno kernel (`deno task nb`): registers a
 * project-local kernelspec (`.jupyter/kernels/deno/`, found through `JUPYTER_PATH`, pointing at
 * this `deno`), then runs `scripts/nbrun.py` with Debian's nbclient (`/usr/bin/python3`).
 * `scripts/setup.ts --test` installs `jupyter-nbconvert` and `jupyter-client`.
 *
 * Usage: `deno run -A scripts/run_notebooks.ts [nbrun.py options] [notebooks...]` (default: every
 * `notebooks/*.ipynb`); exits with nbrun.py's status.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Writes the project-local kernelspec and returns the folder to put on `JUPYTER_PATH`. */
export async function writeKernelspec(): Promise<string> {
  const dir = join(root, ".jupyter");
  await Deno.mkdir(join(dir, "kernels", "deno"), { recursive: true });
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { NO_COLOR: "1" },
  };
  await Deno.writeTextFile(
    join(dir, "kernels", "deno", "kernel.json"),
    JSON.stringify(spec, null, 2) + "\n",
  );
  return dir;
}

/** The notebooks in `notebooks/`, sorted. */
export async function listNotebooks(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(root, "notebooks"))) {
    if (e.isFile && e.name.endsWith(".ipynb")) out.push(join(root, "notebooks", e.name));
  }
  return out.sort();
}

/** Runs nbrun.py with `args`; returns its exit code and output. */
export async function runNotebooks(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const jupyterPath = await writeKernelspec();
  const notebooks = args.some((a) => a.endsWith(".ipynb")) ? [] : await listNotebooks();
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [join(root, "scripts", "nbrun.py"), ...args, ...notebooks],
    env: { JUPYTER_PATH: jupyterPath, DENO: Deno.execPath(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

if (import.meta.main) {
  const { code, stdout, stderr } = await runNotebooks(Deno.args);
  await Deno.stdout.write(new TextEncoder().encode(stdout));
  await Deno.stderr.write(new TextEncoder().encode(stderr));
  Deno.exit(code);
}
