/*
 * jxjy evaluation engine (JavaScript port of generator/engine.py, the reference engine).
 *
 * Evaluates a rule bundle (docs/bundle-spec.md, schemas/bundle.schema.json) and a ledger
 * (schemas/ledger.schema.json) into the result document of schemas/result.schema.json — the same
 * document, trace text and error records included, as the Python engine. Every sentence comes from the
 * message catalog the bundle carries; values a person wrote are quoted by one display rule, and an unknown
 * item's did-you-mean by one suggestion rule, both defined in docs/bundle-spec.md §7 (not by imitating
 * Python). Exact arithmetic on BigInt rationals; dates are handled as plain YYYY-MM-DD integers (no Date
 * objects, no time zones).
 *
 * No dependencies, no build step. This file runs as a classic <script> (also from file://, where
 * module scripts are blocked), as a CommonJS module and when imported as an ES module; it defines
 * globalThis.JXJY_ENGINE. engine.mjs beside it re-exports the same functions as ES module exports.
 */
(function (root) {
  "use strict";

  var ENGINE_VERSION = "2.0";
  var ENGINE = "jxjy-engine/2"; // what a result names as its engine (generator/rules/engine.ENGINE)
  var BUNDLE_FORMAT = "jxjy-bundle";
  var BUNDLE_MAJOR = 2;
  var RESULT_FORMAT = "jxjy-result/2";

  // ----------------------------------------------------------------------------------------
  // Text helpers: JSON values quoted in messages, templates, the did-you-mean (docs/bundle-spec.md §7).
  // ----------------------------------------------------------------------------------------

  // The whitespace of ledger amounts and course keys (docs/bundle-spec.md §5: the \s of the reference engine).
  var WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var NUMBER_RE = new RegExp("^[" + WS + "]*([0-9]+(?:\\.[0-9]+)?)(?:[" + WS + "]*/[" + WS +
    "]*([1-9][0-9]*))?[" + WS + "]*$");
  var WS_RE = new RegExp("[" + WS + "]+", "g");
  var DISPLAY_LIMIT = 60;

  function isDict(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  /**
   * A JSON value as a message quotes it (generator/rules/errors.display): text as itself, cut to 60 code points
   * + "…"; true/false/null as those words; a number as its exact decimal (fromNumber, formatRational; NaN and
   * the infinities by their names); an array as "[…]", an object as "{…}".
   */
  function display(v) {
    if (typeof v === "string") {
      var cps = Array.from(v);
      return cps.length <= DISPLAY_LIMIT ? v : cps.slice(0, DISPLAY_LIMIT).join("") + "…";
    }
    if (v === null || v === undefined) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") {
      if (Number.isNaN(v)) return "NaN";
      if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return formatRational(fromNumber(v));
    }
    if (typeof v === "bigint") return v.toString();
    if (Array.isArray(v)) return "[…]";
    if (typeof v === "object") return "{…}";
    return display(String(v));
  }

  /** Levenshtein distance of two code point arrays; limit + 1 once it is certainly above limit. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      var current = [i], least = i;
      for (j = 1; j <= b.length; j++) {
        var d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        current.push(d);
        if (d < least) least = d;
      }
      if (least > limit) return limit + 1;
      previous = current;
    }
    return previous[b.length];
  }

  /**
   * The did-you-mean for an unknown id (generator/rules/errors.suggestion): the candidate, in the order given,
   * with the smallest Levenshtein distance over code points, accepted when at most max(1, ⌊len(word)/3⌋);
   * the first wins a tie. null when none is close enough.
   */
  function suggestion(word, candidates) {
    var typed = Array.from(word);
    var limit = Math.max(1, Math.floor(typed.length / 3));
    var best = null, bestDistance = limit + 1;
    candidates.forEach(function (c) {
      var d = distance(typed, Array.from(c), limit);
      if (d < bestDistance) { best = c; bestDistance = d; }
    });
    return best;
  }

  function cmpCodePoints(a, b) {
    // The reference engine sorts text by code point; JS `<` compares UTF-16 units (differs above U+FFFF).
    if (a === b) return 0;
    var ia = a[Symbol.iterator](), ib = b[Symbol.iterator]();
    for (;;) {
      var x = ia.next(), y = ib.next();
      if (x.done) return y.done ? 0 : -1;
      if (y.done) return 1;
      var cx = x.value.codePointAt(0), cy = y.value.codePointAt(0);
      if (cx !== cy) return cx < cy ? -1 : 1;
    }
  }

  /** A template split into [literal, name, literal, name, …, literal] ("{{" and "}}" are braces). */
  function parseTemplate(template) {
    var parts = [], literal = "", re = /\{\{|\}\}|\{([^{}]*)\}/g, last = 0, m;
    while ((m = re.exec(template)) !== null) {
      literal += template.slice(last, m.index);
      last = re.lastIndex;
      if (m[0] === "{{") literal += "{";
      else if (m[0] === "}}") literal += "}";
      else { parts.push(literal, m[1]); literal = ""; }
    }
    parts.push(literal + template.slice(last));
    return parts;
  }

  /** Fill "{name}" placeholders: text as itself, anything else (counts, years) by the display rule. */
  function fill(parts, params) {
    var out = parts[0];
    for (var i = 1; i < parts.length; i += 2) {
      var name = parts[i];
      if (!Object.prototype.hasOwnProperty.call(params, name)) throw new Error("message needs {" + name + "}");
      var v = params[name];
      out += (typeof v === "string" ? v : display(v)) + parts[i + 1];
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------
  // Exact rationals: {n: BigInt, d: BigInt}, d > 0, gcd(n, d) = 1.
  // ----------------------------------------------------------------------------------------

  function gcd(a, b) {
    if (a < 0n) a = -a;
    if (b < 0n) b = -b;
    while (b) { var t = a % b; a = b; b = t; }
    return a;
  }

  function Q(n, d) {
    n = BigInt(n);
    d = d === undefined ? 1n : BigInt(d);
    if (d === 0n) throw new RangeError("division by zero");
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d);
    if (g > 1n) { n /= g; d /= g; }
    return { n: n, d: d };
  }

  var ZERO = Q(0n), ONE = Q(1n);
  function add(a, b) { return a.d === b.d ? Q(a.n + b.n, a.d) : Q(a.n * b.d + b.n * a.d, a.d * b.d); }
  function sub(a, b) { return a.d === b.d ? Q(a.n - b.n, a.d) : Q(a.n * b.d - b.n * a.d, a.d * b.d); }
  function mul(a, b) { return Q(a.n * b.n, a.d * b.d); }
  function div(a, b) { return Q(a.n * b.d, a.d * b.n); }
  function cmp(a, b) { var l = a.n * b.d, r = b.n * a.d; return l < r ? -1 : l > r ? 1 : 0; }
  function min(a, b) { return cmp(b, a) < 0 ? b : a; }
  function max(a, b) { return cmp(b, a) > 0 ? b : a; }
  function floor(a) {
    var q = a.n / a.d;
    if (a.n % a.d !== 0n && a.n < 0n) q -= 1n;
    return q;
  }

  /** generator.rational.parse_rational: int, "0.5", "1/3"; floats and booleans are refused. */
  function parseRational(v) {
    if (typeof v === "boolean") throw new TypeError("a boolean is not a number");
    if (typeof v === "bigint") return Q(v);
    if (typeof v === "number") {
      if (Number.isInteger(v)) return Q(BigInt(v));
      throw new TypeError("float is not an exact number");
    }
    if (typeof v === "string") {
      var m = NUMBER_RE.exec(v);
      if (!m) throw new TypeError("'" + v + "' is not a number");
      var dot = m[1].indexOf(".");
      var num = dot < 0 ? Q(BigInt(m[1])) : Q(BigInt(m[1].replace(".", "")), 10n ** BigInt(m[1].length - dot - 1));
      return m[2] ? div(num, Q(BigInt(m[2]))) : num;
    }
    if (v && typeof v.n === "bigint" && typeof v.d === "bigint") return Q(v.n, v.d);
    throw new TypeError(typeof v + " is not an exact number");
  }

  /**
   * generator.rational.parse_json_number: a JSON number read as the decimal its writer meant — the shortest
   * string that round-trips to the same double (String(x): 0.1 → "0.1", 1e-7 → "1e-7", 1e21 → "1e+21"),
   * then exactly. NaN and infinities are refused.
   */
  function fromNumber(x) {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new TypeError("not a finite number");
    var m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/.exec(String(x));
    if (!m) throw new TypeError("unexpected number text " + String(x));
    var frac = m[3] || "";
    var exp = (m[4] ? parseInt(m[4], 10) : 0) - frac.length;
    var n = BigInt(m[2] + frac);
    if (m[1]) n = -n;
    return exp >= 0 ? Q(n * 10n ** BigInt(exp)) : Q(n, 10n ** BigInt(-exp));
  }

  /** generator.rational.format_rational: a decimal when it terminates, else "p/q". */
  function formatRational(v) {
    if (v.d === 1n) return v.n.toString();
    var den = v.d, twos = 0, fives = 0;
    while (den % 2n === 0n) { den /= 2n; twos++; }
    while (den % 5n === 0n) { den /= 5n; fives++; }
    if (den !== 1n) return v.n.toString() + "/" + v.d.toString();
    var digits = Math.max(twos, fives);
    var scale = 10n ** BigInt(digits);
    var scaled = v.n * scale / v.d; // exact: d divides n·10^digits
    var sign = scaled < 0n ? "-" : "";
    if (scaled < 0n) scaled = -scaled;
    var whole = scaled / scale, frac = scaled % scale;
    var s = sign + whole.toString() + "." + frac.toString().padStart(digits, "0");
    return s.replace(/0+$/, "").replace(/\.$/, "");
  }

  // ----------------------------------------------------------------------------------------
  // Dates: {y, m, d, iso}. ISO strings of years 0001-9999 compare like the dates they name.
  // ----------------------------------------------------------------------------------------

  var DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  var DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

  function isLeap(y) { return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0); }
  function daysInMonth(y, m) { return m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m]; }
  function fdiv(a, b) { return Math.floor(a / b); }
  function ymdToOrd(y, m, d) {
    var z = y - 1;
    return z * 365 + fdiv(z, 4) - fdiv(z, 100) + fdiv(z, 400) + DAYS_BEFORE_MONTH[m] + (m > 2 && isLeap(y) ? 1 : 0) + d;
  }
  function ordToYmd(n) { // CPython datetime._ord2ymd
    n -= 1;
    var n400 = fdiv(n, 146097); n -= n400 * 146097;
    var year = n400 * 400 + 1;
    var n100 = fdiv(n, 36524); n -= n100 * 36524;
    var n4 = fdiv(n, 1461); n -= n4 * 1461;
    var n1 = fdiv(n, 365); n -= n1 * 365;
    year += n100 * 100 + n4 * 4 + n1;
    if (n1 === 4 || n100 === 4) return [year - 1, 12, 31];
    var leap = n1 === 3 && (n4 !== 24 || n100 === 3);
    var month = (n + 50) >> 5;
    var preceding = DAYS_BEFORE_MONTH[month] + (month > 2 && leap ? 1 : 0);
    if (preceding > n) {
      month -= 1;
      preceding -= DAYS_IN_MONTH[month] + (month === 2 && leap ? 1 : 0);
    }
    return [year, month, n - preceding + 1];
  }
  function pad(n, w) { return String(n).padStart(w, "0"); }
  function validYmd(y, m, d) { return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m); }
  function mkDate(y, m, d) {
    if (!validYmd(y, m, d)) throw new RangeError("date out of range: " + y + "-" + m + "-" + d);
    return { y: y, m: m, d: d, iso: pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) };
  }
  function dateFromOrd(n) { var t = ordToYmd(n); return mkDate(t[0], t[1], t[2]); }

  /**
   * A date written strictly YYYY-MM-DD (ASCII digits, a real calendar day of years 0001-9999); null otherwise
   * (engine._date: 20180301, 2018-W10-1, "2018-03-01 " and non-strings are not dates).
   */
  var PLAIN_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

  function fromIsoFormat(s) {
    if (typeof s !== "string") return null;
    var m = PLAIN_DATE.exec(s);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    return validYmd(y, mo, d) ? mkDate(y, mo, d) : null;
  }

  function toDate(v) { return typeof v === "string" ? fromIsoFormat(v) : null; }

  // ----------------------------------------------------------------------------------------
  // The bundle, compiled once into lookup tables with rationals.
  // ----------------------------------------------------------------------------------------

  var compiled = typeof WeakMap !== "undefined" ? new WeakMap() : null;

  // What a person enters for an item (generator/rules/inputs.py): the entry fields each input kind reads, and
  // whether it is one quantity rules multiply or divide. The calculator and the form pages read this table.
  var INPUTS = {
    hours: { fields: ["hours"], quantity: true }, count: { fields: ["count"], quantity: true },
    half_days: { fields: ["half_days"], quantity: true }, days: { fields: ["days"], quantity: true },
    years: { fields: ["years"], quantity: true }, level: { fields: ["level"], quantity: false },
    subjects: { fields: ["passed", "failed"], quantity: false }, credits: { fields: ["credits"], quantity: false },
    none: { fields: [], quantity: false }
  };
  var QUANTITY_INPUTS = Object.keys(INPUTS).filter(function (k) { return INPUTS[k].quantity; });
  var INPUT_FIELDS = {};
  Object.keys(INPUTS).forEach(function (k) { INPUT_FIELDS[k] = INPUTS[k].fields; });
  var ALL_INPUT_FIELDS = ["count", "credits", "days", "failed", "half_days", "hours", "level", "passed", "years"];
  var AMOUNT_FIELDS = ALL_INPUT_FIELDS.filter(function (f) { return f !== "level"; });

  function optQ(v) { return v === null || v === undefined ? null : parseRational(v); }

  function compile(bundle) {
    if (compiled && compiled.has(bundle)) return compiled.get(bundle);
    if (!bundle || bundle.format !== BUNDLE_FORMAT) throw new Error("not a jxjy rule bundle");
    var major = parseInt(String(bundle.format_version).split(".")[0], 10);
    if (major !== BUNDLE_MAJOR) {
      throw new Error("bundle format_version " + bundle.format_version + " is not supported (engine reads " +
        BUNDLE_MAJOR + ".x)");
    }
    var per = bundle.period;
    var start = per.start.split("-");
    var P = {
      bundle: bundle,
      id: bundle.policy.id,
      edition: bundle.policy.edition,
      unit: bundle.unit,
      messages: bundle.messages,
      period: {
        kind: per.kind, sm: parseInt(start[0], 10), sd: parseInt(start[1], 10), source: per.source,
        first: per.first, last: per.last, carryOver: per.carry_over, carryOverSource: per.carry_over_source,
        makeup: per.makeup, verdict: per.verdict
      },
      items: [], itemById: new Map(), order: new Map(),
      categories: bundle.categories, parents: new Map(),
      roleNames: new Map(),
      sharedCaps: bundle.caps.map(function (c) {
        return { id: c.id, name: c.name, items: c.items, per: c.per, max: parseRational(c.max), source: c.source };
      }),
      requirements: bundle.requirements.map(compileRequirement),
      checks: bundle.checks.map(function (c) {
        return { id: c.id, name: c.name, window: c.window, roles: c.roles, source: c.source, deadline: c.deadline || "",
          requirements: c.requirements.map(compileRequirement) };
      }),
      revision: bundle.policy.revision ? bundle.policy.revision.number : null,
      window: inForceOf(bundle.policy.in_force),
      timeline: bundle.timeline || [],
      schedules: bundle.schedules || [],
      slots: bundle.school_slots || null,
      conversions: (bundle.conversions || []).map(function (c) {
        return { from: c.from, to: c.to, factor: parseRational(c.factor), source: c.source };
      })
    };
    bundle.roles.forEach(function (r) { P.roleNames.set(r.id, r.name); });
    bundle.categories.forEach(function (c) { P.parents.set(c.id, c.parent); });
    bundle.items.forEach(function (it, n) {
      if (!Object.prototype.hasOwnProperty.call(RULES, it.rule.type)) throw new Error("unknown rule type " + it.rule.type);
      var item = {
        id: it.id, name: it.name, category: it.category, input: it.input, countUnit: it.count_unit,
        levels: it.levels.map(function (lv) { return lv.id; }), levelNames: new Map(), roles: it.roles,
        gate: it.gate, dedupe: it.dedupe, source: it.source,
        caps: it.caps.map(function (c) { return { per: c.per, max: parseRational(c.max), source: c.source }; }),
        rule: RULES[it.rule.type].compile(it.rule), type: RULES[it.rule.type]
      };
      it.levels.forEach(function (lv) { item.levelNames.set(lv.id, lv.name); });
      P.items.push(item);
      P.itemById.set(item.id, item);
      P.order.set(item.id, n);
    });
    var ancestors = new Map();
    P.ancestors = function (categoryId) {
      if (ancestors.has(categoryId)) return ancestors.get(categoryId);
      var out = [], cur = categoryId;
      while (cur && out.indexOf(cur) < 0) {
        out.push(cur);
        cur = P.parents.has(cur) ? P.parents.get(cur) : null;
      }
      ancestors.set(categoryId, out);
      return out;
    };
    var templates = new Map();
    P.msg = function (key, params) {
      var parts = templates.get(key);
      if (parts === undefined) {
        var node = P.messages;
        key.split(".").forEach(function (part) {
          if (!isDict(node) || !Object.prototype.hasOwnProperty.call(node, part)) throw new Error("no message " + key);
          node = node[part];
        });
        if (typeof node !== "string") throw new Error("no message " + key);
        parts = parseTemplate(node);
        templates.set(key, parts);
      }
      return fill(parts, params || {});
    };
    if (compiled) compiled.set(bundle, P);
    return P;
  }

  /** The edition's window (policy.in_force): {start, end, lastDay} — lastDay the last evaluation date it speaks for. */
  function inForceOf(w) {
    if (!w) return null;
    var end = w.to, review = w.review_until || "";
    return { start: w.from, end: end, lastDay: review && review > end ? review : end };
  }

  function compileRequirement(r) {
    var of = r.of;
    var measure = of === "total" ? { kind: "total", ids: [] }
      : Object.prototype.hasOwnProperty.call(of, "category") ? { kind: "category", ids: [of.category] }
        : { kind: "items", ids: of.items };
    return {
      id: r.id, name: r.name, measure: measure, source: r.source, roles: r.roles || [], deadline: r.deadline || "",
      min: optQ(r.min), minPerPeriod: optQ(r.min_per_period),
      between: r.periods_between ? [r.periods_between.from, r.periods_between.to] : null
    };
  }

  // ----------------------------------------------------------------------------------------
  // Periods (generator/periods.py)
  // ----------------------------------------------------------------------------------------

  function periodStarting(P, startYear) {
    var start = mkDate(startYear, P.period.sm, P.period.sd);
    var next = mkDate(startYear + 1, P.period.sm, P.period.sd);
    var end = dateFromOrd(ymdToOrd(next.y, next.m, next.d) - 1);
    if (P.period.kind === "calendar_year") {
      return { start: start, end: end, id: String(startYear), label: P.msg("period_label.calendar_year", { year: startYear }) };
    }
    return {
      start: start, end: end, id: startYear + "-" + (startYear + 1),
      label: P.msg("period_label.school_year", { start_year: startYear, end_year: startYear + 1 })
    };
  }

  function periodOf(P, day) {
    var y = day.y;
    if (day.m < P.period.sm || (day.m === P.period.sm && day.d < P.period.sd)) y -= 1;
    return periodStarting(P, y);
  }

  /** The period containing `day`, or null when it cannot be represented (engine._span_of). */
  function spanOf(P, day) {
    try {
      return periodOf(P, day);
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
  }

  /** The periods starting in years from..to, leaving out those that cannot be represented (engine._spans). */
  function spansBetween(P, from, to) {
    var out = [];
    for (var y = from; y <= to; y++) {
      try {
        out.push(periodStarting(P, y));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
      }
    }
    return out;
  }

  /** The year the period containing `day` starts in (engine._start_year; arithmetic only). */
  function startYear(P, day) {
    return day.m < P.period.sm || (day.m === P.period.sm && day.d < P.period.sd) ? day.y - 1 : day.y;
  }

  function spanCmp(a, b) { return a.start.iso < b.start.iso ? -1 : a.start.iso > b.start.iso ? 1 : 0; }

  // ----------------------------------------------------------------------------------------
  // Entries
  // ----------------------------------------------------------------------------------------

  /** A non-negative amount (engine._amount): a JSON number (fromNumber) or an exact number string; else null. */
  function amount(v) {
    var r;
    try { r = typeof v === "number" ? fromNumber(v) : parseRational(v); } catch (e) { return null; }
    return r.n >= 0n ? r : null;
  }

  function get(entry, key) { return Object.prototype.hasOwnProperty.call(entry, key) ? entry[key] : undefined; }
  function isNone(v) { return v === null || v === undefined; }

  function inputUnit(P, item) {
    if (item.input === "count") return item.countUnit;
    return QUANTITY_INPUTS.indexOf(item.input) >= 0 ? P.msg("input_units." + item.input) : "";
  }

  /**
   * The entry fields an item taking `kind` also accepts because the policy converts them into its own input
   * (generator/rules/inputs.input_conversions): a Map field → {field, into, factor, fromUnit, toUnit, source}.
   */
  function inputConversions(P, kind) {
    if (!P.convertsInto) P.convertsInto = new Map();
    if (P.convertsInto.has(kind)) return P.convertsInto.get(kind);
    var kinds = new Map();
    QUANTITY_INPUTS.forEach(function (k) { if (k !== "count") kinds.set(P.msg("input_units." + k), k); });
    var out = new Map();
    P.conversions.forEach(function (c) {
      var from = kinds.get(c.from), to = kinds.get(c.to);
      if (from && to === kind && from !== kind) {
        out.set(from, { field: from, into: kind, factor: c.factor, fromUnit: c.from, toUnit: c.to, source: c.source });
      }
    });
    P.convertsInto.set(kind, out);
    return out;
  }

  /** An entry in its item's own input (engine.converted_entry): [entry, the conversion applied or null]. */
  function convertedEntry(P, item, entry) {
    var found = null;
    inputConversions(P, item.input).forEach(function (conv) {
      if (found) return;
      var raw = get(entry, conv.field), value = amount(raw);
      if (isNone(raw) || value === null) return;
      var out = {};
      Object.keys(entry).forEach(function (k) { if (k !== conv.field) out[k] = entry[k]; });
      out[conv.into] = formatRational(mul(value, conv.factor));
      found = [out, conv];
    });
    return found || [entry, null];
  }

  function intersects(roles, wanted) {
    for (var i = 0; i < wanted.length; i++) if (roles.has(wanted[i])) return true;
    return false;
  }

  function isDigits(s) { return s.length > 0 && /^\p{Nd}+$/u.test(s); }

  function declaredSpan(P, value) {
    if (typeof value !== "string") return null;
    var head = Array.from(value).slice(0, 4).join("");
    if (!isDigits(head)) return null;
    if (!/^[0-9]+$/.test(head)) return null; // other scripts' digits never spell an ASCII period id
    var span;
    try {
      span = periodStarting(P, parseInt(head, 10));
    } catch (e) {
      if (e instanceof RangeError) return null; // year 0000, or 9999 of a school year: no such period
      throw e;
    }
    return span.id === value ? span : null;
  }

  /** An error record (generator/rules/errors.record): a catalog code, its parameters (text), and the sentence. */
  function record(P, field, code, params) {
    params = params || {};
    return { field: field, code: code, params: params, message: P.msg(code, params) };
  }

  function checkCountsFor(P, value, day) {
    var span = declaredSpan(P, value);
    if (span === null) {
      return [record(P, "counts_for", "errors.entry.counts_for_not_a_period",
        { value: display(value), example: periodOf(P, day).id })];
    }
    var own = periodOf(P, day);
    var c = spanCmp(span, own);
    if (c === 0) return [];
    if (c > 0) return [record(P, "counts_for", "errors.entry.counts_for_later", { value: span.id, own: own.id })];
    if (!P.period.makeup) return [record(P, "counts_for", "errors.entry.counts_for_no_makeup", { value: span.id })];
    var first = P.period.first, last = P.period.last;
    if ((first && span.end.iso < first) || (last && span.start.iso > last)) {
      return [record(P, "counts_for", "errors.entry.counts_for_outside_policy",
        { value: span.id, first: first || "…", last: last || "…" })];
    }
    return [];
  }

  /** The levels an item offers, as error messages list them: "id（name）" joined by 、 (engine._level_list). */
  function levelList(item) {
    return item.levels.map(function (id) { return id + "（" + item.levelNames.get(id) + "）"; }).join("、");
  }

  /**
   * Why an entry cannot be counted (engine.check_entry), as coded records {field, code, params, message} in the
   * order of docs/bundle-spec.md §6.1; an empty list when it can.
   */
  function checkEntry(P, entry, roles) {
    if (!isDict(entry)) return [record(P, "", "errors.entry.not_an_object", { value: display(entry) })];
    var errors = [];
    var itemId = get(entry, "item");
    var item = typeof itemId === "string" && P.itemById.has(itemId) ? P.itemById.get(itemId) : null;
    if (isNone(itemId)) {
      errors.push(record(P, "item", "errors.entry.missing.item"));
    } else if (item === null) {
      var close = typeof itemId === "string" ? suggestion(itemId, P.items.map(function (i) { return i.id; })) : null;
      errors.push(close === null ? record(P, "item", "errors.entry.unknown_item", { item: display(itemId) })
        : record(P, "item", "errors.entry.unknown_item_close", { item: display(itemId), suggestion: close }));
    }
    var rawDate = get(entry, "date");
    var day = toDate(rawDate);
    var first = P.period.first, last = P.period.last;
    if (isNone(rawDate)) {
      errors.push(record(P, "date", "errors.entry.missing.date"));
    } else if (day === null) {
      errors.push(record(P, "date", "errors.entry.date_not_a_date", { value: display(rawDate) }));
    } else if (spanOf(P, day) === null) {
      errors.push(record(P, "date", "errors.entry.date_out_of_range", { date: day.iso }));
      day = null;
    } else if ((first && day.iso < first) || (last && day.iso > last)) {
      errors.push(record(P, "date", "errors.entry.date_outside_policy", { date: day.iso, first: first || "…", last: last || "…" }));
    }
    if (!isNone(get(entry, "counts_for")) && day !== null && errors.length === 0) {
      checkCountsFor(P, get(entry, "counts_for"), day).forEach(function (e) { errors.push(e); });
    }
    if (item === null) return errors;
    if (item.roles.length && !intersects(roles, item.roles)) {
      var names = item.roles.map(function (r) { return P.roleNames.has(r) ? P.roleNames.get(r) : r; }).join("、");
      errors.push(record(P, "item", "errors.entry.role_only", { name: item.name, roles: names }));
    }
    var wanted = INPUT_FIELDS[item.input];
    var converts = inputConversions(P, item.input), converted = false;
    ALL_INPUT_FIELDS.forEach(function (name) {
      if (!isNone(get(entry, name)) && wanted.indexOf(name) < 0) {
        var conv = converts.get(name);
        if (!conv) {
          errors.push(record(P, name, "errors.entry.not_taken." + item.input, { name: item.name }));
        } else if (wanted.some(function (w) { return !isNone(get(entry, w)); })) {
          errors.push(record(P, name, "errors.entry.both_units", { name: item.name, from_unit: conv.fromUnit,
            to_unit: conv.toUnit }));
        } else if (amount(get(entry, name)) === null) {
          errors.push(record(P, name, "errors.entry.not_an_amount", { value: display(get(entry, name)) }));
        } else {
          converted = true;
        }
      }
    });
    wanted.forEach(function (name) {
      var value = get(entry, name);
      if (isNone(value) && converted) return; // given in a unit the policy converts into this one
      if (name === "level") {
        if (isNone(value)) {
          errors.push(record(P, "level", "errors.entry.missing.level", { levels: levelList(item) }));
        } else if (typeof value !== "string" || item.levels.indexOf(value) < 0) {
          errors.push(record(P, "level", "errors.entry.unknown_level", { value: display(value), name: item.name,
            levels: levelList(item) }));
        }
        return;
      }
      if (isNone(value)) {
        if (item.input === "subjects") return;
        errors.push(record(P, name, "errors.entry.missing." + name));
      } else if (amount(value) === null) {
        errors.push(record(P, name, "errors.entry.not_an_amount", { value: display(value) }));
      }
    });
    if (item.input === "subjects" && isNone(get(entry, "passed")) && isNone(get(entry, "failed"))) {
      errors.push(record(P, "passed", "errors.entry.no_subjects"));
    }
    var course = get(entry, "course");
    if (!isNone(course) && typeof course !== "string") { // a name: de-duplication and forms read it as text
      errors.push(record(P, "course", "errors.entry.course_not_text", { value: display(course) }));
    }
    return errors;
  }

  // ----------------------------------------------------------------------------------------
  // Rule types: what each kind of rule means, one section per type (generator/rules/types.py). Each has
  //   compile(bundle rule) → parameters as rationals; credit(rule, item, entry) → [credits of one entry before
  //   caps, facts for its trace line]; trace(P, rule, item, credits, facts) → that line; prose(C, rule, item) →
  //   the rule in plain Chinese (C: the prose context, see proseOf); and, for rules that count the period's
  //   summed input, sumsPeriod(rule) → true and periodCredit(P, rule, item, entries) → [credits, [[text, ref], …]].
  // ----------------------------------------------------------------------------------------

  function entryAmount(entry, field) { return amount(get(entry, field)) || ZERO; }
  function fmtQ(v) { return formatRational(v); }
  function common(P, item, credits, extra) {
    var o = { item: item.name, unit: P.unit, credits: fmtQ(credits), input_unit: inputUnit(P, item) };
    Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
    return o;
  }

  var RULES = {
    rate: {
      compile: function (r) {
        return { per: parseRational(r.per), value: parseRational(r.value), floor: r.rounding === "floor" };
      },
      credit: function (rule, item, entry) {
        var a = entryAmount(entry, item.input);
        return [rule.floor ? mul(Q(floor(div(a, rule.per))), rule.value) : div(mul(a, rule.value), rule.per), { amount: a }];
      },
      sumsPeriod: function (rule) { return rule.floor; },
      // what the rule would give without rounding (RuleType.unrounded), so a result can say what rounding left out
      unrounded: function (rule, item, entries) {
        if (!rule.floor) return null;
        return mul(div(sumQ(entries.map(function (f) { return entryAmount(f[1], item.input); })), rule.per), rule.value);
      },
      periodCredit: function (P, rule, item, entries) {
        if (!rule.floor) return null;
        // whole blocks of the period's summed input: 8 h of 微课 in two sittings is still 2 credits
        var a = sumQ(entries.map(function (f) { return entryAmount(f[1], item.input); }));
        var value = mul(Q(floor(div(a, rule.per))), rule.value);
        if (!entries.length) return [value, []];
        var text = RULES.rate.trace(P, rule, item, value, { amount: a });
        if (entries.length > 1) text += P.msg("rule.records", { count: entries.length });
        return [value, [[text, "item:" + item.id]]];
      },
      trace: function (P, rule, item, credits, facts) {
        var key = rule.floor ? (cmp(rule.value, ONE) === 0 ? "rule.rate_floor_one" : "rule.rate_floor")
          : (cmp(rule.per, ONE) === 0 ? "rule.rate_exact" : "rule.rate_exact_per");
        return P.msg(key, common(P, item, credits, { amount: fmtQ(facts.amount), per: fmtQ(rule.per), value: fmtQ(rule.value) }));
      },
      prose: function (C, rule, item) {
        var word = C.proseUnit(item);
        if (rule.floor) {
          var text = C.t("rate_floor", { per: fmtQ(rule.per), input_unit: word, value: fmtQ(rule.value) });
          if (cmp(rule.per, ONE) !== 0) text += C.t("rate_floor_summed", {});
          return text;
        }
        if (cmp(rule.per, ONE) === 0) return C.t("rate_exact_one", { input_unit: word, value: fmtQ(rule.value) });
        return C.t("rate_exact", { per: fmtQ(rule.per), input_unit: word, value: fmtQ(rule.value) });
      }
    },
    per_occurrence: {
      compile: function (r) { return { value: parseRational(r.value) }; },
      credit: function (rule, item, entry) {
        var a = entryAmount(entry, item.input);
        return [mul(a, rule.value), { amount: a }];
      },
      trace: function (P, rule, item, credits, facts) {
        return P.msg("rule.per_occurrence", common(P, item, credits, { amount: fmtQ(facts.amount), value: fmtQ(rule.value) }));
      },
      prose: function (C, rule, item) { return C.t("per_occurrence", { input_unit: C.proseUnit(item), value: fmtQ(rule.value) }); }
    },
    multiplier: {
      compile: function (r) { return { factor: parseRational(r.factor) }; },
      credit: function (rule, item, entry) {
        var a = entryAmount(entry, item.input);
        return [mul(a, rule.factor), { amount: a }];
      },
      trace: function (P, rule, item, credits, facts) {
        return P.msg("rule.multiplier", common(P, item, credits, { amount: fmtQ(facts.amount), factor: fmtQ(rule.factor) }));
      },
      prose: function (C, rule, item) { return C.t("multiplier", { input_unit: C.proseUnit(item), factor: fmtQ(rule.factor) }); }
    },
    lookup: {
      compile: function (r) {
        var table = new Map(), order = [];
        r.table.forEach(function (row) { table.set(row.level, parseRational(row.value)); order.push(row.level); });
        return { table: table, order: order };
      },
      credit: function (rule, item, entry) {
        var v = rule.table.get(entry.level);
        return [v === undefined || v.n === 0n ? ZERO : v, { level: entry.level }];
      },
      trace: function (P, rule, item, credits, facts) {
        var level = item.levelNames.has(facts.level) ? item.levelNames.get(facts.level) : facts.level;
        return P.msg("rule.lookup", common(P, item, credits, { level: level }));
      },
      prose: function (C, rule, item) {
        var levels = rule.order.map(function (level) {
          var name = item.levelNames.has(level) ? item.levelNames.get(level) : level;
          return C.t("lookup_level", { level: name, value: fmtQ(rule.table.get(level)) });
        });
        return C.t("lookup", { levels: levels.join(C.t("lookup_joiner", {})) });
      }
    },
    per_subject: {
      compile: function (r) { return { passed: parseRational(r.passed), failed: parseRational(r.failed) }; },
      credit: function (rule, item, entry) {
        var p = entryAmount(entry, "passed"), f = entryAmount(entry, "failed");
        return [add(mul(p, rule.passed), mul(f, rule.failed)), { passed: p, failed: f }];
      },
      trace: function (P, rule, item, credits, facts) {
        return P.msg("rule.per_subject", common(P, item, credits, { passed: fmtQ(facts.passed), failed: fmtQ(facts.failed),
          passed_value: fmtQ(rule.passed), failed_value: fmtQ(rule.failed) }));
      },
      prose: function (C, rule) { return C.t("per_subject", { passed: fmtQ(rule.passed), failed: fmtQ(rule.failed) }); }
    },
    fixed: {
      compile: function (r) { return { value: parseRational(r.value) }; },
      credit: function (rule) { return [rule.value, {}]; },
      trace: function (P, rule, item, credits) { return P.msg("rule.fixed", common(P, item, credits)); },
      prose: function (C, rule) { return C.t("fixed", { value: fmtQ(rule.value) }); }
    },
    manual: {
      compile: function (r) { return { assessedBy: r.assessed_by || "", defersTo: r.defers_to || "" }; },
      credit: function (rule, item, entry) { return [entryAmount(entry, "credits"), {}]; },
      trace: function (P, rule, item, credits) {
        var defers = rule.defersTo ? P.msg("rule.manual_defers", { defers_to: rule.defersTo }) : "";
        return P.msg("rule.manual", common(P, item, credits, { assessed_by: rule.assessedBy, defers: defers }));
      },
      prose: function (C, rule) {
        var text = C.t("manual", { assessed_by: rule.assessedBy });
        if (rule.defersTo) text += C.t("manual_defers", { defers_to: rule.defersTo });
        return text;
      }
    }
  };

  /** Credits of an item's entries in one period before caps, and their trace lines (RuleType.period_credit). */
  function periodCredit(P, item, entries) {
    var own = item.type.periodCredit ? item.type.periodCredit(P, item.rule, item, entries) : null;
    if (own !== null) return own;
    var total = ZERO, lines = [];
    entries.forEach(function (f) {
      var vc = item.type.credit(item.rule, item, f[1]);
      lines.push([item.type.trace(P, item.rule, item, vc[0], vc[1]), "entry:" + f[0]]);
      total = add(total, vc[0]);
    });
    if (entries.length > 1) {
      lines.push([P.msg("rule.sum", { item: item.name, count: entries.length, credits: fmtQ(total), unit: P.unit }),
        "item:" + item.id]);
    }
    return [total, lines];
  }

  /** The text a course is compared by (engine._course_key): whitespace removed, lower-cased; "" when there is none. */
  function courseKey(entry) {
    var c = get(entry, "course");
    return typeof c === "string" ? c.split(WS_RE).join("").toLowerCase() : "";
  }

  function Trace() { this.lines = []; }
  Trace.prototype.add = function (text, source, period, ref) {
    var line = { text: text };
    if (period !== null && period !== undefined) line.period = period;
    if (ref) line.ref = ref;
    if (source) line.source = source;
    this.lines.push(line);
  };

  function windowOf(P, check, asSpan, personDates, asOf, trace) {
    var w = check.window;
    if (w.kind === "all") return [[], null, ["all"]];
    if (asSpan === null) return [[], null, []];
    var asYear = asSpan.start.y, endYear;
    if (w.kind === "last_periods") {
      var endMode = w.end === undefined ? "current" : w.end;
      endYear = endMode === "current" ? asYear : asYear - 1;
      return [spansBetween(P, endYear - w.count + 1, endYear), null, []];
    }
    var title = personDates.has(w.date) ? personDates.get(w.date) : null;
    if (title === null || asOf === null) {
      trace.add(P.msg("check.missing_date", { name: check.name, date: w.date }), check.source, null, "check:" + check.id);
      return [[], null, ["missing"]];
    }
    var cut = w.cutoff.split("-").map(function (x) { return parseInt(x, 10); });
    var after = asOf.m > cut[0] || (asOf.m === cut[0] && asOf.d > cut[1]);
    endYear = after ? asYear : asYear - 1;
    var spans = spansBetween(P, Math.max(startYear(P, title), endYear - w.max_periods + 1), endYear);
    var extra = endYear !== asYear && w.count_current_before_as_of === true ? asOf : null;
    return [spans, extra, ["title", title.iso]];
  }

  function sumQ(list) { return list.reduce(add, ZERO); }

  function categoryTotals(P, itemCredit) {
    var totals = new Map();
    P.categories.forEach(function (c) { totals.set(c.id, ZERO); });
    itemCredit.forEach(function (value, itemId) {
      P.ancestors(P.itemById.get(itemId).category).forEach(function (cat) {
        if (totals.has(cat)) totals.set(cat, add(totals.get(cat), value));
      });
    });
    return totals;
  }

  function measure(req, itemCredit, categories, total) {
    var m = req.measure;
    if (m.kind === "total") return total;
    if (m.kind === "category") return categories.has(m.ids[0]) ? categories.get(m.ids[0]) : ZERO;
    return sumQ(m.ids.map(function (i) { return itemCredit.has(i) ? itemCredit.get(i) : ZERO; }));
  }

  var STATE_KEY = { met: "met", in_progress: "in_progress", failed: "unmet" };

  /** A requirement's numbers and its state: met, in progress (before its deadline), or failed. */
  function requirementResult(P, req, required, actual, trace, pid, deadline, spanEnd, asOf, refPrefix) {
    var met = cmp(actual, required) >= 0;
    var shortfall = max(sub(required, actual), ZERO);
    var state = stateOf(met, deadline, spanEnd, asOf);
    trace.add(P.msg("requirement." + STATE_KEY[state], {
      name: req.name, required: formatRational(required), actual: formatRational(actual),
      shortfall: formatRational(shortfall), unit: P.unit, until: untilOf(P, deadline, state)
    }), req.source, pid, (refPrefix || "requirement") + ":" + req.id);
    return { id: req.id, name: req.name, required: formatRational(required), actual: formatRational(actual), met: met,
      shortfall: formatRational(shortfall), state: state, deadline: deadline, source: req.source };
  }

  // ----------------------------------------------------------------------------------------
  // The edition's window and deadlines (engine._in_force, _deadline_target, _school_slot, _deadline, _state)
  // ----------------------------------------------------------------------------------------

  /** Whether the edition governs this period (its window overlaps it); every period when it has no window. */
  function governs(P, span) {
    var w = P.window;
    return w === null || (span.start.iso <= w.end && span.end.iso >= w.start);
  }

  /** The period a dated deadline is the deadline of: the latest governed period starting on or before it. */
  function deadlineTarget(P, iso) {
    var day = toDate(iso);
    if (day === null) return null;
    if (P.window === null) {
      var own = spanOf(P, day);
      return own ? own.id : null;
    }
    var best = null;
    spansBetween(P, startYear(P, toDate(P.window.start)), startYear(P, toDate(P.window.end))).forEach(function (span) {
      if (governs(P, span) && span.start.iso <= day.iso) best = span.id;
    });
    return best;
  }

  function squeeze(text) { return text.split(WS_RE).join(""); }

  /** [date, title, source] of the person's school's slot in the edition's per-school schedule, if it is on it. */
  function schoolSlot(P, school) {
    var slots = P.slots;
    if (!slots || !squeeze(school)) return null;
    var schedule = P.schedules.filter(function (s) { return s.id === slots.schedule; })[0];
    if (!schedule) return null;
    var wanted = squeeze(school);
    for (var i = 0; i < schedule.rows.length; i++) {
      var row = schedule.rows[i];
      if (squeeze(row.organization) === wanted) {
        return [row.date, P.msg("deadline.school_slot", { school: row.organization, schedule: schedule.title }), slots.source];
      }
    }
    return null;
  }

  /**
   * When a shortfall of this period must be made up: the school's slot, else the dated timeline entry (for the
   * period it is the deadline of), else the period's end; null for a period outside the edition's window.
   */
  function deadlineOf(P, span, timelineId, school) {
    if (!governs(P, span)) return null;
    var slot = schoolSlot(P, school);
    if (slot !== null && deadlineTarget(P, slot[0]) === span.id) {
      return { date: slot[0], title: slot[1], source: slot[2], kind: "school_slot" };
    }
    var entry = timelineId ? P.timeline.filter(function (t) { return t.id === timelineId; })[0] : null;
    var day = entry ? entry.date || entry.end || "" : "";
    if (entry && day && deadlineTarget(P, day) === span.id) {
      return { date: day, title: entry.title, source: entry.source || "", kind: "timeline" };
    }
    return { date: span.end.iso, title: P.msg("deadline.period_end", { period: span.label }), source: P.period.source,
      kind: "period_end" };
  }

  /** met; in_progress while the deadline (outside the window: the period's end) has not passed; failed. */
  function stateOf(met, deadline, spanEnd, asOf) {
    if (met) return "met";
    var until = deadline ? deadline.date : spanEnd ? spanEnd.iso : null;
    return asOf !== null && asOf !== undefined && until !== null && asOf.iso <= until ? "in_progress" : "failed";
  }

  function untilOf(P, deadline, state) {
    if (!deadline) return "";
    var d = deadline.date;
    var date = P.msg("rule_text.date", { year: parseInt(d.slice(0, 4), 10), month: parseInt(d.slice(5, 7), 10),
      day: parseInt(d.slice(8), 10) });
    return P.msg(state === "in_progress" ? "deadline.until" : "deadline.until_passed", { date: date });
  }

  /** What became of each entry (result.entries): counted, reduced, not_counted or refused, with the reasons. */
  function Outcomes(P, size) {
    this.P = P;
    this.entries = [];
    for (var i = 0; i < size; i++) this.entries.push({ index: i, status: "counted", item: null, period: null, reasons: [] });
  }
  Outcomes.prototype.place = function (idx, item, period) { this.entries[idx].item = item; this.entries[idx].period = period; };
  Outcomes.prototype.reason = function (idx, code, status, params) {
    var entry = this.entries[idx];
    entry.reasons.push(coded(this.P, code, params));
    if (status) entry.status = status;
    else if (entry.status === "counted" && (code === "reasons.capped" || code === "reasons.rounded")) entry.status = "reduced";
  };

  function coded(P, code, params) {
    params = params || {};
    return { code: code, params: params, message: P.msg(code, params) };
  }

  function applySharedCap(P, cap, itemCredit, running, trace, pid, word) {
    var members = cap.items.filter(function (i) { return itemCredit.has(i); });
    var raw = sumQ(members.map(function (i) { return itemCredit.get(i); }));
    var key = cap.id + "\u0000-1";
    var run = running.has(key) ? running.get(key) : ZERO;
    var allowed = cap.per === "period" ? cap.max : max(sub(cap.max, run), ZERO);
    var excess = sub(raw, allowed);
    if (cap.per !== "period") running.set(key, add(run, min(raw, allowed)));
    if (cmp(excess, ZERO) <= 0) return;
    for (var n = members.length - 1; n >= 0; n--) {
      var itemId = members[n];
      var cut = min(excess, itemCredit.get(itemId));
      if (cmp(cut, ZERO) <= 0) continue;
      itemCredit.set(itemId, sub(itemCredit.get(itemId), cut));
      excess = sub(excess, cut);
      trace.add(P.msg("cap.shared", {
        cap: cap.name, items: members.map(function (i) { return P.itemById.get(i).name; }).join("、"),
        raw: formatRational(raw), max: formatRational(cap.max), item: P.itemById.get(itemId).name,
        credited: formatRational(itemCredit.get(itemId)), unit: P.unit, period_word: word
      }), cap.source, pid, "item:" + itemId);
      if (cmp(excess, ZERO) <= 0) break;
    }
  }

  function stateCarryOver(P, span, total, reqs, trace) {
    if (P.period.carryOver !== false) return;
    var totals = P.requirements.filter(function (r) { return r.measure.kind === "total" && reqs.has(r.id); });
    if (!totals.length) return;
    var req = totals[0];
    totals.forEach(function (r) { if (cmp(r.min, req.min) > 0) req = r; });
    if (cmp(total, req.min) <= 0) return;
    trace.add(P.msg("carry_over.not_carried", {
      period: span.label, total: formatRational(total), unit: P.unit, name: req.name,
      excess: formatRational(sub(total, req.min)), period_word: P.msg("period_word." + P.period.kind)
    }), P.period.carryOverSource || P.period.source, span.id, "carry_over");
  }

  /** Passed when every applicable requirement is met; in progress while one is; failed once one failed. */
  function verdictOf(P, span, reqs, trace) {
    var verdict = P.period.verdict;
    var unmet = [];
    reqs.forEach(function (r) { if (r.state !== "met") unmet.push(r); });
    var names = unmet.map(function (r) { return r.name; }).join("、");
    var state, text;
    if (reqs.size > 0 && unmet.length === 0) {
      state = "passed";
      text = P.msg("verdict.passed", { period: span.label, name: verdict.name });
    } else if (unmet.length && unmet.every(function (r) { return r.state === "in_progress"; })) {
      state = "in_progress";
      var latest = null;
      unmet.forEach(function (r) { if (r.deadline && (latest === null || r.deadline.date > latest.date)) latest = r.deadline; });
      text = P.msg("verdict.in_progress", { period: span.label, name: verdict.name, unmet: names,
        until: untilOf(P, latest, state) });
    } else {
      state = "failed";
      text = P.msg("verdict.failed", { period: span.label, name: verdict.name, unmet: names || "—" });
    }
    trace.add(text, verdict.source, span.id, "verdict");
    return { name: verdict.name, passed: state === "passed", state: state, source: verdict.source };
  }

  function label(P, pid) { return periodStarting(P, parseInt(pid.split("-")[0], 10)).label; }

  function inBetween(pid, between) {
    if (between === null) return true;
    var year = parseInt(pid.split("-")[0], 10);
    return between[0] <= year && year <= between[1];
  }

  function evaluateCheck(P, check, periods, extra, info, credited, trace, asOf, asSpan, school) {
    var ref = "check:" + check.id;
    var pids = info.length === 1 && info[0] === "all" ? Array.from(credited.keys()).sort(cmpCodePoints)
      : periods.map(function (s) { return s.id; });
    var labels = pids.map(function (p) { return label(P, p); }).join("、");
    if (info.length && info[0] === "title") {
      trace.add(P.msg("check.window_title_cycle", { name: check.name, title_date: info[1], as_of: asOf ? asOf.iso : "",
        periods: labels || "—" }), check.source, null, ref);
    } else if (pids.length) {
      trace.add(P.msg("check.window", { name: check.name, periods: labels }), check.source, null, ref);
    } else {
      trace.add(P.msg("check.window_empty", { name: check.name }), check.source, null, ref);
    }
    var itemSum = new Map();
    function accumulate(credit) {
      credit.forEach(function (value, itemId) { itemSum.set(itemId, add(itemSum.has(itemId) ? itemSum.get(itemId) : ZERO, value)); });
    }
    pids.forEach(function (pid) { if (credited.has(pid)) accumulate(credited.get(pid)); });
    var extraPid = null;
    if (extra !== null) {
      var extraSpan = asSpan !== null && asSpan !== undefined ? asSpan : periodOf(P, extra);  // the as-of period
      extraPid = extraSpan.id;
      var extraCredit = credited.has(extraPid) ? credited.get(extraPid) : new Map();
      var extraTotal = sumQ(Array.from(extraCredit.values()));
      accumulate(extraCredit);
      trace.add(P.msg("check.current_before_as_of", { name: check.name, period: extraSpan.label,
        credits: formatRational(extraTotal), unit: P.unit }), check.source, null, ref);
    }
    // a check is judged on the evaluation date: its deadline is the one of the as-of period
    var deadline = asSpan ? deadlineOf(P, asSpan, check.deadline, school) : null;
    var spanEnd = asSpan ? asSpan.end : null;
    var categories = categoryTotals(P, itemSum);
    var total = sumQ(Array.from(itemSum.values()));
    var reqs = {};
    var allMet = true;
    check.requirements.forEach(function (req) {
      var required;
      if (req.min !== null) {
        required = req.min;
      } else {
        var countedPeriods = pids.filter(function (p) { return inBetween(p, req.between); });
        required = mul(req.minPerPeriod, Q(countedPeriods.length));
        trace.add(P.msg("check.per_period", { name: req.name, count: countedPeriods.length,
          per_period: formatRational(req.minPerPeriod), required: formatRational(required), unit: P.unit }),
        req.source, null, ref + ":" + req.id);
      }
      var actual = measure(req, itemSum, categories, total);
      reqs[req.id] = requirementResult(P, req, required, actual, trace, null, deadline, spanEnd, asOf, ref);
    });
    Object.keys(reqs).forEach(function (k) { if (!reqs[k].met) allMet = false; });
    var missing = info.length === 1 && info[0] === "missing";
    var met = missing ? false : pids.length > 0 && allMet;
    var state = stateOf(met, deadline, spanEnd, asOf);
    trace.add(P.msg("check." + STATE_KEY[state], { name: check.name, until: untilOf(P, deadline, state) }), check.source,
      null, ref);
    var out = { id: check.id, name: check.name, periods: pids, met: met, state: state, deadline: deadline,
      requirements: reqs, source: check.source };
    if (extraPid) out.includes_until = { period: extraPid, date: extra.iso };
    return out;
  }

  /**
   * as_of, roles, person dates and entries (engine._read_inputs): each bad part is reported as an input error
   * (a coded record, errors.input.*) and ignored. Returns [asOfDate, roles (Set), dates (Map name → date), entries,
   * problems].
   */
  function readInputs(P, ledger, asOf) {
    var problems = [];
    function report(field, code, params) { problems.push(record(P, field, "errors.input." + code, params)); }
    var asOfDate = null;
    if (!isNone(asOf)) {
      asOfDate = toDate(asOf);
      if (asOfDate === null) {
        report("as_of", "as_of_not_a_date", { value: display(asOf) });
      } else if (spanOf(P, asOfDate) === null) {
        report("as_of", "as_of_out_of_range", { date: asOfDate.iso });
        asOfDate = null;
      }
    }
    if (!isDict(ledger)) {
      report("", "ledger_not_an_object", { value: display(ledger) });
      ledger = {};
    }
    var roles = new Set(), dates = new Map(), school = "";
    var person = get(ledger, "person");
    if (!isNone(person) && !isDict(person)) {
      report("person", "person_not_an_object", { value: display(person) });
    } else if (!isNone(person)) {
      var rawRoles = get(person, "roles");
      if (Array.isArray(rawRoles)) {
        rawRoles.forEach(function (role, n) {
          if (typeof role === "string") roles.add(role);
          else report("person.roles[" + n + "]", "role_not_text", { value: display(role) });
        });
      } else if (!isNone(rawRoles)) {
        report("person.roles", "roles_not_a_list", { value: display(rawRoles) });
      }
      var rawDates = get(person, "dates");
      if (isDict(rawDates)) {
        Object.keys(rawDates).sort(cmpCodePoints).forEach(function (name) {
          var value = rawDates[name], day = toDate(value);
          if (day !== null) dates.set(name, day);
          else if (!isNone(value)) report("person.dates." + name, "date_not_a_date", { name: name, value: display(value) });
        });
      } else if (!isNone(rawDates)) {
        report("person.dates", "dates_not_an_object", { value: display(rawDates) });
      }
      if (typeof get(person, "school") === "string") school = person.school;
    }
    var entries = get(ledger, "entries");
    if (!isNone(entries) && !Array.isArray(entries)) report("entries", "entries_not_a_list", { value: display(entries) });
    return [asOfDate, roles, dates, Array.isArray(entries) ? entries : [], problems, school];
  }

  /**
   * Evaluate a ledger under a bundle. `asOf` is a YYYY-MM-DD string (or null: the latest entry's date; callers that
   * mean "now" pass defaultAsOf). `options.bundleSha256`: the sha256 of the bundle the rules came from, when the
   * caller knows it (the calculator's view carries it as bundle_sha256), so the result can be traced to it.
   * Returns the result document of schemas/result.schema.json. Never throws on JSON input (only on a bundle it
   * cannot read): bad entries are reported in `errors`; a bad asOf, person, roles, dates or entries list in
   * `input_errors` (present only when there are any), and evaluation goes on without the bad part.
   */
  function evaluate(bundle, ledger, asOf, options) {
    var P = compile(bundle);
    var sha = options && typeof options.bundleSha256 === "string" ? options.bundleSha256 : null;
    var trace = new Trace();
    var inputs = readInputs(P, ledger, asOf);
    var asOfDate = inputs[0], roles = inputs[1], personDates = inputs[2], entries = inputs[3], inputErrors = inputs[4];
    var school = inputs[5];
    var outcomes = new Outcomes(P, entries.length);
    var errors = [], good = [];
    entries.forEach(function (entry, idx) {
      var problems = checkEntry(P, entry, roles);
      problems.forEach(function (p) {
        errors.push({ entry: idx, field: p.field, code: p.code, params: p.params, message: p.message });
      });
      if (problems.length) {
        outcomes.entries[idx].status = "refused";
        outcomes.entries[idx].reasons.push(coded(P, "reasons.error"));
        var it = isDict(entry) ? get(entry, "item") : null;
        if (typeof it === "string" && P.itemById.has(it)) outcomes.entries[idx].item = it;
        return;
      }
      good.push([idx, entry, P.itemById.get(entry.item), toDate(entry.date)]);
      outcomes.place(idx, entry.item, null);
    });
    if (asOfDate === null && good.length) {
      asOfDate = good.reduce(function (m, g) { return g[3].iso > m.iso ? g[3] : m; }, good[0][3]);
    }
    var notices = [], win = P.window;
    if (win !== null && asOfDate !== null) {
      if (asOfDate.iso < win.start) notices.push(coded(P, "notice.as_of_before", { as_of: asOfDate.iso, start: win.start }));
      else if (asOfDate.iso > win.lastDay) notices.push(coded(P, "notice.as_of_after", { as_of: asOfDate.iso, end: win.lastDay }));
    }
    var counted = [];
    good.forEach(function (g) {
      if (asOfDate !== null && g[3].iso > asOfDate.iso) {
        trace.add(P.msg("entry.after_as_of", { date: g[3].iso, as_of: asOfDate.iso }), "", null, "entry:" + g[0]);
        outcomes.reason(g[0], "reasons.after_as_of", "not_counted", { as_of: asOfDate.iso });
        return;
      }
      counted.push(g);
    });
    counted.sort(function (a, b) { return a[3].iso < b[3].iso ? -1 : a[3].iso > b[3].iso ? 1 : a[0] - b[0]; });

    var asSpan = asOfDate ? periodOf(P, asOfDate) : null;
    if (asSpan !== null && win !== null && !governs(P, asSpan)) {
      // past its window (registration and review still running) or before it, the edition speaks for its own
      // last (or first) period, not for one it does not govern
      asSpan = periodOf(P, toDate(asSpan.start.iso > win.end ? win.end : win.start));
    }
    var spans = new Map(), byPeriod = new Map(), refused = new Set();
    var outside = new Map(); // "<period>\u0000before|after" → entries outside the window
    var word = P.msg("period_word." + P.period.kind);
    counted.forEach(function (c) {
      var idx = c[0], entry = c[1], item = c[2], day = c[3];
      var span = periodOf(P, day);
      var declared = declaredSpan(P, get(entry, "counts_for"));
      if (declared !== null && declared.id !== span.id && P.period.makeup) {
        span = declared;
        var counts = P.period.makeup.counts;
        if (!counts) {
          refused.add(idx);
          outcomes.reason(idx, "reasons.makeup_not_counted", "not_counted", { period: span.label });
        }
        trace.add(P.msg(counts ? "makeup.counted" : "makeup.not_counted", {
          item: item.name, date: day.iso, period: span.label, period_word: word
        }), P.period.makeup.source, span.id, "entry:" + idx);
      }
      var ec = convertedEntry(P, item, entry), conv = ec[1];
      entry = ec[0];
      if (conv !== null) {
        trace.add(P.msg("conversion.applied", { item: item.name, amount: formatRational(amount(get(c[1], conv.field)) || ZERO),
          from_unit: conv.fromUnit, factor: formatRational(conv.factor), converted: entry[conv.into], to_unit: conv.toUnit }),
        conv.source, span.id, "entry:" + idx);
      }
      if (win !== null && !(win.start <= day.iso && day.iso <= win.end)) {
        var key = span.id + "\u0000" + (day.iso < win.start ? "before" : "after");
        outside.set(key, (outside.get(key) || 0) + 1);
        outcomes.reason(idx, "reasons.outside_window");
      }
      outcomes.place(idx, item.id, span.id);
      spans.set(span.id, span);
      if (!byPeriod.has(span.id)) byPeriod.set(span.id, []);
      byPeriod.get(span.id).push([idx, entry, item]);
    });
    if (asSpan !== null) spans.set(asSpan.id, asSpan);
    Array.from(outside.keys()).sort(cmpCodePoints).forEach(function (key) {
      var parts = key.split("\u0000"), pid = parts[0];
      var params = { period: spans.get(pid).label, count: String(outside.get(key)) };
      if (parts[1] === "before") params.start = win.start; else params.end = win.end;  // the template's own
      var n = coded(P, "notice.entries_" + parts[1], params);
      n.period = pid;
      notices.push(n);
    });

    var windows = new Map();
    P.checks.forEach(function (check) {
      if (check.roles.length && !intersects(roles, check.roles)) return;
      var winTrace = new Trace();
      var w = windowOf(P, check, asSpan, personDates, asOfDate, winTrace);
      windows.set(check.id, [w[0], w[1], w[2], winTrace]);
    });

    var ordered = Array.from(spans.values()).sort(spanCmp);
    var credited = new Map();
    var running = new Map();
    var seenCourses = new Set();
    var periodsOut = {};
    ordered.forEach(function (span) {
      var pid = span.id;
      var itemRaw = new Map(), itemEntries = new Map(), itemFacts = new Map();
      function touch(itemId, idx) {
        if (!itemEntries.has(itemId)) itemEntries.set(itemId, []);
        itemEntries.get(itemId).push(idx);
        if (!itemRaw.has(itemId)) itemRaw.set(itemId, ZERO);
      }
      (byPeriod.get(pid) || []).forEach(function (t) {
        var idx = t[0], entry = t[1], item = t[2];
        if (refused.has(idx)) { touch(item.id, idx); return; }
        if (item.gate && get(entry, item.gate.flag) !== true) {
          trace.add(P.msg("gate." + item.gate.flag, { item: item.name }), item.gate.source, pid, "entry:" + idx);
          outcomes.reason(idx, "reasons.gate", "not_counted");
          touch(item.id, idx);
          return;
        }
        var ck = item.dedupe ? courseKey(entry) : "";
        if (item.dedupe && ck) {
          var key = JSON.stringify([item.id, ck, item.dedupe.scope === "period" ? pid : "*"]);
          if (seenCourses.has(key)) {
            trace.add(P.msg("dedupe.duplicate", { item: item.name, course: get(entry, "course") }), item.dedupe.source, pid,
              "entry:" + idx);
            outcomes.reason(idx, "reasons.duplicate", "not_counted", { course: display(get(entry, "course")) });
            touch(item.id, idx);
            return;
          }
          seenCourses.add(key);
        }
        touch(item.id, idx);
        if (!itemFacts.has(item.id)) itemFacts.set(item.id, []);
        itemFacts.get(item.id).push([idx, entry]);
      });
      Array.from(itemRaw.keys()).forEach(function (itemId) {
        var item = P.itemById.get(itemId), facts = itemFacts.get(itemId) || [];
        var vl = periodCredit(P, item, facts);
        vl[1].forEach(function (line) { trace.add(line[0], item.source, pid, line[1]); });
        itemRaw.set(itemId, vl[0]);
        var exact = item.type.unrounded ? item.type.unrounded(item.rule, item, facts) : null;
        if (exact !== null && cmp(exact, vl[0]) > 0) {
          facts.forEach(function (f) {
            outcomes.reason(f[0], "reasons.rounded", null, { item: item.name, period: span.label,
              exact: formatRational(exact), credited: formatRational(vl[0]), unit: P.unit });
          });
        }
      });
      var sortedIds = Array.from(itemRaw.keys()).sort(function (a, b) { return P.order.get(a) - P.order.get(b); });
      var rawSorted = new Map();
      sortedIds.forEach(function (i) { rawSorted.set(i, itemRaw.get(i)); });
      itemRaw = rawSorted;
      var itemCredit = new Map(itemRaw);
      sortedIds.forEach(function (itemId) {
        var item = P.itemById.get(itemId);
        item.caps.forEach(function (cap, n) {
          var before = itemCredit.get(itemId), after;
          if (cap.per === "period") {
            after = min(before, cap.max);
            if (cmp(after, before) < 0) {
              trace.add(P.msg("cap.item_period", { item: item.name, raw: formatRational(before), max: formatRational(cap.max),
                credited: formatRational(after), unit: P.unit, period_word: word }), cap.source, pid, "item:" + itemId);
            }
          } else {
            var key = itemId + "\u0000" + n;
            var run = running.has(key) ? running.get(key) : ZERO;
            after = min(before, max(sub(cap.max, run), ZERO));
            running.set(key, add(run, after));
            if (cmp(after, before) < 0) {
              trace.add(P.msg("cap.item_running", { item: item.name, max: formatRational(cap.max),
                credited: formatRational(after), unit: P.unit, period_word: word }), cap.source, pid, "item:" + itemId);
            }
          }
          itemCredit.set(itemId, after);
        });
      });
      P.sharedCaps.forEach(function (cap) { applySharedCap(P, cap, itemCredit, running, trace, pid, word); });
      itemCredit.forEach(function (value, itemId) {
        if (cmp(value, itemRaw.get(itemId)) >= 0) return;
        (itemFacts.get(itemId) || []).forEach(function (f) {
          outcomes.reason(f[0], "reasons.capped", null, { item: P.itemById.get(itemId).name, period: span.label,
            raw: formatRational(itemRaw.get(itemId)), credited: formatRational(value), unit: P.unit });
        });
      });
      credited.set(pid, itemCredit);
      var categories = categoryTotals(P, itemCredit);
      var total = sumQ(Array.from(itemCredit.values()));
      P.categories.forEach(function (cat) {
        var members = sortedIds.filter(function (i) { return P.ancestors(P.itemById.get(i).category).indexOf(cat.id) >= 0; });
        if (members.length) {
          trace.add(P.msg("total.category", {
            category: cat.name,
            items: members.map(function (i) { return P.itemById.get(i).name + " " + formatRational(itemCredit.get(i)); }).join(" + "),
            credits: formatRational(categories.get(cat.id)), unit: P.unit
          }), cat.source || "", pid, "category:" + cat.id);
        }
      });
      trace.add(P.msg("total.total", { credits: formatRational(total), unit: P.unit }), "", pid, "total");
      var reqs = new Map();
      P.requirements.forEach(function (req) {
        if (req.roles.length && !intersects(roles, req.roles)) return;
        var actual = measure(req, itemCredit, categories, total);
        var deadline = deadlineOf(P, span, req.deadline, school);
        reqs.set(req.id, requirementResult(P, req, req.min, actual, trace, pid, deadline, span.end, asOfDate));
      });
      stateCarryOver(P, span, total, reqs, trace);
      var itemsOut = {}, catsOut = {}, reqsOut = {};
      sortedIds.forEach(function (i) {
        itemsOut[i] = { raw: formatRational(itemRaw.get(i)), credited: formatRational(itemCredit.get(i)),
          entries: itemEntries.get(i) || [] };
      });
      categories.forEach(function (v, c) { catsOut[c] = formatRational(v); });
      reqs.forEach(function (v, k) { reqsOut[k] = v; });
      periodsOut[pid] = { id: pid, label: span.label, start: span.start.iso, end: span.end.iso, in_force: governs(P, span),
        items: itemsOut, categories: catsOut, total: formatRational(total), requirements: reqsOut };
      if (P.period.verdict) periodsOut[pid].verdict = verdictOf(P, span, reqs, trace);
    });

    var checksOut = {};
    P.checks.forEach(function (check) {
      if (!windows.has(check.id)) return;
      var w = windows.get(check.id);
      w[3].lines.forEach(function (l) { trace.lines.push(l); });
      checksOut[check.id] = evaluateCheck(P, check, w[0], w[1], w[2], credited, trace, asOfDate, asSpan, school);
    });
    var result = {
      format: RESULT_FORMAT,
      engine: ENGINE,
      policy: { id: P.id, edition: P.edition, unit: P.unit, revision: P.revision },
      bundle_sha256: sha,
      in_force: win ? { from: win.start, to: win.end, last_day: win.lastDay } : null,
      as_of: asOfDate ? asOfDate.iso : null,
      person: { roles: Array.from(roles).sort(cmpCodePoints) },
      periods: periodsOut,
      checks: checksOut,
      entries: outcomes.entries,
      notices: notices,
      errors: errors,
      trace: trace.lines
    };
    if (inputErrors.length) result.input_errors = inputErrors;
    return result;
  }

  /**
   * The evaluation date a person means by "now" under this edition (engine.default_as_of): today (YYYY-MM-DD),
   * moved into the edition's window (its first day … the last day registration and review run under it).
   */
  function defaultAsOf(P, today) {
    var w = P.window;
    if (w === null) return today;
    return today < w.start ? w.start : today > w.lastDay ? w.lastDay : today;
  }

  // ----------------------------------------------------------------------------------------
  // Prose: the rules in plain Chinese (generator/rules/prose.py), for the calculator's pages. Each rule type
  // says its own rule (RULES[type].prose); caps, conditions, windows and cycles are said here.
  // ----------------------------------------------------------------------------------------

  function proseOf(P) {
    if (P.prose) return P.prose;
    var kind = P.period.kind;
    var base = { period_word: P.msg("period_word." + kind), unit: P.unit };
    try { base.period_noun = P.msg("rule_text.period_noun." + kind, base); } catch (e) { base.period_noun = base.period_word; }
    function t(key, params) {
      var o = {};
      Object.keys(base).forEach(function (k) { o[k] = base[k]; });
      Object.keys(params || {}).forEach(function (k) { o[k] = params[k]; });
      return P.msg("rule_text." + key, o);
    }
    function periodCount(n) { return t("period_count." + kind, { n: n }); }
    function joinList(parts) { return parts.filter(Boolean).join(t("list_joiner", {})); }
    function proseUnit(item) {
      if (item.input === "count") return item.countUnit || t("input_fallback", {});
      var word = "";
      try { word = P.msg("input_units." + item.input); } catch (e) { word = ""; }
      return word || t("input_fallback", {});
    }
    function scopePhrase(per) {
      var cycle = P.bundle.cycle;
      if (per === "cycle" && cycle) return t("scope.cycle_n", { periods: periodCount(cycle.periods) });
      return t("scope." + per, {});
    }
    function item(id) {
      if (!P.itemById.has(id)) throw new Error("no item " + id);
      return P.itemById.get(id);
    }
    var C = { t: t, proseUnit: proseUnit };
    function rulePhrase(id) { var it = item(id); return it.type.prose(C, it.rule, it); }
    function capPhrases(id) {
      var it = item(id);
      var out = it.caps.map(function (c) { return t("cap", { scope: scopePhrase(c.per), max: fmtQ(c.max) }); });
      P.sharedCaps.forEach(function (cap) {
        if (cap.items.indexOf(id) < 0) return;
        var others = cap.items.filter(function (i) { return i !== id; }).map(function (i) {
          return t("quoted", { name: P.itemById.has(i) ? P.itemById.get(i).name : i });
        });
        out.push(t("shared_cap", { others: joinList(others), scope: scopePhrase(cap.per), max: fmtQ(cap.max) }));
      });
      return out;
    }
    function conditionPhrases(id) {
      var it = item(id), out = [];
      if (it.gate) out.push(t("gate." + it.gate.flag, {}));
      if (it.dedupe) out.push(t("dedupe." + it.dedupe.scope, {}));
      if (it.roles.length) {
        out.push(t("roles", { roles: joinList(it.roles.map(function (r) { return P.roleNames.has(r) ? P.roleNames.get(r) : r; })) }));
      }
      return out;
    }
    function monthDay(value) {
      var md = value.split("-");
      return t("month_day", { month: parseInt(md[0], 10), day: parseInt(md[1], 10) });
    }
    P.prose = {
      rulePhrase: rulePhrase,
      capPhrases: capPhrases,
      conditionPhrases: conditionPhrases,
      ruleSentence: function (id) {
        return [rulePhrase(id)].concat(capPhrases(id), conditionPhrases(id)).filter(Boolean).join(t("joiner", {}));
      },
      /** Whether the rule counts the period's summed input (whole blocks), so a credit is rounded per period. */
      sumsPeriod: function (id) { var it = item(id); return !!(it.type.sumsPeriod && it.type.sumsPeriod(it.rule)); },
      windowPhrase: function (w) {
        if (w.kind === "last_periods") {
          return t(w.end === "previous" ? "window.last_periods_previous" : "window.last_periods_current",
            { periods: periodCount(w.count) });
        }
        if (w.kind === "title_cycle") {
          var text = t("window.title_cycle", { periods: periodCount(w.max_periods), cutoff: monthDay(w.cutoff) });
          if (w.count_current_before_as_of) text += t("window.title_cycle_current", {});
          return text;
        }
        return t("window.all", {});
      },
      cyclePhrase: function () {
        var cycle = P.bundle.cycle;
        return cycle ? t("cycle", { periods: periodCount(cycle.periods) }) : "";
      },
      periodCount: periodCount,
      formatDate: function (iso) {
        var parts = iso.split("-").map(function (x) { return parseInt(x, 10); });
        return t("date", { year: parts[0], month: parts[1], day: parts[2] });
      },
      monthDay: monthDay
    };
    return P.prose;
  }

  /** The period a countable entry belongs to (engine.entry_period): its counts_for where make-up counts, else its date's. */
  function entryPeriodOf(P, entry) {
    var own = periodOf(P, toDate(entry.date));
    var declared = declaredSpan(P, get(entry, "counts_for"));
    return declared !== null && declared.id !== own.id && P.period.makeup ? declared : own;
  }

  /** What evaluate credits one countable entry before caps and de-duplication (engine.entry_credit). */
  function entryCreditOf(P, entry) {
    var item = P.itemById.get(entry.item);
    var span = entryPeriodOf(P, entry);
    if (P.period.makeup && !P.period.makeup.counts && span.id !== periodOf(P, toDate(entry.date)).id) return ZERO;
    if (item.gate && get(entry, item.gate.flag) !== true) return ZERO;
    return item.type.credit(item.rule, item, convertedEntry(P, item, entry)[0])[0];
  }

  function spanOut(s) { return { id: s.id, label: s.label, start: s.start.iso, end: s.end.iso }; }

  /** What one unmet requirement still needs: "灵活性进行中，还差 6 学分（截止 2018年7月31日）" (shortfall.*). */
  function shortfallPhrase(P, req, unit) {
    var key = req.state === "in_progress" ? "shortfall.in_progress" : "shortfall.failed";
    return P.msg(key, { name: req.name, shortfall: req.shortfall, unit: unit, until: untilOf(P, req.deadline, req.state) });
  }

  /** "2017—2018学年 灵活性进行中，还差 6 学分（截止 …）" for every unmet requirement (engine.shortfall_phrases). */
  function shortfallPhrases(bundle, result) {
    var P = compile(bundle);
    var unit = result.policy.unit, out = [];
    Object.keys(result.periods).forEach(function (k) {
      var period = result.periods[k];
      Object.keys(period.requirements).forEach(function (r) {
        var req = period.requirements[r];
        if (!req.met) out.push(period.label + " " + shortfallPhrase(P, req, unit));
      });
    });
    Object.keys(result.checks).forEach(function (k) {
      var check = result.checks[k];
      Object.keys(check.requirements).forEach(function (r) {
        var req = check.requirements[r];
        if (!req.met) out.push(check.name + " " + shortfallPhrase(P, req, unit));
      });
    });
    return out;
  }

  // ----------------------------------------------------------------------------------------
  // Ledger documents (schemas/ledger.schema.json) as the calculator imports and stores them: what the schema
  // and the policy require beside the engine's own entry checks, as coded records like the result's errors.
  // ----------------------------------------------------------------------------------------

  var LEDGER_FORMAT = "jxjy-ledger/1";
  var LEDGER_KEYS = ["format", "policy", "person", "entries"];
  var PERSON_KEYS = ["name", "school", "subject", "roles", "dates"];
  var PERSON_TEXTS = { name: 100, school: 200, subject: 100 };
  var ENTRY_KEYS = ["item", "date", "hours", "count", "half_days", "days", "years", "level", "passed", "failed",
    "credits", "exam_passed", "counts_for", "course", "evidence", "note"];
  var ENTRY_TEXTS = { course: 200, evidence: 500, note: 500 };
  var ID_RE = /^[a-z][a-z0-9-]*$/;
  var AMOUNT_RE = /^[0-9]+(\.[0-9]+)?(\/[1-9][0-9]*)?$/;

  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  /** The schema's amount: a finite JSON number ≥ 0, or a plain exact number text ("2", "0.5", "1/3"). */
  function schemaAmount(v) {
    if (typeof v === "number") return Number.isFinite(v) && v >= 0;
    return typeof v === "string" && AMOUNT_RE.test(v);
  }

  /** Text fields: text of at most `limit` code points (JSON Schema's maxLength). */
  function checkText(value, limit, add) {
    if (typeof value !== "string") add("errors.ledger.not_text", { value: display(value) });
    else if (Array.from(value).length > limit) {
      add("errors.ledger.too_long", { limit: String(limit), length: String(Array.from(value).length) });
    }
  }

  function checkPerson(P, person, add) {
    if (!isDict(person)) {
      add("person", "errors.input.person_not_an_object", { value: display(person) });
      return;
    }
    Object.keys(person).forEach(function (k) {
      if (PERSON_KEYS.indexOf(k) < 0) add("person." + k, "errors.ledger.unknown_key", { key: display(k) });
    });
    Object.keys(PERSON_TEXTS).forEach(function (k) {
      if (own(person, k)) checkText(person[k], PERSON_TEXTS[k], function (c, p) { add("person." + k, c, p); });
    });
    if (own(person, "roles")) {
      if (!Array.isArray(person.roles)) {
        add("person.roles", "errors.input.roles_not_a_list", { value: display(person.roles) });
      } else {
        var known = P.bundle.roles.map(function (r) { return r.id + "（" + r.name + "）"; }).join("、");
        person.roles.forEach(function (r, n) {
          var at = "person.roles[" + n + "]";
          if (typeof r !== "string" || !ID_RE.test(r)) add(at, "errors.ledger.bad_role", { value: display(r) });
          else if (!P.roleNames.has(r)) add(at, "errors.ledger.unknown_role", { role: r, roles: known });
        });
      }
    }
    if (own(person, "dates")) {
      if (!isDict(person.dates)) {
        add("person.dates", "errors.input.dates_not_an_object", { value: display(person.dates) });
      } else {
        Object.keys(person.dates).forEach(function (k) {
          var at = "person.dates." + k;
          if (!ID_RE.test(k)) add(at, "errors.ledger.bad_date_name", { name: display(k) });
          else if (toDate(person.dates[k]) === null) {
            add(at, "errors.input.date_not_a_date", { name: k, value: display(person.dates[k]) });
          }
        });
      }
    }
  }

  /** What the schema says of one entry that the engine does not check (unknown keys, types, lengths). */
  function checkEntryDocument(entry, add) {
    Object.keys(entry).forEach(function (k) {
      if (ENTRY_KEYS.indexOf(k) < 0) add(k, "errors.ledger.unknown_key", { key: display(k) });
    });
    ["item", "level", "counts_for"].forEach(function (k) {
      if (own(entry, k) && typeof entry[k] !== "string") add(k, "errors.ledger.not_text", { value: display(entry[k]) });
    });
    AMOUNT_FIELDS.forEach(function (k) {
      if (own(entry, k) && !schemaAmount(entry[k])) add(k, "errors.entry.not_an_amount", { value: display(entry[k]) });
    });
    if (own(entry, "exam_passed") && typeof entry.exam_passed !== "boolean") {
      add("exam_passed", "errors.ledger.not_yes_no", { value: display(entry.exam_passed) });
    }
    Object.keys(ENTRY_TEXTS).forEach(function (k) {
      if (own(entry, k)) checkText(entry[k], ENTRY_TEXTS[k], function (c, p) { add(k, c, p); });
    });
  }

  /**
   * Every problem of a ledger document (schemas/ledger.schema.json) for this bundle, as coded records: the
   * document's own ({field: path such as "person.roles[1]", code, params, message}) and each entry's
   * ({entry, field, code, params, message}) — first what the schema and the policy's role list say, then the
   * engine's entry checks (checkEntry, every role of the policy held) on the fields the schema found nothing wrong
   * with, unless options.engine is false. [] when the document can be used as it is.
   */
  function checkLedger(P, doc, options) {
    var out = [];
    var withEngine = !(options && options.engine === false);
    function add(field, code, params) { out.push(record(P, field, code, params)); }
    function addEntry(i) {
      return function (field, code, params) {
        var r = record(P, field, code, params);
        out.push({ entry: i, field: r.field, code: r.code, params: r.params, message: r.message });
      };
    }
    if (!isDict(doc)) {
      add("", "errors.input.ledger_not_an_object", { value: display(doc) });
      return out;
    }
    Object.keys(doc).forEach(function (k) {
      if (LEDGER_KEYS.indexOf(k) < 0) add(k, "errors.ledger.unknown_key", { key: display(k) });
    });
    if (own(doc, "format") && doc.format !== LEDGER_FORMAT) add("format", "errors.ledger.not_a_ledger", { value: display(doc.format) });
    if (own(doc, "policy")) {
      var pol = doc.policy;
      var fine = isDict(pol) && Object.keys(pol).every(function (k) {
        return (k === "id" || k === "edition") && typeof pol[k] === "string";
      });
      if (!fine) add("policy", "errors.ledger.bad_policy");
    }
    if (own(doc, "person")) checkPerson(P, doc.person, add);
    if (!own(doc, "entries")) {
      add("entries", "errors.ledger.missing_entries");
    } else if (!Array.isArray(doc.entries)) {
      add("entries", "errors.input.entries_not_a_list", { value: display(doc.entries) });
    } else {
      var roles = new Set(P.roleNames.keys());
      doc.entries.forEach(function (entry, i) {
        var before = out.length, here = addEntry(i);
        if (!isDict(entry)) {
          here("", "errors.entry.not_an_object", { value: display(entry) });
          return;
        }
        checkEntryDocument(entry, here);
        if (!withEngine) return;
        var flagged = out.slice(before).map(function (r) { return r.field; });
        checkEntry(P, entry, roles).forEach(function (r) {  // what the schema already said is not said twice
          if (flagged.indexOf(r.field) < 0) here(r.field, r.code, r.params);
        });
      });
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------
  // Verification codes (generator/rules/verify.py): the first 12 hex digits of
  //   sha256("jxjy-verify/1\n" + bundle_sha256 + "\n" + as_of + "\n" + canonical(ledger)), in groups of four.
  // ----------------------------------------------------------------------------------------

  /** The one spelling of a JSON value both engines agree on: keys sorted by code point, numbers as plain decimals. */
  function canonical(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v === "number") return Number.isFinite(v) ? formatRational(fromNumber(v)) : "null";
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    if (typeof v === "object") {
      return "{" + Object.keys(v).sort(cmpCodePoints).map(function (k) {
        return JSON.stringify(k) + ":" + canonical(v[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(v); // text (a lone surrogate escaped as \udxxx), true, false
  }

  /**
   * "3F2A-91C0-77DE" (a Promise): names the ledger, the rules (the bundle's sha256) and the evaluation date
   * together. SHA-256 by crypto.subtle: pages opened from file://, https or localhost have it.
   */
  function verificationCode(ledger, bundleSha256, asOf) {
    var payload = "jxjy-verify/1\n" + (bundleSha256 || "") + "\n" + (asOf || "") + "\n" + canonical(ledger);
    return root.crypto.subtle.digest("SHA-256", new TextEncoder().encode(payload)).then(function (buf) {
      var hex = Array.from(new Uint8Array(buf).slice(0, 6), function (x) { return (x + 256).toString(16).slice(1); })
        .join("").toUpperCase();
      return hex.slice(0, 4) + "-" + hex.slice(4, 8) + "-" + hex.slice(8);
    });
  }

  var api = {
    ENGINE_VERSION: ENGINE_VERSION,
    BUNDLE_FORMAT: BUNDLE_FORMAT,
    BUNDLE_MAJOR: BUNDLE_MAJOR,
    RESULT_FORMAT: RESULT_FORMAT,
    ENGINE: ENGINE,
    evaluate: evaluate,
    shortfallPhrases: shortfallPhrases,
    /** One unmet requirement of a result as the summary says it (shortfall.*, with its deadline). */
    shortfallPhrase: function (bundle, req, unit) { return shortfallPhrase(compile(bundle), req, unit); },
    /** "（截止 2018年7月31日）" for a deadline {date} in this state; "" without one. */
    until: function (bundle, deadline, state) { return untilOf(compile(bundle), deadline, state); },
    /** The evaluation date meaning "now" (today, YYYY-MM-DD) under this edition: today moved into its window. */
    defaultAsOf: function (bundle, today) { return defaultAsOf(compile(bundle), today); },
    /** The edition's window {start, end, lastDay}, or null when it states none. */
    inForce: function (bundle) { return compile(bundle).window; },
    /** The entry fields an item also takes because the policy converts them: [{field, into, factor, fromUnit, toUnit, source}]. */
    conversions: function (bundle, itemId) {
      var P = compile(bundle), item = P.itemById.get(itemId);
      return item ? Array.from(inputConversions(P, item.input).values()) : [];
    },
    /** Why an entry cannot be counted with these roles: coded records {field, code, params, message} (§6.1). */
    checkEntry: function (bundle, entry, roles) { return checkEntry(compile(bundle), entry, new Set(roles || [])); },
    /** Every problem of a ledger document for this bundle, as coded records (schema, roles, then the engine). */
    checkLedger: function (bundle, doc, options) { return checkLedger(compile(bundle), doc, options); },
    periodOf: function (bundle, isoDate) {
      var day = fromIsoFormat(isoDate);
      var s = day === null ? null : spanOf(compile(bundle), day);
      return s === null ? null : spanOut(s);
    },
    /** The period an entry checkEntry accepts counts for: {id, label, start, end}. */
    entryPeriod: function (bundle, entry) { return spanOut(entryPeriodOf(compile(bundle), entry)); },
    /** What one entry checkEntry accepts is credited before caps (a rational). */
    entryCredit: function (bundle, entry) { return entryCreditOf(compile(bundle), entry); },
    /** What an item's rule gives one entry alone, before caps, whatever its gate (a rational). */
    ruleCredit: function (bundle, itemId, entry) {
      var P = compile(bundle), item = P.itemById.get(itemId);
      return item.type.credit(item.rule, item, entry)[0];
    },
    /** The rules in plain Chinese: rulePhrase(itemId), capPhrases(itemId), ruleSentence(itemId), windowPhrase(w) … */
    prose: function (bundle) { return proseOf(compile(bundle)); },
    INPUTS: INPUTS,
    AMOUNT_FIELDS: AMOUNT_FIELDS,
    /** A non-negative exact amount from a ledger value (a JSON number or an exact number string), else null. */
    amount: amount,
    message: function (bundle, key, params) { return compile(bundle).msg(key, params); },
    rational: {
      Q: Q, parse: parseRational, fromNumber: fromNumber, format: formatRational, add: add, sub: sub, mul: mul, div: div, cmp: cmp, floor: floor
    },
    fromIsoFormat: function (s) { var d = fromIsoFormat(s); return d === null ? null : d.iso; },
    /** A JSON value as messages quote it (docs/bundle-spec.md §7). */
    display: display,
    /** The statement's verification code of a ledger under a bundle (its sha256) on an evaluation date. */
    verificationCode: verificationCode,
    /** The canonical JSON the verification code hashes (generator/rules/verify.canonical). */
    canonical: canonical,
    /** The did-you-mean of an unknown id among candidates, or null (docs/bundle-spec.md §7). */
    suggestion: suggestion
  };

  root.JXJY_ENGINE = api;
  if (typeof module === "object" && module && typeof module.exports === "object") module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
