"""The 公文 finish (GB/T 9704-2012): grid, page numbers, the line under the title, 发文字号, 落款
and 成文日期 — in the .docx XML, and as LibreOffice lays the page out (rendered to PDF, read back
with pdftotext -bbox). `make test` installs LibreOffice and poppler (scripts/system-deps.sh)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Emu, Pt

from assistant.errors import InputError
from assistant.signoff import default_finish, parse_date
from assistant.types import Block, Draft, Finish
from assistant.word import read_blocks, write_document
from assistant.word.finish import signature_indents, written_date

UNIT = "示例区生态环境局"
DAY = date(2026, 12, 1)
# 54 characters: with the two-character indent exactly two lines of 28 (three lines at 27)
BODY = (
    "我区坚持以改善生态环境质量为核心统筹推进大气和水土壤"  # 26 after the indent
    "污染防治各项工作有序推进取得明显成效全区上下共同努力各方"  # 28
)
assert len(BODY) == 54
BLOCKS = [
    Block(f"{UNIT}2026年工作总结", "title"),
    Block("一、主要工作成效", "h1"),
    *[Block(BODY) for _ in range(40)],
]
PT_PER_MM = 72 / 25.4
PAGE_HEIGHT = 297 * PT_PER_MM
PAGE_WIDTH = 210 * PT_PER_MM
TOP, BOTTOM = 37 * PT_PER_MM, PAGE_HEIGHT - 35 * PT_PER_MM  # the 版心, from the page's top
LEFT, RIGHT = 28 * PT_PER_MM, PAGE_WIDTH - 26 * PT_PER_MM
CHAR = 16  # 三号 in points


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("finish") / "finished.docx"
    write_document(path, BLOCKS, author="起草助手", finish=Finish(UNIT, DAY, "示环〔2026〕12号"))
    return path


def test_grid_is_22_lines_of_28_characters(finished: Path) -> None:
    document = docx.Document(str(finished))
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    height_pt = Emu(section.page_height - section.top_margin - section.bottom_margin).pt
    width_pt = Emu(section.page_width - section.left_margin - section.right_margin).pt
    line_pitch = int(grid.get(qn("w:linePitch"))) / 20
    assert 22 * line_pitch <= height_pt < 23 * line_pitch
    char_pitch = CHAR + int(grid.get(qn("w:charSpace"))) / 4096
    assert 28 * char_pitch <= width_pt + 0.05 < 29 * char_pitch


def test_page_numbers_in_odd_and_even_footers(finished: Path) -> None:
    document = docx.Document(str(finished))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment.name == side.upper()
        assert paragraph._p.pPr.find(qn("w:ind")).get(qn(f"w:{side}Chars")) == "100"
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert "".join(t.text or "" for t in paragraph._p.iter(qn("w:t"))) == "— 1 —"
        for run in paragraph.runs:
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
            assert run.font.size == Pt(14)
        assert "fldChar" in xml


def test_finish_paragraphs_are_not_blocks(finished: Path) -> None:
    assert [(b.text, b.style) for b in read_blocks(finished)] == [(b.text, b.style) for b in BLOCKS]
    document = docx.Document(str(finished))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    assert texts[0] == ("公文发文字号", "示环〔2026〕12号")
    assert texts[-2:] == [("公文落款", UNIT), ("公文成文日期", "2026年12月1日")]


def test_no_finish_no_signature(tmp_path: Path) -> None:
    path = tmp_path / "plain.docx"
    write_document(path, BLOCKS[:3], author="甲")
    names = [p.style.name for p in docx.Document(str(path)).paragraphs]
    assert not [name for name in names if name.startswith("公文")]


@pytest.mark.parametrize(
    ("day", "written"),
    [(date(2026, 12, 1), "2026年12月1日"), (date(2025, 7, 10), "2025年7月10日")],
)
def test_date_written_as_the_standard_says(day: date, written: str) -> None:
    assert written_date(day) == written


def test_signature_indents_follow_the_standard() -> None:
    # unit 8 characters, date 6.5 (half-width digits): two right of the unit's start the date
    # would end 1.5 from the right, so it sits 2 from the right and the unit moves left
    unit_right, date_right = signature_indents(UNIT, "2026年12月1日")
    assert (unit_right, date_right) == (2.5, 2.0)
    assert unit_right + 8 - (date_right + 6.5) == 2
    # a long unit: it sits two from the right, the date starts two characters to its right
    long_unit = "示例市示例区生态环境保护综合行政执法局"
    unit_right, date_right = signature_indents(long_unit, "2026年1月1日")
    assert unit_right == 2
    assert (unit_right + len(long_unit)) - (date_right + 6) == 2


@pytest.mark.parametrize(
    ("text", "day"),
    [("2026-12-01", DAY), ("2026/12/1", DAY), ("2026年12月1日", DAY), (" 2026.12.1 ", DAY)],
)
def test_parse_date(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2026-13-01", "明天", "2026年12月"])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(InputError, match="成文日期"):
        parse_date(text)


def test_a_section_draft_has_no_signature() -> None:
    draft = Draft("大气污染防治", UNIT, "2026年", "section", [])
    assert default_finish(draft).unit == ""
    whole = Draft("工作总结", UNIT, "2026年", "annual", [])
    assert default_finish(whole, DAY, "示环〔2026〕1号") == Finish(UNIT, DAY, "示环〔2026〕1号")


# --- as LibreOffice lays it out ---------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} missing: run scripts/system-deps.sh (LibreOffice, poppler-utils)")
    return found


@pytest.fixture(scope="module")
def pdf(finished: Path) -> Path:
    subprocess.run(
        [
            _tool("soffice"),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(finished.parent),
            str(finished),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return finished.with_suffix(".pdf")


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)')


@pytest.fixture(scope="module")
def pages(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """Each page's words as (x start, y top, x end, text), from pdftotext -bbox."""
    out = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(float(a), float(b), float(c), text) for a, b, c, text in _WORD.findall(page)]
        for page in out.split("<page ")[1:]
    ]


def _lines(words: list[tuple[float, float, float, str]]) -> dict[float, str]:
    """Text lines inside the 版心, keyed by their top."""
    lines: dict[float, str] = {}
    for _x, top, _end, text in sorted(words):
        if TOP - 5 <= top <= BOTTOM:
            lines[round(top)] = lines.get(round(top), "") + text
    return dict(sorted(lines.items()))


def test_page_count(pages: list) -> None:
    # 40 paragraphs of two lines: 7 on page 1 (under the 发文字号, title and heading), 11 on each
    # of pages 2-4; page 4 would end the body and leave the 落款 alone on page 5, so the last
    # paragraph goes over with it
    assert len(pages) == 5
    assert len(_lines(pages[3])) == 20
    assert list(_lines(pages[4]).values())[:2] == [BODY[:26], BODY[26:]]


def test_every_page_numbered_odd_right_even_left(pages: list) -> None:
    for number, words in enumerate(pages, start=1):
        footer = sorted((x, end, text) for x, top, end, text in words if top > BOTTOM)
        assert "".join(text for _x, _end, text in footer) == f"—{number}—"
        if number % 2:  # one 4号 character free on the right
            assert RIGHT - footer[-1][1] == pytest.approx(14, abs=3)
        else:
            assert footer[0][0] - LEFT == pytest.approx(14, abs=3)
        # the 一字线 about 7 mm under the 版心
        assert min(top for _x, top, _e, _t in words if top > BOTTOM) - BOTTOM < 9 * PT_PER_MM


def test_a_full_page_holds_22_lines_of_28_characters(pages: list) -> None:
    lines = list(_lines(pages[1]).values())
    assert len(lines) == 22
    assert all(line.startswith(BODY[:26]) or len(line) == 28 for line in lines), lines
    assert lines.count(BODY[:26]) == 11  # each paragraph: 26 after the indent, then 28
    assert lines.count(BODY[26:]) == 11


def test_blank_line_between_title_and_body(pages: list) -> None:
    lines = _lines(pages[0])
    tops = list(lines)
    title = next(top for top, text in lines.items() if text.startswith(UNIT))
    heading = next(top for top, text in lines.items() if text.startswith("一、"))
    pitch = tops[-1] - tops[-2]
    assert 1.5 * pitch < heading - title < 2.5 * pitch  # one blank line between
    number = next(top for top, text in lines.items() if text.startswith("示环"))
    assert 2.5 * pitch < title - number < 3.5 * pitch  # two blank lines between


def test_signature_and_date_at_the_end_right_aligned(pages: list) -> None:
    words = pages[-1]
    unit = next(w for w in words if w[3] == UNIT)
    date_words = sorted(w for w in words if w[1] > unit[1] + 5 and w[1] < BOTTOM)
    assert "".join(w[3] for w in date_words) == "2026年12月1日"
    date_start, date_end = date_words[0][0], date_words[-1][2]
    assert RIGHT - date_end == pytest.approx(2 * CHAR, abs=4)  # 右空二字
    assert date_start > unit[0]  # the date starts to the right of the unit
    body_bottom = max(w[1] for w in words if w[3].startswith(BODY[26:]))
    assert unit[1] - body_bottom > 1.5 * 28  # 正文下空一行
