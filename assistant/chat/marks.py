"""How a draft is shown in the chat: text segments, numbers with their sources."""

from __future__ import annotations

from ..types import Draft, FigureSet


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
