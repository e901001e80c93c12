/**
 * `ls` and `cat` on real shards in a local folder: decoded fields as JSON lines (ndarrays as
 * dtype, shape and values), brace patterns, schemas from the registry, bad input, exit codes.
 */
import assert from "node:assert/strict";
import { run as cat } from "../cli/cat.ts";
import { run as ls } from "../cli/ls.ts";
import { cliContext } from "./_cli_context.ts";
import { defineSchema, f, LocalStore, NDArray, publishSchema, writeShards } from "../mod.ts";

const Vec = defineSchema({
  name: "Vec",
  version: "1.0.0",
  fields: {
    label: f.str(),
    weight: f.float(),
    vec: f.ndarray({ dtype: "float32", shape: [2, 2] }),
  },
});

async function dataset(): Promise<{ dir: string; store: LocalStore }> {
  const dir = await Deno.makeTempDir({ prefix: "shardline-cli-" });
  const store = new LocalStore(dir);
  const samples = Array.from({ length: 5 }, (_, i) => ({
    __key__: `s${i}`,
    label: i % 2 ? "odd" : "even",
    weight: i + 0.5,
    vec: NDArray.from(new Float32Array([i, i + 1, i + 2, i + 3]), { shape: [2, 2] }),
  }));
  await writeShards(store, "vecs/shard-%06d.tar", samples, { schema: Vec, maxcount: 2 });
  await publishSchema(store, Vec);
  return { dir, store };
}

Deno.test("cli cat --json prints each sample of a brace pattern with offsets and decoded fields", async () => {
  const { dir, store } = await dataset();
  try {
    const c = cliContext();
    assert.equal(await cat(["--json", `${dir}/vecs/shard-{000000..000002}.tar`], c.ctx), 0);
    const rows = c.out.map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.__key__), ["s0", "s1", "s2", "s3", "s4"]);
    assert.deepEqual(rows[3], {
      __key__: "s3",
      __offset__: rows[3].__offset__,
      __size__: rows[3].__size__,
      label: "odd",
      weight: 3.5,
      vec: { dtype: "<f4", shape: [2, 2], values: [3, 4, 5, 6] },
    });
    // The printed byte range is exactly that sample's tar.
    const one = await store.get("vecs/shard-000001.tar", {
      range: { offset: rows[3].__offset__, length: rows[3].__size__ },
    });
    const c2 = cliContext();
    const path = `${dir}/one.tar`;
    await Deno.writeFile(path, one);
    assert.equal(await cat(["--json", path], c2.ctx), 0);
    assert.deepEqual(JSON.parse(c2.out[0]!), { ...rows[3], __offset__: 0 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli cat --schema decodes through the published schema; ls lists the dataset", async () => {
  const { dir } = await dataset();
  try {
    const c = cliContext();
    const args = ["--json", "--schema", "Vec@1.0.0", "--store", dir, "vecs/shard-000002.tar"];
    assert.equal(await cat(args, c.ctx), 0);
    assert.equal(JSON.parse(c.out[0]!).vec.values.join(), "4,5,6,7");
    const l = cliContext();
    assert.equal(await ls(["--json", `${dir}/vecs`], l.ctx), 0);
    const keys = l.out.map((x) => JSON.parse(x).key);
    for (const i of [0, 1, 2]) {
      for (const ext of ["tar", "manifest.json", "manifest.parquet"]) {
        assert.ok(keys.includes(`shard-00000${i}.${ext}`), `${keys}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli cat reads the atdata fixture with the worked example's values", async () => {
  const c = cliContext();
  const fixture = new URL("./fixtures/example_float_mtime.tar", import.meta.url).pathname;
  assert.equal(await cat(["--json", fixture], c.ctx), 0);
  assert.deepEqual(JSON.parse(c.out[0]!), {
    __key__: "69518926-0179-11f1-8000-000000000000",
    __offset__: 0,
    __size__: 2048,
    image: { dtype: "<f4", shape: [2, 2], values: [0, 1, 2, 3] },
    label: "cat",
    confidence: 0.95,
  });
});

Deno.test("cli cat on a corrupt shard: a typed error naming shard and byte, or skip and exit 1", async () => {
  const { dir, store } = await dataset();
  try {
    const tar = await store.get("vecs/shard-000000.tar");
    tar[1024 + 148] = tar[1024 + 148]! ^ 0x01; // the second sample's header checksum field
    await Deno.writeFile(`${dir}/bad.tar`, tar);
    const proc = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "cat", "--json", `${dir}/bad.tar`],
      cwd: new URL("..", import.meta.url),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(proc.stderr);
    assert.equal(proc.code, 1);
    assert.match(stderr, /Cannot read shard "bad\.tar": .*checksum.* at byte 1024/);
    // The first sample's members may continue past the bad header: it is not printed.
    assert.equal(new TextDecoder().decode(proc.stdout), "");

    const c = cliContext();
    assert.equal(await cat(["--json", "--skip-bad", `${dir}/bad.tar`], c.ctx), 1);
    assert.equal(c.out.length, 0);
    assert.match(c.err[0]!, /skipped: .*checksum mismatch at byte 1024/);
    // ... and the sample in progress is reported as dropped, not lost silently.
    assert.match(c.err[1]!, /skipped: .*sample dropped.* in sample "s0" at byte 0/);
    assert.equal(c.err.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
