import assert from "node:assert/strict";
import { expandBraces } from "./expand_braces.ts";

Deno.test("expandBraces pads to the wider bound", () => {
  const names = expandBraces("name-{000000..000099}.tar");
  assert.equal(names.length, 100);
  assert.equal(names[0], "name-000000.tar");
  assert.equal(names[99], "name-000099.tar");
  assert.deepEqual(
    expandBraces("{00..100}"),
    Array.from({ length: 101 }, (_, i) => String(i).padStart(3, "0")),
  );
  assert.deepEqual(expandBraces("{08..10}"), ["08", "09", "10"]);
});

Deno.test("expandBraces leaves ranges without a leading zero unpadded", () => {
  assert.deepEqual(expandBraces("{8..11}"), ["8", "9", "10", "11"]);
  assert.deepEqual(expandBraces("{0..2}"), ["0", "1", "2"]);
});

Deno.test("expandBraces counts down and steps", () => {
  assert.deepEqual(expandBraces("{3..1}"), ["3", "2", "1"]);
  assert.deepEqual(expandBraces("{0..10..5}"), ["0", "5", "10"]);
  assert.deepEqual(expandBraces("{-1..1}"), ["-1", "0", "1"]);
  assert.deepEqual(expandBraces("{a..c}"), ["a", "b", "c"]);
});

Deno.test("expandBraces expands lists, several groups and nesting", () => {
  assert.deepEqual(expandBraces("{train,val}/s-{0..1}.tar"), [
    "train/s-0.tar",
    "train/s-1.tar",
    "val/s-0.tar",
    "val/s-1.tar",
  ]);
  assert.deepEqual(expandBraces("{a,b{1..2}}"), ["a", "b1", "b2"]);
  assert.deepEqual(expandBraces("x{,y}"), ["x", "xy"]);
});

Deno.test("expandBraces keeps literals", () => {
  assert.deepEqual(expandBraces("plain.tar"), ["plain.tar"]);
  assert.deepEqual(expandBraces("a{b}c"), ["a{b}c"]);
  assert.deepEqual(expandBraces("a{b"), ["a{b"]);
  assert.deepEqual(expandBraces("{x}{1..2}"), ["{x}1", "{x}2"]);
});

Deno.test("expandBraces refuses absurd ranges", () => {
  assert.throws(() => expandBraces("{0..999999999}"), RangeError);
});
