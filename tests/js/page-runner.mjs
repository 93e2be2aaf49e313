// Evaluate conformance cases the way the calculator page does (used by tests/test_calculator_data.py):
// the engine and the rules are loaded as the classic scripts the page loads, not imported as JSON.
//
//   node tests/js/page-runner.mjs ENGINE_JS RULES_DIR SUFFIX < cases.json > results.json
//
// ENGINE_JS: calculator/engine.js or the minified copy in a built site. RULES_DIR/<policy>/<edition>SUFFIX
// is run as a script that registers globalThis.JXJY_BUNDLES[key]: SUFFIX ".js" for the bundles' .js
// twins (site/bundles) and for the calculator's views (site/calculator/data).
// stdin: a JSON array of {"bundle_key", "ledger", "as_of"}; stdout: one result document (or
// {"__error__": "..."}) per case.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const [engineFile, dir, suffix] = process.argv.slice(2);
if (!engineFile || !dir || !suffix) {
  process.stderr.write("usage: node tests/js/page-runner.mjs ENGINE_JS RULES_DIR SUFFIX < cases.json\n");
  process.exit(2);
}
vm.runInThisContext(fs.readFileSync(engineFile, "utf8"), { filename: engineFile });
const E = globalThis.JXJY_ENGINE;
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
function rules(key) {
  if (!(globalThis.JXJY_BUNDLES || {})[key]) {
    const file = path.join(dir, key + suffix);
    vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
  }
  const bundle = globalThis.JXJY_BUNDLES[key];
  // as the page does: a per-school schedule comes with the edition's texts, and is evaluated with once loaded
  const textsFile = path.join(dir, key + ".texts.js");
  if (bundle.school_slots && !(bundle.schedules || []).length && fs.existsSync(textsFile)) {
    vm.runInThisContext(fs.readFileSync(textsFile, "utf8"), { filename: textsFile });
    globalThis.JXJY_BUNDLES[key] = Object.assign({}, bundle, { schedules: globalThis.JXJY_TEXTS[key].schedules || [] });
  }
  return globalThis.JXJY_BUNDLES[key];
}
const out = cases.map((c) => {
  try {
    return E.evaluate(rules(c.bundle_key), c.ledger, c.as_of ?? null);
  } catch (err) {
    return { __error__: String(err && err.stack ? err.stack : err) };
  }
});
process.stdout.write(JSON.stringify(out));
