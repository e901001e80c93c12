/**
 * What every CLI command shares: the environment, output, store opening from flags and the
 * usual environment variables, and the mapping from error codes to exit codes.
 *
 * @module
 */
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
