/**
 * Job code never sees the store's credentials: a job that prints its whole environment and
 * fails with it in its error is submitted through the real CLI (`deno run cli.ts`), once with
 * the credentials in `AWS_*` variables and once with `R2_*` variables plus flags, against
 * s3rver. The secret must appear in no object of the bucket, no supervisor log and no output of
 * `submit --wait`, `status` or `jobs`.
 *
 * @module
 */
import { withDeadline } from "../_deadline.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../lib/store/open_store.ts";
import { jobKeys, type SupervisorMarker } from "../../lib/job/mod.ts";
import { readJson } from "../../lib/job/job_records.ts";
import { startS3rver } from "../_s3rver.ts";
import { scratchDir } from "../_scratch.ts";
import { objectsHolding, REPO, until, writeItems, writeJob } from "./_fixtures.ts";

/** Prints its environment on stdout and stderr, then fails the task with it in the message. */
const PRINT_ENV = `
import { Item, defineJob } from "./schemas.ts";
export default defineJob({
  name: "print-env", version: "1.0.0", input: Item,
  map(s) {
    const env = JSON.stringify(Deno.env.toObject());
    console.log(env);
    console.error(env);
    throw new Error("my environment: " + env);
  },
});
`;

/** Runs the CLI with exactly `env`; its exit code and all it printed. */
async function cli(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      join(REPO, "deno.json"),
      join(REPO, "cli.ts"),
      ...args,
    ],
    clearEnv: true,
    env,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test({
  name: "a job printing its environment shows no store credential anywhere (env and flags)",
  sanitizeResources: false,
  fn: withDeadline(300_000, async () => {
    const s3 = await startS3rver("env-bucket");
    const secret = s3.secretAccessKey; // s3rver checks signatures against its fixed key
    const s3Options = {
      endpoint: s3.endpoint,
      region: "auto",
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: secret },
    };
    const store = await openStore(`s3://${s3.bucket}/data`, { s3: s3Options });
    const tmp = await scratchDir({ prefix: "shardline-env-test-" });
    const pids: number[] = [];
    try {
      await writeItems(store, "raw", 2, 5);
      const job = await writeJob("print_env", PRINT_ENV);
      const base: Record<string, string> = {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: Deno.env.get("HOME") ?? tmp,
        ...(Deno.env.get("DENO_DIR") && { DENO_DIR: Deno.env.get("DENO_DIR")! }),
        SHARDLINE_STORE: `s3://${s3.bucket}/data`,
      };
      const rounds: { name: string; env: Record<string, string>; flags: string[] }[] = [
        {
          name: "env",
          env: {
            AWS_ACCESS_KEY_ID: s3.accessKeyId,
            AWS_SECRET_ACCESS_KEY: secret,
            AWS_ENDPOINT_URL: s3.endpoint,
            AWS_REGION: "auto",
          },
          flags: [],
        },
        {
          name: "flags",
          // R2_* variables hold the secret too, though the flags are what the CLI uses.
          env: { R2_ACCESS_KEY_ID: s3.accessKeyId, R2_SECRET_ACCESS_KEY: secret },
          flags: [
            "--endpoint",
            s3.endpoint,
            "--region",
            "auto",
            "--access-key-id",
            s3.accessKeyId,
            "--secret-access-key",
            secret,
          ],
        },
      ];
      const logs: string[] = [];
      for (const round of rounds) {
        // Its own temp folder: its own supervisor (no warm agent shared by the two rounds).
        const dir = join(tmp, round.name);
        await Deno.mkdir(dir);
        const env = { ...base, ...round.env, TMPDIR: dir };
        const submitted = await cli([
          "submit",
          job,
          "--input",
          "raw",
          "--output",
          `out-${round.name}`,
          "--max-attempts",
          "1",
          "--wait",
          ...round.flags,
        ], env);
        assert.equal(submitted.code, 5, submitted.text); // failed
        const id = submitted.text.match(/j-[0-9a-f]+/)?.[0];
        assert.ok(id, submitted.text);
        const marker = await readJson<SupervisorMarker>(store, jobKeys(id).supervisor);
        if (marker) pids.push(marker.pid);
        const status = await cli(["status", id, ...round.flags], env);
        const jobs = await cli(["jobs", ...round.flags], env);
        // The environment was printed and recorded: the check below is no empty search.
        assert.match(status.text, /my environment: .*"PATH"/, status.text);
        for (const [what, { text }] of Object.entries({ submitted, status, jobs })) {
          assert.ok(!text.includes(secret), `${round.name}: ${what} output holds the secret`);
        }
        const log = join(dir, "shardline", "jobs", id, "supervisor.log");
        const text = await until(async () => {
          const t = await Deno.readTextFile(log).catch(() => "");
          return t.includes("ends job") ? t : undefined;
        });
        assert.match(text, /my environment: /, "the failure reached the log");
        logs.push(text);
      }
      for (const [i, text] of logs.entries()) {
        assert.ok(
          !text.includes(secret),
          `${rounds[i]!.name}: the supervisor log holds the secret`,
        );
      }
      const { holding, searched } = await objectsHolding(store, secret);
      assert.deepEqual(holding, [], "objects holding the secret");
      assert.ok(searched > 10, `${searched} objects searched`);
    } finally {
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL"); // the warm supervisor; its workers exit with it
        } catch { /* gone */ }
      }
      await store.close?.();
      await s3.close();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  }),
});
