/**
 * `cli serve` refuses to start without its token, and never echoes a malformed
 * `SHARDLINE_STORE_OPTIONS` (it may hold credentials).
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "../../cli/serve.ts";
import { cliContext } from "../_cli_context.ts";

Deno.test("cli serve needs the token variable it is told about", async () => {
  const { ctx } = cliContext({});
  await assert.rejects(run(["--store", "memory://serve-cli"], ctx), (err: Error) => {
    assert.equal((err as { code?: string }).code, "usage");
    assert.match(err.message, /serve needs a token in \$SHARDLINE_TOKEN/);
    return true;
  });
  const other = cliContext({ SHARDLINE_TOKEN: "x" });
  await assert.rejects(
    run(["--store", "memory://serve-cli", "--token-env", "MY_TOKEN"], other.ctx),
    /serve needs a token in \$MY_TOKEN/,
  );
});

Deno.test("cli serve does not echo malformed store options", async () => {
  const { ctx } = cliContext({
    SHARDLINE_TOKEN: "t",
    SHARDLINE_STORE_OPTIONS: '{"s3": {"credentials": {"secretAccessKey": "hunter2"',
  });
  await assert.rejects(run(["--store", "s3://bucket/x"], ctx), (err: Error) => {
    assert.match(err.message, /SHARDLINE_STORE_OPTIONS expects a JSON object/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
});
