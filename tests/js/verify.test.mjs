// Verification codes: the JS engine's verificationCode against codes the reference computes
// (generator/rules/verify.py; the vectors are written by scripts/make_verify_vectors.py).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { canonical, verificationCode } from "../../calculator/engine.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(fs.readFileSync(path.join(here, "verify-vectors.json"), "utf8"));

test("the vectors cover what two languages are likely to spell differently", () => {
  assert.equal(vectors.format, "jxjy-verify/1");
  const ids = vectors.cases.map((c) => c.id).join(" | ");
  for (const want of ["non-ASCII", "floats", "astral-plane", "lone surrogates", "no evaluation date"]) {
    assert.ok(ids.includes(want), want);
  }
});

for (const c of vectors.cases) {
  test(`verification code: ${c.id}`, async () => {
    // the canonical text, as the hash reads it (a lone surrogate escaped, as JSON.stringify writes it)
    assert.equal(canonical(c.ledger), c.canonical);
    assert.equal(await verificationCode(c.ledger, c.bundle_sha256, c.as_of), c.code);
    assert.match(c.code, /^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
  });
}

test("keys are sorted by code point, not by UTF-16 unit", () => {
  assert.equal(canonical({ "😀": 1, "\uff5e": 2 }), '{"\uff5e":2,"😀":1}');
});
