"""Figures said as an office writes them, where no past sentence carries them: one clause a
figure (name, value, 同比), a total and its parts in one clause with the subject named once, at
most MAX_NUMBERS numbers a sentence, and the 〔待补：本期…〕 slot of a section with nothing to say.
The writers (assistant.writers, assistant.model_writer) share these rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from . import domain
from .domain import patterns
from .render import REFERENCE
from .types import Figure, FigureSet


def ref(figure_id: str, field_name: str = "value") -> str:
    return f"{{{{{figure_id}}}}}" if field_name == "value" else f"{{{{{figure_id}.{field_name}}}}}"


def named(figure: Figure, figure_set: FigureSet) -> str:
    """The figure's name led by its own period where that is not the report's: 2023年度生态质量
    指数 in a 2025年上半年 draft, 年度计划投资, 一季度… (a name already saying it is left)."""
    own, report = figure.period, figure_set.period
    if own is None or report is None or own == report:
        return figure.name
    said = own.said_in(report)
    if own.since is not None and "累计" in figure.name:
        said = said.removesuffix("累计")  # 自2023年以来 + 累计建成…
    if said in figure.name or (said == "年度" and "全年" in figure.name):
        return figure.name
    return said + figure.name


def figure_clause(figure: Figure, figure_set: FigureSet) -> str:
    """One clause about one figure from our patterns: name, value and 同比 when there is one."""
    table = patterns()
    name = named(figure, figure_set)
    if figure.missing or figure_set.change(figure.id) is None:
        return table["figure"].format(name=name, value=ref(figure.id))
    return table["figure_change"].format(
        name=name, value=ref(figure.id), change=ref(figure.id, "change")
    )


MAX_NUMBERS = 4  # numbers in one sentence: more reads as a table


def _stem(first: str, other: str) -> str:
    """The longest run of three or more characters two figure names share (环境信用 of
    企业环境信用评价 and 环境信用绿色企业), or ""."""
    best = ""
    for i in range(len(first)):
        for j in range(i + len(best) + 1, len(first) + 1):
            if first[i:j] in other:
                best = first[i:j]
            else:
                break
    return best if len(best) >= 3 else ""


def _related(figures: Sequence[Figure]) -> list[list[tuple[Figure, str]]]:
    """Consecutive figures that belong together — a total and its parts (其中…, or names sharing
    a stem) — each with the name it is said by after the first (绿色企业, 报告书)."""
    groups: list[list[tuple[Figure, str]]] = []
    for figure in figures:
        if groups:
            head = groups[-1][0][0]
            part = figure.name.removeprefix("其中")
            stem = _stem(head.name, part)
            short = part.removeprefix(stem) if stem and part.startswith(stem) else ""
            if figure.name.startswith("其中") or len(short) >= 2:
                groups[-1].append((figure, short or part))
                continue
        groups.append([(figure, figure.name)])
    return groups


def slot(heading: str) -> str:
    """The 〔待补：本期…〕 slot of a section with nothing to say yet (shape.yaml's wording)."""
    words = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*", "", heading).split("，")[0]
    return domain.data("shape.yaml")["slot"].format(section=words)


def capped(sentence: str) -> list[str]:
    """A re-filled sentence carrying more than MAX_NUMBERS figures, cut into sentences at its
    semicolons (each segment names its own metric)."""
    if len(REFERENCE.findall(sentence)) <= MAX_NUMBERS:
        return [sentence]
    out: list[list[str]] = [[]]
    count = 0
    for segment in re.split(r"(?<=；)", sentence.rstrip("。")):
        numbers = len(REFERENCE.findall(segment))
        if count + numbers > MAX_NUMBERS and out[-1]:
            out.append([])
            count = 0
        out[-1].append(segment)
        count += numbers
    return ["".join(parts).rstrip("；") + "。" for parts in out if parts]


def figure_sentences(figures: Sequence[Figure], figure_set: FigureSet) -> list[str]:
    """Figures no past sentence carried, said as an office says them: a total and its parts in
    one clause with the subject named once (企业环境信用评价100家，其中绿色企业30家、蓝色企业50家),
    at most MAX_NUMBERS numbers a sentence."""
    sentences: list[list[str]] = [[]]
    count = 0
    for group in _related(figures):
        pieces: list[str] = []
        size = sum(1 + (figure_set.change(f.id) is not None) for f, _ in group)
        if count + size > MAX_NUMBERS and size <= MAX_NUMBERS and sentences[-1]:
            sentences.append([])  # a group that fits a sentence of its own is not split
            count = 0
        for index, (figure, said) in enumerate(group):
            numbers = 1 + (not figure.missing and figure_set.change(figure.id) is not None)
            if count + numbers > MAX_NUMBERS and (pieces or sentences[-1]):
                if pieces:
                    sentences[-1].append("".join(pieces))
                sentences.append([])
                pieces, count = [], 0
                if index and figure.unit == group[0][0].unit:
                    said = "其中" + said  # the parts of a total go on in a sentence of their own
                else:
                    said = figure.name.removeprefix("其中")
            clause = figure_clause(replace(figure, name=said), figure_set)
            if pieces:  # parts of a total (same unit) follow 其中; other figures of it a comma
                part = figure.unit == group[0][0].unit
                first = index == 1 and not pieces[0].startswith("其中")
                clause = ("，其中" if part and first else "、" if part else "，") + clause
            pieces.append(clause)
            count += numbers
        sentences[-1].append("".join(pieces))
    return ["；".join(parts) + "。" for parts in sentences if parts]
