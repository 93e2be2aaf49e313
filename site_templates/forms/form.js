/* jxjy form page (works from file://, no network).
 *
 *  - keeps what is typed in localStorage under spec.storage_key ("jxjy-form:<policy>/<edition>/<form>");
 *  - computes 学分 columns marked `computed:` (and sums those with `sum_of:`: 小计, 合计) and prefills from the
 *    calculator (the personal statement too: every record of the period, one row each) with calculator/engine.js
 *    (JXJY_ENGINE) over the edition's bundle view (rules.js, JXJY_BUNDLES["<policy>/<edition>"]): no rule,
 *    date or period code of its own. generator/outputs/forms/prefill.py does the same in Python; the
 *    differential test holds the two to the same values;
 *  - prefill contract (also in docs/forms.md):
 *      open FORM.html#prefill=<base64url of UTF-8 JSON>, or put the JSON in
 *      localStorage["jxjy-prefill:<policy>/<edition>"] and open FORM.html#prefill=local
 *      JSON = {"format": "jxjy-form-prefill/1", "policy": {"id", "edition"}?, "ledger": <jxjy-ledger/1>,
 *              "period": "<period id, e.g. 2017-2018>"?, "result": <jxjy-result/2>?,
 *              "statement": {"edition", "revision", "as_of", "code", "reasons": [{"period", "date", "item", "reasons"}]}?}
 *  User data only ever goes into .value and .textContent (no HTML parsing of user data).
 *  The pure functions are exported for node (JXJY_FORM; tests run them against Python).
 */
(function (root) {
  "use strict";
  var HAS_BIGINT = typeof BigInt === "function";

  function has(o, k) { return o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k); }
  function itemOf(bundle, id) {
    for (var i = 0; i < bundle.items.length; i++) if (bundle.items[i].id === id) return bundle.items[i];
    return null;
  }
  function levelId(item, text) {
    for (var i = 0; i < item.levels.length; i++) {
      if (item.levels[i].id === text || item.levels[i].name === text) return item.levels[i].id;
    }
    return null;
  }
  function levelName(item, id) {
    for (var i = 0; i < item.levels.length; i++) if (item.levels[i].id === id) return item.levels[i].name;
    return String(id);
  }

  /** A computed cell: the item's rule applied to one row whose `from` column holds `text`; null when blank or
   *  invalid (prefill.computed_credit). */
  function computeCell(E, bundle, itemId, text) {
    var item = itemOf(bundle, itemId);
    if (!HAS_BIGINT || !item) return null;
    text = (text === null || text === undefined) ? "" : String(text).trim();
    if (!text) return null;
    var entry = {item: item.id};
    if (E.INPUTS[item.input].quantity) {
      try { entry[item.input] = E.rational.format(E.rational.parse(text)); } catch (e) { return null; }
    } else if (item.input === "level") {
      var lv = levelId(item, text);
      if (lv === null) return null;
      entry.level = lv;
    } else if (item.input !== "none") {
      return null;
    }
    return E.rational.format(E.ruleCredit(bundle, item.id, entry));
  }

  function categoryName(bundle, id) {
    for (var i = 0; i < bundle.categories.length; i++) if (bundle.categories[i].id === id) return bundle.categories[i].name;
    return "";
  }
  function fmt(template, params) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) { return has(params, k) ? String(params[k]) : m; });
  }
  /** What was done, in words: 8 学时, 2 篇, 二级乙等 (prefill._amount_text; words from labels.zh.yaml). */
  function amountText(E, bundle, words, item, entry) {
    if (item.input === "level") return levelName(item, entry.level);
    if (item.input === "subjects") {
      return fmt(words.subjects, {passed: entryValue(E, bundle, words, item, entry, "passed") || "0",
        failed: entryValue(E, bundle, words, item, entry, "failed") || "0"});
    }
    if (E.INPUTS[item.input].quantity) {
      var convs = E.conversions ? E.conversions(bundle, item.id) : [];
      for (var c = 0; c < convs.length; c++) {  // recorded in a unit the policy converts (2 天 for an item in 学时)
        if (entry[convs[c].field] !== undefined && entry[convs[c].field] !== null) {
          return fmt(words.quantity, {amount: entryValue(E, bundle, words, item, entry, convs[c].field), unit: convs[c].fromUnit});
        }
      }
      var unit = item.input === "count" ? (item.count_unit || "") : E.message(bundle, "input_units." + item.input);
      return fmt(words.quantity, {amount: entryValue(E, bundle, words, item, entry, item.input), unit: unit}).trim();
    }
    return "";
  }
  /** A cell from one entry (prefill._entry_value): its own fields, or item, category, amount. */
  function entryValue(E, bundle, words, item, entry, field) {
    if (field === "item") return item.name;
    if (field === "category") return categoryName(bundle, item.category);
    if (field === "amount") return amountText(E, bundle, words, item, entry);
    var v = entry[field];
    if (v === undefined || v === null) return "";
    if (field === "level") return levelName(item, v);
    if (E.AMOUNT_FIELDS.indexOf(field) >= 0) {
      var exact = E.amount(v);  // a JSON float as the decimal its writer meant, as the engine reads it
      return exact !== null ? E.rational.format(exact) : String(v);
    }
    return String(v);
  }
  /** The periods of a check's window ending with `span` (earliest first): what window.<check>.<n> names
   *  (prefill.window_spans). */
  function windowSpans(E, bundle, checkId, span) {
    var check = null;
    for (var i = 0; i < bundle.checks.length; i++) if (bundle.checks[i].id === checkId) check = bundle.checks[i];
    if (!check || !span || check.window.kind !== "last_periods" || !check.window.count) return [];
    var endYear = parseInt(span.id.split("-")[0], 10) - (check.window.end === "previous" ? 1 : 0), out = [];
    for (var y = endYear - check.window.count + 1; y <= endYear; y++) {
      if (y < 1) continue;
      var p = E.periodOf(bundle, String(y).padStart(4, "0") + "-" + bundle.period.start);
      if (p) out.push(p);
    }
    return out;
  }
  function sumCells(E, values, names) {
    var total = E.rational.Q(0), seen = false;
    names.forEach(function (n) {
      if (!has(values, n) || values[n] === "") return;
      seen = true;
      try { total = E.rational.add(total, E.rational.parse(values[n])); } catch (e) { /* a word counts 0 */ }
    });
    return seen ? E.rational.format(total) : "";
  }
  function prefillPath(E, bundle, path, person, span, sums, result) {
    if (!path) return "";
    var dot = path.indexOf("."), head = dot < 0 ? path : path.slice(0, dot), rest = dot < 0 ? "" : path.slice(dot + 1);
    if (head === "person") return person[rest] ? String(person[rest]) : "";
    if (head === "period" && span) return rest === "label" ? span.formLabel || span.label : rest === "id" ? span.id : "";
    if (head === "today") return new Date().toISOString().slice(0, 10);
    if (head === "sum") return has(sums, rest) ? E.rational.format(sums[rest]) : "";
    var periods = result && result.periods ? result.periods : {};
    if (head === "result" && span && result) {
      var res = has(periods, span.id) ? periods[span.id] : null;
      if (!res) return "";
      if (rest === "total") return String(res.total);
      var d2 = rest.indexOf("."), kind = rest.slice(0, d2), id = rest.slice(d2 + 1);
      if (kind === "category") return has(res.categories, id) ? String(res.categories[id]) : "";
      if (kind === "item") return has(res.items, id) && res.items[id].credited !== undefined ? String(res.items[id].credited) : "";
    }
    if (head === "window" && span && result) {
      var parts = rest.split("."), spans = windowSpans(E, bundle, parts[0], span), n = parseInt(parts[1], 10);
      if (!/^[0-9]+$/.test(parts[1] || "") || n < 1 || n > spans.length) return "";
      var p = has(periods, spans[n - 1].id) ? periods[spans[n - 1].id] : {};
      if (parts[2] === "total") return String(has(p, "total") ? p.total : "0");
      if (parts[2] === "category") return String(p.categories && has(p.categories, parts[3]) ? p.categories[parts[3]] : "0");
    }
    return "";
  }
  // periods order by their first day (prefill.py: PeriodSpan orders by start), not by id: "3-4" > "2019-2020" as text
  function cmpStart(a, b) { return a.start < b.start ? -1 : a.start > b.start ? 1 : 0; }
  function personOf(ledger) {
    var p = ledger.person;
    return p !== null && typeof p === "object" && !Array.isArray(p) ? p : {};
  }
  function countable(E, bundle, ledger) {
    var person = personOf(ledger);
    var roles = Array.isArray(person.roles) ? person.roles.filter(function (r) { return typeof r === "string"; }) : [];
    var all = Array.isArray(ledger.entries) ? ledger.entries : [];
    return all.filter(function (e) {
      return e !== null && typeof e === "object" && !Array.isArray(e) && E.checkEntry(bundle, e, roles).length === 0;
    });
  }

  /** The span with formLabel: the period as this form writes it (spec.period_label, the notice's wording:
   *  2017～2018学年度), else the engine's label (prefill.form_period_label). */
  function periodLabel(spec, span) {
    var startYear = parseInt(span.start.slice(0, 4), 10), endYear = parseInt(span.end.slice(0, 4), 10), copy = {};
    Object.keys(span).forEach(function (k) { copy[k] = span[k]; });
    copy.formLabel = spec.period_label ? spec.period_label.replace(/\{(start_year|end_year|year)\}/g, function (m, k) {
      return String(k === "end_year" ? endYear : startYear);
    }) : span.label;
    return copy;
  }

  /** {values: {name: text}, rows: {section: n}, period: {id, label} | null} for a prefill payload
   *  (prefill.prefill). */
  function prefillValues(E, bundle, spec, payload) {
    var ledger = payload.ledger || {}, person = personOf(ledger), words = (spec.labels.statement || {}).amount || {};
    var all = Array.isArray(ledger.entries) ? ledger.entries : [];
    var entries = countable(E, bundle, ledger);
    var everyItem = spec.sections.some(function (s) { return s.all_items; });
    var sectionItems = spec.sections.map(function (s) { return s.item; }).filter(Boolean);
    var mine = entries.filter(function (e) { return everyItem || sectionItems.indexOf(e.item) >= 0; });
    var span = null;
    if (payload.period) {
      span = E.periodOf(bundle, String(payload.period).split("-")[0] + "-" + bundle.period.start);
    } else if (mine.length) {
      span = mine.map(function (e) { return E.entryPeriod(bundle, e); }).sort(cmpStart).pop();
    } else {
      var dates = all.filter(function (e) { return e && E.fromIsoFormat(e.date) !== null; })
        .map(function (e) { return e.date; }).sort();
      if (dates.length) span = E.periodOf(bundle, dates.pop());
    }
    if (span) span = periodLabel(spec, span);
    var fields = spec.header.concat(spec.totals), paths = fields.map(function (f) { return f.prefill || ""; });
    spec.sections.forEach(function (s) { s.columns.forEach(function (c) { paths.push(c.prefill || ""); }); });
    var result = null;
    if (span && paths.some(function (p) { return p.indexOf("result.") === 0 || p.indexOf("window.") === 0; })) {
      result = payload.result && payload.result.periods ? payload.result : E.evaluate(bundle, ledger, span.end);
    }
    var values = {}, rows = {}, sums = {};
    spec.sections.forEach(function (s) {
      var sectionItem = s.item ? itemOf(bundle, s.item) : null;
      if (!sectionItem && !s.all_items) {
        s.columns.forEach(function (c) {
          var v = c.prefill ? prefillPath(E, bundle, c.prefill, person, span, {}, result) : "";
          if (v) values["s:" + s.id + ":1:" + c.id] = v;
        });
        rows[s.id] = s.rows;
      } else {
        var picked = entries.filter(function (e) {
          return (s.all_items || e.item === s.item) && span && E.entryPeriod(bundle, e).id === span.id;
        });
        picked = picked.map(function (e, i) { return [e, i]; }).sort(function (a, b) {
          return a[0].date < b[0].date ? -1 : a[0].date > b[0].date ? 1 : a[1] - b[1];
        }).map(function (p) { return p[0]; });
        rows[s.id] = Math.max(s.rows, picked.length);
        picked.forEach(function (e, idx) {
          var item = itemOf(bundle, e.item), row = {};
          s.columns.forEach(function (c) {
            if (c.computed || !c.entry_field) return;
            var v = entryValue(E, bundle, words, item, e, c.entry_field);
            if (c.entry_field === "credits" && !v) v = E.rational.format(E.entryCredit(bundle, e));
            if (v) row[c.id] = v;
          });
          s.columns.forEach(function (c) {
            if (!c.computed) return;
            var v = computeCell(E, bundle, c.computed.item, has(row, c.computed.from) ? row[c.computed.from] : "");
            if (v !== null) row[c.id] = v;
          });
          Object.keys(row).forEach(function (col) { values["s:" + s.id + ":" + (idx + 1) + ":" + col] = row[col]; });
        });
      }
      for (var r = 1; r <= rows[s.id]; r++) {  // 小计 and 合计: sums of their row, in column order
        s.columns.forEach(function (c) {
          if (!c.sum_of) return;
          var v = sumCells(E, values, c.sum_of.map(function (x) { return "s:" + s.id + ":" + r + ":" + x; }));
          if (v) values["s:" + s.id + ":" + r + ":" + c.id] = v;
        });
      }
    });
    Object.keys(values).forEach(function (name) {
      var col = name.slice(name.lastIndexOf(":") + 1), q;
      try { q = E.rational.parse(values[name]); } catch (e) { return; }
      sums[col] = has(sums, col) ? E.rational.add(sums[col], q) : q;
    });
    fields.forEach(function (f) {
      var v = prefillPath(E, bundle, f.prefill, person, span, sums, result);
      if (v) values[f.name] = v;
    });
    return {values: values, rows: rows, period: span};
  }

  var api = {computeCell: computeCell, prefillValues: prefillValues, windowSpans: windowSpans};
  root.JXJY_FORM = api;
  if (typeof module === "object" && module.exports) { module.exports = api; return; }
  if (typeof document === "undefined") return;

  // ---- the page -------------------------------------------------------------------------
  var E = root.JXJY_ENGINE;
  var spec = JSON.parse(document.getElementById("jxjy-form-spec").textContent);
  var bundle = (root.JXJY_BUNDLES || {})[spec.policy.key];
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
      var v = bundle ? computeCell(E, bundle, item, src ? src.value : "") : null;
      el.value = v === null ? "" : v;
    });
    if (E) {  // 小计 and 合计: the sum of their row (after the computed cells they may add up)
      controls().forEach(function (el) {
        var of = el.getAttribute("data-sum-of");
        if (!of) return;
        var parts = el.name.split(":"), values = {}, names = of.split(" ").map(function (c) {
          var name = parts[0] + ":" + parts[1] + ":" + parts[2] + ":" + c, src = byName(name);
          if (src) values[name] = src.value;
          return name;
        });
        el.value = sumCells(E, values, names);
      });
    }
    spec.header.concat(spec.totals).forEach(function (f) {
      if (!f.prefill || f.prefill.indexOf("sum.") !== 0) return;
      var col = f.prefill.slice(4), total = null;
      controls().forEach(function (el) {
        if (el.name.indexOf("s:") !== 0 || el.name.slice(el.name.lastIndexOf(":") + 1) !== col) return;
        var q;
        try { q = E.rational.parse(el.value); } catch (err) { return; }
        total = total ? E.rational.add(total, q) : q;
      });
      var target = byName(f.name);
      if (target) { target.readOnly = true; target.classList.add("computed"); target.value = total ? E.rational.format(total) : ""; }
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

  // a table wider than the screen says so (the words are the page's: labels.zh.yaml scroll_cue)
  function cue() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflow", wide);
      box.classList.toggle("scrolled-end", wide && box.scrollLeft + box.clientWidth >= box.scrollWidth - 2);
      if (wide) box.setAttribute("tabindex", "0");
    });
  }
  window.addEventListener("resize", cue);
  document.addEventListener("scroll", function (ev) {
    var t = ev.target;
    if (t && t.classList && t.classList.contains("table-scroll")) cue();
  }, true);

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

  /** The statement's provenance (edition, rules revision, evaluation date, verification code) and why records of
   *  the period count nothing or less, as the calculator sent them (payload.statement); words from labels.zh.yaml. */
  function statementInfo(info, span) {
    var box = document.getElementById("jxjy-statement-info"), W = spec.labels.statement || {};
    if (!box || !info || typeof info !== "object") return;
    document.getElementById("jxjy-provenance").textContent = fmt(W.provenance, info);
    if (info.code) {
      var code = document.getElementById("jxjy-code");
      code.textContent = fmt(W.code, info);
      code.hidden = false;
    }
    var mine = (Array.isArray(info.reasons) ? info.reasons : []).filter(function (r) { return span && r.period === span.id; });
    var list = document.querySelector("#jxjy-reasons ul");
    mine.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = fmt(W.reason_row, r);
      list.appendChild(li);
    });
    document.getElementById("jxjy-reasons").hidden = !mine.length;
    box.hidden = false;
  }

  document.getElementById("jxjy-print").addEventListener("click", function () { window.print(); });
  document.getElementById("jxjy-clear").addEventListener("click", function () {
    if (!window.confirm(L.clear_confirm)) return;
    storageDel(spec.storage_key);
    apply({values: {}, rows: {}});
    say("");
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });  // no inline handler: the page's CSP
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  if (!HAS_BIGINT || !E || !bundle) say(L.no_bigint);
  var stored = null;
  try { stored = JSON.parse(storageGet(spec.storage_key) || "null"); } catch (e) { stored = null; }
  var payload = readPrefill();
  if (payload && E && bundle) {
    // a payload never silently wipes what was typed: the earlier values are kept aside and one click restores
    // them; a payload the page cannot use (no categories, odd ids) changes nothing and says so
    var filled = null;
    try { filled = prefillValues(E, bundle, spec, payload); } catch (e) { filled = null; }
    var before = stored && stored.values && Object.keys(stored.values).length ? stored : null;
    if (!filled) {
      if (before) apply(before); else recompute();
      say(L.prefill_failed);
    } else {
      if (before) storageSet(spec.storage_key + ":before-prefill", JSON.stringify(before));
      apply({values: filled.values, rows: filled.rows});
      statementInfo(payload.statement, filled.period);
      save();
      say(before ? L.prefilled_over_saved : L.prefilled);
      var undo = document.getElementById("jxjy-undo-prefill");
      if (before && undo) {
        undo.hidden = false;
        undo.addEventListener("click", function () {
          apply(before);
          save();
          undo.hidden = true;
          say(L.prefill_undone);
        });
      }
    }
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  } else if (stored) {
    apply(stored);
  } else {
    recompute();
  }
  cue();
})(typeof globalThis !== "undefined" ? globalThis : this);
