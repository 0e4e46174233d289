"""Figure references into numbers: the only place a draft's numbers are written.

A writer (template or model) never types a figure; it writes ``{{id}}`` or ``{{id.field}}``
and this module writes the value, unit and rounding from the FigureSet, recording a Citation
for every span it wrote. The Word comment text on each number is built and parsed here too,
so the checker can read back what the drafter wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import get_args

from .figures import format_decimal, format_value
from .types import Citation, Figure, FigureField, FigureSet, ItemCitation, Placeholder

REFERENCE = re.compile(
    r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.(value|change|previous|target|completion))?\s*\}\}"
)
# A writer's mark that the words before it state a 科室 item: 〔item:大气科-3fa2〕 (ItemCitation).
ITEM_MARK = re.compile(r"〔item[:：]\s*([^〔〕\s]{1,40}?)\s*〕")
PLACEHOLDER = re.compile(r"〔待[补核](?:[:：][^〔〕\n]{0,60})?〕")
FIELD_LABELS: dict[str, str] = {
    "value": "数值",
    "change": "同比变化",
    "previous": "上年同期",
    "target": "目标",
    "completion": "完成率",
}
_COMMENT_HEAD = re.compile(r"^数据：.*（([A-Za-z_][A-Za-z0-9_]*)(?:\.([a-z]+))?）\s*$", re.M)


@dataclass
class Rendered:
    """A text with its references replaced; spans are offsets into ``text``."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # references to ids the file lacks
    absent: list[str] = field(default_factory=list)  # id.field the figure has no number for
    items: list[ItemCitation] = field(default_factory=list)  # stretches stating 科室 items


def reference_text(figure: Figure, figure_set: FigureSet, field_name: FigureField) -> str | None:
    """The text a reference renders to, or None when the figure has no such number."""
    if field_name == "value":
        return None if figure.missing else format_value(figure)
    if field_name == "previous":
        return f"{figure.previous_written}{figure.unit}" if figure.previous_written else None
    if field_name == "target":
        return f"{figure.target_written}{figure.unit}" if figure.target_written else None
    if field_name == "change":
        change = figure_set.change(figure.id)
        if change is None:
            return None
        if change.direction == "持平":
            return "持平"
        return f"{change.word}{format_decimal(change.magnitude, change.decimals)}{change.unit}"
    check = figure_set.target(figure.id)
    if check is None or check.completion is None:
        return None
    return f"{format_decimal(check.completion, check.decimals)}%"


# Words before a {{id.change}} that already say what it is compared with; without them the
# change is written 同比…, so "为{{pm25}}，{{pm25.change}}" does not lose 同比.
_COMPARED = re.compile(r"(?:同比|环比|上年|去年|上一年|较|相比|比上)[^，。；：,;:]{0,10}$")
_CLAUSE_TAIL = re.compile(r"[^，。；：,;:]*$")


def change_lead(before: str) -> str:
    """What a {{id.change}} needs in front of it after ``before`` (the text preceding the
    reference): 同比 on its own, nothing after 同比/较上年/与上年同期."""
    return "" if _COMPARED.search(_CLAUSE_TAIL.search(before).group()) else "同比"  # type: ignore[union-attr]


def expected_number(
    figure: Figure, figure_set: FigureSet, field_name: FigureField
) -> Decimal | None:
    """The number a citation of this field must show (a change as its magnitude)."""
    if field_name == "value":
        return figure.value
    if field_name == "previous":
        return figure.previous
    if field_name == "target":
        return figure.target
    if field_name == "change":
        change = figure_set.change(figure.id)
        return None if change is None else change.magnitude
    check = figure_set.target(figure.id)
    return None if check is None else check.completion


def missing_mark(figure: Figure, field_name: FigureField) -> str:
    label = "" if field_name == "value" else FIELD_LABELS[field_name]
    return f"〔待补：{figure.name}{label}〕"


def render(
    text: str, figure_set: FigureSet, block: int = 0, *, strict: bool = False, before: str = ""
) -> Rendered:
    """Replace every reference; a missing number becomes 〔待补：…〕, an unknown id 〔待核：…〕.

    ``strict`` (a model's text): a field the figure has no number for at all (ozone has no
    target) is the model's error, not a gap in the file — 〔待核：…〕 and listed in ``absent``;
    a missing value stays 〔待补〕. ``before`` is the text preceding ``text`` (a stream's
    earlier pieces), read to decide whether a change needs 同比."""
    out: list[str] = []
    result = Rendered(text="")
    length = 0
    last = 0
    for match in REFERENCE.finditer(text):
        out.append(text[last : match.start()])
        length += match.start() - last
        last = match.end()
        figure_id, field_name = match.group(1), match.group(2) or "value"
        figure = figure_set.get(figure_id)
        if figure is None:
            result.unknown.append(figure_id)
            piece = f"〔待核：未知数据{figure_id}〕"
        else:
            written = reference_text(figure, figure_set, field_name)
            if written is not None and field_name == "change":
                lead = change_lead(before + "".join(out))
                out.append(lead)  # outside the citation: the number is what it cites
                length += len(lead)
            if written is None and strict and field_name != "value":
                result.absent.append(f"{figure_id}.{field_name}")
                piece = f"〔待核：{figure.name}{FIELD_LABELS[field_name]}〕"
            elif written is None:
                piece = missing_mark(figure, field_name)
            else:
                piece = written
                result.citations.append(
                    Citation(
                        block=block,
                        start=length,
                        end=length + len(piece),
                        text=piece,
                        figure_id=figure_id,
                        field=field_name,
                        source=figure.provenance.describe(),
                    )
                )
        out.append(piece)
        length += len(piece)
    out.append(text[last:])
    result.text, result.citations, result.items = take_item_marks(
        "".join(out), result.citations, block
    )
    result.placeholders = find_placeholders(result.text, block)
    return result


_STOPS = "。；！？;!?\n"
_SPAN_LEAD = "、，,：: "


def take_item_marks(
    text: str, citations: list[Citation], block: int = 0
) -> tuple[str, list[Citation], list[ItemCitation]]:
    """The text without its 〔item:id〕 marks, the citations moved to match, and for each mark
    the stretch it closes: from the last sentence or clause stop (。；), or the mark before it,
    to the mark, leading 、，：and spaces left out."""
    marks = list(ITEM_MARK.finditer(text))
    if not marks:
        return text, citations, []
    out: list[str] = []
    spans: list[ItemCitation] = []
    last = boundary = 0
    for match in marks:
        out.append(text[last : match.start()])
        written = "".join(out)
        start = max(boundary, max(written.rfind(c) for c in _STOPS) + 1)
        while start < len(written) and written[start] in _SPAN_LEAD:
            start += 1
        if start < len(written):
            spans.append(ItemCitation(block, start, len(written), match.group(1)))
        boundary = len(written)
        last = match.end()
    out.append(text[last:])

    def shift(position: int) -> int:  # mark characters before ``position`` of the marked text
        return sum(m.end() - m.start() for m in marks if m.start() < position)

    moved = [
        replace(c, start=c.start - shift(c.start), end=c.end - shift(c.start)) for c in citations
    ]
    return "".join(out), moved, spans


MAX_REFERENCE_CHARS = 80  # a longer ``{{…`` tail is no reference: pass it on as it is


class StreamRenderer:
    """Render a writer's streamed pieces as they arrive, so nobody watching sees ``{{id}}``.

    ``feed(piece)`` returns the text that is ready, complete references rendered; a tail that
    may still become a reference (``{``, ``{{pm25_``, ``{{pm25_avg}``) is held back until the
    next piece completes it. ``flush()`` returns what is held at the end of the stream.
    """

    def __init__(self, figure_set: FigureSet, *, strict: bool = False) -> None:
        self.figure_set = figure_set
        self.strict = strict
        self._held = ""
        self._before = ""  # the tail of what was rendered, for change_words

    def feed(self, piece: str) -> str:
        text = self._held + piece
        cut = _open_reference(text)
        self._held = text[cut:]
        return self._render(text[:cut])

    def flush(self) -> str:
        text, self._held = self._held, ""
        return self._render(text)

    def _render(self, text: str) -> str:
        rendered = render(text, self.figure_set, strict=self.strict, before=self._before).text
        self._before = (self._before + rendered)[-24:]
        return rendered


def _open_reference(text: str) -> int:
    """Where a reference that is not closed yet starts in ``text`` (len(text) if none)."""
    start = text.rfind("{{")
    if start >= 0 and "}}" not in text[start:] and len(text) - start <= MAX_REFERENCE_CHARS:
        return start
    mark = text.rfind("〔")  # an item mark (or a placeholder) not closed yet
    if mark >= 0 and "〕" not in text[mark:] and len(text) - mark <= MAX_REFERENCE_CHARS:
        return mark
    if text.endswith("{"):
        return len(text) - 1
    return len(text)


def find_placeholders(text: str, block: int = 0) -> list[Placeholder]:
    return [
        Placeholder(block=block, start=m.start(), end=m.end(), text=m.group())
        for m in PLACEHOLDER.finditer(text)
    ]


def comment_text(citation: Citation, figure: Figure) -> str:
    """The Word comment on a cited number: what it is, as recorded, and where it came from."""
    suffix = "" if citation.field == "value" else f".{citation.field}"
    label = "" if citation.field == "value" else FIELD_LABELS[citation.field]
    written = figure.written if citation.field == "value" else figure.target_written
    in_words = not re.search(r"\d", citation.text) and written  # 无劣Ⅴ类断面: a zero in words
    return (
        f"数据：{figure.name}{label}（{figure.id}{suffix}）\n"
        f"数值：{citation.text}\n"
        + (f"即：{written}{figure.unit}（零值写作文字）\n" if in_words else "")
        + f"来源：{figure.provenance.describe()}"
    )


def source_words(citation: Citation, figure: Figure | None) -> list[str]:
    """A number's source for a reader, in plain words and without internal ids: the row of the
    figures file, who published it, the figure's name and what it was computed against
    (数据表 第2行 · 区环境监测站月报 · PM2.5平均浓度 · 上年同期 39.8). Without the figure, the
    source as recorded on the citation."""
    if figure is None:
        return [f"来源：{citation.source}" if citation.source else "来源未记录"]
    where = figure.provenance
    sheet = f"“{where.sheet}”" if where.sheet else ""
    words = [f"数据表{sheet} 第{where.row}行", where.source, figure.name]
    if citation.field in ("change", "previous") and figure.previous_written:
        words.append(f"上年同期 {figure.previous_written}")
    if citation.field in ("target", "completion") and figure.target_written:
        words.append(f"目标 {figure.target_written}")
    return [word for word in words if word]


def parse_comment(text: str) -> tuple[str, FigureField] | None:
    """The figure id and field a comment written by comment_text names, else None."""
    match = _COMMENT_HEAD.search(text)
    if match is None:
        return None
    field_name = match.group(2) or "value"
    if field_name not in get_args(FigureField):
        return None
    return match.group(1), field_name
