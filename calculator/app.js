/*
 * jxjy 学分计算器 — the page logic (ES2020, no dependencies, no build step).
 *
 * Runs from file:// and offline: the rules arrive as classic scripts (data/index.js sets
 * JXJY_BUNDLE_INDEX, data/<policy>/<edition>.js registers JXJY_BUNDLES["<policy>/<edition>"] and
 * JXJY_FORMS[…], and its .texts.js — clause quotes and item descriptions, loaded when the teacher
 * first opens one — JXJY_TEXTS[…]; written by generator/calculator_data.py from the rule
 * bundles); nothing is fetched. engine.js (JXJY_ENGINE) does every
 * calculation; this file only collects the ledger, stores it in localStorage and shows the
 * engine's result with its trace.
 *
 * Everything a user types is put into the page as text nodes or form values: no innerHTML,
 * no eval, no inline handlers (the page's Content-Security-Policy forbids them anyway).
 */
(function () {
  "use strict";

  const E = globalThis.JXJY_ENGINE;
  const CONFIG = Object.assign({ data: "data/", pages_root: null, page_editions: null },
    globalThis.JXJY_CALCULATOR_CONFIG || {});
  const STORAGE_KEY = "jxjy-calculator/1";
  const LEDGER_FORMAT = "jxjy-ledger/1";
  // docs/forms.md "Prefill contract": the form pages read this payload from localStorage (#prefill=local)
  const PREFILL_FORMAT = "jxjy-form-prefill/1";
  const PREFILL_PREFIX = "jxjy-prefill:";
  const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
  const MAX_LISTED_ERRORS = 30;

  const AMOUNT_FIELDS = E.AMOUNT_FIELDS;
  const INPUT_FIELDS = Object.fromEntries(Object.entries(E.INPUTS).map(([k, v]) => [k, v.fields]));
  const ENTRY_KEYS = ["item", "date", "hours", "count", "half_days", "days", "years", "level", "passed", "failed",
    "credits", "exam_passed", "counts_for", "course", "evidence", "note"];
  // what the form and the person's boxes keep (the ledger schema's maxLength; engine.js checkLedger checks files)
  const TEXT_LIMITS = { course: 200, evidence: 500, note: 500 };
  const PERSON_LIMITS = { name: 100, school: 200, subject: 100 };
  const DATE_NAMES = { title: "取得现职称日期", application: "申请日期" };
  const DATE_RE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
  const DECIMAL_RE = /^[0-9]+(\.[0-9]+)?$/;
  const ID_RE = /^[a-z][a-z0-9-]*$/;

  const S = {
    index: null, key: null, bundle: null, store: null, storageOk: true,
    editing: null, result: null, open: new Set(), undo: null, renders: 0, firstResult: false, trace: null,
    clearArmed: null, loading: null, worked: null  // worked: the period of the entry last added or changed
  };

  // ------------------------------------------------------------------------------------------
  // small helpers
  // ------------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const PROPS = new Set(["value", "checked", "selected", "disabled", "hidden", "open", "tabIndex", "multiple"]);

  /** Build an element. Children are nodes or strings (always text nodes, never parsed as HTML). */
  function h(tag, props, ...kids) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
        else if (PROPS.has(k)) node[k] = v;
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    append(node, ...kids);
    return node;
  }

  function append(node, ...kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false || k === "") continue;
      node.append(typeof k === "string" || typeof k === "number" ? document.createTextNode(String(k)) : k);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function today() {
    const d = new Date();
    return `${String(d.getFullYear()).padStart(4, "0")}-${String(d.getMonth() + 1).padStart(2, "0")}-` +
      String(d.getDate()).padStart(2, "0");
  }

  function validDate(v) {
    return typeof v === "string" && DATE_RE.test(v) && E.fromIsoFormat(v) === v;
  }

  /** Full-width digits and points from Chinese input methods → ASCII. */
  function normaliseNumber(text) {
    return String(text).replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/[．。]/g, ".").replace(/\s+/g, "");
  }

  /** JSON numbers that are not integers become their decimal text (the engine refuses floats). */
  function exactAmount(v) {
    if (typeof v === "number" && !Number.isInteger(v)) return String(v);
    return v;
  }

  function storedAmount(text) {
    // integers as JSON numbers, decimals as exact strings ("0.5")
    if (/^[0-9]{1,15}$/.test(text)) return Number(text);
    return text;
  }

  function announce(text) {
    const live = $("live");
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 30);
  }


  // ------------------------------------------------------------------------------------------
  // the bundle: names, messages and rule prose (generator/rule_text.py)
  // ------------------------------------------------------------------------------------------

  const B = () => S.bundle;
  const unit = () => S.bundle.unit;

  function msg(key, params) {
    try { return E.message(S.bundle, key, params || {}); } catch (e) { return ""; }
  }
  const periodWord = () => msg("period_word." + S.bundle.period.kind);
  /** rule_text messages; every call also gets the policy's period words, whichever a template uses. */
  const t = (key, params) => msg("rule_text." + key, Object.assign(baseParams(), params || {}));
  let baseCache = null;
  function baseParams() {
    if (baseCache && baseCache.bundle === S.bundle) return Object.assign({}, baseCache.params);
    const kind = S.bundle.period.kind;
    const params = { period_word: periodWord(), unit: S.bundle.unit };
    params.period_noun = msg("rule_text.period_noun." + kind, params) || params.period_word;
    baseCache = { bundle: S.bundle, params };
    return Object.assign({}, params);
  }
  /** The rules in plain Chinese come from the engine (calculator/engine.js prose, generator/rules/prose.py). */
  const prose = () => E.prose(S.bundle);
  const periodCount = (n) => prose().periodCount(n);

  let lookups = null;
  function L() {
    if (lookups && lookups.bundle === S.bundle) return lookups;
    const b = S.bundle;
    lookups = {
      bundle: b,
      items: new Map(b.items.map((i) => [i.id, i])),
      roles: new Map(b.roles.map((r) => [r.id, r])),
      categories: new Map(b.categories.map((c) => [c.id, c])),
      checks: new Map(b.checks.map((c) => [c.id, c])),
      clauses: new Map((b.clauses || []).map((c) => [c.id, c]))
    };
    return lookups;
  }
  const itemById = (id) => L().items.get(id) || null;
  const roleName = (id) => (L().roles.get(id) || { name: id }).name;
  const categoryName = (id) => (L().categories.get(id) || { name: id }).name;
  const joinList = (parts) => parts.filter(Boolean).join(t("list_joiner") || "、");

  const rulePhrase = (item) => prose().rulePhrase(item.id);
  const capPhrases = (item) => prose().capPhrases(item.id);
  const ruleSentence = (item) => prose().ruleSentence(item.id);
  const isFloor = (item) => prose().sumsPeriod(item.id);
  const cyclePhrase = () => prose().cyclePhrase();
  const windowPhrase = (window) => prose().windowPhrase(window);
  const formatDate = (iso) => prose().formatDate(iso);

  function measureName(of) {
    if (of === "total") return t("measure.total", { unit: unit() });
    if (isObj(of) && of.category) return categoryName(of.category);
    const names = ((of && of.items) || []).map((i) => (itemById(i) || { name: i }).name);
    return joinList(names);
  }

  /** "灵活性进行中，还差 6 学分（截止 2018年7月31日）": the engine's words for an unmet requirement and its deadline. */
  function shortfallPhrase(req, measureOf) {
    return E.shortfallPhrase(B(), Object.assign({}, req, { name: measureName(measureOf) }), unit());
  }

  /** The period an id such as "2017-2018" or "2020" names under this policy, or null. */
  function periodById(id) {
    if (typeof id !== "string" || !/^[0-9]{4}(-[0-9]{4})?$/.test(id)) return null;
    const span = E.periodOf(S.bundle, id.slice(0, 4) + "-" + S.bundle.period.start);
    return span && span.id === id ? span : null;
  }

  function shiftPeriod(span, years) {
    const y = parseInt(span.start.slice(0, 4), 10) + years;
    if (y < 1 || y > 9999) return null;
    return E.periodOf(S.bundle, String(y).padStart(4, "0") + "-" + S.bundle.period.start);
  }

  function datesNeeded() {
    const out = [];
    for (const c of B().checks) {
      if (c.window && c.window.kind === "title_cycle" && c.window.date && !out.some((d) => d.key === c.window.date)) {
        out.push({ key: c.window.date, check: c });
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // guidance-site links
  // ------------------------------------------------------------------------------------------

  function pagesFor(key) {
    if (!CONFIG.pages_root) return false;
    return !Array.isArray(CONFIG.page_editions) || CONFIG.page_editions.includes(key);
  }

  function pageUrl(page, anchor) {
    const [id, edition] = S.key.split("/");
    return `${CONFIG.pages_root}${encodeURIComponent(id)}/${encodeURIComponent(edition)}/${page}.html` +
      (anchor ? "#" + anchor : "");
  }

  /** A clause as a reader cites it (document number and printed clause number, or the policy's label), linked
   *  to its place in the source text on the guidance site (the anchor comes with the data: generator/outputs/anchors.py). */
  const clauseOf = (id) => L().clauses.get(id) || { id, cite: id, anchor: "" };
  const clauseAnchor = (id) => clauseOf(id).anchor;
  function clauseRef(id) {
    const c = clauseOf(id);
    const label = "〔" + c.cite + "〕";
    if (pagesFor(S.key) && c.anchor) return h("a", { class: "clause", href: pageUrl("source", c.anchor) }, label);
    return h("span", { class: "clause" }, label);
  }

  // ------------------------------------------------------------------------------------------
  // storage
  // ------------------------------------------------------------------------------------------

  function emptyLedger() {
    const roles = S.bundle && S.bundle.roles.length ? [S.bundle.roles[0].id] : [];
    return { person: { name: "", school: "", subject: "", roles: roles, dates: {} }, entries: [], as_of: null };
  }

  function loadStore() {
    let raw = null;
    try {
      raw = localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      S.storageOk = false;
    }
    let store = null;
    if (raw) {
      try { store = JSON.parse(raw); } catch (e) { store = null; }
      if (!isObj(store) || store.version !== 1 || !isObj(store.ledgers)) {
        keepBadCopy(raw);
        warnStorage("errors.storage.corrupt");
        store = null;
      }
    }
    return store || { version: 1, current: null, ledgers: {} };
  }

  /** Keep what the page cannot use in a backup slot of its own, never over an earlier one: `.bad`, then
   *  `.bad.2`, `.bad.3` … (switching editions used to overwrite the one slot). The slot's key, or null. */
  function keepBadCopy(raw) {
    try {
      for (let n = 1; n < 1000; n++) {
        const key = STORAGE_KEY + ".bad" + (n === 1 ? "" : "." + n);
        const there = localStorage.getItem(key);
        if (there === raw) return key;
        if (there === null) {
          localStorage.setItem(key, raw);
          return key;
        }
      }
    } catch (e) { /* nothing more to do */ }
    return null;
  }

  function save() {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(S.store));
    } catch (e) {
      S.storageOk = false;
      warnStorage("errors.storage.unavailable");
    }
  }

  /** Say what happened to the stored data, in the catalog's words: at once, or when the first bundle (which
   *  carries the catalog) has loaded — the store is read before any bundle is. */
  function warnStorage(key, params) {
    if (!S.bundle) {
      S.pendingWarning = [key, params];
      return;
    }
    const p = $("storage-warning");
    p.textContent = msg(key, params);
    if (key === "errors.storage.entries_set_aside" && S.setAside) {
      const original = S.setAside.original;
      const button = h("button", { type: "button", id: "download-backup" }, msg("errors.storage.download_original"));
      button.addEventListener("click", () => downloadText(original, `学分台账-原记录-${S.key.replace(/[^A-Za-z0-9._-]+/g, "_")}.json`));
      p.append(" ", button);
    }
    p.hidden = false;
  }

  function downloadText(text, name) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = h("a", { href: url, download: name, class: "visually-hidden" }, name);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function cur() {
    let led = S.store.ledgers[S.key];
    if (!isObj(led)) {
      led = emptyLedger();
      S.store.ledgers[S.key] = led;
    }
    return led;
  }

  /** Check a stored ledger like an imported one; a bad one is set aside, never silently used. */
  function checkStoredLedger() {
    const led = S.store.ledgers[S.key];
    if (!isObj(led)) return;
    // a missing or odd person is a problem too (checkLedger says so); a usable one is read as the page keeps it
    const records = E.checkLedger(S.bundle, { person: isObj(led.person) ? personOut(led.person) : led.person,
      entries: led.entries }, { engine: false });
    if (records.length) {
      // keep every good entry; set the bad ones aside (named in the warning) and keep the whole original in a
      // backup slot of its own, which the warning offers to download, fix and import again
      const original = JSON.stringify(led);
      const backup = keepBadCopy(original);
      const badEntries = new Set(records.filter((r) => has(r, "entry")).map((r) => r.entry));
      const personBad = records.some((r) => !has(r, "entry") && String(r.field).startsWith("person"));
      const listBad = records.some((r) => !has(r, "entry") && !String(r.field).startsWith("person"));
      const kept = Array.isArray(led.entries) && !listBad ? led.entries.filter((e, i) => !badEntries.has(i)) : [];
      const fresh = emptyLedger();
      S.store.ledgers[S.key] = { person: personBad ? fresh.person : led.person, entries: kept,
        as_of: has(led, "as_of") ? led.as_of : null };
      S.setAside = { original, backup };
      warnStorage("errors.storage.entries_set_aside", { policy: B().policy.short_name || B().policy.title,
        kept: kept.length, set_aside: (Array.isArray(led.entries) ? led.entries.length : 0) - kept.length,
        problems: records.slice(0, 3).map(problemText).join(msg("errors.ledger.joiner")) });
      const fixed = S.store.ledgers[S.key];
      fixed.person.roles = Array.isArray(fixed.person.roles) ? fixed.person.roles : [];
      fixed.person.dates = isObj(fixed.person.dates) ? fixed.person.dates : {};
      if (fixed.as_of !== null && !validDate(fixed.as_of)) fixed.as_of = null;
      return;
    }
    led.person.roles = Array.isArray(led.person.roles) ? led.person.roles : [];
    led.person.dates = isObj(led.person.dates) ? led.person.dates : {};
    if (led.as_of !== null && !validDate(led.as_of)) led.as_of = null;
  }

  /** The evaluation date: the one chosen, else today moved into the edition's window (engine defaultAsOf). */
  function asOf() {
    const led = cur();
    return validDate(led.as_of) ? led.as_of : E.defaultAsOf(B(), today());
  }

  // ------------------------------------------------------------------------------------------
  // bundles
  // ------------------------------------------------------------------------------------------

  const SAFE_URL = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\.js$/;

  /** Run data/<url> as a classic script (fetch() fails on file://); resolves with what it registered. */
  function loadScript(url, registered, what) {
    if (typeof url !== "string" || !SAFE_URL.test(url)) return Promise.reject(new Error(`索引中${what}的文件名无效`));
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = CONFIG.data + url;
      s.onload = () => {
        const value = registered();
        if (value) resolve(value);
        else reject(new Error(`${url} 没有登记${what}`));
      };
      s.onerror = () => reject(new Error(`无法加载${what}（${CONFIG.data}${url}）`));
      document.head.appendChild(s);
    });
  }

  const indexEntry = (key) => S.index.bundles.find((b) => b.key === key);

  function loadBundle(key) {
    const bundles = globalThis.JXJY_BUNDLES || {};
    if (bundles[key]) return Promise.resolve(bundles[key]);
    const entry = indexEntry(key);
    if (!entry) return Promise.reject(new Error(`没有政策「${key}」`));
    return loadScript(entry.js && entry.js.url, () => (globalThis.JXJY_BUNDLES || {})[key], `「${key}」的规则包`);
  }

  /** What an edition's .texts.js holds ({clauses: Map id → {id, title, quote}, descriptions: Map item id →
   *  text}), loaded once, when the teacher first opens an explanation or an item description: {now} when it
   *  is here already, else {later: Promise}. */
  const textsLoading = new Map();
  function textsOf(key) {
    const read = (t) => ({
      clauses: new Map((Array.isArray(t.clauses) ? t.clauses : []).filter(isObj).map((c) => [c.id, c])),
      descriptions: new Map(Object.entries(isObj(t.descriptions) ? t.descriptions : {})),
      schedules: Array.isArray(t.schedules) ? t.schedules : []
    });
    const ready = (globalThis.JXJY_TEXTS || {})[key];
    if (isObj(ready)) return { now: read(ready) };
    if (!textsLoading.has(key)) {
      const entry = indexEntry(key);
      textsLoading.set(key, loadScript(entry && entry.texts && entry.texts.url,
        () => (globalThis.JXJY_TEXTS || {})[key], `「${key}」的条文和说明`).then(read, (err) => {
        textsLoading.delete(key);  // try again next time
        throw err;
      }));
    }
    return { later: textsLoading.get(key) };
  }

  /** Fill box from the edition's texts (now or once loaded); a failed load says so in the box. */
  function withTexts(box, fill) {
    const texts = textsOf(S.key);
    if (texts.now) { fill(texts.now); return; }
    append(box, h("p", { class: "hint" }, "正在载入……"));
    texts.later.then((loaded) => { clear(box); fill(loaded); }, (err) => {
      clear(box);
      append(box, h("p", { class: "hint" }, "未能载入：" + err.message + "。可在指南页面中查看。"));
    });
  }

  function fatal(text) {
    const box = $("load-error");
    box.textContent = text;
    box.hidden = false;
    for (const id of ["setup", "entry-section", "results", "data"]) $(id).hidden = true;
    document.documentElement.setAttribute("data-ready", "error");
  }

  async function selectPolicy(key, options) {
    const opts = options || {};
    const select = $("policy");
    S.loading = key;
    select.setAttribute("aria-busy", "true");
    let bundle;
    try {
      bundle = await loadBundle(key);
    } catch (err) {
      select.removeAttribute("aria-busy");
      const box = $("load-error");
      box.textContent = err.message;
      box.hidden = false;
      select.value = S.key || "";
      return false;
    }
    select.removeAttribute("aria-busy");
    if (S.loading !== key) return false;
    $("load-error").hidden = true;
    S.bundle = bundle;
    S.key = key;
    if (S.pendingWarning) {
      warnStorage(...S.pendingWarning);
      S.pendingWarning = null;
    }
    select.value = key;
    S.store.current = key;
    S.editing = null;
    S.worked = null;
    S.open.clear();
    checkStoredLedger();
    cur();
    if (!opts.noSave) save();
    renderPolicyInfo();
    renderPerson();
    renderItemPicker();
    resetForm();
    renderAll();
    withSchoolSlots(key);
    return true;
  }

  /** An edition whose deadlines depend on the person's school (双流's 审证时间安排) evaluates with the schedule
   *  from its texts: loaded after the first result, then evaluated again (the first download stays small). */
  function withSchoolSlots(key) {
    const bundle = B();
    if (!bundle || !bundle.school_slots || (bundle.schedules || []).length) return;
    const put = (texts) => {
      if (S.key !== key || S.bundle !== bundle) return;
      S.bundle = Object.assign({}, bundle, { schedules: texts.schedules });
      renderAll();
    };
    const texts = textsOf(key);
    if (texts.now) put(texts.now);
    else texts.later.then(put, () => {});  // without it the deadline is the registration date: still true
  }

  // ------------------------------------------------------------------------------------------
  // problems, in the words of the bundle's catalog (errors.*): the engine checks (engine.js checkLedger and
  // checkEntry give coded records); this page only says where each one is
  // ------------------------------------------------------------------------------------------

  /** A field as a teacher reads it (登记项目, 学时, 身份 …); "" for one the catalog does not name. */
  const fieldLabel = (f) => (typeof f === "string" && /^[a-z_]+$/.test(f) ? msg("errors.ledger.fields." + f) : "");

  /** Where a coded problem is: 第 3 条记录 · 学时, 个人信息 · 身份 …; "" for the ledger as a whole. */
  function whereText(problem) {
    if (typeof problem.entry === "number") {
      const label = fieldLabel(problem.field);
      return label ? msg("errors.ledger.at_entry_field", { n: problem.entry + 1, field: label })
        : msg("errors.ledger.at_entry", { n: problem.entry + 1 });
    }
    const m = /^person(?:\.([a-z_]+))?/.exec(problem.field || "");
    if (!m) return "";
    const label = m[1] ? fieldLabel(m[1]) : "";
    return label ? msg("errors.ledger.at_person_field", { field: label }) : msg("errors.ledger.at_person");
  }

  /** A coded problem as one line: “第 3 条记录 · 学时：……”. */
  function problemText(problem) {
    const where = whereText(problem);
    return where ? msg("errors.ledger.located", { where, message: problem.message }) : problem.message;
  }

  /** One problem of an entry after its field: “学时：……”; a role limit also says where to tick the role. */
  function notCountedPart(problem) {
    const label = fieldLabel(problem.field);
    const text = problem.code === "errors.entry.role_only" ? problem.message + msg("errors.ledger.tick_role") : problem.message;
    return label ? msg("errors.ledger.located", { where: label, message: text }) : text;
  }

  /** Why one entry does not count: “本条不能计入。登记项目：……；学时：……”. */
  function notCountedText(key, problems) {
    return msg(key, { problems: problems.map(notCountedPart).join(msg("errors.ledger.joiner")) });
  }

  /** Every problem of a ledger document for the current bundle, one line each; [] when it can be used.
   *  withEngine false: only what the schema and the policy's roles say (a stored ledger whose entries the
   *  engine now refuses is still shown, with its errors beside each entry). */
  function validateLedger(doc, withEngine) {
    return E.checkLedger(S.bundle, doc, { engine: withEngine !== false }).map(problemText);
  }

  function normaliseEntry(entry) {
    const out = {};
    for (const k of ENTRY_KEYS) if (has(entry, k)) out[k] = AMOUNT_FIELDS.includes(k) ? exactAmount(entry[k]) : entry[k];
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // person, policy info
  // ------------------------------------------------------------------------------------------

  function renderPolicyInfo() {
    const b = B();
    const info = clear($("policy-info"));
    const doc = b.policy.document || {};
    append(info, h("p", null, b.policy.title + (doc.number ? `（${doc.number}）` : "")));
    const facts = [`单位：${b.unit}`, t("period." + b.period.kind, b.period.kind === "school_year"
      ? schoolYearParams() : {})];
    if (b.cycle) facts.push(cyclePhrase());
    append(info, h("p", null, facts.filter(Boolean).join("；")));
    if (b.policy.applies_to) append(info, h("p", null, "适用：" + b.policy.applies_to));
    if (pagesFor(S.key)) {
      append(info, h("p", null, h("a", { href: pageUrl("index") }, "阅读本政策的指南页面"), "　",
        h("a", { href: pageUrl("items") }, "登记项目一览"), "　", h("a", { href: pageUrl("source") }, "政策原文")));
    }
  }

  function schoolYearParams() {
    const [m, d] = B().period.start.split("-").map((x) => parseInt(x, 10));
    const end = new Date(Date.UTC(2001, m - 1, d - 1));
    return { start: t("month_day", { month: m, day: d }), end: t("month_day", { month: end.getUTCMonth() + 1, day: end.getUTCDate() }) };
  }

  function renderPerson() {
    const led = cur();
    const list = clear($("role-list"));
    for (const role of B().roles) {
      const id = "role-" + role.id;
      const hintId = id + "-hint";
      const box = h("input", { type: "checkbox", id, value: role.id, checked: led.person.roles.includes(role.id),
        "aria-describedby": role.description ? hintId : null, onchange: onRoleChange });
      append(list, h("div", { class: "check" }, box, h("label", { for: id }, role.name),
        role.description ? h("div", { id: hintId, class: "hint" }, role.description) : null));
    }
    $("roles").hidden = !B().roles.length;
    $("person-name").value = led.person.name || "";
    $("person-school").value = led.person.school || "";
    $("person-subject").value = led.person.subject || "";
    const dates = clear($("person-dates"));
    const needed = datesNeeded();
    for (const { key, check } of needed) {
      const id = "person-date-" + key;
      append(dates, h("div", { class: "field" },
        h("label", { for: id }, DATE_NAMES[key] || `日期（${key}）`),
        h("input", { type: "date", id, value: (led.person.dates || {})[key] || "", "aria-describedby": id + "-hint",
          onchange: (ev) => onPersonDate(key, ev.target) }),
        h("div", { id: id + "-hint", class: "hint" }, `用于「${check.name}」：${windowPhrase(check.window)}`)));
    }
    const titleCycle = needed.length > 0;
    $("as-of-label").textContent = titleCycle ? "申请日期（评估日期）" : "评估日期";
    $("as-of-hint").textContent = titleCycle
      ? "评估日期就是申请验证的日期，决定验证周期统计到哪一年；晚于此日完成的记录不计入。"
      : "统计截至此日（缺省为今天）；晚于此日完成的记录不计入。";
    const w = E.inForce(B());
    if (w) $("as-of-hint").textContent += msg("calculator.window", { start: formatDate(w.start), end: formatDate(w.lastDay) }) + "。";
    $("as-of").value = asOf();
  }

  function onRoleChange() {
    const roles = Array.from(document.querySelectorAll("#role-list input:checked")).map((x) => x.value);
    cur().person.roles = B().roles.map((r) => r.id).filter((r) => roles.includes(r));
    save();
    renderItemHelp();
    renderAll();
  }

  function onPersonDate(key, input) {
    const led = cur();
    led.person.dates = led.person.dates || {};
    if (validDate(input.value)) led.person.dates[key] = input.value;
    else delete led.person.dates[key];
    save();
    renderAll();
  }

  function onPersonText() {
    const led = cur();
    led.person.name = $("person-name").value.slice(0, PERSON_LIMITS.name);
    led.person.school = $("person-school").value.slice(0, PERSON_LIMITS.school);
    led.person.subject = $("person-subject").value.slice(0, PERSON_LIMITS.subject);
    save();
  }

  function onAsOf() {
    const v = $("as-of").value;
    if (!validDate(v)) return;
    cur().as_of = v;
    save();
    renderAll();
  }

  // ------------------------------------------------------------------------------------------
  // the entry form
  // ------------------------------------------------------------------------------------------

  function renderItemPicker() {
    const select = clear($("item"));
    append(select, h("option", { value: "" }, "— 请选择登记项目 —"));
    const groups = new Map();
    for (const item of B().items) {
      if (!groups.has(item.category)) groups.set(item.category, []);
      groups.get(item.category).push(item);
    }
    const order = B().categories.map((c) => c.id).filter((c) => groups.has(c));
    for (const cat of groups.keys()) if (!order.includes(cat)) order.push(cat);
    for (const cat of order) {
      const group = h("optgroup", { label: categoryName(cat) });
      for (const item of groups.get(cat)) {
        const limit = item.roles.length ? `（仅限${joinList(item.roles.map(roleName))}）` : "";
        append(group, h("option", { value: item.id }, item.name + limit));
      }
      append(select, group);
    }
  }

  function currentItem() {
    return itemById($("item").value);
  }

  function amountLabel(item, f) {
    if (f === "count") return `数量（${item.count_unit || "个"}）`;
    if (f === "credits") return `认定的${unit()}数`;
    if (f === "half_days") return "半天数";
    if (f === "days") return "天数";
    if (f === "years") return "年数";
    if (f === "hours") return "学时数";
    return fieldLabel(f);
  }

  /** The amount inputs an item takes (its `input`), keeping values already typed where they fit. */
  function renderAmountFields(values) {
    const box = $("amount-fields");
    const old = {};
    for (const input of box.querySelectorAll("input, select")) old[input.name] = input.value;
    clear(box);
    const item = currentItem();
    if (!item) return;
    const v = values || old;
    for (const f of INPUT_FIELDS[item.input]) {
      const id = "f-" + f;
      const err = h("div", { id: id + "-err", class: "error", hidden: true });
      let control;
      if (f === "level") {
        control = h("select", { id, name: f, "aria-describedby": id + "-err", required: true, onchange: updatePreview },
          h("option", { value: "" }, "— 请选择等级 —"),
          item.levels.map((l) => h("option", { value: l.id, selected: v[f] === l.id }, l.name)));
      } else {
        control = h("input", { id, name: f, type: "text", inputmode: "decimal", autocomplete: "off",
          value: v[f] === undefined || v[f] === null ? "" : String(v[f]), "aria-describedby": id + "-err",
          required: item.input !== "subjects", oninput: updatePreview });
      }
      append(box, h("div", { class: "field" }, h("label", { for: id }, amountLabel(item, f)), control, err));
    }
    for (const c of E.conversions(B(), item.id)) {
      const id = "f-" + c.field;
      append(box, h("div", { class: "field alt-unit" },
        h("label", { for: id }, msg("calculator.alt_unit", { from_unit: c.fromUnit, factor: E.rational.format(c.factor), to_unit: c.toUnit })),
        h("input", { id, name: c.field, type: "text", inputmode: "decimal", autocomplete: "off", "data-converts": c.into,
          value: v[c.field] === undefined || v[c.field] === null ? "" : String(v[c.field]), "aria-describedby": id + "-err",
          oninput: updatePreview }),
        h("div", { id: id + "-err", class: "error", hidden: true })));
      const main = $("f-" + c.into);
      if (main) main.required = false;
    }
    if (item.input === "none") {
      append(box, h("p", { class: "hint" }, `本项目无需填写数量：每登记一次，${rulePhrase(item)}。`));
    }
  }

  function renderItemHelp() {
    const box = clear($("item-help"));
    const item = currentItem();
    const b = B();
    $("exam-field").hidden = !(item && item.gate && item.gate.flag === "exam_passed");
    if (!item) {
      append(box, h("p", { class: "hint" }, `共 ${b.items.length} 个登记项目，按类别分组。`));
      return;
    }
    append(box, h("p", { class: "rule" }, h("span", { class: "tag" }, categoryName(item.category)), " ", ruleSentence(item),
      " ", clauseRef(item.source)));
    if (item.help) append(box, h("p", { class: "help" }, item.help));
    else if (item.description) append(box, h("p", { class: "help" }, item.description));
    if (item.help && (item.description || item.has_description)) {
      const more = h("details", { class: "more" }, h("summary", null, "项目说明"));
      const text = append(more, h("div", { "aria-live": "polite" })).lastChild;
      if (item.description) append(text, h("p", null, item.description));
      else {
        more.addEventListener("toggle", () => {
          if (more.open && !text.firstChild) withTexts(text, (texts) => append(text, h("p", null, texts.descriptions.get(item.id) || "")));
        });
      }
      append(box, more);
    }
    const extra = [];
    if (item.auto) extra.push(t("auto"));
    if (item.registration) extra.push("登记方式：" + item.registration);
    if (Array.isArray(item.evidence) && item.evidence.length) extra.push("证明材料：" + joinList(item.evidence));
    for (const line of extra) append(box, h("p", { class: "hint" }, line));
    const roles = cur().person.roles;
    if (item.roles.length && !item.roles.some((r) => roles.includes(r))) {
      append(box, h("p", { class: "warn-text" },
        `本项目仅限${joinList(item.roles.map(roleName))}：请先在上方“身份”中勾选，否则不计入。`));
    }
    if (pagesFor(S.key)) {
      append(box, h("p", { class: "hint" }, h("a", { href: pageUrl("items", "item-" + item.id) }, "在指南中查看此项目")));
    }
    const courseHint = $("entry-course-hint");
    if (item.dedupe) {
      courseHint.textContent = "同一课程名称只计一次（" + t("dedupe." + item.dedupe.scope, { period_word: periodWord() }) + "），请填写课程名称。";
      courseHint.hidden = false;
    } else {
      courseHint.textContent = "";
      courseHint.hidden = true;
    }
  }

  function renderCountsFor(selected) {
    const field = $("counts-for-field");
    const makeup = B().period.makeup;
    const select = clear($("entry-counts-for"));
    field.hidden = !makeup;
    if (!makeup) return;
    const word = periodWord();
    const date = $("entry-date").value;
    append(select, h("option", { value: "" }, `按完成日期所在${word}`));
    if (validDate(date)) {
      const own = E.periodOf(B(), date);
      for (let n = 1; n <= 5; n++) {
        const span = shiftPeriod(own, -n);
        if (!span) break;
        const first = B().period.first, last = B().period.last;
        if ((first && span.end < first) || (last && span.start > last)) continue;
        append(select, h("option", { value: span.id, selected: selected === span.id }, span.label));
      }
      if (selected && !Array.from(select.options).some((o) => o.value === selected)) {
        const span = periodById(selected);
        append(select, h("option", { value: selected, selected: true }, span ? span.label : selected));
      }
    }
    $("counts-for-hint").textContent = makeup.counts
      ? `上一${word}的学习在次年完成或补报时，可选择申报计入的${word}。`
      : `本政策规定：次年补学的${msg("input_units.hours") || unit()}不计入所补${word}的考核（选择后本条不计）。`;
    $("counts-for-hint").append(" ", clauseRef(makeup.source));
  }

  function onItemChange() {
    renderAmountFields(null);
    renderItemHelp();
    updatePreview();
  }

  function setFieldError(input, errBox, text) {
    if (text) {
      input.setAttribute("aria-invalid", "true");
      errBox.textContent = text;
      errBox.hidden = false;
    } else {
      input.removeAttribute("aria-invalid");
      errBox.textContent = "";
      errBox.hidden = true;
    }
  }

  /** Read the form into a ledger entry; field errors are shown next to their inputs. */
  function readForm(showErrors) {
    const errors = [];
    const item = currentItem();
    const entry = {};
    const flag = (input, errBox, text) => {
      errors.push({ input, text });
      if (showErrors && errBox) setFieldError(input, errBox, text);
    };
    if (showErrors) {
      for (const input of document.querySelectorAll("#entry-form [aria-invalid]")) input.removeAttribute("aria-invalid");
      for (const box of document.querySelectorAll("#entry-form .error")) { box.hidden = true; box.textContent = ""; }
    }
    if (!item) {
      flag($("item"), null, msg("errors.form.choose_item"));
      return { entry: null, errors };
    }
    entry.item = item.id;
    entry.date = $("entry-date").value;
    let anySubject = false;
    // a unit the policy converts (天 → 学时): filled instead of the item's own, it is what the entry records
    const alt = E.conversions(B(), item.id).find((c) => $("f-" + c.field) && normaliseNumber($("f-" + c.field).value) !== "");
    if (alt) {
      const input = $("f-" + alt.field), text = normaliseNumber(input.value);
      if (!DECIMAL_RE.test(text)) flag(input, $("f-" + alt.field + "-err"), msg("errors.form.not_a_number", { label: alt.fromUnit }));
      else entry[alt.field] = storedAmount(text);
    }
    for (const f of INPUT_FIELDS[item.input]) {
      if (alt && f === alt.into && normaliseNumber($("f-" + f).value) === "") continue;
      const input = $("f-" + f);
      const errBox = $("f-" + f + "-err");
      if (f === "level") {
        if (!input.value) flag(input, errBox, msg("errors.form.choose_level"));
        else entry.level = input.value;
        continue;
      }
      const text = normaliseNumber(input.value);
      if (text === "") {
        if (item.input !== "subjects") flag(input, errBox, msg("errors.form.fill", { label: amountLabel(item, f) }));
        continue;
      }
      if (!DECIMAL_RE.test(text)) {
        flag(input, errBox, msg("errors.form.not_a_number", { label: amountLabel(item, f) }));
        continue;
      }
      entry[f] = storedAmount(text);
      anySubject = true;
    }
    if (item.input === "subjects" && !anySubject && !errors.length) {
      flag($("f-passed"), $("f-passed-err"), msg("errors.form.one_subject"));
    }
    const dateInput = $("entry-date");
    if (!validDate(entry.date)) flag(dateInput, $("entry-date-err"), msg("errors.form.fill_date"));
    if (!$("exam-field").hidden) entry.exam_passed = $("entry-exam").checked;
    const cf = $("entry-counts-for").value;
    if (!$("counts-for-field").hidden && cf) entry.counts_for = cf;
    for (const [f, id] of [["course", "entry-course"], ["evidence", "entry-evidence"], ["note", "entry-note"]]) {
      const v = $(id).value.trim().slice(0, TEXT_LIMITS[f]);
      if (v) entry[f] = v;
    }
    if (validDate(entry.date)) {
      // the engine has the last word (every role held: a role limit is a warning above, not a form error); while
      // the form still has its own complaints, only what it cannot see (the date's and 申报计入's) is added
      const local = errors.length > 0;
      for (const p of E.checkEntry(B(), entry, B().roles.map((r) => r.id))) {
        if (local && p.field !== "date" && p.field !== "counts_for") continue;
        if (p.field === "date") flag(dateInput, $("entry-date-err"), p.message);
        else if ($("f-" + p.field)) flag($("f-" + p.field), $("f-" + p.field + "-err"), p.message);
        else flag(p.field === "counts_for" ? $("entry-counts-for") : $("item"), null, notCountedPart(p));
      }
    }
    return { entry: errors.length ? null : entry, errors };
  }

  function updatePreview() {
    const out = $("entry-preview");
    const item = currentItem();
    if (!item) { out.textContent = ""; return; }
    const { entry } = readForm(false);
    if (!entry) { out.textContent = ""; return; }
    let result;
    try {
      result = E.evaluate(B(), { person: { roles: cur().person.roles, dates: {} }, entries: [entry] }, null);
    } catch (e) {
      out.textContent = "";
      return;
    }
    if (result.errors.length) {
      out.textContent = notCountedText("errors.ledger.entry_not_counted", result.errors);
      return;
    }
    const lines = result.trace.filter((l) => l.ref === "entry:0" || l.ref === "item:" + item.id);
    const text = lines.map((l) => l.text).join("；");
    const capped = item.caps.length || B().caps.some((c) => c.items.includes(item.id)) || isFloor(item);
    out.textContent = text ? "本条折算：" + text + (capped ? `（与同一${periodWord()}的其他记录合计后再计上限或取整）` : "") : "";
  }

  function resetForm(keepItem) {
    S.editing = null;
    const itemId = keepItem ? $("item").value : "";
    const date = keepItem ? $("entry-date").value : "";
    $("entry-form").reset();
    $("item").value = itemId;
    $("entry-date").value = date;
    renderAmountFields({});
    renderItemHelp();
    renderCountsFor("");
    $("entry-submit").textContent = "添加";
    $("entry-cancel").hidden = true;
    $("entry-h-text").textContent = "登记学习活动";
    $("form-errors").hidden = true;
    for (const input of document.querySelectorAll("#entry-form [aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const box of document.querySelectorAll("#entry-form .error")) { box.hidden = true; box.textContent = ""; }
    updatePreview();
  }

  function onSubmit(ev) {
    ev.preventDefault();
    const { entry, errors } = readForm(true);
    const box = $("form-errors");
    if (!entry) {
      clear(box);
      append(box, h("p", null, `还不能${S.editing === null ? "添加" : "保存"}，请改正：`),
        h("ul", null, errors.map((e) => h("li", null, e.text))));
      box.hidden = false;
      (errors[0].input || $("item")).focus();
      return;
    }
    box.hidden = true;
    const led = cur();
    const item = itemById(entry.item);
    let index;
    if (S.editing !== null && S.editing < led.entries.length) {
      index = S.editing;
      led.entries[index] = entry;
    } else {
      led.entries.push(entry);
      index = led.entries.length - 1;
    }
    const editing = S.editing !== null;
    S.worked = entryPeriod(entry).id;
    save();
    resetForm(!editing);
    renderAll();
    setUndo(null);
    const total = periodTotalText(entry);
    announce(`${editing ? "已保存修改" : "已添加"}：${item.name}，${entry.date}。${total}`);
    if (editing) {
      const row = document.querySelector(`[data-entry="${index}"]`);
      if (row) row.focus();
    }
  }

  /** The period an entry counts for: the one it is declared for (补学), else the one its date falls in. */
  function entryPeriod(entry) {
    return entry.counts_for && periodById(entry.counts_for) ? periodById(entry.counts_for) : E.periodOf(B(), entry.date);
  }

  function periodTotalText(entry) {
    if (!S.result) return "";
    const p = S.result.periods[entryPeriod(entry).id];
    return p ? `${p.label}合计 ${p.total} ${unit()}。` : "";
  }

  function startEdit(index) {
    const entry = cur().entries[index];
    if (!entry) return;
    resetForm(false);
    S.editing = index;
    $("item").value = entry.item;
    const values = {};
    for (const f of [...AMOUNT_FIELDS, "level"]) if (has(entry, f)) values[f] = entry[f];
    renderAmountFields(values);
    renderItemHelp();
    $("entry-date").value = entry.date || "";
    renderCountsFor(entry.counts_for || "");
    $("entry-exam").checked = entry.exam_passed === true;
    $("entry-course").value = entry.course || "";
    $("entry-evidence").value = entry.evidence || "";
    $("entry-note").value = entry.note || "";
    $("entry-submit").textContent = "保存修改";
    $("entry-cancel").hidden = false;
    $("entry-h-text").textContent = `修改第 ${index + 1} 条记录`;
    updatePreview();
    $("entry-section").scrollIntoView({ block: "start" });
    $("item").focus();
  }

  function deleteEntry(index) {
    const led = cur();
    const entry = led.entries[index];
    if (!entry) return;
    led.entries.splice(index, 1);
    if (S.editing !== null) resetForm(false);
    save();
    renderAll();
    const item = itemById(entry.item);
    setUndo(`已删除：${item ? item.name : entry.item}（${entry.date}）。`, () => {
      cur().entries.splice(Math.min(index, cur().entries.length), 0, entry);
      save();
      renderAll();
      announce("已恢复删除的记录。");
    }, "撤销删除");
  }

  function setUndo(text, action, label, where) {
    const bars = [$("undo-bar"), $("import-status")];
    const bar = where || $("undo-bar");
    for (const b of bars) if (b !== bar || !text) clear(b);
    S.undo = action || null;
    if (!text) return;
    clear(bar);
    append(bar, text);
    if (action) {
      const btn = h("button", { type: "button", class: "btn link", onclick: () => { const a = S.undo; setUndo(null); if (a) a(); } }, label);
      append(bar, " ", btn);
      btn.focus();
    }
  }

  // ------------------------------------------------------------------------------------------
  // results
  // ------------------------------------------------------------------------------------------

  function evaluateNow() {
    const led = cur();
    const ledger = { person: { roles: led.person.roles, dates: led.person.dates || {}, school: led.person.school || "" },
      entries: led.entries };
    S.result = E.evaluate(B(), ledger, asOf(), { bundleSha256: B().bundle_sha256 });
    const byRef = new Map(), byEntry = new Map(), pos = new Map();
    S.result.trace.forEach((line, n) => {
      pos.set(line, n);
      const k = (line.period || "") + "|" + (line.ref || "");
      if (!byRef.has(k)) byRef.set(k, []);
      byRef.get(k).push(line);
      if (line.ref && line.ref.startsWith("entry:")) {
        if (!byEntry.has(line.ref)) byEntry.set(line.ref, []);
        byEntry.get(line.ref).push(line);
      }
    });
    S.trace = byRef;
    S.traceByEntry = byEntry;
    S.tracePos = pos;
  }

  function lines(period, ref) {
    return S.trace.get((period || "") + "|" + ref) || [];
  }

  function entryLines(index) {
    return S.traceByEntry.get("entry:" + index) || [];
  }

  /** <details> with the engine's trace lines and the quoted clauses they cite (filled when first opened). */
  function explain(traceLines, key, context, summary) {
    if (!traceLines.length) return null;
    const d = h("details", { class: "explain", "data-key": key });
    append(d, h("summary", null, summary || "怎么算的", h("span", { class: "visually-hidden" }, "：" + context)));
    let filled = false;
    const fill = () => {
      if (!filled) { filled = true; fillExplain(d, traceLines); }
    };
    d.addEventListener("toggle", () => {
      if (d.open) { fill(); S.open.add(key); } else S.open.delete(key);
    });
    if (S.open.has(key)) { fill(); d.open = true; }
    return d;
  }

  function fillExplain(d, traceLines) {
    const cited = [];
    const ul = h("ul", { class: "trace" });
    for (const line of traceLines) {
      append(ul, h("li", null, line.text, line.source ? [" ", clauseRef(line.source)] : null));
      if (line.source && !cited.includes(line.source)) cited.push(line.source);
    }
    append(d, ul);
    if (!cited.length) return;
    const box = append(d, h("div", { class: "quotes", "aria-live": "polite" })).lastChild;
    withTexts(box, (texts) => {
      for (const c of cited.map((id) => texts.clauses.get(id)).filter(Boolean)) {
        append(box, h("blockquote", null, h("span", { class: "qid" }, (c.cite || c.id) + (c.title ? " " + c.title : "") + "："), c.quote));
      }
    });
  }

  function percent(actual, required) {
    const R = E.rational;
    const a = R.parse(actual), r = R.parse(required);
    if (r.n <= 0n) return 100;
    const p = Number((a.n * r.d * 1000n) / (a.d * r.n)) / 10;
    return Math.max(0, Math.min(100, p));
  }

  /** A state as a badge: met/passed green, in_progress neutral (the deadline has not passed), failed red. */
  function badge(state, verdict) {
    const cls = state === "met" || state === "passed" ? "ok" : state === "in_progress" ? "progress" : "bad";
    return h("span", { class: "badge " + cls }, msg("calculator.state." + (verdict && state === "failed" ? "not_passed" : state)));
  }
  /** The worst state of some requirements: failed, else in_progress, else met. */
  const worst = (reqs) => reqs.some((q) => q.state === "failed") ? "failed" : reqs.some((q) => q.state === "in_progress") ? "in_progress" : "met";
  /** 截止日期依据 〔clause〕 of a deadline, when it has one. */
  const deadlineRef = (d) => d && d.source ? h("span", { class: "deadline-ref" }, msg("calculator.deadline_by"), clauseRef(d.source)) : null;

  function requirementRow(req, measureOf, traceLines, key, deadline) {
    const pct = percent(req.actual, req.required);
    const bar = h("div", { class: "bar", role: "progressbar", "aria-label": req.name, "aria-valuemin": "0",
      "aria-valuemax": "100", "aria-valuenow": String(Math.round(pct)),
      "aria-valuetext": `${req.actual} / ${req.required} ${unit()}` }, h("div", { class: "fill" }));
    bar.firstChild.style.width = pct + "%";
    const phrase = req.met ? null : h("strong", { class: "shortfall" }, shortfallPhrase(req, measureOf));
    return h("div", { class: "req " + (req.met ? "met" : req.state === "in_progress" ? "progress" : "unmet") },
      h("div", { class: "req-head" }, h("span", { class: "req-name" }, req.name), " ", badge(req.state)),
      bar,
      h("p", { class: "req-nums" }, `实际 ${req.actual} / 要求 ${req.required} ${unit()}`, phrase ? "　" : null, phrase, " ",
        clauseRef(req.source), req.met ? null : [" ", deadlineRef(req.deadline)]),
      explain(traceLines, key, req.name));
  }

  function requirementDef(id) {
    return B().requirements.find((r) => r.id === id) || null;
  }

  function sortedPeriods() {
    return Object.values(S.result.periods).sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
  }

  function renderSummary() {
    const box = clear($("summary"));
    const r = S.result;
    const asOfDate = r.as_of || asOf();
    const asSpan = E.periodOf(B(), asOfDate);
    append(box, h("p", null, `评估日期 ${asOfDate}（${asSpan.label}）。共 ${cur().entries.length} 条记录。`));
    for (const n of r.notices) append(box, h("p", { class: "warn-text notice" }, n.message));
    const items = [];
    const cls = (state) => (state === "met" ? "ok" : state === "in_progress" ? "progress" : "bad");
    for (const p of sortedPeriods()) {
      const reqs = Object.values(p.requirements);
      if (!reqs.length) continue;
      const unmet = reqs.filter((q) => !q.met);
      const state = worst(reqs);
      if (!unmet.length) {
        items.push(h("li", { class: "ok" }, badge("met"), ` ${p.label}：全部达标（合计 ${p.total} ${unit()}）`));
      } else {
        items.push(h("li", { class: cls(state) }, badge(state), ` ${p.label}：`, shortfalls(unmet, (q) => (requirementDef(q.id) || {}).of)));
      }
    }
    for (const c of Object.values(r.checks)) {
      const def = L().checks.get(c.id);
      const unmet = Object.values(c.requirements).filter((q) => !q.met);
      const defs = new Map(((def && def.requirements) || []).map((q) => [q.id, q]));
      items.push(h("li", { class: cls(c.state) }, badge(c.state), ` ${c.name}：`, c.met ? msg("calculator.state.met")
        : unmet.length ? shortfalls(unmet, (q) => (defs.get(q.id) || {}).of) : "未能核定（见周期核定）"));
    }
    if (items.length) append(box, h("ul", { class: "status-list" }, items));
    else append(box, h("p", { class: "hint" }, "还没有可核定的要求：请登记学习活动。"));
    const lost = reasonLines();
    if (lost.length) {
      append(box, h("h3", { class: "not-counted-h" }, msg("calculator.not_counted_title")),
        h("ul", { class: "reason-list" }, lost.map((t) => h("li", null, t))));
    }
  }

  /** "总学时还差 90 学时，公需科目还差 30 学时（截止 2021年12月20日）截止日期依据〔…〕": each requirement's
   *  shortfall, and each deadline once, after the last requirement it is the deadline of. */
  function shortfalls(unmet, measureOf) {
    const out = [];
    unmet.forEach((q, n) => {
      const next = unmet[n + 1];
      const last = !next || !next.deadline || !q.deadline || next.deadline.date !== q.deadline.date || next.state !== q.state;
      const words = msg("shortfall.phrase", { name: measureName(measureOf(q)), shortfall: q.shortfall, unit: unit() });
      out.push(h("span", { class: "shortfall" }, words + (last ? E.until(B(), q.deadline, q.state) : "")));
      if (last && q.deadline) out.push(" ", deadlineRef(q.deadline));
      if (next) out.push(last ? "；" : "，");
    });
    return out;
  }

  /** "第 3 条 选修课（2021-05-10）：考试未合格……" for every entry that counts nothing or less than on its own. */
  function reasonLines() {
    const led = cur();
    return S.result.entries.filter((o) => o.status !== "counted" && o.reasons.length).map((o) => {
      const e = led.entries[o.index] || {};
      const item = itemById(e.item);
      return msg("calculator.entry_reason", { n: o.index + 1, item: item ? item.name : String(e.item), date: String(e.date),
        reasons: o.reasons.map((x) => x.message).join("；") });
    });
  }

  function renderPeriods() {
    const box = clear($("periods"));
    const periods = sortedPeriods();
    if (!periods.length) return;
    const word = periodWord();
    for (const p of periods) {
      const card = h("article", { class: "period", "aria-labelledby": "period-" + p.id });
      const reqs = Object.values(p.requirements);
      append(card, h("h3", { id: "period-" + p.id }, p.label, " ", reqs.length ? badge(worst(reqs)) : null),
        h("p", { class: "hint" }, `${p.start} 至 ${p.end}`));
      if (p.verdict) {
        append(card, h("p", { class: "verdict" }, `${p.verdict.name}：`, badge(p.verdict.state, true), " ",
          clauseRef(p.verdict.source)), explain(lines(p.id, "verdict"), `v|${p.id}`, p.verdict.name));
      }
      if (reqs.length) {
        append(card, h("h4", null, "要求"));
        for (const q of reqs) {
          append(card, requirementRow(q, (requirementDef(q.id) || {}).of, lines(p.id, "requirement:" + q.id), `r|${p.id}|${q.id}`));
        }
      } else {
        append(card, h("p", { class: "hint" }, `本政策没有每${word}的最低要求，见下方“周期核定”。`));
      }
      append(card, h("h4", null, "类别合计"));
      const cats = h("ul", { class: "cats" });
      for (const c of B().categories) {
        if (!has(p.categories, c.id)) continue;
        append(cats, h("li", null, h("span", { class: "cat-name" }, c.parent ? "　" + c.name : c.name),
          h("span", { class: "num" }, `${p.categories[c.id]} ${unit()}`),
          explain(lines(p.id, "category:" + c.id), `c|${p.id}|${c.id}`, c.name)));
      }
      append(cats, h("li", { class: "total" }, h("span", { class: "cat-name" }, "合计"), h("span", { class: "num" }, `${p.total} ${unit()}`),
        explain([...lines(p.id, "total"), ...lines(p.id, "carry_over")], `t|${p.id}`, p.label + "合计")));
      append(card, cats);
      append(card, h("h4", null, "各项目计入"));
      const ids = Object.keys(p.items);
      if (!ids.length) {
        append(card, h("p", { class: "hint" }, `本${word}没有登记记录。`));
      } else {
        const list = h("ul", { class: "item-rows" });
        for (const id of ids) {
          const it = p.items[id];
          const item = itemById(id) || { name: id, category: "", caps: [] };
          const capped = it.raw !== it.credited;
          const traceLines = [...lines(p.id, "item:" + id)];
          for (const n of it.entries) traceLines.push(...lines(p.id, "entry:" + n));
          traceLines.sort((a, b) => S.tracePos.get(a) - S.tracePos.get(b));
          append(list, h("li", { class: capped ? "capped" : null },
            h("div", { class: "item-line" },
              h("span", { class: "item-name" }, item.name, h("span", { class: "muted" }, `（${it.entries.length} 条）`)),
              h("span", { class: "num" }, capped ? `${it.raw} → ${it.credited} ${unit()}` : `${it.credited} ${unit()}`)),
            isFloor(item) ? h("p", { class: "round-note" }, "取整：" + rulePhrase(item)) : null,
            capped ? h("p", { class: "cap-note" }, `超出上限，按 ${it.credited} ${unit()}计入：` + capPhrases(item).join("；")) : null,
            explain(traceLines, `i|${p.id}|${id}`, item.name)));
        }
        append(card, list);
      }
      append(box, card);
    }
  }

  function renderChecks() {
    const box = clear($("cycle"));
    const b = B();
    if (!b.checks.length) return;
    append(box, h("h3", null, "周期核定" + (b.cycle ? `（${cyclePhrase()}）` : "")));
    const roles = cur().person.roles;
    for (const def of b.checks) {
      const c = S.result.checks[def.id];
      if (!c) {
        append(box, h("p", { class: "hint check-off" }, `「${def.name}」仅适用于${joinList(def.roles.map(roleName))}：勾选该身份后核定。`));
        continue;
      }
      const card = h("article", { class: "check-card", "aria-labelledby": "check-" + def.id });
      append(card, h("h4", { id: "check-" + def.id }, def.name, " ", badge(c.state)));
      if (def.description) append(card, h("p", { class: "hint" }, def.description));
      append(card, h("p", { class: "hint" }, "统计范围：" + windowPhrase(def.window), " ", clauseRef(def.source)));
      if (def.window.kind === "title_cycle" && !validDate((cur().person.dates || {})[def.window.date])) {
        const inputId = "person-date-" + def.window.date;
        append(card, h("p", { class: "warn-text" }, `请先填写“${DATE_NAMES[def.window.date] || def.window.date}”，才能确定验证周期。 `,
          h("button", { type: "button", class: "btn link", onclick: () => { const i = $(inputId); if (i) i.focus(); } }, "去填写")));
      }
      const pids = c.periods.slice();
      if (c.includes_until && !pids.includes(c.includes_until.period)) pids.push(c.includes_until.period);
      if (pids.length) {
        const cats = b.categories.filter((x) => !x.parent);
        const table = h("table", { class: "cycle-table" },
          h("caption", { class: "visually-hidden" }, def.name + "：各周期合计"),
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "周期"), cats.map((x) => h("th", { scope: "col" }, x.name)),
            h("th", { scope: "col" }, "合计"))));
        const body = h("tbody");
        append(table, body);
        for (const pid of pids) {
          const p = S.result.periods[pid];
          const span = periodById(pid);
          const partial = c.includes_until && c.includes_until.period === pid && !c.periods.includes(pid);
          const label = (p ? p.label : span ? span.label : pid) + (partial ? `（截至 ${c.includes_until.date}）` : "");
          append(body, h("tr", null, h("th", { scope: "row" }, label),
            cats.map((x) => h("td", { class: "num" }, p && !partial ? p.categories[x.id] || "0" : partial ? "…" : "0")),
            h("td", { class: "num" }, p && !partial ? p.total : partial ? "…" : "0")));
        }
        append(card, h("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": def.name + "：各周期合计" }, table));
        if (c.includes_until) {
          append(card, h("p", { class: "hint" }, `另计入 ${c.includes_until.date} 以前完成的申请当年记录。`));
        }
      }
      const reqDefs = new Map(def.requirements.map((q) => [q.id, q]));
      for (const q of Object.values(c.requirements)) {
        append(card, requirementRow(q, (reqDefs.get(q.id) || {}).of, lines(null, `check:${def.id}:${q.id}`).concat(), `k|${def.id}|${q.id}`));
      }
      const checkLines = S.result.trace.filter((l) => l.ref === "check:" + def.id || (l.ref || "").startsWith("check:" + def.id + ":"));
      append(card, explain(checkLines, `k|${def.id}`, def.name, "核定过程"));
      append(box, card);
    }
  }

  function amountText(item, e) {
    if (!item) return "";
    switch (item.input) {
      case "level": {
        const lv = item.levels.find((l) => l.id === e.level);
        return lv ? lv.name : String(e.level || "");
      }
      case "subjects": return `及格 ${has(e, "passed") ? e.passed : 0} 科，不及格 ${has(e, "failed") ? e.failed : 0} 科`;
      case "credits": return `认定 ${e.credits} ${unit()}`;
      case "none": return "";
      case "count": return `${e.count} ${item.count_unit || "个"}`;
      default: {
        const conv = E.conversions(B(), item.id).find((c) => has(e, c.field) && e[c.field] !== null);
        return conv ? `${e[conv.field]} ${conv.fromUnit}` : `${e[item.input]} ${msg("input_units." + item.input)}`;
      }
    }
  }

  function renderEntries() {
    const box = clear($("entries"));
    const led = cur();
    $("entries-h").textContent = `已登记的记录（${led.entries.length} 条）`;
    if (!led.entries.length) {
      append(box, h("p", { class: "hint" }, "还没有记录。添加后，结果会立即显示在下方“核算结果”中。"));
      return;
    }
    const errorsBy = new Map();
    for (const e of S.result.errors) {
      if (!errorsBy.has(e.entry)) errorsBy.set(e.entry, []);
      errorsBy.get(e.entry).push(e);
    }
    const groups = new Map();
    led.entries.forEach((e, i) => {
      let span = validDate(e.date) ? E.periodOf(B(), e.date) : null;
      if (span && e.counts_for && periodById(e.counts_for)) span = periodById(e.counts_for);
      const key = span ? span.start + "|" + span.id : "~";
      if (!groups.has(key)) groups.set(key, { span, rows: [] });
      groups.get(key).rows.push([i, e]);
    });
    const keys = Array.from(groups.keys()).sort().reverse();
    for (const k of keys) {
      const g = groups.get(k);
      g.rows.sort((a, b) => (a[1].date < b[1].date ? -1 : a[1].date > b[1].date ? 1 : a[0] - b[0]));
      const hid = "eg-" + (g.span ? g.span.id : "none");
      const section = h("section", { class: "entry-group", "aria-labelledby": hid },
        h("h4", { id: hid }, g.span ? g.span.label : "日期无效的记录", h("span", { class: "muted" }, `（${g.rows.length} 条）`)));
      const list = h("ul", { class: "entry-list" });
      for (const [i, e] of g.rows) list.append(entryRow(i, e, errorsBy.get(i)));
      append(section, list);
      append(box, section);
    }
  }

  function entryRow(i, e, errors) {
    const item = itemById(e.item);
    const name = item ? item.name : String(e.item);
    const sub = [e.course, e.evidence ? "证明：" + e.evidence : "", e.note ? "备注：" + e.note : ""].filter(Boolean);
    const notes = [];
    if (e.exam_passed === true) notes.push("考试合格");
    if (e.exam_passed === false) notes.push("考试未合格");
    if (e.counts_for) {
      const span = periodById(e.counts_for);
      notes.push("申报计入" + (span ? span.label : e.counts_for));
    }
    let calc;
    const outcome = S.result.entries[i];
    if (errors && errors.length) {
      calc = h("p", { class: "entry-error" }, notCountedText("errors.ledger.not_counted", errors));
    } else if (outcome && outcome.status === "not_counted") {
      calc = h("p", { class: "entry-reason" }, outcome.reasons.map((x) => x.message).join("；"));
    } else {
      const own = entryLines(i);
      if (own.length) calc = h("p", { class: "entry-calc" }, own.map((l) => l.text).join("；"));
      else if (item && isFloor(item)) {
        calc = h("p", { class: "entry-calc" }, `与同一${periodWord()}的其他记录合计后折算，见核算结果。`);
      }
      // counted less (a cap, rounding) or outside the edition's window: why, under how it was counted
      if (outcome && outcome.reasons.length) calc = [calc, h("p", { class: "entry-reason" }, outcome.reasons.map((x) => x.message).join("；"))];
    }
    const label = `第 ${i + 1} 条：${name}，${e.date}`;
    return h("li", { class: "entry", "data-entry": String(i), tabindex: "-1" },
      h("div", { class: "entry-main" },
        h("span", { class: "date" }, String(e.date)), " ",
        h("strong", { class: "entry-item" }, name), " ",
        h("span", { class: "amount" }, amountText(item, e)),
        notes.length ? h("span", { class: "muted" }, "（" + notes.join("，") + "）") : null),
      sub.length ? h("p", { class: "entry-sub" }, sub.join(" · ")) : null,
      calc,
      h("div", { class: "entry-actions" },
        h("button", { type: "button", class: "btn small secondary", "aria-label": "修改" + label, onclick: () => startEdit(i) }, "修改"),
        h("button", { type: "button", class: "btn small danger", "aria-label": "删除" + label, onclick: () => deleteEntry(i) }, "删除")));
  }

  /** The bar that stays at the foot of the screen: the total of the period the teacher last added to or changed
   *  (else the evaluation date's) against its main requirement (or the first cycle check when there is none),
   *  so a teacher sees the effect of an entry without scrolling — last year's records, entered in September,
   *  show last year's total, not the new year's nought. */
  function renderSticky() {
    const bar = $("sticky-total");
    const r = S.result;
    const asSpan = S.worked && r.periods[S.worked] ? periodById(S.worked) : E.periodOf(B(), r.as_of || asOf());
    const p = r.periods[asSpan.id];
    const reqs = p ? Object.values(p.requirements) : [];
    const main = reqs.filter((q) => (requirementDef(q.id) || {}).of === "total")
      .sort((a, c) => E.rational.cmp(E.rational.parse(c.required), E.rational.parse(a.required)))[0] || reqs[0];
    const check = main ? null : Object.values(r.checks)[0];
    const q = main || (check ? Object.values(check.requirements)[0] : null);
    const name = main ? asSpan.label + " " + main.name : check ? check.name : asSpan.label;
    bar.hidden = !cur().entries.length;
    const text = clear($("sticky-text"));
    append(text, h("strong", null, name), " ",
      q ? `${q.actual} / ${q.required} ${unit()}` : `${p ? p.total : "0"} ${unit()}`, " ", q ? badge(q.state) : null);
    const fill = $("sticky-fill");
    fill.style.width = (q ? percent(q.actual, q.required) : 0) + "%";
    fill.parentNode.classList.toggle("met", !!(q && q.met));
    fill.parentNode.hidden = !q;
  }

  function renderPrintOptions() {
    const select = $("print-period");
    const old = select.value;
    clear(select);
    append(select, h("option", { value: "" }, "全部周期"));
    const periods = sortedPeriods();
    for (const p of periods) append(select, h("option", { value: p.id }, p.label));
    select.value = Array.from(select.options).some((o) => o.value === old) ? old : "";
  }

  function renderAll() {
    try {
      evaluateNow();
    } catch (err) {
      clear($("summary"));
      append($("summary"), h("p", { class: "alert" }, "核算出错：" + (err && err.message ? err.message : String(err))));
      document.documentElement.setAttribute("data-ready", "error");
      throw err;
    }
    renderEntries();
    renderSummary();
    renderPeriods();
    renderChecks();
    renderPrintOptions();
    renderFormLinks();
    updateCode();
    renderSticky();
    S.renders += 1;
    document.documentElement.setAttribute("data-ready", String(S.renders));
    if (!S.firstResult) {
      S.firstResult = true;
      if (performance && performance.mark) performance.mark("jxjy-first-result");
    }
  }

  // ------------------------------------------------------------------------------------------
  // 用我的记录生成表格: the edition's forms (its data file lists them in JXJY_FORMS), prefilled from this ledger
  // ------------------------------------------------------------------------------------------

  let formsBuiltFor = null;

  function formsFor(key) {
    const all = isObj(globalThis.JXJY_FORMS) ? globalThis.JXJY_FORMS : {};
    return Array.isArray(all[key]) ? all[key].filter((f) => isObj(f) && typeof f.html === "string" && ID_RE.test(f.id || "")) : [];
  }

  const hasEntries = (p, ids) => Object.entries(p.items).some(([id, it]) => (!ids || ids.includes(id)) && it.entries.length);

  /** The period a form is filled for: the one chosen under 打印范围, else the latest with entries of the
   * form's items (else with any entries), as the form page itself would pick it; null when nothing is entered. */
  function formPeriod(form) {
    const only = $("print-period").value;
    if (only && S.result.periods[only]) return S.result.periods[only];
    const periods = sortedPeriods();
    const items = Array.isArray(form.items) && form.items.length ? form.items : null;
    return (items && periods.find((p) => hasEntries(p, items))) || periods.find((p) => hasEntries(p, null)) || null;
  }

  /** The jxjy-form-prefill/1 payload: this ledger (entries up to the as-of date, as the result counts them),
   * the period and the engine's result (without its trace). */
  function prefillPayload(period) {
    const doc = ledgerDocument();
    const r = S.result;
    const until = r.as_of || asOf();
    doc.entries = doc.entries.filter((e) => !(typeof e.date === "string" && e.date > until));
    const result = {};
    for (const [k, v] of Object.entries(r)) if (k !== "trace") result[k] = v;
    const payload = { format: PREFILL_FORMAT, policy: doc.policy, ledger: doc, result, statement: statementInfo() };
    if (period) payload.period = period.id;
    return payload;
  }

  /** What the printed statement says besides its fields: the edition, its rules revision, the evaluation date,
   *  the verification code, and why each record of a period counts nothing or less than on its own. */
  function statementInfo() {
    const b = B(), led = cur(), rev = b.policy.revision || {};
    const reasons = S.result.entries.filter((o) => o.period && o.status !== "counted" && o.reasons.length).map((o) => {
      const e = led.entries[o.index] || {};
      return { period: o.period, date: String(e.date), item: (itemById(e.item) || { name: e.item }).name,
        reasons: o.reasons.map((x) => x.message).join("；") };
    });
    const title = b.policy.title, edition = b.policy.edition;
    return { edition: title.includes(edition) ? title : `${title}（${edition}）`, revision: rev.number ? String(rev.number) : "—",
      as_of: S.result.as_of || asOf(), code: S.code || "", reasons };
  }

  /** The verification code of this ledger (as exported) under this bundle on the evaluation date; shown under the
   *  print button and printed on the statement (computed after every change: crypto.subtle answers later). */
  function updateCode() {
    const doc = ledgerDocument(), asOfDate = S.result.as_of || "", key = S.key;
    S.code = "";
    const box = $("verify-code");
    box.hidden = true;
    if (!(globalThis.crypto && crypto.subtle) || !B().bundle_sha256) return;
    E.verificationCode(doc, B().bundle_sha256, asOfDate).then((code) => {
      if (S.key !== key || (S.result.as_of || "") !== asOfDate) return;
      S.code = code;
      const rev = B().policy.revision || {};
      box.textContent = msg("calculator.code", { code, edition: `${B().policy.short_name || B().policy.title}`,
        revision: rev.number ? String(rev.number) : "—", as_of: asOfDate });
      box.hidden = false;
    }, () => { /* no code without SHA-256: the statement prints without one */ });
  }

  function base64url(text) {
    const bytes = new TextEncoder().encode(text);
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /** Just before the link opens the form: store the payload, point the link at it (in the URL if storage fails). */
  function prepareForm(link, form) {
    const payload = prefillPayload(formPeriod(form));
    const text = JSON.stringify(payload);
    let local = false;
    if (S.storageOk) {
      try {
        localStorage.setItem(PREFILL_PREFIX + payload.policy.id + "/" + payload.policy.edition, text);
        local = true;
      } catch (e) {
        local = false;
      }
    }
    link.href = form.html + (local ? "#prefill=local" : "#prefill=" + base64url(text));
  }

  function formPeriodText(form) {
    if (form.prefill === false) return "此表不按个人记录预填，打开的是空白表格。";
    const p = formPeriod(form);
    return p ? `填入${p.label}的记录和${unit()}。` : "还没有可填入的记录，将只填个人信息。";
  }

  /** Open the form page prefilled from this ledger (new tab): the payload is stored just before the link opens. */
  function prefillOnOpen(link, form, said) {
    const prepare = () => prepareForm(link, form);
    link.addEventListener("click", () => { prepare(); if (said) announce(said); });
    link.addEventListener("auxclick", prepare);  // middle click: a new tab too
    link.addEventListener("contextmenu", prepare);  // "open in new tab" from the menu
  }

  /** 打印个人学分（学时）统计表: the edition's personal statement — the same form page (and PDF) a reviewer
   *  gets — prefilled with this ledger's records of the chosen period. */
  function renderPrintLink(statement) {
    const link = $("print");
    $("print-controls").hidden = !statement;
    if (!statement) return;
    link.textContent = (link.getAttribute("data-prefix") || "") + String(statement.title || "");
    if (link.getAttribute("data-form") === S.key + "/" + statement.id) return;
    const fresh = link.cloneNode(true);  // no listeners of another edition's form
    fresh.setAttribute("data-form", S.key + "/" + statement.id);
    fresh.href = statement.html + "#prefill=local";
    prefillOnOpen(fresh, statement, null);
    link.replaceWith(fresh);
  }

  function renderFormLinks() {
    const box = $("form-gen");
    const all = formsFor(S.key);
    renderPrintLink(all.find((f) => f.statement) || null);
    const forms = all.filter((f) => !f.statement);
    box.hidden = !forms.length;
    if (!forms.length) { formsBuiltFor = S.key; clear($("form-list")); return; }
    if (formsBuiltFor === S.key) {
      for (const form of forms) {
        const note = $("form-period-" + form.id);
        if (note) note.textContent = formPeriodText(form);
      }
      return;
    }
    formsBuiltFor = S.key;
    const list = clear($("form-list"));
    for (const form of forms) {
      const title = String(form.title || form.id);
      const name = title + (form.attachment ? `（${form.attachment}）` : "");
      const prefill = form.prefill !== false;
      const link = h("a", {
        class: prefill ? "btn form-open" : "btn secondary form-open", href: form.html + (prefill ? "#prefill=local" : ""),
        target: "_blank", rel: "noopener", "aria-describedby": "form-period-" + form.id + " form-gen-hint",
        "data-form": form.id
      }, name);
      if (prefill) prefillOnOpen(link, form, `已按您的记录生成「${title}」，在新标签页中打开。`);
      const files = [];
      if (form.fillable_pdf) files.push(h("a", { class: "file-link", href: form.fillable_pdf, download: "", "aria-label": `下载「${title}」可填写 PDF（未填写）` }, "可填写 PDF"));
      if (form.blank_pdf) files.push(h("a", { class: "file-link", href: form.blank_pdf, download: "", "aria-label": `下载「${title}」空白 PDF` }, "空白 PDF"));
      append(list, h("li", { class: "form-row" }, link,
        h("p", { class: "form-meta hint" }, h("span", { id: "form-period-" + form.id }, formPeriodText(form)),
          files.length ? h("span", { class: "form-files" }, files) : null)));
    }
  }

  // ------------------------------------------------------------------------------------------
  // export / import
  // ------------------------------------------------------------------------------------------

  function personOut(person) {
    const out = {};
    for (const k of ["name", "school", "subject"]) {
      const v = typeof person[k] === "string" ? person[k].trim() : "";
      if (v) out[k] = v;
    }
    out.roles = Array.isArray(person.roles) ? person.roles.slice() : [];
    const dates = {};
    for (const [k, v] of Object.entries(isObj(person.dates) ? person.dates : {})) if (validDate(v)) dates[k] = v;
    if (Object.keys(dates).length) out.dates = dates;
    return out;
  }

  function ledgerDocument() {
    const led = cur();
    return {
      format: LEDGER_FORMAT,
      policy: { id: B().policy.id, edition: B().policy.edition },
      person: personOut(led.person),
      entries: led.entries.map((e) => {
        const out = {};
        for (const k of ENTRY_KEYS) if (has(e, k)) out[k] = e[k];
        return out;
      })
    };
  }

  function exportLedger() {
    const doc = ledgerDocument();
    const text = JSON.stringify(doc, null, 2) + "\n";
    const safe = (s) => String(s || "").replace(/[\\/:*?"<>|\u0000-\u001f\s]+/g, "_").slice(0, 40);
    const name = `${msg("calculator.ledger_file", { unit: unit() })}-${safe(doc.policy.id)}-${safe(doc.policy.edition)}${doc.person.name ? "-" + safe(doc.person.name) : ""}.json`;
    downloadText(text, name);
    setUndo(null);
    const status = clear($("import-status"));
    append(status, h("p", null, `已导出 ${doc.entries.length} 条记录：${name}`),
      h("details", { class: "more" }, h("summary", null, "无法下载时：显示 JSON 文本以便复制"),
        h("label", { for: "export-text", class: "visually-hidden" }, "导出的 JSON 文本"),
        h("textarea", { id: "export-text", readonly: true, rows: "8", value: text })));
    $("import-errors").hidden = true;
  }

  function jsonErrorText(err, text) {
    const m = /position (\d+)/.exec(String(err && err.message));
    if (!m) return msg("errors.import.json_syntax");
    const pos = parseInt(m[1], 10);
    const before = text.slice(0, pos).split("\n");
    return msg("errors.import.json_syntax_at", { line: before.length, column: before[before.length - 1].length + 1 });
  }

  function showImportErrors(title, errors) {
    const box = clear($("import-errors"));
    append(box, h("p", null, h("strong", null, title)));
    if (errors.length) {
      append(box, h("ul", null, errors.slice(0, MAX_LISTED_ERRORS).map((e) => h("li", null, e))));
      if (errors.length > MAX_LISTED_ERRORS) {
        append(box, h("p", null, msg("errors.import.more", { count: errors.length - MAX_LISTED_ERRORS })));
      }
    }
    append(box, h("p", null, msg("errors.import.unchanged")));
    box.hidden = false;
    clear($("import-status"));
  }

  async function importText(text, fileName) {
    const name = `「${fileName}」`;
    const refused = (errors) => showImportErrors(msg("errors.import.refused", { name: fileName }), errors);
    let doc;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
      refused([jsonErrorText(err, text)]);
      return false;
    }
    // the policy the file names decides which bundle checks it; a file that names none (or names it badly:
    // checkLedger says so) is checked against the current one
    let key = S.key;
    const p = isObj(doc) && isObj(doc.policy) ? doc.policy : null;
    if (p && typeof p.id === "string" && p.id) {
      const named = typeof p.edition === "string" && p.edition ? p.edition : "";
      const edition = named || (S.index.latest && S.index.latest[p.id] && S.index.latest[p.id].edition);
      const candidate = `${p.id}/${edition}`;
      if (!S.index.bundles.some((x) => x.key === candidate)) {
        const known = joinList(S.index.bundles.map((x) => x.key));
        refused([msg("errors.import.unknown_policy", { policy: p.id + (named ? "/" + named : ""), known })]);
        return false;
      }
      key = candidate;
    }
    let bundle;
    try {
      bundle = await loadBundle(key);
    } catch (err) {
      refused([err.message]);
      return false;
    }
    const previous = { key: S.key, bundle: S.bundle };
    S.bundle = bundle;
    const saveKey = S.key;
    S.key = key;
    const errors = validateLedger(doc);
    S.bundle = previous.bundle;
    S.key = saveKey;
    if (errors.length) {
      showImportErrors(msg("errors.import.refused_count", { name: fileName, count: errors.length }), errors);
      return false;
    }
    $("import-errors").hidden = true;
    const person = doc.person || {};
    const incoming = {
      person: {
        name: typeof person.name === "string" ? person.name : "",
        school: typeof person.school === "string" ? person.school : "",
        subject: typeof person.subject === "string" ? person.subject : "",
        roles: Array.isArray(person.roles) ? person.roles.slice() : [],
        dates: isObj(person.dates) ? Object.assign({}, person.dates) : {}
      },
      entries: doc.entries.map(normaliseEntry),
      as_of: null
    };
    const before = S.store.ledgers[key] ? JSON.parse(JSON.stringify(S.store.ledgers[key])) : null;
    const beforeKey = S.key;
    incoming.as_of = before && validDate(before.as_of) ? before.as_of : null;
    S.store.ledgers[key] = incoming;
    if (key !== S.key) await selectPolicy(key);
    else {
      save();
      renderPolicyInfo();
      renderPerson();
      resetForm(false);
      renderAll();
    }
    const replaced = before ? before.entries.length : 0;
    setUndo(`已导入${name}：${incoming.entries.length} 条记录` + (replaced ? `，替换了原有的 ${replaced} 条。` : "。") +
      (key !== beforeKey ? `已切换到「${B().policy.short_name || B().policy.title}」。` : ""), async () => {
      if (before) S.store.ledgers[key] = before;
      else delete S.store.ledgers[key];
      if (beforeKey && beforeKey !== S.key) await selectPolicy(beforeKey);
      else { save(); renderPerson(); renderAll(); }
      announce("已撤销导入。");
    }, "撤销导入", $("import-status"));
    return true;
  }

  function onImportFile(ev) {
    const input = ev.target;
    const file = input.files && input.files[0];
    if (!file) return;
    const refused = (key, params) => showImportErrors(msg("errors.import.refused", { name: file.name }), [msg(key, params)]);
    if (file.size > MAX_IMPORT_BYTES) {
      refused("errors.import.too_large", { size: Math.round(file.size / 1024) });
      input.value = "";
      return;
    }
    file.text().then((text) => importText(text, file.name), () => refused("errors.import.unreadable"))
      .finally(() => { input.value = ""; });
  }

  function onClearAll() {
    const btn = $("clear-all");
    if (!S.clearArmed) {
      btn.textContent = "确认清空？再点一次";
      S.clearArmed = setTimeout(() => { S.clearArmed = null; btn.textContent = "清空本政策的记录"; }, 6000);
      return;
    }
    clearTimeout(S.clearArmed);
    S.clearArmed = null;
    btn.textContent = "清空本政策的记录";
    const before = JSON.parse(JSON.stringify(cur()));
    S.store.ledgers[S.key] = emptyLedger();
    save();
    renderPerson();
    resetForm(false);
    renderAll();
    setUndo(`已清空 ${before.entries.length} 条记录和个人信息。`, () => {
      S.store.ledgers[S.key] = before;
      save();
      renderPerson();
      renderAll();
      announce("已恢复清空前的记录。");
    }, "撤销清空", $("import-status"));
  }

  // ------------------------------------------------------------------------------------------
  // start
  // ------------------------------------------------------------------------------------------

  function policyFromHash() {
    try {
      return new URLSearchParams(location.hash.replace(/^#/, "")).get("policy");
    } catch (e) {
      return null;
    }
  }

  function init() {
    // the only sentences not from the catalog: without the engine or the data there is no catalog to read
    if (!E || typeof E.evaluate !== "function") {
      fatal("计算引擎（engine.js）没有加载，计算器无法运行。");
      return;
    }
    S.index = globalThis.JXJY_BUNDLE_INDEX;
    if (!S.index || !Array.isArray(S.index.bundles) || !S.index.bundles.length) {
      fatal("没有找到规则数据（" + CONFIG.data + "index.js）。请先构建网站（jxjy build），再打开 site/calculator/index.html。");
      return;
    }
    if (CONFIG.pages_root) {
      const link = $("site-link");
      append(link, h("a", { href: CONFIG.pages_root + "index.html" }, "← 返回政策指南"));
      link.hidden = false;
    }
    S.store = loadStore();
    if (!S.storageOk) warnStorage("errors.storage.unavailable");
    const select = $("policy");
    const counts = new Map();
    for (const b of S.index.bundles) counts.set(b.id, (counts.get(b.id) || 0) + 1);
    for (const b of S.index.bundles) {
      const label = (b.short_name || b.title) + (counts.get(b.id) > 1 ? `（${b.edition}）` : "");
      append(select, h("option", { value: b.key }, label));
    }
    const keys = S.index.bundles.map((b) => b.key);
    const wanted = [policyFromHash(), S.store.current, keys[0]].find((k) => k && keys.includes(k));
    select.addEventListener("change", () => selectPolicy(select.value));
    $("person-name").addEventListener("input", onPersonText);
    $("person-school").addEventListener("input", onPersonText);
    $("person-subject").addEventListener("input", onPersonText);
    $("as-of").addEventListener("change", onAsOf);
    $("as-of-today").addEventListener("click", () => { cur().as_of = null; $("as-of").value = asOf(); save(); renderAll(); });
    $("item").addEventListener("change", onItemChange);
    $("entry-date").addEventListener("change", () => { renderCountsFor($("entry-counts-for").value); updatePreview(); });
    $("entry-counts-for").addEventListener("change", updatePreview);
    $("entry-exam").addEventListener("change", updatePreview);
    $("entry-form").addEventListener("submit", onSubmit);
    $("entry-cancel").addEventListener("click", () => { resetForm(false); $("item").focus(); });
    $("export").addEventListener("click", exportLedger);
    $("import-file").addEventListener("change", onImportFile);
    $("clear-all").addEventListener("click", onClearAll);
    $("print-period").addEventListener("change", renderFormLinks);
    // another tab of the calculator saved: show its data rather than overwrite it later
    window.addEventListener("storage", (ev) => {
      if (ev.key !== STORAGE_KEY || !S.bundle) return;
      S.store = loadStore();
      S.store.current = S.key;
      checkStoredLedger();
      renderPerson();
      resetForm(false);
      renderAll();
      announce("另一个窗口修改了记录，已更新。");
    });
    window.addEventListener("hashchange", () => {
      const k = policyFromHash();
      if (k && k !== S.key && keys.includes(k)) selectPolicy(k);
    });
    selectPolicy(wanted, { noSave: !S.storageOk });
  }

  globalThis.JXJY_CALCULATOR = {
    get result() { return S.result; },
    get policy() { return S.key; },
    /** The verification code of the ledger on screen ("" until crypto.subtle has answered). */
    get code() { return S.code || ""; },
    importText: (text, name) => importText(text, name || "导入.json"),
    /** The rule prose the page shows (the guidance site's generator.rule_text, ported): for tests. */
    prose: () => ({
      items: Object.fromEntries(B().items.map((i) => [i.id, ruleSentence(i)])),
      windows: Object.fromEntries(B().checks.map((c) => [c.id, windowPhrase(c.window)])),
      cycle: cyclePhrase()
    }),
    clauseAnchor
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
