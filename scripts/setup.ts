/**
 * Installs what shardline's tests, benchmarks and demo need on a fresh machine that has only
 * Node.js and npm: the pinned npm packages (`deno install --frozen`) and the Debian tools the
 * tests call (GNU tar, Node.js for s3rver, Python 3 for cross-checks with `tarfile`, `msgpack` and
 * `numpy`).
 *
 * Usage: `deno run -A scripts/setup.ts [--test] [--bench]`. Idempotent and quiet when all is
 * there already.
 *
 * With `--test` it also installs Debian's `jupyter-nbconvert` and `jupyter-client` and writes the
 * project-local Deno kernelspec (`.jupyter/kernels/deno/`) that the notebook tests use.
 *
 * @module
 */
import { writeKernelspec } from "./run_notebooks.ts";

const want = new Set(Deno.args);

async function run(cmd: string, args: string[], quiet = false): Promise<boolean> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: quiet ? "null" : "inherit",
    stderr: quiet ? "null" : "inherit",
  }).output().catch(() => undefined);
  return out?.success ?? false;
}

async function has(cmd: string, args: string[] = ["--version"]): Promise<boolean> {
  return await run(cmd, args, true);
}

/** Debian packages by the command that proves they are there. */
const debian: { check: [string, string[]]; pkg: string; for: string[] }[] = [
  { check: ["tar", ["--version"]], pkg: "tar", for: ["--test"] },
  { check: ["node", ["--version"]], pkg: "nodejs", for: ["--test"] },
  {
    check: ["/usr/bin/python3", ["-c", "import tarfile"]],
    pkg: "python3",
    for: ["--test", "--bench"],
  },
  {
    check: ["/usr/bin/python3", ["-c", "import msgpack"]],
    pkg: "python3-msgpack",
    for: ["--test"],
  },
  { check: ["/usr/bin/python3", ["-c", "import numpy"]], pkg: "python3-numpy", for: ["--test"] },
  // The notebooks run headlessly through Debian's nbclient (tests/notebooks_test.ts).
  {
    check: ["/usr/bin/python3", ["-c", "import nbconvert, nbclient, nbformat"]],
    pkg: "jupyter-nbconvert",
    for: ["--test"],
  },
  {
    check: ["/usr/bin/python3", ["-c", "import jupyter_client"]],
    pkg: "jupyter-client",
    for: ["--test"],
  },
];

async function aptInstall(pkgs: string[]): Promise<void> {
  if (pkgs.length === 0) return;
  console.error(`setup: installing Debian packages: ${pkgs.join(" ")}`);
  const sudo = Deno.uid?.() === 0 ? [] : ["sudo"];
  const apt = (args: string[]) =>
    sudo.length ? run("sudo", ["apt-get", ...args]) : run("apt-get", args);
  if (!await apt(["update", "-qq"])) throw new Error("setup: apt-get update failed");
  if (!await apt(["install", "-y", "-qq", "--no-install-recommends", ...pkgs])) {
    throw new Error(`setup: apt-get install ${pkgs.join(" ")} failed`);
  }
}

if (!await run(Deno.execPath(), ["install", "--frozen", "--quiet"])) {
  console.error("setup: `deno install --frozen` failed (is deno.lock in sync with deno.json?)");
  Deno.exit(1);
}

const missing: string[] = [];
for (const d of debian) {
  if (!d.for.some((f) => want.has(f))) continue;
  if (!await has(...d.check)) missing.push(d.pkg);
}
await aptInstall(missing);

// The Deno kernel for the notebooks: a project-local kernelspec (`JUPYTER_PATH=.jupyter`).
if (want.has("--test")) await writeKernelspec();
