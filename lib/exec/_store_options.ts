/**
 * How executor processes receive store options (S3 endpoint, credentials): JSON in the
 * `SHARDLINE_STORE_OPTIONS` environment variable, never argv (other users can read a process's
 * arguments) and never the store. Parse errors name the variable but never echo its value:
 * V8's JSON errors quote part of the input, which would put a secret in a log.
 *
 * @module
 */
import type { OpenStoreOptions } from "../store/open_store.ts";

/** The environment variable holding store options as JSON. */
export const STORE_OPTIONS_ENV = "SHARDLINE_STORE_OPTIONS";

/** The variables that pass `options` to a child process (none for no options). */
export function storeOptionsEnv(options: OpenStoreOptions | undefined): Record<string, string> {
  return options ? { [STORE_OPTIONS_ENV]: JSON.stringify(options) } : {};
}

/** Parses the variable's value; throws a `TypeError` that does not quote it. */
export function parseStoreOptions(text: string | undefined): OpenStoreOptions {
  if (text === undefined || text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError(`${STORE_OPTIONS_ENV} is not valid JSON (its value is not shown)`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${STORE_OPTIONS_ENV} must hold a JSON object`);
  }
  return value as OpenStoreOptions;
}
