/**
 * `LocalStore.sweepTemp`: temp files left by interrupted puts go, live ones stay.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStore } from "../../lib/store/local_store.ts";

const HOUR = 3_600_000;

async function temps(root: string, dir = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(join(root, dir))) {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) found.push(...await temps(root, path));
    else if (e.name.endsWith(".tmp")) found.push(path);
  }
  return found.sort();
}

Deno.test("LocalStore.sweepTemp removes stale temp files under the prefix, keeps fresh ones", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    await store.put("out/shard-000000-000.tar", "done");
    await Deno.mkdir(join(root, "out/sub"), { recursive: true });
    await Deno.mkdir(join(root, "other"), { recursive: true });
    const write = async (path: string, ageMs: number) => {
      await Deno.writeTextFile(join(root, path), "partial");
      const t = new Date(Date.now() - ageMs);
      await Deno.utime(join(root, path), t, t);
    };
    await write("out/.shard-000000-001.tar.0123456789abcdef.tmp", 2 * HOUR); // stale
    await write("out/.shard-000000-002.tar.fedcba9876543210.tmp", 0); // a live put
    await write("out/sub/.x.json.00000000000000aa.tmp", 2 * HOUR); // stale, in a subfolder
    await write("out/.shard-000001-000.tar.0123456789abcdef.tmp", 2 * HOUR); // other prefix
    await write("out/.notes.txt.tmp", 2 * HOUR); // not a store temp name
    await write("other/.a.tar.0123456789abcdef.tmp", 2 * HOUR); // outside

    assert.deepEqual(await store.sweepTemp("out/shard-000000-"), [
      "out/.shard-000000-001.tar.0123456789abcdef.tmp",
    ]);
    assert.deepEqual((await store.sweepTemp("out/")).sort(), [
      "out/.shard-000001-000.tar.0123456789abcdef.tmp",
      "out/sub/.x.json.00000000000000aa.tmp",
    ]);
    assert.deepEqual(await temps(root), [
      "other/.a.tar.0123456789abcdef.tmp",
      "out/.notes.txt.tmp",
      "out/.shard-000000-002.tar.fedcba9876543210.tmp",
    ]);
    assert.deepEqual(await store.sweepTemp("out/", { olderThanMs: 0 }), [
      "out/.shard-000000-002.tar.fedcba9876543210.tmp",
    ]);
    assert.deepEqual(await store.sweepTemp("missing/"), []);
    assert.equal(new TextDecoder().decode(await store.get("out/shard-000000-000.tar")), "done");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a put killed with SIGKILL leaves a temp file that sweepTemp removes", async () => {
  const root = await Deno.makeTempDir();
  const scripts = await Deno.makeTempDir();
  const script = join(scripts, "put.ts");
  const storeModule = new URL("../../lib/store/local_store.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { LocalStore } from "${storeModule}";
const store = new LocalStore(${JSON.stringify(root)});
let n = 0;
await store.put("ds/shard-000000.tar", new ReadableStream({
  async pull(c) {
    c.enqueue(new Uint8Array(300_000).fill(n++ & 0xff)); // past the write batch: written at once
    await new Promise((r) => setTimeout(r, 20));
  },
}));
`,
  );
  const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--config", config, script],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // Wait (no timing assertion, but a deadline) until the put has written part of its temp file.
    for (const end = Date.now() + 60_000;;) {
      if (Date.now() > end) throw new Error("the writer wrote no temp file within 60 s");
      const found = await temps(root).catch(() => []);
      if (found.length && (await Deno.stat(join(root, found[0]!))).size > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  const store = new LocalStore(root);
  const [temp] = await temps(root);
  assert.match(temp!, /^ds\/\.shard-000000\.tar\.[0-9a-f]{16}\.tmp$/);
  assert.equal(await store.head("ds/shard-000000.tar"), undefined, "no partial object");
  assert.deepEqual(await store.sweepTemp("ds/"), [], "fresh: it could be a live put");
  assert.deepEqual(await store.sweepTemp("ds/", { now: Date.now() + HOUR }), [temp]);
  assert.deepEqual(await temps(root), []);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(scripts, { recursive: true });
});
