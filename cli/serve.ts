/**
 * `deno task cli serve [--port N] [--hostname H] [--token-env NAME] [--backend NAME]`: runs the
 * dispatcher HTTP API over the store with `Deno.serve` until SIGINT or SIGTERM.
 *
 * @module
 */
import { createDispatcher } from "../lib/server/mod.ts";
import { triggerEvents } from "../lib/trigger/mod.ts";
import type { CliContext } from "./_context.ts";
import { parseCommand, UsageError } from "./_context.ts";
import { openServiceStore, parseJsonObject } from "./_jobs.ts";

const help = `usage: deno task cli serve [--port 8787] [--hostname 127.0.0.1]
  [--token-env SHARDLINE_TOKEN] [--backend local] [--backend-options JSON] [--max-body-bytes N]
  [--store URL] [S3 flags]

Runs the dispatcher: POST /jobs, GET /jobs/<id>, POST /events (R2 event notifications, turned
into jobs by the store's trigger rules: see "deno task cli trigger"), GET /health. Every route
but /health needs "Authorization: Bearer <token>", the token being the value of the environment
variable named by --token-env (the server refuses to start without it). Jobs run on --backend
with the store's own settings (SHARDLINE_STORE_OPTIONS as JSON, else the S3 flags or the usual
environment variables). Prints the address it
listens on to stdout, then one JSON line per request to stderr (no headers, bodies or queries).
--port 0 picks a free port.`;

/** Runs `serve`. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = parseCommand(args, ctx, {
    name: "serve",
    help,
    options: {
      port: { type: "string" },
      hostname: { type: "string" },
      "token-env": { type: "string" },
      backend: { type: "string" },
      "max-body-bytes": { type: "string" },
      "backend-options": { type: "string" },
    },
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const tokenEnv = values["token-env"] ?? "SHARDLINE_TOKEN";
  const token = ctx.env[tokenEnv];
  if (!token) throw new UsageError(`serve needs a token in $${tokenEnv} (see --token-env).`);
  const port = Number(values.port ?? 8787);
  const maxBodyBytes = values["max-body-bytes"] ? Number(values["max-body-bytes"]) : undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port expects a port number, got "${values.port}"`);
  }
  if (maxBodyBytes !== undefined && !(maxBodyBytes > 0)) {
    throw new UsageError(`--max-body-bytes expects a positive number`);
  }
  const backendOptions = values["backend-options"]
    ? parseJsonObject(values["backend-options"], "--backend-options")
    : undefined;
  const { store, storeOptions } = await openServiceStore(values, ctx);
  const handler = createDispatcher(store, {
    token,
    backend: values.backend,
    backendOptions,
    // The dispatcher's executors open the store as it does (credentials stay on this side).
    storeOptions,
    maxBodyBytes,
    // R2 events become jobs by the store's trigger rules (`deno task cli trigger`).
    onEvents: triggerEvents({ backend: values.backend, backendOptions, storeOptions }),
    onLog: (entry) => ctx.err(JSON.stringify(entry)),
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, onSignal);
  const server = Deno.serve({
    port,
    hostname: values.hostname ?? "127.0.0.1",
    signal: stop.signal,
    onListen: ({ hostname, port }) => ctx.out(`http://${hostname}:${port}`),
  }, handler);
  await server.finished;
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, onSignal);
  await store.close?.();
  return 0;
}
