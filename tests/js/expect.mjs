// The comparison of a conformance case's partial `expect` with a result document — a port of
// generator/policy_tests.run_case / compare (docs/bundle-spec.md, "Conformance vectors").
import { rational } from "../../calculator/engine.mjs";

function pyStr(v) {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function sameNumber(expected, actual) {
  let a, b;
  try {
    a = rational.parse(pyStr(expected));
    b = rational.parse(pyStr(actual));
  } catch {
    return pyStr(expected) === pyStr(actual);
  }
  return rational.cmp(a, b) === 0;
}

const isDict = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function compare(expected, actual, where, out) {
  if (isDict(expected)) {
    if (!isDict(actual)) {
      out.push(`${where}: expected a mapping, got ${JSON.stringify(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (value === null) {
        if (key in actual) out.push(`${where}.${key}: expected to be absent`);
        continue;
      }
      if (!(key in actual)) {
        out.push(`${where}.${key}: missing from the result`);
        continue;
      }
      compare(value, actual[key], `${where}.${key}`, out);
    }
  } else if (typeof expected === "boolean" || typeof actual === "boolean") {
    if (Number(expected) !== Number(actual) || typeof expected === "object" || typeof actual === "object") {
      out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${where}[${i}]`, out));
  } else if (!sameNumber(expected, actual)) {
    out.push(`${where}: expected ${expected}, got ${JSON.stringify(actual)}`);
  }
}

/** Failures of a result against a case's `expect` (empty: the case passes). */
export function checkCase(expect, result) {
  const failures = [];
  for (const key of ["periods", "checks"]) if (key in expect) compare(expect[key], result[key], key, failures);
  const pairs = (list) => list.map((e) => `${e.entry}\u0000${e.field}`);
  const want = pairs(expect.errors || []).sort();
  const got = [...new Set(pairs(result.errors))].sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    failures.push(`errors: expected ${JSON.stringify(expect.errors || [])}, got ${JSON.stringify(result.errors)}`);
  }
  const texts = result.trace.map((t) => t.text).join("\n");
  for (const snippet of expect.trace_contains || []) {
    if (!texts.includes(snippet)) failures.push(`trace: does not contain ${JSON.stringify(snippet)}`);
  }
  return failures;
}
