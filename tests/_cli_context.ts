/**
 * A recording {@linkcode CliContext} for CLI tests: commands run through their `run(args, ctx)`
 * and every line they write to stdout or stderr lands in an array the test can inspect.
 *
 * @module
 */
import type { CliContext } from "../cli/_context.ts";
import { openStore } from "../lib/store/mod.ts";

/** A CLI context plus the lines written to it. */
export interface RecordingContext {
  /** The context to hand to a command's `run`. */
  ctx: CliContext;
  /** Lines written to stdout, in order. */
  out: string[];
  /** Lines written to stderr, in order. */
  err: string[];
}

/**
 * Makes a context that records output and opens stores by URL (no S3 flags).
 *
 * @param env Environment variables the command sees.
 * @default env `{}`
 */
export function cliContext(env: Record<string, string | undefined> = {}): RecordingContext {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    openStore: (url) => openStore(url),
  };
  return { ctx, out, err };
}
