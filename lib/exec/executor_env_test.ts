import assert from "node:assert/strict";
import { allowedExecutorVar, executorEnv } from "./executor_env.ts";
import { parseStoreOptions, STORE_OPTIONS_ENV } from "./_store_options.ts";

Deno.test("executorEnv keeps the allow-list only: no AWS_*, R2_* or other credentials", () => {
  const from = {
    PATH: "/usr/bin",
    HOME: "/home/u",
    TMPDIR: "/tmp/u",
    LANG: "C.UTF-8",
    LC_CTYPE: "C.UTF-8",
    DENO_DIR: "/cache/deno",
    AWS_ACCESS_KEY_ID: "AKIA",
    AWS_SECRET_ACCESS_KEY: "hush",
    AWS_SESSION_TOKEN: "tok",
    R2_SECRET_ACCESS_KEY: "hush2",
    GITHUB_TOKEN: "ghp",
    DENO_AUTH_TOKENS: "a@b",
    SHARDLINE_STORE_OPTIONS: "{}",
    UNSET: undefined,
  };
  const storeOptions = { s3: { endpoint: "http://127.0.0.1:1", region: "auto" } };
  const env = executorEnv({ from, storeOptions, set: { SHARDLINE_CODE_CACHE: "/c" } });
  assert.deepEqual(Object.keys(env).sort(), [
    "DENO_DIR",
    "HOME",
    "LANG",
    "LC_CTYPE",
    "NO_COLOR",
    "PATH",
    "SHARDLINE_CODE_CACHE",
    STORE_OPTIONS_ENV,
    "TMPDIR",
  ]);
  assert.deepEqual(parseStoreOptions(env[STORE_OPTIONS_ENV]), storeOptions);
  assert.equal(env.NO_COLOR, "1");
  // Without store options, a SHARDLINE_STORE_OPTIONS of the parent does not pass either.
  assert.equal(executorEnv({ from }).SHARDLINE_STORE_OPTIONS, undefined);
  assert.ok(allowedExecutorVar("LC_ALL") && !allowedExecutorVar("LC"));
});
