import assert from "node:assert/strict";
import { parseStoreOptions, STORE_OPTIONS_ENV, storeOptionsEnv } from "./_store_options.ts";

Deno.test("store options travel as JSON in one variable and back", () => {
  const options = { s3: { endpoint: "http://127.0.0.1:9000", region: "auto" } };
  const env = storeOptionsEnv(options);
  assert.deepEqual(Object.keys(env), [STORE_OPTIONS_ENV]);
  assert.deepEqual(parseStoreOptions(env[STORE_OPTIONS_ENV]), options);
  assert.deepEqual(storeOptionsEnv(undefined), {});
  assert.deepEqual(parseStoreOptions(undefined), {});
});

Deno.test("a malformed store options variable is reported without its value", () => {
  const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
  for (const text of [`{"s3":{"credentials":{"secretAccessKey":"${secret}"`, `["${secret}"]`]) {
    assert.throws(() => parseStoreOptions(text), (err: Error) => {
      assert.ok(err instanceof TypeError);
      assert.ok(!err.message.includes(secret.slice(0, 8)), err.message);
      assert.match(err.message, /SHARDLINE_STORE_OPTIONS/);
      return true;
    });
  }
});
