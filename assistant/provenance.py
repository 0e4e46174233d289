"""A draft's provenance: the sidecar (``assistant-draft/1``) and the marks its .docx carries.

The sidecar is one pydantic model, written and read here only — drafting saves it, loading a
chat version, the checker and the diff read it. A Draft holds each fact once (its citations and
placeholders); the Word comments on cited numbers and the highlights on 〔待补〕/〔待核〕 are
computed from the draft and the figures file when a .docx is written, never stored beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import InputError
from .render import comment_text, find_placeholders
from .types import (
    Block,
    BlockStyle,
    Citation,
    Draft,
    FigureField,
    FigureSet,
    Item,
    ItemCitation,
    Mark,
    Placeholder,
)

SIDECAR_FORMAT = "assistant-draft/1"
_REMAKE = "删除或重新生成该 .json"


class _Record(BaseModel):
    # a sidecar edited by hand or written by a later version may carry keys we do not use
    model_config = ConfigDict(extra="ignore", frozen=True)


class SidecarFigures(_Record):
    file: str = ""
    sha256: str = ""


class SidecarParagraph(_Record):
    index: int
    style: BlockStyle = "body"
    text: str
    exemplars: list[str] = []


class SidecarNumber(_Record):
    """A cited number: paragraph and span, as rendered, and the figure it came from."""

    paragraph: int
    start: int
    end: int
    text: str = ""
    figure_id: str
    field: FigureField = "value"
    source: str = ""

    @field_validator("field", mode="before")
    @classmethod
    def _field_null_is_value(cls, value: object) -> object:
        return "value" if value is None else value

    @field_validator("source", mode="before")
    @classmethod
    def _source_null_is_empty(cls, value: object) -> object:
        return "" if value is None else value


class SidecarItem(_Record):
    """A 科室 item offered to the draft: where it was written, its words, and whether a
    stretch of the draft states it (held items — out of period, in conflict — never are)."""

    id: str
    office: str = ""
    text: str = ""
    file: str = ""
    row: int | None = None
    line: int | None = None
    part: Literal["总结", "计划", "问题"] = "总结"
    topic: str = ""
    used: bool = False


class SidecarMaterial(_Record):
    """Where the 科室 material a draft drew on was, and its fingerprint (check reads it from
    there by default); empty for none, or for a figures workbook's 事项 sheet."""

    path: str = ""
    sha256: str = ""


class SidecarItemCitation(_Record):
    """A stretch of a paragraph that states an item."""

    paragraph: int
    start: int
    end: int
    item_id: str
    source: str = ""


class SidecarPlaceholder(_Record):
    paragraph: int
    start: int
    end: int
    text: str


class Sidecar(_Record):
    """The provenance record saved as ``<stem>.json`` next to a draft's .docx and .md."""

    format: Literal["assistant-draft/1"]
    title: str = ""
    unit: str = ""
    period: str = ""
    kind: str = ""
    writer: str = ""
    model: str | None = None
    created: str = ""
    prompts: dict[str, int] = {}
    figures: SidecarFigures = SidecarFigures()
    paragraphs: list[SidecarParagraph] = []
    numbers: list[SidecarNumber] = []
    placeholders: list[SidecarPlaceholder] = []
    items: list[SidecarItem] = []
    material: SidecarMaterial = SidecarMaterial()
    item_citations: list[SidecarItemCitation] = []
    own_names: list[str] = []  # Draft.own_names

    @classmethod
    def of(cls, draft: Draft) -> Sidecar:
        return cls(
            format=SIDECAR_FORMAT,
            title=draft.title,
            unit=draft.unit,
            period=draft.period,
            kind=draft.kind,
            writer=draft.writer,
            model=draft.model,
            created=draft.created,
            prompts=draft.prompts,
            figures=SidecarFigures(file=draft.figures_file, sha256=draft.figures_sha256),
            own_names=list(draft.own_names),
            material=SidecarMaterial(path=draft.items_path, sha256=draft.items_sha256),
            paragraphs=[
                SidecarParagraph(
                    index=index,
                    style=block.style,
                    text=block.text,
                    exemplars=draft.exemplars.get(index, []),
                )
                for index, block in enumerate(draft.blocks)
            ],
            numbers=[
                SidecarNumber(
                    paragraph=c.block,
                    start=c.start,
                    end=c.end,
                    text=c.text,
                    figure_id=c.figure_id,
                    field=c.field,
                    source=c.source,
                )
                for c in draft.citations
            ],
            placeholders=[
                SidecarPlaceholder(paragraph=p.block, start=p.start, end=p.end, text=p.text)
                for p in draft.placeholders
            ],
            items=[
                SidecarItem(
                    id=i.id,
                    office=i.office,
                    text=i.text,
                    file=i.file,
                    row=i.row,
                    line=i.line,
                    part=i.part,
                    topic=i.topic,
                    used=i.id not in draft.items_unused,
                )
                for i in draft.items
            ],
            item_citations=[
                SidecarItemCitation(
                    paragraph=c.block, start=c.start, end=c.end, item_id=c.item_id, source=c.source
                )
                for c in draft.item_citations
            ],
        )

    @property
    def texts(self) -> dict[int, str]:
        """Each recorded paragraph's text by its index."""
        return {p.index: p.text for p in self.paragraphs}

    @property
    def citations(self) -> list[Citation]:
        return [
            Citation(n.paragraph, n.start, n.end, n.text, n.figure_id, n.field, n.source)
            for n in self.numbers
        ]

    def draft(self) -> Draft:
        """The Draft this sidecar records (its blocks without marks: see ``marked_blocks``)."""
        paragraphs = sorted(self.paragraphs, key=lambda p: p.index)
        return Draft(
            title=self.title,
            unit=self.unit,
            period=self.period,
            kind=self.kind,
            blocks=[Block(p.text, p.style) for p in paragraphs],
            citations=self.citations,
            placeholders=[
                Placeholder(p.paragraph, p.start, p.end, p.text) for p in self.placeholders
            ],
            exemplars={p.index: list(p.exemplars) for p in paragraphs if p.exemplars},
            prompts=dict(self.prompts),
            writer=self.writer,
            model=self.model,
            figures_file=self.figures.file,
            figures_sha256=self.figures.sha256,
            created=self.created,
            items=[
                Item(
                    id=i.id,
                    office=i.office,
                    text=i.text,
                    topic=i.topic,
                    part=i.part,
                    period=None,
                    file=i.file,
                    row=i.row,
                    line=i.line,
                )
                for i in self.items
            ],
            item_citations=[
                ItemCitation(c.paragraph, c.start, c.end, c.item_id, c.source)
                for c in self.item_citations
            ],
            items_unused=[i.id for i in self.items if not i.used],
            items_path=self.material.path,
            items_sha256=self.material.sha256,
            own_names=tuple(self.own_names),
        )

    def text(self) -> str:
        """The file's content: indented JSON, Chinese as written."""
        data = self.model_dump(mode="json")
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_sidecar(path: Path) -> Sidecar:
    """The sidecar at ``path``; a file that is not one of ours is an InputError."""
    found = _read(Path(path), required=True)
    assert found is not None  # _read raises instead when required
    return found


def sidecar_beside(path: Path) -> Sidecar | None:
    """The sidecar at ``path`` if it is one of ours; None for a stray .json beside a document
    (one of ours that cannot be read is still an InputError)."""
    return _read(Path(path), required=False)


def _read(path: Path, *, required: bool) -> Sidecar | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise InputError("溯源文件不存在", path=str(path), hint="检查 --sidecar 路径") from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"溯源文件无法读取（{exc}）", path=str(path), hint=_REMAKE) from exc
    if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
        if not required:
            return None
        raise InputError(
            f"不是起草助手的溯源文件（format 应为 {SIDECAR_FORMAT}）",
            path=str(path),
            hint="用 assistant draft 生成的 .json",
        )
    try:
        return Sidecar.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"溯源文件格式不对（{where}：{first['msg']}）", path=str(path), hint=_REMAKE
        ) from exc


def load_sidecar(path: Path) -> Draft:
    """A Draft back from its ``.json`` sidecar."""
    return read_sidecar(path).draft()


# --- marks: computed from (draft, figures) when a .docx is written ---------------------------


def number_marks(citations: Iterable[Citation], figure_set: FigureSet | None) -> list[Mark]:
    """A Word comment on each cited number: what it is and where it came from (only the
    recorded source when the figure is not in ``figure_set``)."""
    marks = []
    for citation in citations:
        figure = figure_set.get(citation.figure_id) if figure_set is not None else None
        text = comment_text(citation, figure) if figure else f"来源：{citation.source}"
        marks.append(Mark(citation.start, citation.end, comment=text))
    return marks


def placeholder_marks(text: str) -> list[Mark]:
    """A highlight on each 〔待补〕/〔待核〕 mark of a block's text."""
    return [Mark(p.start, p.end, highlight=True) for p in find_placeholders(text)]


ITEM_COMMENT = "事项："  # how an item's Word comment starts (the checker's number comments: 数据：)


def item_marks(citations: Iterable[ItemCitation], draft: Draft) -> list[Mark]:
    """A Word comment on each stretch that states a 科室 item: the 科室, file and row, and the
    item as the 科室 wrote it."""
    texts = {item.id: item.text for item in draft.items}
    return [
        Mark(
            c.start, c.end, comment=f"{ITEM_COMMENT}{c.source}\n{texts.get(c.item_id, '')}".strip()
        )
        for c in citations
    ]


def marked_blocks(draft: Draft, figure_set: FigureSet | None) -> list[Block]:
    """The draft's blocks as its .docx shows them: a comment on every cited number and on every
    stretch that states a 科室 item, and a highlight on every placeholder."""
    blocks = []
    for index, block in enumerate(draft.blocks):
        cited = [c for c in draft.citations if c.block == index]
        stated = [c for c in draft.item_citations if c.block == index]
        marks = number_marks(cited, figure_set) + item_marks(stated, draft)
        marks += placeholder_marks(block.text)
        blocks.append(Block(block.text, block.style, sorted(marks, key=lambda m: m.start)))
    return blocks
