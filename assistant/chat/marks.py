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


def segments(draft: Draft, figure_set: FigureSet | None = None) -> list[dict[str, object]]:
    """Each block as text pieces marked num (with where it came from, in plain words) or
    placeholder, for display. ``figure_set`` is used only when it is the one the draft cites."""
    from ..render import find_placeholders, source_words

    if figure_set is not None and figure_set.sha256 != draft.figures_sha256:
        figure_set = None
    out = []
    for index, block in enumerate(draft.blocks):
        spans: list[tuple[int, int, str, list[str]]] = [
            (c.start, c.end, "num", source_words(c, figure_set and figure_set.get(c.figure_id)))
            for c in draft.citations
            if c.block == index
        ]
        spans += [(p.start, p.end, "placeholder", []) for p in find_placeholders(block.text, index)]
        spans.sort()
        pieces: list[dict[str, object]] = []
        cursor = 0
        for start, end, kind, where in spans:
            if start < cursor:
                continue
            if start > cursor:
                pieces.append({"text": block.text[cursor:start], "kind": "text"})
            piece: dict[str, object] = {"text": block.text[start:end], "kind": kind}
            if where:
                piece["where"] = where
            pieces.append(piece)
            cursor = end
        if cursor < len(block.text):
            pieces.append({"text": block.text[cursor:], "kind": "text"})
        out.append({"style": block.style, "segments": pieces})
    return out
