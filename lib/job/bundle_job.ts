/**
 * {@linkcode bundleJob}: turns a job module anywhere on disk into one self-contained ES module
 * with `deno bundle`, so that a backend needs nothing but the store to run it.
 *
 * What the bundle holds and what a runtime must provide:
 * - inlined: the job's own files, the shardline code it imports (a copy: `../../mod.ts` brings
 *   all of it, tree-shaken), and pure-JS npm packages outside shardline's import map;
 * - left as imports: `node:` built-ins and every bare name in shardline's `deno.json` import
 *   map (zod, @msgpack/msgpack, @duckdb/node-api, the AWS SDK, loaded on first use). A runtime
 *   resolves them the way the task runner does: `deno run --config <shardline>/deno.json`,
 *   with `node_modules` installed from shardline's `deno.lock` (DuckDB's native addon for the
 *   runtime's platform). Native addons a job imports itself cannot be inlined: the runtime
 *   must have them too.
 * - never: files the job reads at run time (paths relative to `import.meta.url`).
 *
 * @module
 */
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JobError } from "./job_error.ts";
import { sha256Hex } from "../util/sha256.ts";
import { lookupBundle, storeBundle } from "./_bundle_cache.ts";

/** Options for {@linkcode bundleJob}. */
export interface BundleJobOptions {
  /** The `deno` binary. @default Deno.execPath() */
  denoPath?: string;
  /**
   * `deno.json` whose import map resolves the module's bare specifiers. @default the nearest
   * `deno.json`/`deno.jsonc` above the module, else shardline's own (so a job in a scratch folder
   * can import shardline and its dependencies)
   */
  config?: string;
  /** Resolves relative module paths. @default Deno.cwd() */
  cwd?: string;
  /**
   * Folder caching bundles of local modules, reused while no file of the module graph changes
   * (see `_bundle_cache.ts`); `false`: always bundle.
   * @default `<os tmpdir>/shardline/bundles`
   */
  cacheDir?: string | false;
}

/** A bundled job module. */
export interface BundledJob {
  /** The bundle's bytes (an ES module). */
  code: Uint8Array;
  /** SHA-256 hex of `code`. */
  hash: string;
  /** The module as an absolute path or URL. */
  module: string;
}

const shardlineConfig = fileURLToPath(new URL("../../deno.json", import.meta.url));

/**
 * shardline's own dependencies stay imports in the bundle (every runtime that runs the task
 * runner has them, through shardline's import map): native addons cannot be inlined, and one
 * copy of zod and the S3 client is enough.
 */
async function runtimeExternals(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(shardlineConfig)) as {
    imports?: Record<string, string>;
  };
  return Object.keys(config.imports ?? {}).flatMap((name) =>
    name.endsWith("/") ? [`${name}*`] : [name, `${name}/*`]
  );
}

/**
 * Bundles a job module and its imports (local files, npm packages) into one ES module.
 * Bundling runs in the module's folder, so the same file always gives the same bytes.
 *
 * @example
 * ```ts ignore
 * import { bundleJob } from "./bundle_job.ts";
 * const { hash, code } = await bundleJob("/tmp/my-job/job.ts");
 * console.log(hash, code.byteLength);
 * ```
 */
export async function bundleJob(
  module: string | URL,
  options: BundleJobOptions = {},
): Promise<BundledJob> {
  const spec = typeof module === "string" ? module : module.href;
  const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec);
  const path = spec.startsWith("file:")
    ? fileURLToPath(spec)
    : isUrl
    ? undefined
    : isAbsolute(spec)
    ? spec
    : resolve(options.cwd ?? Deno.cwd(), spec);
  const dir = path ? dirname(path) : Deno.cwd();
  const config = options.config ?? (path ? await findConfig(dir) : undefined) ?? shardlineConfig;
  const denoPath = options.denoPath ?? Deno.execPath();
  const externals = await runtimeExternals();
  const cacheDir = options.cacheDir ?? join(tmpdir(), "shardline", "bundles");
  const key = path && cacheDir !== false
    ? { module: path, config, denoPath, externals }
    : undefined;
  const cached = key ? await lookupBundle(cacheDir as string, key) : {};
  if (cached.code) return { code: cached.code, hash: sha256Hex(cached.code), module: path! };
  const tmp = await Deno.makeTempDir({ prefix: "shardline-bundle-" });
  const out = join(tmp, "job.js");
  try {
    const { code, stderr } = await new Deno.Command(denoPath, {
      args: [
        "bundle",
        "--quiet",
        "--config",
        config,
        "--platform",
        "deno",
        // A job may import npm packages that shardline's lockfile lacks: bundling must not
        // rewrite that file (the bundle's hash pins what was inlined).
        "--no-lock",
        ...externals.flatMap((e) => ["--external", e]),
        "-o",
        out,
        path ?? spec,
      ],
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (code !== 0) {
      const detail = new TextDecoder().decode(stderr).trim().split("\n").slice(-6).join("\n");
      throw new JobError("bundle_failed", `Cannot bundle job module "${path ?? spec}": ${detail}`);
    }
    const bytes = await Deno.readFile(out);
    // Not worth failing a submit over: the next one bundles again.
    if (key && cached.stamp) {
      await storeBundle(cacheDir as string, key, cached.stamp, bytes).catch(() => {});
    }
    return { code: bytes, hash: sha256Hex(bytes), module: path ?? spec };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

async function findConfig(dir: string): Promise<string | undefined> {
  for (let d = dir;; d = dirname(d)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const candidate = join(d, name);
      try {
        if ((await Deno.stat(candidate)).isFile) return candidate;
      } catch { /* not here */ }
    }
    if (dirname(d) === d) return undefined;
  }
}
