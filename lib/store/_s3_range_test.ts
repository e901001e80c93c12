import assert from "node:assert/strict";
import { rangeHeader, trimBytes, trimFor, trimStream } from "./_s3_range.ts";

Deno.test("rangeHeader writes inclusive byte ranges", () => {
  assert.equal(rangeHeader({ offset: 0, length: 1 }), "bytes=0-0");
  assert.equal(rangeHeader({ offset: 10, length: 5 }), "bytes=10-14");
  assert.equal(rangeHeader({ offset: 7 }), "bytes=7-");
});

Deno.test("trimFor leaves exact answers alone and trims wider ones", () => {
  assert.equal(trimFor({ offset: 10, length: 5 }, "bytes 10-14/100"), undefined);
  assert.equal(trimFor({ offset: 10, length: 500 }, "bytes 10-99/100"), undefined);
  assert.equal(trimFor({ offset: 10 }, "bytes 10-99/100"), undefined);
  assert.deepEqual(trimFor({ offset: 0, length: 1 }, "bytes 0-99/100"), { skip: 0, take: 1 });
  assert.deepEqual(trimFor({ offset: 3, length: 2 }, undefined), { skip: 3, take: 2 });
  assert.throws(() => trimFor({ offset: 3, length: 2 }, "bytes 5-9/10"), /from 5/);
});

Deno.test("trimBytes and trimStream cut the same window", async () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  const trim = { skip: 13, take: 40 };
  assert.deepEqual(trimBytes(bytes, trim), bytes.slice(13, 53));
  let at = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= 100) return c.close();
      c.enqueue(bytes.slice(at, at + 7));
      at += 7;
    },
  });
  const out = new Uint8Array(await new Response(trimStream(source, trim)).arrayBuffer());
  assert.deepEqual(out, bytes.slice(13, 53));
});
