/* jxjy form page (inlined into every generated form .html; works from file://, no network).
 *
 *  - keeps what is typed in localStorage under spec.storage_key ("jxjy-form:<policy>/<edition>/<form>");
 *  - computes 学分 columns marked `computed:` with the item's rule, in exact rationals (BigInt).
 *    This is a deliberately tiny rule function, not the engine: one row = one entry before caps,
 *    exactly what generator/forms.py computed_credit() gets from the Python engine (tested);
 *  - prefills from the calculator. Contract (also in docs/forms.md):
 *      open FORM.html#prefill=<base64url of UTF-8 JSON>, or put the JSON in
 *      localStorage["jxjy-prefill:<policy>/<edition>"] and open FORM.html#prefill=local
 *      JSON = {"format": "jxjy-form-prefill/1", "policy": {"id", "edition"}?, "ledger": <jxjy-ledger/1>,
 *              "period": "<period id, e.g. 2017-2018>"?, "result": <jxjy-result/1>?}
 *  User data only ever goes into .value and .textContent (no HTML parsing of user data).
 *  The pure functions are exported for node (tests/test_forms.py runs them against Python).
 */
(function () {
  "use strict";
  var HAS_BIGINT = typeof BigInt === "function";
  var Z = HAS_BIGINT ? BigInt(0) : 0, ONE = HAS_BIGINT ? BigInt(1) : 1, TEN = HAS_BIGINT ? BigInt(10) : 10;
  var NUM = /^\s*([0-9]+)(?:\.([0-9]+))?(?:\s*\/\s*([1-9][0-9]*))?\s*$/;
  var DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
  var QUANTITY = ["hours", "count", "half_days", "days", "years"];
  var INPUT_FIELDS = {hours: ["hours"], count: ["count"], half_days: ["half_days"], days: ["days"], years: ["years"],
    level: ["level"], subjects: ["passed", "failed"], credits: ["credits"], none: []};
  var ALL_INPUTS = ["count", "credits", "days", "failed", "half_days", "hours", "level", "passed", "years"];

  // ---- exact rationals -------------------------------------------------------------------
  function abs(a) { return a < Z ? -a : a; }
  function gcd(a, b) { a = abs(a); b = abs(b); while (b !== Z) { var t = a % b; a = b; b = t; } return a; }
  function Q(n, d) {
    if (d === undefined) d = ONE;
    if (d < Z) { n = -n; d = -d; }
    var g = gcd(n, d);
    if (g > ONE) { n = n / g; d = d / g; }
    return {n: n, d: d};
  }
  function pow10(k) { var r = ONE; for (var i = 0; i < k; i++) r = r * TEN; return r; }
  function parseQ(text) {
    if (!HAS_BIGINT || text === null || text === undefined) return null;
    var m = NUM.exec(String(text));
    if (!m) return null;
    var frac = m[2] || "";
    var d = pow10(frac.length);
    if (m[3]) d = d * BigInt(m[3]);
    return Q(BigInt(m[1] + frac), d);
  }
  function add(a, b) { return Q(a.n * b.d + b.n * a.d, a.d * b.d); }
  function mul(a, b) { return Q(a.n * b.n, a.d * b.d); }
  function div(a, b) { return Q(a.n * b.d, a.d * b.n); }
  function floorQ(a) { var q = a.n / a.d; if (a.n < Z && q * a.d !== a.n) q = q - ONE; return Q(q); }
  function formatQ(a) {  // same text as generator/rational.py format_rational
    if (a.d === ONE) return String(a.n);
    var den = a.d, twos = 0, fives = 0, two = BigInt(2), five = BigInt(5);
    while (den % two === Z) { den = den / two; twos++; }
    while (den % five === Z) { den = den / five; fives++; }
    if (den !== ONE) return String(a.n) + "/" + String(a.d);
    var digits = Math.max(twos, fives), scale = pow10(digits);
    var scaled = a.n * scale / a.d, sign = scaled < Z ? "-" : "", n = abs(scaled);
    var whole = n / scale, frac = String(n % scale);
    while (frac.length < digits) frac = "0" + frac;
    var s = sign + String(whole) + "." + frac;
    return s.replace(/0+$/, "").replace(/\.$/, "");
  }

  // ---- rules (one entry, before caps; mirrors generator/engine.py) ------------------------
  function ruleCredit(item, entry) {
    var r = item.rule, amount = null;
    if (QUANTITY.indexOf(item.input) >= 0) amount = parseQ(entry[item.input]) || Q(Z);
    if (item.gate && entry[item.gate] !== true) return Q(Z);
    switch (r.type) {
      case "rate":
        if (r.rounding === "floor") return mul(floorQ(div(amount, parseQ(r.per))), parseQ(r.value));
        return div(mul(amount, parseQ(r.value)), parseQ(r.per));
      case "multiplier": return mul(amount, parseQ(r.factor));
      case "per_occurrence": return mul(amount, parseQ(r.value));
      case "lookup":
        for (var i = 0; i < r.table.length; i++) if (r.table[i][0] === entry.level) return parseQ(r.table[i][1]);
        return Q(Z);
      case "per_subject":
        return add(mul(parseQ(entry.passed) || Q(Z), parseQ(r.passed)), mul(parseQ(entry.failed) || Q(Z), parseQ(r.failed)));
      case "fixed": return parseQ(r.value);
      default: return parseQ(entry.credits) || Q(Z);
    }
  }
  function levelId(item, text) {
    for (var i = 0; i < item.levels.length; i++) if (item.levels[i][0] === text || item.levels[i][1] === text) return item.levels[i][0];
    return null;
  }
  /** A computed cell: the item's rule applied to one row whose `from` column holds `text`; null when blank or invalid. */
  function computeCell(item, text) {
    if (!HAS_BIGINT || !item) return null;
    text = (text === null || text === undefined) ? "" : String(text).trim();
    if (!text) return null;
    var entry = {};
    if (QUANTITY.indexOf(item.input) >= 0) {
      var q = parseQ(text);
      if (!q) return null;
      entry[item.input] = text;
    } else if (item.input === "level") {
      var lv = levelId(item, text);
      if (lv === null) return null;
      entry.level = lv;
    } else if (item.input !== "none") {
      return null;
    }
    var copy = {input: item.input, rule: item.rule, levels: item.levels};  // gate counts as passed for a conversion
    return formatQ(ruleCredit(copy, entry));
  }

  // ---- prefill (mirrors generator/forms.py prefill) -----------------------------------------
  function realDate(s) {
    var m = DATE.exec(String(s || ""));
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3], dt = new Date(Date.UTC(y, mo - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? {y: y, m: mo, d: d} : null;
  }
  function periodOf(period, iso) {
    var day = realDate(iso);
    if (!day) return null;
    var y = day.y;
    if (day.m < period.start_month || (day.m === period.start_month && day.d < period.start_day)) y -= 1;
    if (period.kind === "calendar_year") return {id: String(y), label: period.labels.calendar_year.replace("{year}", y)};
    return {id: y + "-" + (y + 1),
            label: period.labels.school_year.replace("{start_year}", y).replace("{end_year}", y + 1)};
  }
  function periodStart(period, id) {  // the period a counts_for id names, or null (engine._declared_span)
    if (typeof id !== "string" || !/^[0-9]{4}/.test(id)) return null;
    var y = parseInt(id.slice(0, 4), 10), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var start = y + "-" + pad(period.start_month) + "-" + pad(period.start_day), p = periodOf(period, start);
    if (!p || p.id !== id) return null;
    p.start = start;
    p.nextStart = (y + 1) + "-" + pad(period.start_month) + "-" + pad(period.start_day);
    return p;
  }
  /** The period an entry counts for: counts_for (make-up) where accepted, else its date's (engine.evaluate). */
  function entryPeriod(period, entry) {
    var own = periodOf(period, entry.date), declared = periodStart(period, entry.counts_for);
    return declared && declared.id !== own.id && period.makeup ? declared : own;
  }
  function countsForOk(period, entry) {  // engine._check_counts_for
    if (entry.counts_for === undefined || entry.counts_for === null) return true;
    var declared = periodStart(period, entry.counts_for), own = periodOf(period, entry.date);
    if (!declared) return false;
    if (declared.id === own.id) return true;
    if (declared.start > entry.date) return false;
    if (!period.makeup) return false;
    if (period.first && declared.nextStart <= period.first) return false;  // the period ends before `first`
    if (period.last && declared.start > period.last) return false;
    return true;
  }
  function validEntry(spec, entry, roles) {
    if (!entry || typeof entry !== "object") return false;
    var item = spec.items[entry.item];
    if (!item || !realDate(entry.date)) return false;
    if (spec.period.first && entry.date < spec.period.first) return false;
    if (spec.period.last && entry.date > spec.period.last) return false;
    if (!countsForOk(spec.period, entry)) return false;
    if (item.roles && item.roles.length && !item.roles.some(function (r) { return roles.indexOf(r) >= 0; })) return false;
    var wanted = INPUT_FIELDS[item.input];
    for (var i = 0; i < ALL_INPUTS.length; i++) {
      var f = ALL_INPUTS[i];
      if (entry[f] !== undefined && entry[f] !== null && wanted.indexOf(f) < 0) return false;
    }
    if (item.input === "level") return levelId({levels: item.levels}, entry.level) === entry.level;
    if (item.input === "subjects") {
      if ((entry.passed === undefined || entry.passed === null) && (entry.failed === undefined || entry.failed === null)) return false;
      return ["passed", "failed"].every(function (f) { return entry[f] === undefined || entry[f] === null || parseQ(entry[f]) !== null; });
    }
    return wanted.every(function (f) { return parseQ(entry[f]) !== null; });
  }
  function entryValue(item, entry, field) {
    var v = entry[field];
    if (v === undefined || v === null) return "";
    if (field === "level") { for (var i = 0; i < item.levels.length; i++) if (item.levels[i][0] === v) return item.levels[i][1]; return String(v); }
    if (["hours", "count", "days", "half_days", "years", "passed", "failed", "credits"].indexOf(field) >= 0) {
      var q = parseQ(v);
      return q ? formatQ(q) : String(v);
    }
    return String(v);
  }
  function prefillPath(path, person, span, sums, res) {
    if (!path) return "";
    var dot = path.indexOf("."), head = dot < 0 ? path : path.slice(0, dot), rest = dot < 0 ? "" : path.slice(dot + 1);
    if (head === "person") return person[rest] ? String(person[rest]) : "";
    if (head === "period" && span) return rest === "label" ? span.label : rest === "id" ? span.id : "";
    if (head === "today") return new Date().toISOString().slice(0, 10);
    if (head === "sum") return sums[rest] ? formatQ(sums[rest]) : "";
    if (head === "result" && res) {
      if (rest === "total") return res.total;
      var d2 = rest.indexOf("."), kind = rest.slice(0, d2), id = rest.slice(d2 + 1);
      if (kind === "category") return res.categories[id] || "";
      if (kind === "item") return (res.items[id] || {}).credited || "";
    }
    return "";
  }
  /** {values: {name: text}, rows: {section: n}, period: {id, label} | null} for a prefill payload. */
  function prefillValues(spec, payload) {
    var ledger = payload.ledger || {}, person = ledger.person || {}, roles = person.roles || [];
    var all = Array.isArray(ledger.entries) ? ledger.entries : [];
    var entries = all.filter(function (e) { return validEntry(spec, e, roles); });
    var sectionItems = spec.sections.map(function (s) { return s.item; }).filter(Boolean);
    var mine = entries.filter(function (e) { return sectionItems.indexOf(e.item) >= 0; });
    var span = null;
    if (payload.period) {
      var y = parseInt(String(payload.period).split("-")[0], 10);
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      span = periodOf(spec.period, y + "-" + pad(spec.period.start_month) + "-" + pad(spec.period.start_day));
    } else {
      if (mine.length) {
        span = mine.map(function (e) { return entryPeriod(spec.period, e); })
          .sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; }).pop();
      } else {
        var dates = all.filter(function (e) { return e && realDate(e.date); }).map(function (e) { return e.date; }).sort();
        if (dates.length) span = periodOf(spec.period, dates.pop());
      }
    }
    var values = {}, rows = {}, sums = {};
    spec.sections.forEach(function (s) {
      if (!s.item) return;
      var item = spec.items[s.item];
      var picked = entries.filter(function (e) { return e.item === s.item && span && entryPeriod(spec.period, e).id === span.id; });
      picked = picked.map(function (e, i) { return [e, i]; }).sort(function (a, b) {
        return a[0].date < b[0].date ? -1 : a[0].date > b[0].date ? 1 : a[1] - b[1];
      }).map(function (p) { return p[0]; });
      rows[s.id] = Math.max(s.rows, picked.length);
      picked.forEach(function (e, idx) {
        var row = {};
        s.columns.forEach(function (c) {
          if (c.computed || !c.entry_field) return;
          var v = entryValue(item, e, c.entry_field);
          if (c.entry_field === "credits" && !v) v = formatQ(ruleCredit(item, e));
          if (v) row[c.id] = v;
        });
        s.columns.forEach(function (c) {
          if (!c.computed) return;
          var v = computeCell(spec.items[c.computed.item], row[c.computed.from]);
          if (v !== null) row[c.id] = v;
        });
        Object.keys(row).forEach(function (col) { values["s:" + s.id + ":" + (idx + 1) + ":" + col] = row[col]; });
      });
    });
    Object.keys(values).forEach(function (name) {
      var col = name.slice(name.lastIndexOf(":") + 1), q = parseQ(values[name]);
      if (q) sums[col] = sums[col] ? add(sums[col], q) : q;
    });
    var res = payload.result && span && payload.result.periods ? payload.result.periods[span.id] || null : null;
    spec.header.concat(spec.totals).forEach(function (f) {
      var v = prefillPath(f.prefill, person, span, sums, res);
      if (v) values[f.name] = v;
    });
    return {values: values, rows: rows, period: span};
  }

  var api = {parseQ: parseQ, formatQ: formatQ, computeCell: computeCell, ruleCredit: ruleCredit,
             prefillValues: prefillValues, periodOf: periodOf, validEntry: validEntry};
  if (typeof module === "object" && module.exports) { module.exports = api; return; }
  if (typeof document === "undefined") return;

  // ---- the page -------------------------------------------------------------------------
  var spec = JSON.parse(document.getElementById("jxjy-form-spec").textContent);
  var form = document.getElementById("jxjy-form");
  var status = document.getElementById("jxjy-status");
  var L = spec.labels.toolbar;
  function say(text) { if (status) status.textContent = text; }
  function storageGet(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function storageSet(key, value) { try { window.localStorage.setItem(key, value); return true; } catch (e) { return false; } }
  function storageDel(key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } }
  function controls() { return Array.prototype.slice.call(form.querySelectorAll("input[name], select[name], textarea[name]")); }
  function byName(name) { return form.querySelector('[name="' + name.replace(/["\\]/g, "") + '"]'); }
  function sectionBody(id) { return form.querySelector('table[data-section="' + id + '"] tbody'); }
  function rowCount(id) { var b = sectionBody(id); return b ? b.rows.length : 0; }

  function setRows(sectionId, n) {
    var body = sectionBody(sectionId);
    if (!body || !body.rows.length) return;
    while (body.rows.length > n && body.rows.length > 1) body.deleteRow(-1);
    while (body.rows.length < n) {
      var last = body.rows[body.rows.length - 1], r = body.rows.length + 1, copy = last.cloneNode(true);
      copy.setAttribute("data-row", String(r));
      Array.prototype.forEach.call(copy.querySelectorAll("[data-field]"), function (td) {
        var parts = td.getAttribute("data-field").split(":");
        parts[2] = String(r);
        td.setAttribute("data-field", parts.join(":"));
      });
      Array.prototype.forEach.call(copy.querySelectorAll("[name]"), function (el) {
        var parts = el.name.split(":");
        parts[2] = String(r);
        el.name = el.id = parts.join(":");
        el.setAttribute("aria-label", (el.getAttribute("aria-label") || "").replace(/第[0-9]+行/, "第" + r + "行"));
        if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
      });
      body.appendChild(copy);
    }
  }

  function recompute() {
    controls().forEach(function (el) {
      var item = el.getAttribute("data-computed-item");
      if (!item) return;
      var parts = el.name.split(":");
      var src = byName(parts[0] + ":" + parts[1] + ":" + parts[2] + ":" + el.getAttribute("data-computed-from"));
      var v = computeCell(spec.items[item], src ? src.value : "");
      el.value = v === null ? "" : v;
    });
    spec.header.concat(spec.totals).forEach(function (f) {
      if (!f.prefill || f.prefill.indexOf("sum.") !== 0) return;
      var col = f.prefill.slice(4), total = null;
      controls().forEach(function (el) {
        if (el.name.indexOf("s:") !== 0 || el.name.slice(el.name.lastIndexOf(":") + 1) !== col) return;
        var q = parseQ(el.value);
        if (q) total = total ? add(total, q) : q;
      });
      var target = byName(f.name);
      if (target) { target.readOnly = true; target.classList.add("computed"); target.value = total ? formatQ(total) : ""; }
    });
  }

  function collect() {
    var values = {};
    controls().forEach(function (el) { if (el.value !== "") values[el.name] = el.value; });
    var rows = {};
    spec.sections.forEach(function (s) { rows[s.id] = rowCount(s.id); });
    return {format: "jxjy-form-values/1", values: values, rows: rows, saved: new Date().toISOString()};
  }
  function save() {
    recompute();
    var state = collect();
    if (statementLedger) state.ledger = statementLedger;
    if (storageSet(spec.storage_key, JSON.stringify(state))) say(L.saved);
  }
  function apply(state) {
    spec.sections.forEach(function (s) { setRows(s.id, (state.rows && state.rows[s.id]) || s.rows); });
    controls().forEach(function (el) {
      var v = state.values && Object.prototype.hasOwnProperty.call(state.values, el.name) ? state.values[el.name] : "";
      if (el.tagName === "SELECT" && v && !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) {
        var opt = document.createElement("option");
        opt.textContent = v;
        el.appendChild(opt);
      }
      el.value = v;
    });
    recompute();
  }

  // undefined forms (e.g. 个人学分统计表): a statement table built from the calculator's ledger
  var statementLedger = null;
  function renderStatement(payload) {
    var box = document.getElementById("jxjy-statement");
    if (!box || !payload || !payload.ledger) return;
    statementLedger = payload;
    var old = box.querySelector("table");
    if (old) old.parentNode.removeChild(old);
    var ledger = payload.ledger, roles = (ledger.person || {}).roles || [];
    var entries = (ledger.entries || []).filter(function (e) { return validEntry(spec, e, roles); });
    var span = payload.period ? {id: payload.period} : null;
    var table = document.createElement("table"), head = table.createTHead().insertRow(), body = table.createTBody();
    table.className = "grid";
    var cols = spec.labels.statement_columns.concat();
    head.appendChild(document.createElement("th")).textContent = spec.labels.statement_period;
    cols.forEach(function (c) { head.appendChild(document.createElement("th")).textContent = c; });
    var total = null;
    entries.sort(function (a, b) { return a.date < b.date ? -1 : a.date > b.date ? 1 : 0; }).forEach(function (e) {
      var p = entryPeriod(spec.period, e);
      if (span && p.id !== span.id) return;
      var item = spec.items[e.item], credit = ruleCredit(item, e);
      total = total ? add(total, credit) : credit;
      var amount = INPUT_FIELDS[item.input].map(function (f) { return entryValue(item, e, f); }).filter(Boolean).join(" / ");
      var cells = [p.label, item.name, spec.categories[item.category] || item.category, e.date, e.course || "", amount, formatQ(credit)];
      var tr = body.insertRow();
      cells.forEach(function (text) { tr.insertCell().textContent = text; });
    });
    function summary(text, value) {
      var tr = body.insertRow(), label = tr.insertCell();
      label.colSpan = cols.length;
      label.textContent = text;
      tr.insertCell().textContent = value;
    }
    summary(spec.labels.statement_total + "（" + spec.policy.unit + "）", total ? formatQ(total) : "0");
    var periods = payload.result && payload.result.periods ? payload.result.periods : {};
    Object.keys(periods).sort().forEach(function (pid) {
      if (span && pid !== span.id) return;
      summary(periods[pid].label + " " + spec.labels.statement_credited, periods[pid].total);
    });
    box.appendChild(table);
    box.hidden = false;
  }

  function decodePayload(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return JSON.parse(new TextDecoder("utf-8").decode(bytes));
  }
  function readPrefill() {
    var m = /^#prefill=(.+)$/.exec(window.location.hash || "");
    if (!m) return null;
    try {
      var payload = m[1] === "local" ? JSON.parse(storageGet(spec.prefill_key) || "null") : decodePayload(m[1]);
      if (!payload || payload.format !== "jxjy-form-prefill/1") return null;
      if (payload.policy && (payload.policy.id !== spec.policy.id || payload.policy.edition !== spec.policy.edition)) return null;
      return payload;
    } catch (e) {
      return null;
    }
  }

  document.getElementById("jxjy-print").addEventListener("click", function () { window.print(); });
  document.getElementById("jxjy-clear").addEventListener("click", function () {
    if (!window.confirm(L.clear_confirm)) return;
    storageDel(spec.storage_key);
    statementLedger = null;
    var box = document.getElementById("jxjy-statement");
    if (box) { var t = box.querySelector("table"); if (t) t.parentNode.removeChild(t); box.hidden = true; }
    apply({values: {}, rows: {}});
    say("");
  });
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  if (!HAS_BIGINT) say(L.no_bigint);
  var stored = null;
  try { stored = JSON.parse(storageGet(spec.storage_key) || "null"); } catch (e) { stored = null; }
  var payload = readPrefill();
  if (payload) {
    if (spec.defined) {
      var filled = prefillValues(spec, payload);
      apply({values: filled.values, rows: filled.rows});
    } else {
      renderStatement(payload);
    }
    save();
    say(L.prefilled);
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  } else if (stored) {
    apply(stored);
    if (stored.ledger) renderStatement(stored.ledger);
  } else {
    recompute();
  }
})();
