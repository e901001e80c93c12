/**
 * What every CLI command shares: the environment, output, store opening from flags and the
 * usual environment variables, and the mapping from error codes to exit codes.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { openStore, type OpenStoreOptions, type Store } from "../lib/store/mod.ts";

/** A CLI command module. */
export interface CliCommand {
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** What a command may touch of the outside world. */
export interface CliContext {
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Opens a store from a URL and the S3 flags/environment. */
  openStore(url: string, flags?: StoreFlags): Promise<Store>;
}

/** Store-related flags shared by commands. */
export interface StoreFlags {
  endpoint?: string;
  region?: string;
  "access-key-id"?: string;
  "secret-access-key"?: string;
}

/** `node:util` parseArgs option specs for {@linkcode StoreFlags}. */
export const storeFlagSpecs = {
  store: { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
} as const;

/**
 * S3 options from flags, then `AWS_ENDPOINT_URL` / `S3_ENDPOINT` / `R2_ENDPOINT`, `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID` / `R2_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` / `R2_SECRET_ACCESS_KEY`.
 */
export function storeOptionsFrom(
  flags: StoreFlags,
  env: Record<string, string | undefined>,
): OpenStoreOptions {
  const endpoint = flags.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ??
    env.S3_ENDPOINT ?? env.R2_ENDPOINT;
  const accessKeyId = flags["access-key-id"] ?? env.AWS_ACCESS_KEY_ID ?? env.R2_ACCESS_KEY_ID;
  const secretAccessKey = flags["secret-access-key"] ?? env.AWS_SECRET_ACCESS_KEY ??
    env.R2_SECRET_ACCESS_KEY;
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return {
    s3: {
      endpoint,
      region,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    },
  };
}

/** The real context: process environment, console output. */
export function cliContext(): CliContext {
  const env = Deno.env.toObject();
  return {
    env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    openStore: (url, flags = {}) => openStore(url, storeOptionsFrom(flags, env)),
  };
}

/** Exit codes by error code; 1 for anything unrecognised. */
const exitCodes: Record<string, number> = {
  usage: 2,
  not_found: 3,
  invalid_url: 2,
  unsupported_scheme: 2,
  // QueryError: bad input to query, get, materialize.
  syntax_error: 2,
  unknown_field: 2,
  type_mismatch: 2,
  forbidden: 2,
  unsupported: 2,
  invalid_option: 2,
  // QueryError: a materialized view's job failed, was cancelled or stalled (as `submit --wait`).
  job_failed: 5,
  // TriggerError: a malformed trigger rule.
  invalid_rule: 2,
};

/** Maps an error to a process exit code, in one place. */
export function exitCodeFor(err: unknown): number {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? exitCodes[code] ?? 1 : 1;
}

/** A usage error: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "usage";
}

/** What {@linkcode parseCommand} needs to know of a command. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** The command name, for the usage error: `<name> needs <needs>.`. */
  name: string;
  /** The help text, printed for `--help` and after a usage error. */
  help: string;
  /** The command's own flags (the store flags and `--help` are added). */
  options: O;
  /**
   * How many non-empty positionals the command requires (more are allowed).
   * @default positionals are not allowed
   */
  positionals?: number;
  /** What the usage error says the command needs: `"a job id"`. */
  needs?: string;
  /** Further checks of the parsed flags and positionals; false is the same usage error. */
  valid?: (parsed: ParsedCommand<O>) => boolean;
}

/** The flags every command takes: the store flags and `--help`. */
type CommonOptions = typeof storeFlagSpecs & { help: { type: "boolean" } };

/** A command's parsed flags (`values`) and positionals. */
export type ParsedCommand<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: CommonOptions & O }>
>;

/**
 * Parses a command's arguments with `node:util` `parseArgs` (strict), adding the store flags
 * and `--help`. Prints the help and returns undefined for `--help`; throws
 * {@linkcode UsageError} `<name> needs <needs>.` and the help when positionals are missing or
 * `valid` says no.
 *
 * @example
 * ```ts
 * import { type CliContext, parseCommand } from "./_context.ts";
 * const lines: string[] = [];
 * const ctx = { out: (l: string) => lines.push(l) } as unknown as CliContext;
 * const spec = {
 *   name: "cancel",
 *   help: "usage: cancel <job-id>",
 *   options: { json: { type: "boolean" } },
 *   positionals: 1,
 *   needs: "a job id",
 * } as const;
 * const parsed = parseCommand(["j1", "--json", "--store", "./data"], ctx, spec);
 * if (!parsed?.values.json || parsed.positionals[0] !== "j1") throw new Error();
 * if (parseCommand(["--help"], ctx, spec) !== undefined || lines[0] !== spec.help) throw new Error();
 * ```
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(
  args: string[],
  ctx: CliContext,
  spec: CommandSpec<O>,
): ParsedCommand<O> | undefined {
  const parsed = parseArgs({
    args,
    allowPositionals: spec.positionals !== undefined,
    options: { ...storeFlagSpecs, ...spec.options, help: { type: "boolean" } },
  }) as ParsedCommand<O>;
  if ((parsed.values as { help?: boolean }).help) return ctx.out(spec.help), undefined;
  const n = spec.positionals ?? 0;
  const required = parsed.positionals.slice(0, n);
  if (required.length < n || required.includes("") || (spec.valid && !spec.valid(parsed))) {
    throw new UsageError(`${spec.name} needs ${spec.needs}.\n${spec.help}`);
  }
  return parsed;
}

/** Runs `fn` with the store (or the store once opened), closing it afterwards either way. */
export async function withStore<T>(
  store: Store | Promise<Store>,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const opened = await store;
  try {
    return await fn(opened);
  } finally {
    await opened.close?.();
  }
}
