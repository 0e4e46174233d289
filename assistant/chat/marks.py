"""How a draft is shown: Word comments on cited numbers, and text segments for display."""

from __future__ import annotations

from dataclasses import replace

from ..types import Block, Draft, FigureSet


def with_marks(draft: Draft, figure_set: FigureSet | None) -> Draft:
    """The draft with a Word comment on every cited number and a highlight on every placeholder
    (what the .docx shows), rebuilt from its citations so a revised text gets them right."""
    from ..render import comment_text, find_placeholders
    from ..types import Mark

    blocks = []
    for index, block in enumerate(draft.blocks):
        marks = []
        for c in draft.citations:
            if c.block != index:
                continue
            figure = figure_set.get(c.figure_id) if figure_set is not None else None
            text = comment_text(c, figure) if figure is not None else f"来源：{c.source}"
            marks.append(Mark(c.start, c.end, comment=text))
        marks += [Mark(p.start, p.end, highlight=True) for p in find_placeholders(block.text)]
        blocks.append(Block(block.text, block.style, sorted(marks, key=lambda m: m.start)))
    return replace(draft, blocks=blocks)


def segments(draft: Draft) -> list[dict[str, object]]:
    """Each block as text pieces marked num (with its source) or placeholder, for display."""
    from ..render import find_placeholders

    out = []
    for index, block in enumerate(draft.blocks):
        spans = [
            (c.start, c.end, "num", _source_label(c.source, c.figure_id, c.field))
            for c in draft.citations
            if c.block == index
        ]
        spans += [(p.start, p.end, "placeholder", "") for p in find_placeholders(block.text, index)]
        spans.sort()
        pieces: list[dict[str, str]] = []
        cursor = 0
        for start, end, kind, source in spans:
            if start < cursor:
                continue
            if start > cursor:
                pieces.append({"text": block.text[cursor:start], "kind": "text"})
            piece = {"text": block.text[start:end], "kind": kind}
            if source:
                piece["source"] = source
            pieces.append(piece)
            cursor = end
        if cursor < len(block.text):
            pieces.append({"text": block.text[cursor:], "kind": "text"})
        out.append({"style": block.style, "segments": pieces})
    return out


def _source_label(source: str, figure_id: str, field_name: str) -> str:
    reference = figure_id if field_name == "value" else f"{figure_id}.{field_name}"
    return f"{source}（数据 {reference}）"
