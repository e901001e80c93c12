// Starts s3rver on 127.0.0.1 (a free port) for tests; run with Node by tests/_s3rver.ts.
// Usage: node _s3rver_launcher.cjs <directory> <bucket>
// Prints {"port": N} on one line once listening. Stops on SIGTERM/SIGINT or when stdin closes,
// so it never outlives the test process that spawned it.
"use strict";
const path = require("node:path");
const S3rver = require(path.join(__dirname, "..", "node_modules", "s3rver"));

async function main() {
  const [directory, bucket] = process.argv.slice(2);
  if (!directory || !bucket) throw new Error("usage: _s3rver_launcher.cjs <directory> <bucket>");
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  process.stdout.write(JSON.stringify({ port: address.port }) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(1);
});
