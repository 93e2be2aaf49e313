"""Small fillable PDFs that accept Chinese: AcroForm fields on a WeasyPrint page, added with pypdf.

WeasyPrint's own ``pdf_forms`` embeds the whole CJK font of every field (15–21 MB a form). Here
the page is printed by WeasyPrint *without* fields (its fonts are subset: ~100 KB), and text
fields are added afterwards whose default appearance (/DA) uses a standard, **non-embedded** CJK
font: Adobe's ``STSong-Light`` (Adobe-GB1 character collection) with the predefined
``UniGB-UTF16-H`` CMap, so a field's value is stored and drawn as plain UTF-16BE.

* A viewer substitutes an installed Chinese font for STSong-Light. Checked here: poppler
  (pdftoppm/pdftotext, through fontconfig; needs ``poppler-data`` for the UniGB-UTF16-H CMap) and
  PDFium (Chrome's renderer, via pypdfium2). STSong-Light is one of Acrobat's standard CJK fonts
  (Asian font pack); Acrobat itself was not available to check.
* ``NeedAppearances`` is true, so a viewer regenerates a field's look after the user types.
* The font carries a small ``/ToUnicode`` CMap (identity on UTF-16 code units): text extraction
  is exact, and pypdf's own ``update_page_form_field_values`` can encode Chinese values (without
  it pypdf writes "?" for every CJK character). ``fill`` below draws appearances itself: faster,
  and it also handles characters outside the Basic Multilingual Plane.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

FONT_RESOURCE = "/STSong"  # the name fields use in /DA
FONT_NAME = "/STSong-Light"
FONT_ENCODING = "/UniGB-UTF16-H"
FULL_WIDTH = 1000
# STSong-Light's own advance widths of the proportional Latin glyphs, Adobe-GB1 CIDs 1–95, which is
# where UniGB-UTF16-H puts ASCII U+0020–U+007E (CID = code − 31). A viewer places each glyph by the
# font's /W, so these must be the font's real widths: with every ASCII glyph at 500 (half an em) the
# narrow '-' left a gap and a date printed as "2018- 05- 20". The same widths Acrobat's STSong-Light
# and iText's (STSong-Light.properties) use.
ASCII_WIDTHS = (
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334,  # space ! " # $ % & ' ( ) * + , - . /
    462, 462, 462, 462, 462, 462, 462, 462, 462, 462,  # 0–9
    238, 238, 605, 605, 605, 344, 748,  # : ; < = > ? @
    684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896,  # A–M
    758, 772, 544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607,  # N–Z
    374, 333, 374, 606, 500, 239,  # [ \ ] ^ _ `
    417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793,  # a–m
    527, 524, 524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407,  # n–z
    370, 258, 370, 605,  # { | } ~
)
assert len(ASCII_WIDTHS) == 95
MIN_FONT_SIZE = 5.0

FF_MULTILINE = 1 << 12
FF_COMBO = 1 << 17
FF_EDIT = 1 << 18
FF_READ_ONLY = 1


@dataclass(frozen=True)
class PdfField:
    """One AcroForm field: name, page index and rectangle in PDF points (x0, y0, x1, y1)."""

    name: str
    page: int
    rect: tuple[float, float, float, float]
    kind: str = "text"  # text | multiline | combo
    tooltip: str = ""
    options: tuple[str, ...] = ()
    font_size: float = 9.0
    align: int = 0  # 0 left, 1 centre, 2 right
    read_only: bool = False
    extra: dict = field(default_factory=dict, compare=False)


def _to_unicode_cmap() -> StreamObject:
    """Identity ToUnicode CMap for 2-byte UTF-16 code units (surrogates excluded)."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    highs = [h for h in range(256) if not 0xD8 <= h <= 0xDF]
    for i in range(0, len(highs), 100):  # at most 100 ranges per block
        chunk = highs[i:i + 100]
        lines.append(f"{len(chunk)} beginbfrange")
        lines.extend(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in chunk)
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    stream = StreamObject()
    stream.set_data("\n".join(lines).encode("ascii"))
    return stream.flate_encode()


def cjk_font(writer: PdfWriter):
    """Add the non-embedded STSong-Light Type0 font; return its indirect reference."""
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): NameObject(FONT_NAME),
        NameObject("/Flags"): NumberObject(6),  # symbolic + serif, as Acrobat writes it
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in (-25, -254, 1000, 880)]),
        NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/Ascent"): NumberObject(880),
        NameObject("/Descent"): NumberObject(-120),
        NameObject("/CapHeight"): NumberObject(880),
        NameObject("/StemV"): NumberObject(93),
    })
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType0"),
        NameObject("/BaseFont"): NameObject(FONT_NAME),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("GB1"),
            NameObject("/Supplement"): NumberObject(4),
        }),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/DW"): NumberObject(FULL_WIDTH),
        NameObject("/W"): ArrayObject([NumberObject(1), ArrayObject([NumberObject(w) for w in ASCII_WIDTHS])]),
    })
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject(FONT_NAME),
        NameObject("/Encoding"): NameObject(FONT_ENCODING),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
        NameObject("/ToUnicode"): writer._add_object(_to_unicode_cmap()),
    })
    return writer._add_object(font)


def _da(size: float) -> TextStringObject:
    return TextStringObject(f"{FONT_RESOURCE} {size:g} Tf 0 g")


def add_fields(pdf: bytes, fields: list[PdfField]) -> bytes:
    """Return `pdf` with an AcroForm holding `fields` (widgets merged into their fields)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    font_ref = cjk_font(writer)
    refs = ArrayObject()
    for f in fields:
        page = writer.pages[f.page]
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/T"): TextStringObject(f.name),
            NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in f.rect]),
            NameObject("/F"): NumberObject(4),  # print
            NameObject("/P"): page.indirect_reference,
            NameObject("/DA"): _da(f.font_size),
            NameObject("/Q"): NumberObject(f.align),
            NameObject("/MK"): DictionaryObject(),  # no border or background: the printed cell is the box
        })
        flags = FF_READ_ONLY if f.read_only else 0
        if f.tooltip:
            widget[NameObject("/TU")] = TextStringObject(f.tooltip)
        if f.kind == "combo":
            widget[NameObject("/FT")] = NameObject("/Ch")
            widget[NameObject("/Opt")] = ArrayObject([TextStringObject(o) for o in f.options])
            flags |= FF_COMBO | FF_EDIT
        else:
            widget[NameObject("/FT")] = NameObject("/Tx")
            if f.kind == "multiline":
                flags |= FF_MULTILINE
        if flags:
            widget[NameObject("/Ff")] = NumberObject(flags)
        ref = writer._add_object(widget)
        annots = page.get("/Annots")
        if annots is None:
            page[NameObject("/Annots")] = ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        refs.append(ref)
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): refs,
        NameObject("/NeedAppearances"): BooleanObject(True),
        NameObject("/DA"): _da(9),
        NameObject("/DR"): DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject(FONT_RESOURCE): font_ref}),
        }),
    }))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_width(text: str, size: float) -> float:
    """Advance width in points of `text` in the field font (ASCII by STSong-Light's widths, the rest full)."""
    return sum(ASCII_WIDTHS[ord(ch) - 32] if " " <= ch <= "~" else FULL_WIDTH for ch in text) * size / 1000


def wrap(text: str, size: float, width: float) -> list[str]:
    """The lines `text` takes in a box `width` points wide at `size` (at its line breaks, then where it no
    longer fits; Chinese has no spaces to break at)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


ASCENT, DESCENT = 0.88, 0.12  # of the em, as in the font descriptor
PADDING = 2.0


def appearance(font_ref, rect, text: str, size: float, align: int = 0, multiline: bool = False) -> StreamObject:
    """A field's normal appearance: `text` in the STSong-Light resource, UTF-16BE through UniGB-UTF16-H."""
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    lines = text.split("\n") if multiline else [text.replace("\n", " ")]
    leading = size * 1.15
    if multiline:
        y = height - PADDING - ASCENT * size
    else:
        y = (height - size) / 2 + DESCENT * size
    ops = ["/Tx BMC", "q", f"1 1 {width - 2:.2f} {height - 2:.2f} re W n", "BT", f"{FONT_RESOURCE} {size:g} Tf", "0 g"]
    for line in lines:
        w = text_width(line, size)
        x = PADDING if align == 0 else (width - w) / 2 if align == 1 else width - PADDING - w
        ops.append(f"1 0 0 1 {max(x, PADDING):.2f} {y:.2f} Tm <{line.encode('utf-16-be').hex().upper()}> Tj")
        y -= leading
    ops += ["ET", "Q", "EMC"]
    stream = StreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    stream.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(round(width, 2)),
                                          FloatObject(round(height, 2))]),
        NameObject("/Resources"): DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject(FONT_RESOURCE): font_ref}),
        }),
    })
    return stream


def fill(pdf: bytes, values: dict[str, str]) -> bytes:
    """Fill fields by name: set each /V and draw its appearance stream (Chinese as UTF-16BE).

    A value too wide for its box at the field's font size gets a smaller size (down to 5 pt), so
    what prints is what was typed. NeedAppearances stays true, so a viewer redraws a field the
    user edits. Unknown names raise KeyError: a typo must not pass silently. (pypdf's own
    update_page_form_field_values also works on these PDFs, but re-reads the font's /ToUnicode
    for every field: ~0.3 s a field.)
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    font_ref = writer._root_object["/AcroForm"]["/DR"]["/Font"].raw_get(FONT_RESOURCE)  # type: ignore[index]
    widgets = {}
    for page in writer.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            if obj.get("/Subtype") == "/Widget" and "/T" in obj:
                widgets[str(obj["/T"])] = obj
    unknown = sorted(set(values) - set(widgets))
    if unknown:
        raise KeyError(f"no such form field(s): {', '.join(unknown)}")
    for name, value in values.items():
        obj = widgets[name]
        rect = [float(v) for v in obj["/Rect"]]
        width, height = rect[2] - rect[0] - 2 * PADDING, rect[3] - rect[1]
        size = float(str(obj["/DA"]).split()[1])
        multiline = bool(int(obj.get("/Ff", 0)) & FF_MULTILINE)
        shown = value
        if not multiline:
            while size > MIN_FONT_SIZE and text_width(value, size) > width:
                size -= 0.5
            size = min(size, max(MIN_FONT_SIZE, height * 0.8))
            obj[NameObject("/DA")] = _da(size)
        else:  # wrapped to the box, smaller until the lines fit its height
            shown = "\n".join(wrap(value, size, width))
            while size > MIN_FONT_SIZE and len(shown.split("\n")) * size * 1.15 > height - 2 * PADDING:
                size -= 0.5
                shown = "\n".join(wrap(value, size, width))
            obj[NameObject("/DA")] = _da(size)
        obj[NameObject("/V")] = TextStringObject(value)
        ap = appearance(font_ref, rect, shown, size, int(obj.get("/Q", 0)), multiline)
        obj[NameObject("/AP")] = DictionaryObject({NameObject("/N"): writer._add_object(ap)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _used_codes(to_unicode: bytes) -> set[int]:
    text = to_unicode.decode("latin-1")
    used: set[int] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        used.update(int(m.group(1), 16) for m in re.finditer(r"<([0-9A-Fa-f]+)>\s*<", block))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for m in re.finditer(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            used.update(range(int(m.group(1), 16), int(m.group(2), 16) + 1))
    return used


def compact_fonts(pdf: bytes) -> bytes:
    """Shrink WeasyPrint's CJK font subsets from ~75–140 KB each to a few KB.

    WeasyPrint subsets with *retained glyph ids*, so an OpenType subset of Noto Sans CJK still
    carries metrics and empty outlines for every glyph up to the highest one used (up to 65 000).
    Noto CJK is CID-keyed with glyph id = CID, and a CIDFontType0 selects glyphs by CID through
    the CFF charset. So the same glyphs are re-subset *without* retained ids and embedded as a bare
    CID-keyed CFF (FontFile3 /CIDFontType0C): the CFF charset keeps every glyph's CID, so the page
    content, /W widths and /ToUnicode stay valid untouched. A font whose glyph ids are not its CIDs
    is left as it is.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    done: set[int] = set()
    for page in writer.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font or font.get("/Encoding") != "/Identity-H":
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            if descendant.get("/Subtype") != "/CIDFontType0":
                continue
            file_ref = descendant["/FontDescriptor"].get_object().get("/FontFile3")
            if file_ref is None or file_ref.idnum in done:
                continue
            stream = file_ref.get_object()
            if stream.get("/Subtype") != "/OpenType":
                continue
            done.add(file_ref.idnum)
            used = _used_codes(font["/ToUnicode"].get_object().get_data()) | {0}
            tt = TTFont(io.BytesIO(stream.get_data()))
            order = tt.getGlyphOrder()
            if "CFF " not in tt or not hasattr(tt["CFF "].cff[0], "ROS"):  # only CID-keyed CFF
                continue
            if any(g >= len(order) or (g and order[g] != f"cid{g:05d}") for g in used):
                continue
            options = subset.Options(retain_gids=False, desubroutinize=True, hinting=False, notdef_outline=True,
                                     name_IDs=[], layout_features=[], ignore_missing_glyphs=True)
            subsetter = subset.Subsetter(options)
            subsetter.populate(gids=sorted(used))
            subsetter.subset(tt)
            cff = tt["CFF "].compile(tt)
            stream.set_data(cff)
            stream[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
    writer.compress_identical_objects(remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def field_names(pdf: bytes) -> list[str]:
    """Names of the AcroForm fields, in document order."""
    reader = PdfReader(io.BytesIO(pdf))
    return list((reader.get_fields() or {}).keys())
