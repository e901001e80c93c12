/** The private-import check: on a fixture tree with deliberate cross-area `_` imports, and on the repository. */
import assert from "node:assert/strict";
import { findPrivateImports } from "./check_imports.ts";

const files: Record<string, string> = {
  "mod.ts": 'export * from "./lib/a/mod.ts";\n',
  "cli.ts": 'import "./cli/_context.ts";\n', // the cli area's own private file: allowed
  "cli/_context.ts": 'import { x } from "../lib/a/_x.ts";\nexport const c = x;\n', // violation
  "lib/a/_x.ts": "export const x = 1;\n",
  "lib/a/_test_fixtures.ts": "export const fixture = 1;\n",
  "lib/a/nested/_deep.ts": "export const deep = 1;\n",
  "lib/a/mod.ts": 'export { x } from "./_x.ts";\nexport { deep } from "./nested/_deep.ts";\n',
  "lib/b/uses.ts": [
    'import { x } from "../a/mod.ts";', // public: allowed
    'import { deep } from "../a/nested/_deep.ts";', // violation (line 2)
    "/**",
    " * @example",
    " * ```ts",
    ' * import { x } from "../a/_x.ts";', // violation in a doc example (line 6)
    " * ```",
    " */",
    'export const y = x + deep + (await import("../a/_x.ts")).x;', // violation (line 9)
    "",
  ].join("\n"),
  "lib/b/uses_test.ts":
    'import { fixture } from "../a/_test_fixtures.ts";\nconsole.log(fixture);\n',
  "lib/b/helper.ts": 'import { fixture } from "../a/_test_fixtures.ts";\nconsole.log(fixture);\n',
  "tests/a_test.ts": 'import { x } from "../lib/a/_x.ts";\nconsole.log(x);\n', // not an area
};

async function fixture(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "check-imports-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/") + 1)}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return root;
}

Deno.test("findPrivateImports names each cross-area import of a _ file, with its line", async () => {
  const root = await fixture();
  try {
    const found = await findPrivateImports(root);
    assert.deepEqual(found.map((f) => `${f.file}:${f.line} ${f.target}`), [
      "cli/_context.ts:1 lib/a/_x.ts",
      "lib/b/helper.ts:1 lib/a/_test_fixtures.ts",
      "lib/b/uses.ts:2 lib/a/nested/_deep.ts",
      "lib/b/uses.ts:6 lib/a/_x.ts",
      "lib/b/uses.ts:9 lib/a/_x.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the check script exits 1 on a deliberate cross-area _ import, 0 once it is gone", async () => {
  const root = await fixture();
  const run = async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", new URL("./check_imports.ts", import.meta.url).pathname, root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  try {
    const bad = await run();
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /^lib\/b\/uses\.ts:2: imports \.\.\/a\/nested\/_deep\.ts, private to lib\/a$/m,
    );
    for (const path of ["cli/_context.ts", "lib/b/uses.ts", "lib/b/helper.ts"]) {
      await Deno.writeTextFile(`${root}/${path}`, 'export { x } from "../a/mod.ts";\n');
    }
    const good = await run();
    assert.equal(good.code, 0, good.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the repository has no cross-area _ import", async () => {
  const found = await findPrivateImports(new URL("..", import.meta.url).pathname);
  assert.deepEqual(found, []);
});
