/**
 * The shardline command line: `deno task cli <command> [args]`.
 *
 * A thin layer over `mod.ts`: each command lives in `cli/<command>.ts`, reads its flags and the
 * environment (the only place besides notebooks that does), and maps error codes to exit codes.
 *
 * @module
 */
import type { CliCommand } from "./cli/_context.ts";
import { cliContext, exitCodeFor } from "./cli/_context.ts";

const commands: Record<string, () => Promise<CliCommand>> = {
  ls: () => import("./cli/ls.ts"),
  cat: () => import("./cli/cat.ts"),
  submit: () => import("./cli/submit.ts"),
  status: () => import("./cli/status.ts"),
  wait: () => import("./cli/wait.ts"),
  jobs: () => import("./cli/jobs.ts"),
  cancel: () => import("./cli/cancel.ts"),
  retry: () => import("./cli/retry.ts"),
  index: () => import("./cli/index.ts"),
  verify: () => import("./cli/verify.ts"),
  query: () => import("./cli/query.ts"),
  get: () => import("./cli/get.ts"),
  materialize: () => import("./cli/materialize.ts"),
  serve: () => import("./cli/serve.ts"),
  trigger: () => import("./cli/trigger.ts"),
  watch: () => import("./cli/watch.ts"),
};

const usage = `usage: deno task cli <command> [args]

commands:
${Object.keys(commands).map((c) => `  ${c}`).join("\n")}

Run "deno task cli <command> --help" for a command's flags.`;

if (import.meta.main) {
  const [name, ...args] = Deno.args;
  const load = name ? commands[name] : undefined;
  if (!load) {
    console.error(name && name !== "--help" ? `Unknown command "${name}".\n\n${usage}` : usage);
    Deno.exit(name === "--help" ? 0 : 2);
  }
  let code: number;
  try {
    const command = await load();
    code = await command.run(args, cliContext());
  } catch (err) {
    console.error(`shardline ${name}: ${err instanceof Error ? err.message : String(err)}`);
    code = exitCodeFor(err);
  }
  Deno.exit(code);
}
