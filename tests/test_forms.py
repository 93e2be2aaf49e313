"""Forms: HTML pages, blank PDFs, small fillable PDFs that take Chinese, computed columns, prefill.

Rendering proofs use poppler (pdftotext, pdftoppm) and, when installed, PDFium (pypdfium2, the
renderer of Chrome): a value typed into a field must show up as text *and* as ink in its box.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from generator.base.rational import format_rational
from generator.cli.main import main
from generator.outputs.bundle import bundle_document, dumps
from generator.outputs.calculator.data import calculator_view
from generator.outputs.forms import prefill as forms_prefill
from generator.outputs.forms import render, view
from generator.outputs.forms.pdf_fields import field_names, fill
from generator.outputs.forms.statement import find_form, output_forms
from generator.policy.loader import load_policy, policy_files
from generator.rules.engine import evaluate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "policies" / "forms-demo" / "2020.yaml"
FORM_JS = ROOT / "site_templates" / "forms" / "form.js"
MAX_PDF_BYTES = 300 * 1024
CHINESE = ["张三丰", "成都市第七中学", "语文", "高中", "校本研修：课堂观察与评价", "锦江区", "１２", "2018年3月"]

LEDGER = {
    "format": "jxjy-ledger/1",
    "person": {"name": "王小明", "school": "示例中学", "subject": "数学"},
    "entries": [
        {"item": "school-based", "date": "2020-10-01", "hours": 2, "course": "作业设计"},
        {"item": "school-based", "date": "2020-09-10", "hours": "3.5", "course": "课堂观察"},
        {"item": "school-based", "date": "2020-11-01", "hours": "4", "course": "第三次"},
        {"item": "weike", "date": "2020-12-01", "hours": 7, "course": "微课A"},
        {"item": "putonghua", "date": "2021-03-01", "level": "level-2b"},
        {"item": "other", "date": "2021-04-01", "credits": "2.5", "course": "支教"},
        {"item": "school-based", "date": "2019-10-01", "hours": 5, "course": "上一学年"},
        {"item": "weike", "date": "2020-13-01", "hours": 3},
        {"item": "school-based", "date": "2020-09-20", "hours": 6, "course": "补学", "counts_for": "2019-2020"},
        {"item": "weike", "date": "2020-09-21", "hours": 3, "counts_for": "2021-2022"},  # future: refused
    ],
}
EXPECTED_PREFILL = {
    "h:school": "示例中学", "h:teacher-name": "王小明", "h:subject": "数学", "h:school-year": "2020—2021学年",
    "s:school-based:1:time": "2020-09-10", "s:school-based:1:content": "课堂观察",
    "s:school-based:1:hours": "3.5", "s:school-based:1:credits": "1.75",
    "s:school-based:2:time": "2020-10-01", "s:school-based:2:content": "作业设计",
    "s:school-based:2:hours": "2", "s:school-based:2:credits": "1",
    "s:school-based:3:time": "2020-11-01", "s:school-based:3:content": "第三次",
    "s:school-based:3:hours": "4", "s:school-based:3:credits": "2",
    "s:weike:1:time": "2020-12-01", "s:weike:1:content": "微课A", "s:weike:1:hours": "7", "s:weike:1:credits": "2",
    "s:putonghua:1:time": "2021-03-01", "s:putonghua:1:level": "二乙", "s:putonghua:1:credits": "10",
    "s:other:1:time": "2021-04-01", "s:other:1:content": "支教", "s:other:1:credits": "2.5",
    "t:total-hours": "16.5", "t:total-credits": "19.25",
}
# the personal statement of 2020–2021: the six records of that school year (the make-up one counts for the year
# before, the one for a later year is refused) in date order, and what the year credits after caps
EXPECTED_STATEMENT = {
    "h:name": "王小明", "h:school": "示例中学", "h:subject": "数学", "h:period": "2020—2021学年",
    "s:entries:1:date": "2020-09-10", "s:entries:1:item": "校本培训", "s:entries:1:category": "灵活性培训",
    "s:entries:1:content": "课堂观察", "s:entries:1:amount": "3.5 学时", "s:entries:1:credits": "1.75",
    "s:entries:2:date": "2020-10-01", "s:entries:2:item": "校本培训", "s:entries:2:category": "灵活性培训",
    "s:entries:2:content": "作业设计", "s:entries:2:amount": "2 学时", "s:entries:2:credits": "1",
    "s:entries:3:date": "2020-11-01", "s:entries:3:item": "校本培训", "s:entries:3:category": "灵活性培训",
    "s:entries:3:content": "第三次", "s:entries:3:amount": "4 学时", "s:entries:3:credits": "2",
    "s:entries:4:date": "2020-12-01", "s:entries:4:item": "微课学习", "s:entries:4:category": "规范性培训",
    "s:entries:4:content": "微课A", "s:entries:4:amount": "7 学时", "s:entries:4:credits": "2",
    "s:entries:5:date": "2021-03-01", "s:entries:5:item": "普通话测试", "s:entries:5:category": "规范性培训",
    "s:entries:5:amount": "二乙", "s:entries:5:credits": "10",
    "s:entries:6:date": "2021-04-01", "s:entries:6:item": "其他活动", "s:entries:6:category": "灵活性培训",
    "s:entries:6:content": "支教", "s:entries:6:credits": "2.5",
    "t:category-normative": "12", "t:category-flexible": "7.25", "t:total": "19.25",
}
# 附件3 (评职称用) from a teacher's records: the two school years of the check's window, earliest first, as credited
# (2019–2020: 5 h + the 6 h made up for it, 0.5 an hour → 5.5 flexible); 小计 and 合计 are the row's sums
EXPECTED_REVIEW = {
    "h:school": "示例中学", "h:school-year": "2020—2021学年",
    "s:teachers:1:name": "王小明", "s:teachers:1:subject": "数学",
    "s:teachers:1:normative-y1": "0", "s:teachers:1:normative-y2": "12", "s:teachers:1:normative-subtotal": "12",
    "s:teachers:1:flexible-y1": "5.5", "s:teachers:1:flexible-y2": "7.25", "s:teachers:1:flexible-subtotal": "12.75",
    "s:teachers:1:total": "24.75",
}


@pytest.fixture(scope="module")
def policy():
    return load_policy(FIXTURE)


@pytest.fixture(scope="module")
def built(built_site):
    """The fixture's forms as `jxjy build` wrote them with write_forms (tests/conftest.py: built_site)."""
    return built_site.docs_dir / "forms" / "forms-demo" / "2020"


def _form(policy, form_id):
    return find_form(policy, form_id)


def _pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                   reason="poppler-utils (pdftotext, pdftoppm) not installed")
needs_cjk_cmaps = pytest.mark.skipif(
    not Path("/usr/share/poppler/cMap/Adobe-GB1/UniGB-UTF16-H").exists(),
    reason="poppler-data not installed: poppler cannot decode the UniGB-UTF16-H field font (apt-get install poppler-data)")
needs_node = pytest.mark.skipif(not shutil.which("node"), reason="node not installed")


# ---------------------------------------------------------------------------------------------
# files


FORM_FILES = sorted([  # what write_forms writes for the fixture's edition
    "roster.html", "roster-blank.pdf", "roster-fillable.pdf", "roster.xlsx",
    "registration.html", "registration-blank.pdf", "registration-fillable.pdf",
    "review-report.html", "review-report-blank.pdf", "review-report-fillable.pdf", "review-report.xlsx",
    "statement.html", "statement-blank.pdf", "statement-fillable.pdf", "index.json", "rules.js",
])  # the form the source only names (named-only) gets no empty sheet
SHARED_FORM_FILES = ["engine.js", "form.css", "form.js", "screen.css"]  # once for every form page, in forms/


@pytest.mark.slow
def test_write_forms_writes_every_file_per_form(built, policy):
    out = built
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == FORM_FILES
    assert sorted(p.name for p in out.parent.parent.iterdir() if p.is_file()) == SHARED_FORM_FILES
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in index["forms"]] == ["roster", "registration", "review-report", "statement"]
    assert [f["statement"] for f in index["forms"]] == [False, False, False, True]
    assert index["forms"][3]["defined"] is True and index["forms"][3]["prefill"] is True


def test_every_edition_has_one_personal_statement_titled_after_its_unit(policy, demo_policy):
    """The statement a reviewer gets has 姓名、单位、学科、学年, one row per record, the credited totals and lines
    to sign and stamp; a policy that names it keeps its title, one that does not gets 个人学分/学时统计表."""
    mine = find_form(policy, "statement")
    assert mine.statement and mine.title == "个人学分统计表" and mine.source == "九"
    assert [f.label for f in mine.header] == ["姓名", "单位", "学科（专业）", "学年"]
    assert [c.label for c in mine.sections[0].columns] == ["日期", "登记项目", "类别", "培训或活动内容", "数量", "折算学分"]
    assert [f.label for f in mine.totals] == ["规范性培训计入学分", "灵活性培训计入学分", "合计计入学分"]
    assert [(s.label, s.stamp) for s in mine.signatures] == [("本人签字", False), ("学校（单位）审核", True)]
    assert [f.id for f in output_forms(policy)].count("statement") == 1 and "named-only" not in [
        f.id for f in output_forms(policy)]
    generated = [f for f in output_forms(demo_policy) if f.statement]
    assert [f.id for f in generated] == ["personal-statement"] and generated[0].title == f"个人{demo_policy.unit}统计表"
    import dataclasses
    hours = dataclasses.replace(demo_policy, unit="学时")
    assert find_form(hours, "personal-statement").title == "个人学时统计表"


@pytest.mark.slow
def test_cli_writes_forms(tmp_path, capsys):
    assert main(["forms", "build", str(tmp_path), str(FIXTURE)]) == 0
    assert (tmp_path / "forms-demo" / "2020" / "registration-fillable.pdf").exists()
    printed = [Path(line) for line in capsys.readouterr().out.splitlines()]  # the paths write_forms returned
    edition = tmp_path / "forms-demo" / "2020"
    assert sorted(p.relative_to(edition).as_posix() for p in printed if edition in p.parents) == FORM_FILES
    assert sorted(p.name for p in printed if p.parent == tmp_path) == SHARED_FORM_FILES
    assert all(p.is_file() for p in printed) and len(printed) == len(FORM_FILES) + len(SHARED_FORM_FILES)


# ---------------------------------------------------------------------------------------------
# HTML


@pytest.mark.slow
@pytest.mark.parametrize("form_id", ["roster", "registration", "review-report", "statement"])
def test_html_page_is_standalone_with_every_label_and_field(built, policy, form_id):
    out = built
    page = (out / f"{form_id}.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page must not fetch anything"
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", page)
    form_view = view.FormView(policy, _form(policy, form_id))
    for label in form_view.printed_labels():
        assert html.escape(label, quote=False) in page, label
    for f in form_view.fields():
        assert f'name="{f["name"]}"' in page
    spec = json.loads(re.search(r'<script type="application/json" id="jxjy-form-spec">(.*?)</script>', page, re.S).group(1))
    assert spec["storage_key"] == f"jxjy-form:forms-demo/2020/{form_id}"


@pytest.mark.slow
def test_landscape_form_prints_on_landscape_a4(built):
    out = built
    assert "@page { size: A4 landscape;" in (out / "review-report.html").read_text(encoding="utf-8")
    assert "@page { size: A4 portrait;" in (out / "registration.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../../screen.css">' in (out / "registration.html").read_text(encoding="utf-8")
    assert "@media print" in (out.parent.parent / "screen.css").read_text(encoding="utf-8")  # the browser's own printing


def test_grouped_column_headings(policy):
    section = _form(policy, "review-report").sections[0]
    rows = view.header_rows(section.columns)
    assert [[(h["label"], h["colspan"], h["rowspan"]) for h in r] for r in rows] == [
        [("编号", 1, 3), ("姓名", 1, 3), ("学科", 1, 3), ("继续教育（折算）学分数", 7, 1), ("备注", 1, 3)],
        [("规范性培训", 3, 1), ("灵活性培训", 3, 1), ("合计", 1, 2)],
        [("第一年度", 1, 1), ("第二年度", 1, 1), ("小计", 1, 1)] * 2,
    ]


# ---------------------------------------------------------------------------------------------
# PDFs


@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("form_id", ["roster", "registration", "review-report", "statement"])
def test_blank_pdf_renders_every_label(built, policy, form_id):
    out = built
    text = _squash(_pdftotext(out / f"{form_id}-blank.pdf", "-raw"))
    for label in view.FormView(policy, _form(policy, form_id)).printed_labels():
        assert _squash(label) in text, label
    assert (out / f"{form_id}-blank.pdf").stat().st_size <= MAX_PDF_BYTES


@pytest.mark.slow
def test_blank_pdf_page_orientation(built):
    out = built
    box = PdfReader(out / "review-report-blank.pdf").pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape A4
    box = PdfReader(out / "registration-blank.pdf").pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842


@pytest.mark.slow
@pytest.mark.parametrize("form_id", ["roster", "registration", "review-report", "statement"])
def test_fillable_pdf_has_the_expected_fields_and_is_small(built, policy, form_id):
    out = built
    pdf = (out / f"{form_id}-fillable.pdf").read_bytes()
    assert len(pdf) <= MAX_PDF_BYTES, len(pdf)
    expected = [f["name"] for f in view.FormView(policy, _form(policy, form_id)).fields()]
    assert field_names(pdf) == expected
    reader = PdfReader(io.BytesIO(pdf))
    acro = reader.trailer["/Root"]["/AcroForm"]
    assert acro["/NeedAppearances"] is True or acro["/NeedAppearances"] == True  # noqa: E712
    font = acro["/DR"]["/Font"]["/STSong"].get_object()
    assert font["/BaseFont"] == "/STSong-Light" and font["/Encoding"] == "/UniGB-UTF16-H"
    cid = font["/DescendantFonts"][0].get_object()
    assert cid["/CIDSystemInfo"]["/Ordering"] == "GB1"
    assert "/FontFile" not in cid["/FontDescriptor"] and "/FontFile2" not in cid["/FontDescriptor"] \
        and "/FontFile3" not in cid["/FontDescriptor"], "the field font must not be embedded"


@pytest.mark.slow
def test_select_columns_become_combo_boxes(built):
    out = built
    reader = PdfReader(out / "roster-fillable.pdf")
    field = reader.get_fields()["s:roster:1:stage"]
    assert field["/FT"] == "/Ch" and list(field["/_States_"] if "/_States_" in field else field["/Opt"]) == \
        ["高中", "初中", "小学", "幼儿园", "特教"]


@pytest.mark.slow
@needs_poppler
def test_pdf_fonts_are_subset_and_the_field_font_is_not_embedded(built, tmp_path):
    out = built
    filled = tmp_path / "filled.pdf"  # filled, so that an appearance stream uses the field font
    filled.write_bytes(fill((out / "registration-fillable.pdf").read_bytes(), {"h:teacher-name": "张三丰"}))
    listing = subprocess.run(["pdffonts", str(filled)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    fonts = [line.split() for line in listing]
    st = [f for f in fonts if f[0] == "STSong-Light"]
    assert st and st[0][-5:-3] == ["no", "no"]  # emb, sub
    for f in fonts:
        if f[0] != "STSong-Light":
            assert "+" in f[0] and f[-5:-3] == ["yes", "yes"], f


def _ink(pdf: Path, page_index: int, rect, tmp: Path) -> int:
    """Dark pixels pdftoppm draws inside a rectangle (PDF points; rendered at 72 dpi)."""
    from PIL import Image

    page_h = float(PdfReader(pdf).pages[page_index].mediabox.height)
    x0, y0, x1, y1 = rect
    out = tmp / f"crop-{page_index}-{int(x0)}-{int(y0)}"
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page_index + 1), "-l", str(page_index + 1),
                    "-x", str(int(x0) + 1), "-y", str(int(page_h - y1) + 1), "-W", str(int(x1 - x0) - 2),
                    "-H", str(int(y1 - y0) - 2), "-singlefile", "-png", str(pdf), str(out)], check=True)
    with Image.open(f"{out}.png") as img:
        gray = img.convert("L")
        return sum(1 for p in gray.tobytes() if p < 128)


def _widgets(pdf: Path) -> dict:
    reader = PdfReader(pdf)
    out = {}
    for i, page in enumerate(reader.pages):
        for a in page.get("/Annots") or []:
            a = a.get_object()
            if "/T" in a:
                out[str(a["/T"])] = (i, [float(v) for v in a["/Rect"]])
    return out


@pytest.mark.slow
@needs_poppler
@needs_cjk_cmaps
@pytest.mark.parametrize("form_id", ["roster", "registration", "review-report"])
def test_chinese_typed_into_fields_shows(built, form_id, tmp_path):
    out = built
    src = out / f"{form_id}-fillable.pdf"
    names = field_names(src.read_bytes())
    values = {n: CHINESE[i % len(CHINESE)] for i, n in enumerate(names)}
    filled = tmp_path / "filled.pdf"
    filled.write_bytes(fill(src.read_bytes(), values))
    assert filled.stat().st_size <= MAX_PDF_BYTES
    # pypdf reads back the values
    got = {k: v.get("/V") for k, v in PdfReader(filled).get_fields().items()}
    assert got == values
    # poppler extracts them from the appearance streams
    text = _squash(_pdftotext(filled, "-raw"))
    for v in set(values.values()):
        assert _squash(v) in text, v
    # and draws them: ink inside the boxes where the blank has none
    widgets = _widgets(filled)
    for name in list(values)[:3] + list(values)[-2:]:
        page, rect = widgets[name]
        assert _ink(src, page, rect, tmp_path) == 0, name
        assert _ink(filled, page, rect, tmp_path) > 20, name
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(filled), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


@pytest.mark.slow
@needs_poppler
@needs_cjk_cmaps
@pytest.mark.parametrize("value", ["2018-05-20", "2018-5-20", "13:30-15:00"])
def test_a_filled_date_prints_as_written(built, tmp_path, value):
    """Dates and times print as typed ("2018-05-20", not "2018- 05- 20"): the field font's widths for ASCII are
    STSong-Light's own, so no gap opens after the narrow hyphen. Drawn by pdftoppm at 300 dpi: no blank run
    between glyphs is wider than a third of the digits' height."""
    from PIL import Image

    from generator.outputs.forms.pdf_fields import ASCII_WIDTHS, text_width

    assert text_width("2018-05-20", 10) == pytest.approx(sum(ASCII_WIDTHS[ord(c) - 32] for c in "2018-05-20") / 100)
    assert ASCII_WIDTHS[ord("-") - 32] < ASCII_WIDTHS[ord("0") - 32]  # the hyphen is narrower than a digit
    out = built
    filled = tmp_path / "date.pdf"
    filled.write_bytes(fill((out / "registration-fillable.pdf").read_bytes(), {"s:school-based:1:time": value}))
    page, (x0, y0, x1, y1) = _widgets(filled)["s:school-based:1:time"]
    height = float(PdfReader(filled).pages[page].mediabox.height)
    k = 300 / 72
    subprocess.run(["pdftoppm", "-gray", "-r", "300", "-f", str(page + 1), "-l", str(page + 1),
                    "-x", str(int(x0 * k)), "-y", str(int((height - y1) * k)), "-W", str(int((x1 - x0) * k)),
                    "-H", str(int((y1 - y0) * k)), "-singlefile", "-png", str(filled), str(tmp_path / "date")], check=True)
    with Image.open(tmp_path / "date.png") as img:
        gray = img.convert("L")
        w, h = gray.size
        px = gray.load()
        cols = [any(px[x, y] < 128 for y in range(h)) for x in range(w)]
        rows = [y for y in range(h) if any(px[x, y] < 128 for x in range(w))]
    ink = [x for x, c in enumerate(cols) if c]
    gaps, run = [], 0
    for x in range(ink[0], ink[-1] + 1):
        if cols[x]:
            gaps.append(run)
            run = 0
        else:
            run += 1
    digit_height = rows[-1] - rows[0]
    assert max(gaps) <= digit_height / 3, (value, max(gaps), digit_height)


@pytest.mark.slow
def test_pypdf_own_fill_api_writes_utf16_appearance(built, tmp_path):
    """Without our fill(): pypdf's update_page_form_field_values encodes Chinese (thanks to /ToUnicode)."""
    out = built
    writer = PdfWriter(clone_from=PdfReader(out / "registration-fillable.pdf"))
    writer.update_page_form_field_values(writer.pages[0], {"h:teacher-name": "张三丰"}, auto_regenerate=True)
    buf = io.BytesIO()
    writer.write(buf)
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    widget = next(a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/T") == "h:teacher-name")
    stream = widget["/AP"]["/N"].get_object().get_data()
    assert "张三丰".encode("utf-16-be").hex() in stream.decode("latin-1").lower()


@pytest.mark.slow
def test_pdfium_renders_the_fields_too(built, tmp_path):
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 (PDFium, Chrome's PDF renderer) not installed")
    out = built
    src = out / "registration-fillable.pdf"
    filled = tmp_path / "filled.pdf"
    filled.write_bytes(fill(src.read_bytes(), {"h:teacher-name": "张三丰", "s:school-based:1:content": "课堂观察"}))
    doc = pdfium.PdfDocument(str(filled))
    doc.init_forms()
    page = doc[0]
    img = page.render(scale=1, may_draw_forms=True).to_pil().convert("L")
    blank = pdfium.PdfDocument(str(src))
    blank.init_forms()
    blank_img = blank[0].render(scale=1, may_draw_forms=True).to_pil().convert("L")
    _, rect = _widgets(filled)["h:teacher-name"]
    h = float(PdfReader(filled).pages[0].mediabox.height)
    box = (int(rect[0]) + 1, int(h - rect[3]) + 1, int(rect[2]) - 1, int(h - rect[1]) - 1)
    dark = lambda im: sum(1 for p in im.crop(box).tobytes() if p < 128)  # noqa: E731
    assert dark(blank_img) == 0 and dark(img) > 20


@pytest.mark.slow
def test_fill_rejects_unknown_field_names(built):
    out = built
    with pytest.raises(KeyError, match="no-such"):
        fill((out / "registration-fillable.pdf").read_bytes(), {"h:no-such": "x"})


# ---------------------------------------------------------------------------------------------
# computed columns and prefill


def test_row_sums_and_window_prefills_name_what_exists():
    """A `sum_of` names columns of its own section; a `window.<check>.<n>` prefill names a check whose window lists
    at least n periods (a typo would print an empty 小计 or 第五年度)."""
    for path in [FIXTURE, *[f for f in policy_files([ROOT / "policies"])]]:
        policy = load_policy(path)
        checks = {c.id: c for c in policy.checks}
        for form in output_forms(policy):
            for section in form.sections:
                ids = {c.id for c in section.leaves()}
                for col in section.leaves():
                    assert set(col.sum_of) <= ids, (policy.key, form.id, col.id)
                    if col.prefill.startswith("window."):
                        _, check_id, n, *_ = col.prefill.split(".")
                        check = checks[check_id]
                        assert check.window.kind == "last_periods" and 1 <= int(n) <= check.window.count, col.prefill


def test_multiline_values_wrap_to_their_box():
    from generator.outputs.forms.pdf_fields import text_width, wrap

    assert wrap("一二三四五", 10, 25) == ["一二", "三四", "五"]
    assert wrap("第一行\n第二行", 10, 100) == ["第一行", "第二行"]
    assert all(text_width(line, 9) <= 60 for line in wrap("教育行政部门组织或委托组织的培训 2018-05-20", 9, 60))


def test_computed_credit_is_the_engines(policy):
    cc = lambda item, text: forms_prefill.computed_credit(policy, item, text)  # noqa: E731
    assert cc("school-based", "3.5") == Fraction(7, 4)
    assert cc("school-based", "1/3") == Fraction(1, 6)
    assert cc("weike", "7") == 2 and cc("weike", "2") == 0 and cc("weike", "9") == 3
    assert cc("putonghua", "二乙") == 10 and cc("putonghua", "level-3a") == 7
    assert cc("putonghua", "一甲") is None
    assert cc("school-based", "") is None and cc("school-based", "三") is None and cc("school-based", "-1") is None
    assert cc("other", "5") is None  # manual: assessed, not computed


def test_statement_and_review_report_prefill(policy):
    """The statement lists the period's records; 附件3 takes the check window's years as the engine credits them,
    and its 合计 is what the engine's check counts."""
    assert forms_prefill.prefill(policy, _form(policy, "statement"), LEDGER).values == EXPECTED_STATEMENT
    review = forms_prefill.prefill(policy, _form(policy, "review-report"), LEDGER)
    assert review.values == EXPECTED_REVIEW and review.rows == {"teachers": 4}
    check = evaluate(policy, {**LEDGER, "person": {**LEDGER["person"]}}, as_of="2021-07-31")["checks"]["two-years"]
    assert check["periods"] == ["2019-2020", "2020-2021"] and check["requirements"]["total"]["actual"] == "24.75"
    assert forms_prefill.window_spans(policy, "two-years", review.period) == [
        forms_prefill._period_named(policy, "2019-2020"), review.period]


def test_prefill_from_a_ledger(policy):
    result = forms_prefill.prefill(policy, _form(policy, "registration"), LEDGER)
    assert result.values == EXPECTED_PREFILL
    assert result.rows == {"school-based": 3, "weike": 2, "putonghua": 1, "other": 1}
    assert result.period.id == "2020-2021"
    earlier = forms_prefill.prefill(policy, _form(policy, "registration"), LEDGER, period="2019-2020")
    assert earlier.values["h:school-year"] == "2019—2020学年"
    # the make-up entry (done 2020-09-20, declared for 2019–2020) fills the earlier year's form
    assert [earlier.values[f"s:school-based:{r}:content"] for r in (1, 2)] == ["上一学年", "补学"]


@pytest.mark.slow
@needs_poppler
@needs_cjk_cmaps
def test_prefilled_values_print_in_the_pdf(policy, tmp_path):
    form = _form(policy, "registration")
    result = forms_prefill.prefill(policy, form, LEDGER)
    rendered = render.render_pdf(policy, form, rows=result.rows)
    pdf = render.fillable_pdf(rendered)
    assert "s:school-based:3:hours" in field_names(pdf)
    path = tmp_path / "prefilled.pdf"
    path.write_bytes(fill(pdf, result.values))
    text = _squash(_pdftotext(path, "-raw"))
    assert "课堂观察" in text and "19.25" in text and "王小明" in text


@pytest.mark.slow
@needs_poppler
def test_cli_fill_from_a_ledger_file(tmp_path):
    ledger = tmp_path / "ledger.json"
    ledger.write_text(json.dumps(LEDGER, ensure_ascii=False), encoding="utf-8")
    ledger_data = json.loads(ledger.read_text(encoding="utf-8"))
    ledger_data["entries"] = [e for e in ledger_data["entries"] if e["date"] != "2020-13-01"]  # schema rejects it
    ledger.write_text(json.dumps(ledger_data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "mine.pdf"
    assert main(["forms", "fill", str(FIXTURE), "registration", str(ledger), str(out)]) == 0
    fields = PdfReader(out).get_fields()
    assert fields["s:school-based:3:content"]["/V"] == "第三次" and fields["t:total-credits"]["/V"] == "19.25"
    assert out.stat().st_size <= MAX_PDF_BYTES


def test_cli_fill_says_what_is_wrong_and_writes_nothing(tmp_path, capsys):
    ledger = tmp_path / "ledger.json"
    ledger.write_text(json.dumps({"entries": []}), encoding="utf-8")
    out = tmp_path / "mine.pdf"
    assert main(["forms", "fill", str(FIXTURE), "no-such-form", str(ledger), str(out)]) == 1
    assert "forms-demo/2020 没有表格「no-such-form」（可选：roster、registration" in capsys.readouterr().err
    ledger.write_text("entries: [", encoding="utf-8")  # not a ledger: located diagnostics
    assert main(["forms", "fill", str(FIXTURE), "registration", str(ledger), str(out)]) == 1
    assert f"{ledger}:1:" in capsys.readouterr().err
    assert not out.exists()


def test_prefill_fragment_round_trips():
    frag = forms_prefill.prefill_fragment(LEDGER, period="2020-2021")
    assert frag.startswith("#prefill=") and "=" not in frag[len("#prefill="):]
    raw = frag[len("#prefill="):]
    payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
    assert payload["format"] == "jxjy-form-prefill/1" and payload["ledger"] == LEDGER


ENGINE_JS = ROOT / "calculator" / "engine.js"


def _node(script: str, data) -> object:
    proc = subprocess.run(["node", "-e", script, str(ENGINE_JS), str(FORM_JS)], input=json.dumps(data, ensure_ascii=False),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


NODE_RUNNER = """
const E = require(process.argv[1]);
const api = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {
  cells: input.cells.map(([item, text]) => api.computeCell(E, input.bundle, item, text)),
  prefill: input.prefill.map(([spec, payload]) => {
    const r = api.prefillValues(E, input.bundle, spec, payload);
    return {values: r.values, rows: r.rows, period: r.period && {id: r.period.id, label: r.period.label}};
  }),
};
process.stdout.write(JSON.stringify(out));
"""


@needs_node
def test_page_script_computes_exactly_like_python(policy):
    """form.js, which asks engine.js, against the Python prefill and rule types, cell by cell."""
    spec = view.FormView(policy, _form(policy, "registration")).spec()
    bundle = json.loads(dumps(calculator_view(bundle_document(policy))))
    texts = ["0", "1", "2", "2.9", "3", "3.5", "7", "1/3", "10.25", "0.1", "", " 4 ", "abc", "-2", "二乙", "三甲",
             "level-2b", "一甲"]
    cells = [(i, t) for i in ("school-based", "weike", "putonghua") for t in texts]
    result = _node(NODE_RUNNER, {"cells": cells, "bundle": bundle,
                                 "prefill": [[spec, {"format": "jxjy-form-prefill/1", "ledger": LEDGER}],
                                             [spec, {"format": "jxjy-form-prefill/1", "ledger": LEDGER,
                                                     "period": "2019-2020"}]]})
    for (item, text), got in zip(cells, result["cells"], strict=True):
        want = forms_prefill.computed_credit(policy, item, text)
        assert got == (format_rational(want) if want is not None else None), (item, text)
    py = forms_prefill.prefill(policy, _form(policy, "registration"), LEDGER)
    assert result["prefill"][0]["values"] == py.values
    assert result["prefill"][0]["rows"] == py.rows
    assert result["prefill"][0]["period"] == {"id": py.period.id, "label": py.period.label}
    py2 = forms_prefill.prefill(policy, _form(policy, "registration"), LEDGER, period="2019-2020")
    assert result["prefill"][1]["values"] == py2.values
    # the personal statement and 附件3 (window years, row sums), with and without the calculator's result
    for form_id in ("statement", "review-report"):
        form = _form(policy, form_id)
        spec = view.FormView(policy, form).spec()
        payloads = [{"format": "jxjy-form-prefill/1", "ledger": LEDGER},
                    {"format": "jxjy-form-prefill/1", "ledger": LEDGER, "period": "2019-2020",
                     "result": evaluate(policy, LEDGER)}]
        got = _node(NODE_RUNNER, {"cells": [], "bundle": bundle, "prefill": [[spec, p] for p in payloads]})["prefill"]
        for payload, js in zip(payloads, got, strict=True):
            py = forms_prefill.prefill(policy, form, LEDGER, period=payload.get("period"), result=payload.get("result"))
            assert js["values"] == py.values and js["rows"] == py.rows, (form_id, payload.get("period"))


@needs_node
def test_a_form_writes_the_period_in_its_notices_words():
    """Chengdu's statement is 《2017～2018学年度个人学分统计表》: its 学年 is prefilled 2017～2018学年度 (the
    policy's `period_label` for the form), not the engine's 2017—2018学年, by Python and by the page alike;
    a form without one keeps the engine's label."""
    chengdu = load_policy(ROOT / "policies" / "chengdu-teachers" / "2018.yaml")
    ledger = {"person": {"name": "王小明"}, "entries": [{"item": "weike", "date": "2018-03-01", "hours": 6}]}
    bundle = json.loads(dumps(calculator_view(bundle_document(chengdu))))
    statement = find_form(chengdu, "personal-credit-statement")
    plain = forms_prefill.prefill(chengdu, statement, ledger).values["h:period"]
    assert plain == "2017～2018学年度" and plain in statement.title
    registration = next(f for f in output_forms(chengdu) if f.id == "flexible-registration-form")
    no_label = dataclasses.replace(statement, period_label="")
    assert forms_prefill.prefill(chengdu, no_label, ledger).values["h:period"] == "2017—2018学年"
    specs = [view.FormView(chengdu, f).spec() for f in (statement, no_label, registration)]
    got = _node(NODE_RUNNER, {"cells": [], "bundle": bundle,
                              "prefill": [[sp, {"format": "jxjy-form-prefill/1", "ledger": ledger}] for sp in specs]})
    for form, js in zip((statement, no_label, registration), got["prefill"], strict=True):
        assert js["values"] == forms_prefill.prefill(chengdu, form, ledger).values, form.id
    assert got["prefill"][0]["values"]["h:period"] == "2017～2018学年度"


# ---------------------------------------------------------------------------------------------
# the real policies (whatever exists and validates)


def _real_policies():
    out = []
    for f in policy_files([ROOT / "policies"]):
        out.append(pytest.param(f, id=f"{f.parent.name}/{f.stem}"))
    return out


@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("path", _real_policies())
def test_real_policy_forms(path, built_site):
    policy = load_policy(path)  # (built_site fails first when a policy does not load)
    folder = built_site.docs_dir / "forms" / policy.id / policy.edition  # written by `jxjy build`
    made = output_forms(policy)
    assert sum(f.statement for f in made) == 1  # every edition has its personal statement
    for form in policy.forms:  # a form the source only names gets no empty sheet
        if not form.laid_out and not form.statement:
            assert not list(folder.glob(f"{form.id}*")), form.id
    for form in made:
        form_view = view.FormView(policy, form)
        blank = folder / f"{form.id}-blank.pdf"
        assert blank.stat().st_size <= MAX_PDF_BYTES
        text = _squash(_pdftotext(blank, "-raw"))
        for label in form_view.printed_labels():
            assert _squash(label) in text, (form.id, label)
        if form_view.fields():
            pdf = (folder / f"{form.id}-fillable.pdf").read_bytes()
            assert len(pdf) <= MAX_PDF_BYTES, (form.id, len(pdf))
            assert field_names(pdf) == [f["name"] for f in form_view.fields()]


# ---------------------------------------------------------------------------------------------
# the browser


def _fill(page, name: str, value: str) -> None:
    el = page.locator(f'[name="{name}"]')
    if el.evaluate("e => e.tagName") == "SELECT":
        el.select_option(value)
    else:
        el.fill(value)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_keeps_values_computes_and_prints(browser, built, tmp_path):
    out = built
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = (out / "registration.html").as_uri()
    page.goto(url)
    _fill(page, "h:teacher-name", "王小明")
    _fill(page, "s:school-based:1:hours", "3.5")
    _fill(page, "s:weike:1:hours", "7")
    _fill(page, "s:putonghua:1:level", "二乙")
    assert page.input_value('[name="s:school-based:1:credits"]') == "1.75"
    assert page.input_value('[name="s:weike:1:credits"]') == "2"
    assert page.input_value('[name="t:total-credits"]') == "13.75"
    page.reload()
    assert page.input_value('[name="h:teacher-name"]') == "王小明"
    assert page.input_value('[name="s:school-based:1:hours"]') == "3.5"
    assert page.input_value('[name="s:putonghua:1:level"]') == "二乙"
    assert page.input_value('[name="s:school-based:1:credits"]') == "1.75"
    # the print stylesheet: no toolbar, no input backgrounds
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.toolbar')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('input')).backgroundColor") == "rgba(0, 0, 0, 0)"
    pdf = page.pdf(prefer_css_page_size=True)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    page.emulate_media(media="screen")
    # clear
    page.once("dialog", lambda d: d.accept())
    page.click("#jxjy-clear")
    assert page.input_value('[name="h:teacher-name"]') == ""
    page.reload()
    assert page.input_value('[name="s:school-based:1:hours"]') == ""
    assert not errors
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_browser_landscape_form_prints_landscape(browser, built):
    out = built
    page = browser.new_page()
    page.goto((out / "review-report.html").as_uri())
    page.emulate_media(media="print")
    box = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_browser_prefill_from_the_calculator(browser, built, policy):
    out = built
    context = browser.new_context()
    page = context.new_page()
    page.goto((out / "registration.html").as_uri() + forms_prefill.prefill_fragment(LEDGER, policy))
    for name, value in EXPECTED_PREFILL.items():
        assert page.input_value(f'[name="{name}"]') == value, name
    assert "#prefill" not in page.url  # consumed, so a reload keeps edits instead of re-prefilling
    page.reload()
    assert page.input_value('[name="s:school-based:3:content"]') == "第三次"
    # the personal statement: every record of the period, one row each, and what the period credits
    result = evaluate(policy, LEDGER)
    page.goto((out / "statement.html").as_uri() + forms_prefill.prefill_fragment(LEDGER, policy, result=result))
    for name, value in EXPECTED_STATEMENT.items():
        assert page.input_value(f'[name="{name}"]') == value, name
    assert page.locator('table[data-section="entries"] tbody tr').count() == 12  # 6 records, blank rows to 12
    page.reload()  # kept like any form's values
    assert page.input_value('[name="s:entries:5:amount"]') == "二乙"
    # 附件3: the five (here two) years of the check's window, sums in the row
    page.goto((out / "review-report.html").as_uri() + forms_prefill.prefill_fragment(LEDGER, policy))
    for name, value in EXPECTED_REVIEW.items():
        assert page.input_value(f'[name="{name}"]') == value, name
    _fill(page, "s:teachers:2:normative-y1", "3")
    _fill(page, "s:teachers:2:flexible-y2", "1.5")
    assert page.input_value('[name="s:teachers:2:normative-subtotal"]') == "3"
    assert page.input_value('[name="s:teachers:2:total"]') == "4.5"
    context.close()
