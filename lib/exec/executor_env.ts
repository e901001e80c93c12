/**
 * The environment of executor processes (supervisors, workers, one-task runners, on any
 * backend): an allow-list, so that job code never sees the submitting shell's credentials
 * (`AWS_*`, `R2_*`, tokens of any kind). The store's own options travel in one variable
 * (`SHARDLINE_STORE_OPTIONS`, see `_store_options.ts`), which every entry point reads and
 * deletes before it imports job code.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";
import { storeOptionsEnv } from "./_store_options.ts";

/**
 * The variables an executor process gets from its parent's environment: what the OS, the
 * `deno` runtime (its cache, npm registry, certificates, proxies) and locale handling need.
 * Names ending in `_` are prefixes (`LC_` is every `LC_*`). Nothing else passes: a credential
 * the runtime would need (`DENO_AUTH_TOKENS`, for private modules) is left out on purpose.
 */
export const EXECUTOR_ENV_ALLOW: readonly string[] = Object.freeze([
  // The system.
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TMPDIR",
  "TMP",
  "TEMP",
  "TZ",
  "TERM",
  // Locale.
  "LANG",
  "LANGUAGE",
  "LC_",
  // Output.
  "NO_COLOR",
  // The deno runtime: its cache, npm registry, certificates, flags.
  "DENO_DIR",
  "DENO_NO_UPDATE_CHECK",
  "DENO_NO_PROMPT",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "DENO_V8_FLAGS",
  "XDG_CACHE_HOME",
  "NPM_CONFIG_REGISTRY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  // Proxies (the runtime fetches npm packages through them).
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  // Windows.
  "SYSTEMROOT",
  "SystemRoot",
  "WINDIR",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
  "COMSPEC",
  "PATHEXT",
]);

/** Options for {@linkcode executorEnv}. */
export interface ExecutorEnvOptions {
  /**
   * How the executor's processes open the store (endpoint, credentials): passed as JSON in
   * `SHARDLINE_STORE_OPTIONS`, which the process removes from its environment before it
   * imports job code.
   * @default none (the variable is not set)
   */
  storeOptions?: OpenStoreOptions;
  /** Further variables, set as given (shardline's own, such as `SHARDLINE_CODE_CACHE`). @default {} */
  set?: Record<string, string>;
  /**
   * The environment to pick the allowed variables from.
   * @default this process's environment (empty without `--allow-env`)
   */
  from?: Record<string, string | undefined>;
}

/** True when `name` may pass to an executor process ({@linkcode EXECUTOR_ENV_ALLOW}). */
export function allowedExecutorVar(name: string): boolean {
  return EXECUTOR_ENV_ALLOW.some((a) => a.endsWith("_") ? name.startsWith(a) : name === a);
}

/**
 * The whole environment of an executor process: the allowed variables of `from`, `NO_COLOR=1`,
 * the store options' variable and `set`. Start the process with exactly this environment
 * (`Deno.Command` with `clearEnv: true`; `node:child_process` replaces the environment when
 * given one).
 *
 * @example
 * ```ts
 * import { executorEnv } from "./executor_env.ts";
 * const env = executorEnv({
 *   from: { PATH: "/usr/bin", AWS_SECRET_ACCESS_KEY: "hush", LC_ALL: "C.UTF-8" },
 *   set: { SHARDLINE_CODE_CACHE: "/tmp/code" },
 * });
 * if (env.AWS_SECRET_ACCESS_KEY !== undefined) throw new Error("a credential passed");
 * if (env.PATH !== "/usr/bin" || env.LC_ALL !== "C.UTF-8" || env.NO_COLOR !== "1") {
 *   throw new Error(JSON.stringify(env));
 * }
 * ```
 */
export function executorEnv(options: ExecutorEnvOptions = {}): Record<string, string> {
  const from = options.from ?? processEnv();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && allowedExecutorVar(name)) env[name] = value;
  }
  env.NO_COLOR = "1";
  return { ...env, ...storeOptionsEnv(options.storeOptions), ...options.set };
}

/** This process's environment; empty when it may not read it. */
function processEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}
