"""The 公文 finish of GB/T 9704-2012 on top of the page set-up: grid, page numbers, the blank line
under the title, 发文字号, 落款 and 成文日期.

- 版心 22 lines × 28 characters (§5.2.2): a w:docGrid of type linesAndChars. The line pitch is
  the 版心 height over 22; the character pitch is the 版心 width over 28, which Word stores as
  charSpace, the difference from the default font size in 1/4096 pt (28 三号 characters are
  wider than the 156 mm 版心, so without the grid a line holds 27).
- 页码 (§7.5): "— 1 —", 4号 半角 宋体 Arabic digits between two 一字线, the 一字线 7 mm below the
  版心; odd pages right with one character free, even pages left with one character free
  (w:evenAndOddHeaders and two footers).
- 标题 (§7.3.2) is followed by one blank line: space after the title, so no empty paragraph
  shifts the block indices that check, annotate and revise share.
- 发文字号 (§7.2.4): centred above the title, years in 〔〕, with the red 分隔线 under it (§7.2.6).
- 落款 without a seal (§7.3.5.2): the unit one blank line under the body, two characters free
  on the right; the date on the next line, its first character two to the right of the unit's;
  a date longer than that sits two characters from the right and pushes the unit left.
  成文日期 (§7.3.5.1) is written in Arabic digits, the year in full, no leading zeros:
  2026年12月1日.

The 发文字号, 落款 and 成文日期 paragraphs carry their own styles (FINISH_STYLES) and the reader
leaves them out, so a finished document reads back as exactly its blocks.
"""

from __future__ import annotations

from datetime import date

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Emu, Mm, Pt
from docx.text.paragraph import Paragraph

from ..types import Finish
from .fonts import BODY_FONT, set_fonts

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_POINTS = 16  # 三号
PAGE_NUMBER_FONT = "宋体"
PAGE_NUMBER_POINTS = 14  # 4号
DASH = "—"  # 一字线
FINISH_STYLES = {"number": "公文发文字号", "unit": "公文落款", "date": "公文成文日期"}
_RULE_BELOW_NUMBER_MM = 4
EMU_PER_TWIP = 635
GLYPH_SCALE_PERCENT = 98  # 红色分隔线 4 mm under the 发文字号


def finish_document(document: DocumentObject, finish: Finish | None) -> None:
    """Grid, page numbers, title spacing; 发文字号/落款/日期 when ``finish`` gives them."""
    lay_out_pages(document)
    add_finish(document, finish)


def lay_out_pages(document: DocumentObject) -> None:
    """Grid, page numbers and the title's spacing: the same for every document, so the writer
    does it once on its empty document (they touch only styles, settings and the section)."""
    _set_grid(document)
    _set_page_numbers(document)
    title = document.styles["Title"]
    title.paragraph_format.space_after = Pt(_line_pitch_twips(document) / 20)
    _off_grid(title.element.get_or_add_pPr())  # an 二号 character would take two grid cells


def add_finish(document: DocumentObject, finish: Finish | None) -> None:
    """发文字号, 落款 and 成文日期 when ``finish`` gives them (after the blocks are written)."""
    if finish is None:
        return
    if finish.doc_number:
        _add_doc_number(document, finish.doc_number)
    if finish.unit:
        _add_signature(document, finish.unit, finish.date)


def written_date(day: date) -> str:
    """成文日期 as GB/T 9704-2012 §7.3.5.1 writes it: 2026年12月1日 (no 01, the year in full)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _text_width(text: str) -> float:
    """Width in characters of the body font: ASCII (digits, Latin) is half a character."""
    return sum(0.5 if ord(char) < 128 else 1.0 for char in text)


def _version_box(document: DocumentObject) -> tuple[int, int]:
    """The 版心's width and height in twips."""
    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    return round(width / EMU_PER_TWIP), round(height / EMU_PER_TWIP)


def _line_pitch_twips(document: DocumentObject) -> int:
    return _version_box(document)[1] // LINES_PER_PAGE


def _set_grid(document: DocumentObject) -> None:
    width, _height = _version_box(document)
    char_pitch_points = width / 20 / CHARS_PER_LINE
    sect_pr = document.sections[0]._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    for name in list(grid.attrib):
        del grid.attrib[name]
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(_line_pitch_twips(document)))
    grid.set(qn("w:charSpace"), str(round((char_pitch_points - BODY_POINTS) * 4096)))
    # "2 字符" is two grid cells; where firstLineChars is not read (LibreOffice, which also
    # rounds the pitch down to 1/20 pt) the twips fallback must not exceed them, or the line
    # starts a third cell in
    two_cells = str(int(2 * char_pitch_points * 20) - 2)
    for indent in document.styles.element.iter(qn("w:ind")):
        if indent.get(qn("w:firstLineChars")) == "200":
            indent.set(qn("w:firstLine"), two_cells)
    # LibreOffice gives a glyph wider than the grid pitch two cells (14 characters a line);
    # at 98 % width a 三号 glyph fits one cell there too, and Word snaps it to the grid anyway
    default_rpr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    rpr = default_rpr.find(qn("w:rPr"))
    scale = rpr.find(qn("w:w"))
    if scale is None:
        scale = OxmlElement("w:w")
        rpr.insert_element_before(scale, "w:kern", "w:position", "w:sz", "w:szCs", "w:lang")
    scale.set(qn("w:val"), str(GLYPH_SCALE_PERCENT))


def _set_page_numbers(document: DocumentObject) -> None:
    """ "— n —" in the odd (default) footer on the right and the even footer on the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    # the 一字线 (mid-height of a 4号 line) 7 mm below the 版心's lower edge
    section.footer_distance = Emu(section.bottom_margin - Mm(7) - Pt(PAGE_NUMBER_POINTS) // 2)
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        _page_number_paragraph(paragraph, side)


def _page_number_paragraph(paragraph: Paragraph, side: str) -> None:
    layout = paragraph.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    layout.line_spacing = Pt(PAGE_NUMBER_POINTS)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.space_before = layout.space_after = Pt(0)
    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
    indent.set(qn("w:firstLineChars"), "0")
    indent.set(qn("w:firstLine"), "0")
    indent.set(qn(f"w:{side}Chars"), "100")  # 空一字
    indent.set(qn(f"w:{side}"), str(PAGE_NUMBER_POINTS * 20))
    _number_run(paragraph, text=f"{DASH} ")
    _number_run(paragraph, field="begin")
    _number_run(paragraph, instruction=" PAGE ")
    _number_run(paragraph, field="separate")
    _number_run(paragraph, text="1")
    _number_run(paragraph, field="end")
    _number_run(paragraph, text=f" {DASH}")


def _number_run(
    paragraph: Paragraph, *, text: str = "", field: str = "", instruction: str = ""
) -> None:
    run = paragraph.add_run()
    set_fonts(run._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_POINTS)
    if field:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), field)
        run._r.append(element)
    elif instruction:
        element = OxmlElement("w:instrText")
        element.set(qn("xml:space"), "preserve")
        element.text = instruction
        run._r.append(element)
    else:
        run.text = text


def _finish_paragraph(document: DocumentObject, role: str) -> Paragraph:
    """A paragraph in the finish style ``role`` (created on first use, based on Normal)."""
    name = FINISH_STYLES[role]
    found = document.styles.element.get_by_name(name)  # one xpath, not a Style per style
    if found is None:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.quick_style = False
        _off_grid(style.element.get_or_add_pPr())  # half-width digits keep their own width
        _no_auto_space(style.element.get_or_add_pPr())
        found = style.element
    paragraph = document.add_paragraph()
    paragraph._p.style = found.styleId  # what style=name sets (never the default style)
    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
    indent.set(qn("w:firstLineChars"), "0")
    indent.set(qn("w:firstLine"), "0")
    return paragraph


def _off_grid(ppr: CT_PPr) -> None:
    """Lay this paragraph out by its own font, not the character grid (w:snapToGrid off)."""
    snap = ppr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = OxmlElement("w:snapToGrid")
        ppr.insert_element_before(
            snap, "w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:outlineLvl"
        )
    snap.set(qn("w:val"), "0")


def _no_auto_space(ppr: CT_PPr) -> None:
    """No extra space between Chinese and digits (2026年12月1日 stays as wide as it is written)."""
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(name)
        element.set(qn("w:val"), "0")
        ppr.insert_element_before(
            element, "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc"
        )


def _add_doc_number(document: DocumentObject, number: str) -> None:
    """The 发文字号 centred above the title, the red 分隔线 under it, two blank lines to the
    title (§7.2.6, §7.3.1)."""
    paragraph = _finish_paragraph(document, "number")
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(2 * _line_pitch_twips(document) / 20)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (
        ("w:val", "single"),
        ("w:sz", "12"),  # eighths of a point: 1.5 pt
        ("w:space", str(round(Mm(_RULE_BELOW_NUMBER_MM).pt))),
        ("w:color", "FF0000"),
    ):
        bottom.set(qn(attribute), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"
    )
    set_fonts(paragraph.add_run(number)._r.get_or_add_rPr(), BODY_FONT, BODY_POINTS)
    body = document.element.body
    first = body.find(qn("w:p"))
    if first is not None and first is not paragraph._p:
        first.addprevious(paragraph._p)


def _add_signature(document: DocumentObject, unit: str, day: date | None) -> None:
    day_text = written_date(day or date.today())
    unit_right, date_right = signature_indents(unit, day_text)
    last = document.element.body.findall(qn("w:p"))
    if last:  # the 落款 never stands alone on the last page: the last paragraph comes along
        Paragraph(last[-1], document._body).paragraph_format.keep_with_next = True
    for role, text, right in (("unit", unit, unit_right), ("date", day_text, date_right)):
        paragraph = _finish_paragraph(document, role)
        layout = paragraph.paragraph_format
        layout.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if role == "unit":  # 正文下空一行
            layout.space_before = Pt(_line_pitch_twips(document) / 20)
            layout.keep_with_next = True
        indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
        indent.set(qn("w:rightChars"), str(round(right * 100)))
        indent.set(qn("w:right"), str(round(right * BODY_POINTS * 20)))
        set_fonts(paragraph.add_run(text)._r.get_or_add_rPr(), BODY_FONT, BODY_POINTS)


def signature_indents(unit: str, day_text: str) -> tuple[float, float]:
    """Right indents (in characters) of the 落款 and the 成文日期, per §7.3.5.2."""
    unit_width, date_width = _text_width(unit), _text_width(day_text)
    unit_right = 2.0
    date_right = unit_right + unit_width - 2 - date_width
    if date_right < 2:  # the date is the longer: it sits two from the right, the unit moves
        date_right = 2.0
        unit_right = date_right + date_width + 2 - unit_width
    return unit_right, date_right
