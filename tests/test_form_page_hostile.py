"""Form pages against hostile prefill payloads (issue 12, item 12), in Chromium from file://.

`form.html#prefill=<payload>` wiped the saved values with no confirmation or undo; a payload the page could
not use threw (TypeError) and filled nothing; item ids such as __proto__ threw; form pages had no
Content-Security-Policy. Now the earlier values are kept aside and one click restores them, a payload that
cannot be used changes nothing and says so, and the page carries the calculator's strict CSP.
"""

from __future__ import annotations

import base64
import json

import pytest

KEY = "chengdu-teachers/2018"
FORM = "flexible-registration-form"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def payload(entries: list, **extra) -> str:
    body = {"format": "jxjy-form-prefill/1", "policy": {"id": "chengdu-teachers", "edition": "2018"},
            "ledger": {"format": "jxjy-ledger/1", "person": {"name": "王小明", "roles": ["teacher"]}, "entries": entries},
            **extra}
    return base64.urlsafe_b64encode(json.dumps(body, ensure_ascii=False).encode("utf-8")).decode().rstrip("=")


@pytest.fixture
def page(browser, built_site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.set_default_timeout(15000)
    url = (built_site.site_dir / "forms" / KEY / f"{FORM}.html").as_uri()
    yield pg, url, errors
    ctx.close()


def storage_key(pg) -> str:
    return pg.evaluate("JSON.parse(document.getElementById('jxjy-form-spec').textContent).storage_key")


def test_a_prefill_keeps_what_was_typed_and_can_be_undone(page):
    pg, url, errors = page
    pg.goto(url)
    name = pg.evaluate("document.querySelector('input[name]').name")
    pg.fill(f'[name="{name}"]', "手写的内容")
    pg.dispatch_event(f'[name="{name}"]', "input")
    entries = [{"item": "school-based-training", "date": "2018-04-25", "hours": "26", "course": "校本研修"}]
    pg.goto(url + "#prefill=" + payload(entries))
    pg.reload()  # a hash change alone does not reload a file:// page
    pg.wait_for_function("document.getElementById('jxjy-status').textContent !== ''")
    assert pg.inner_text("#jxjy-status") == "已按计算器的登记记录预填；原来填写的内容已另存，点“撤销预填”可恢复"
    assert pg.is_visible("#jxjy-undo-prefill")
    pg.click("#jxjy-undo-prefill")
    assert pg.input_value(f'[name="{name}"]') == "手写的内容"
    assert pg.inner_text("#jxjy-status") == "已恢复预填前填写的内容"
    assert json.loads(pg.evaluate("k => localStorage.getItem(k)", storage_key(pg)))["values"][name] == "手写的内容"
    assert errors == []


@pytest.mark.parametrize("entries,extra", [
    ([{"item": "__proto__", "date": "2018-04-25", "hours": "2"}], {}),
    ([{"item": "constructor", "date": "2018-04-25", "hours": "2"}, {"item": "toString", "date": "2018-04-25"}], {}),
    ([{"item": "school-based-training", "date": "2018-04-25", "hours": "2"}],
     {"result": {"format": "jxjy-result/1", "periods": {"2017-2018": {"items": {}}}}}),  # no categories
])
def test_a_payload_the_page_cannot_use_throws_nothing(page, entries, extra):
    pg, url, errors = page
    pg.goto(url + "#prefill=" + payload(entries, **extra))
    pg.wait_for_function("document.getElementById('jxjy-status').textContent !== ''")
    assert errors == []
    assert pg.inner_text("#jxjy-status") in ("已按计算器的登记记录预填", "预填的内容无法使用，表格没有改动")


def test_form_pages_carry_the_calculators_csp(page, built_site):
    pg, url, errors = page
    csp = (built_site.site_dir / "calculator" / "index.html").read_text(encoding="utf-8").split(
        'http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    pg.goto(url)
    got = pg.evaluate("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    # the same policy, with the page's one inline style (@page size and margins) allowed by its hash
    assert got.replace(got[got.index(" 'sha256-"):got.index("';", got.index("'sha256-")) + 1], "") == csp
    assert errors == []
