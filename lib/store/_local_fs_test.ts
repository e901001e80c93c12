import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTemp } from "./_local_fs.ts";

Deno.test("writeTemp gathers small chunks and keeps large ones, byte for byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Small chunks around a batch boundary, a large one, then small ones again.
    const sizes = [1, 1024, 100_000, 170_000, 3, 300_000, 511, 262_144, 262_143, 2, 7];
    let seed = 7;
    const chunks = sizes.map((n) =>
      Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff)
    );
    const expected = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const c of chunks) expected.set(c, (at += c.length) - c.length);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    const path = join(dir, "out.bin");
    await writeTemp(path, body);
    assert.deepEqual(await Deno.readFile(path), expected);
    await writeTemp(join(dir, "empty.bin"), new Uint8Array(0));
    assert.equal((await Deno.stat(join(dir, "empty.bin"))).size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
