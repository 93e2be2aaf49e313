// Conformance: every exported <edition>.tests.json case, evaluated by the JS engine from the bundle
// bytes, must equal the reference engine's full result and satisfy the author's partial `expect`.
//
//   node --test tests/js/
//
// Self-contained: bundles are built into a temporary folder first (see setup.mjs).
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { evaluate } from "../../calculator/engine.mjs";
import { checkCase } from "./expect.mjs";
import { bundleDir, readJSON, testsFiles } from "./setup.mjs";

const dir = bundleDir();
const files = testsFiles(dir);

test("there are conformance vectors, the demo fixture's among them", () => {
  assert.ok(files.length > 0, `no .tests.json under ${dir}`);
  if (!process.env.JXJY_BUNDLE_DIR) {
    assert.ok(files.some((f) => f.endsWith(path.join("demo", "2020.tests.json"))), "demo/2020.tests.json missing");
  }
});

for (const file of files) {
  const vectors = readJSON(file);
  const bundle = readJSON(path.join(path.dirname(file), vectors.bundle));
  test(`${vectors.policy}/${vectors.edition}`, async (t) => {
    assert.equal(vectors.format, "jxjy-conformance");
    for (const c of vectors.cases) {
      await t.test(c.id, (st) => {
        const result = evaluate(bundle, c.ledger, c.as_of);
        assert.deepStrictEqual(result, c.result, "JS result differs from the reference engine's");
        const reference = checkCase(c.expect, c.result);
        if (reference.length) {
          st.skip(`the reference engine fails this case too: ${reference.join("; ")}`);
          return;
        }
        assert.deepStrictEqual(checkCase(c.expect, result), []);
      });
    }
  });
}
