import assert from "node:assert/strict";
import { scanSamples } from "./scan_samples.ts";
import { tarStream } from "./tar_stream.ts";
import { TarWriter } from "./tar_writer.ts";
import { collect, concat } from "./_test_tars.ts";

const sample = (i: number) => ({
  __key__: `s${i}`,
  files: { bin: new Uint8Array(i * 100).fill(i) },
});

Deno.test("tarStream produces the same bytes as TarWriter and reports positions", async () => {
  const positions: unknown[] = [];
  async function* source() {
    for (let i = 0; i < 300; i++) yield sample(i);
  }
  const streamed = concat(
    ...await collect(tarStream(source(), { onSample: (p) => positions.push(p) })),
  );
  const w = new TarWriter();
  const expected = Array.from(
    { length: 300 },
    (_, i) => ({ key: `s${i}`, ...w.writeSample(`s${i}`, sample(i).files) }),
  );
  assert.deepEqual(streamed, w.finishBytes());
  assert.deepEqual(positions, expected);
  assert.equal((await collect(scanSamples(streamed))).length, 300);
});

Deno.test("tarStream returns the iterator when cancelled", async () => {
  let returned = false;
  function* source() {
    try {
      for (let i = 0;; i++) yield sample(i % 200);
    } finally {
      returned = true;
    }
  }
  const reader = tarStream(source()).getReader();
  await reader.read();
  await reader.cancel();
  assert.ok(returned);
});
