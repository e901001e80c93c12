/**
 * The atdata example shards of ../shared/ref (copied to tests/fixtures) (written by Python: PAX + ustar, and ustar only)
 * read as one sample with the documented payload, and their sample ranges are tars again.
 */
import assert from "node:assert/strict";
import { scanSamples, scanTar } from "../../lib/shard/mod.ts";
import { collect } from "../../lib/shard/_test_tars.ts";

const REF = new URL("../fixtures/", import.meta.url); // copies of ../shared/ref/*.tar
const KEY = "69518926-0179-11f1-8000-000000000000";
const PAYLOAD_HEX =
  "83a5696d616765c425033c66340202000000000000000200000000000000000000000000803f0000004000004040a56c6162656ca3636174aa636f6e666964656e6365cb3fee666666666666";
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

for (
  const [file, mtime, offset] of [["example_float_mtime.tar", 1770000000.25, 0], [
    "example_int_mtime.tar",
    1770000000,
    0,
  ]] as const
) {
  Deno.test(`scanSamples reads ${file}`, async () => {
    const path = new URL(file, REF);
    const bytes = await Deno.readFile(path);
    using fh = await Deno.open(path);
    const samples = await collect(scanSamples(fh.readable, { url: file }));
    assert.equal(samples.length, 1);
    const [s] = samples;
    assert.equal(s!.__key__, KEY);
    assert.equal(s!.__url__, file);
    assert.deepEqual(Object.keys(s!.files), ["msgpack"]);
    assert.equal(s!.files.msgpack!.length, 76);
    assert.equal(hex(s!.files.msgpack!), PAYLOAD_HEX);
    assert.equal(s!.offset, offset);
    const [entry] = await collect(scanTar(bytes));
    assert.equal(entry!.mtime, mtime);
    assert.equal(entry!.mode, 0o444);
    assert.equal(s!.size, entry!.end - entry!.headerOffset);
    const alone = await collect(scanSamples(bytes.subarray(s!.offset, s!.offset + s!.size)));
    assert.equal(alone.length, 1);
    assert.equal(hex(alone[0]!.files.msgpack!), PAYLOAD_HEX);
  });
}

Deno.test("the PAX header is inside the float-mtime sample's range", async () => {
  const bytes = await Deno.readFile(new URL("example_float_mtime.tar", REF));
  const [s] = await collect(scanSamples(bytes));
  assert.equal(s!.offset, 0); // the PAX header block
  assert.equal(s!.size, 2048); // PAX header + its records + ustar header + 76 bytes padded
  const [e] = await collect(scanTar(bytes));
  assert.equal(e!.dataOffset, 1536);
});
