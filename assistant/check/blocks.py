"""Checking a draft's blocks: placeholders, numbers by citation or context, table rows,
water classes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from .. import domain
from ..metrics import find_metric
from ..numbers import extract_numbers, span_bounds
from ..periods import Period, another_periods, last_spoken
from ..prose import prose_name, zero_count, zero_words
from ..render import PLACEHOLDER, REFERENCE
from ..types import (
    FINDING_LABELS,
    CheckReport,
    Citation,
    Figure,
    FigureField,
    FigureSet,
    Finding,
    Quantity,
)
from .claims import _apply_claims
from .index import _Index
from .judge import _FIELD_WORDS, CANDIDATE_THRESHOLD, MatchedBy, _Checker
from .quantities import _Member, _members, _normalise_quantities, _raw, _same_measure, _value_unit
from .spots import _field_for, _spoken_period, _Spot, _spot
from .tables import _HEADING, _PLAN_HEADING, _Column, _header, _Row
from .text import _CLAUSE_STOPS, _YEAR_MENTION, _context, counts_named


def check_blocks(
    texts: Sequence[str],
    figure_set: FigureSet,
    citations: Sequence[Citation] = (),
    *,
    plan: bool = False,
) -> CheckReport:
    """Check every number and placeholder of a draft's blocks (block index = position in texts).

    ``citations`` (from the drafter) tie spans to figures exactly; the rest match by context.
    ``plan``: the blocks are a plan section without its heading, so "达到75%的目标" is an
    intention, not a claim that the target was met.
    """
    return _check(texts, figure_set, [(c, "provenance") for c in citations], plan=plan)


def _check(
    texts: Sequence[str],
    figure_set: FigureSet,
    cited: Sequence[tuple[Citation, MatchedBy]],
    rows: Sequence[bool] | None = None,
    *,
    plan: bool = False,
) -> CheckReport:
    """``rows``: which blocks are table rows (from the file); else a block with a tab is one."""
    checker = _Checker(figure_set, _Index.of(figure_set))
    by_block: dict[int, list[tuple[Citation, MatchedBy]]] = {}
    for citation, how in cited:
        by_block.setdefault(citation.block, []).append((citation, how))
    findings: list[Finding] = []
    plans: list[bool] = [False, False, False]  # does the heading at each level name a plan?
    columns: list[_Column] | None = None  # the header of the table being read
    for block, text in enumerate(texts):
        heading = _HEADING.match(text)
        if heading and len(text) <= 40 and "。" not in text:
            level = next(i for i, g in enumerate(heading.groups()) if g)
            plans[level:] = [bool(_PLAN_HEADING.search(text))] * (3 - level)
        plan_section = plan or any(plans)
        is_row = rows[block] if rows is not None else "\t" in text
        header = _header(text.split("\t"), checker.index) if is_row else None
        if not is_row:
            columns = None
        elif header is not None:
            columns = header
        elif columns is not None and len(columns) != text.count("\t") + 1:
            columns = None  # another table, or merged cells: no header to go by
        findings.extend(
            _check_block(
                checker,
                block,
                text,
                by_block.get(block, []),
                plan_section,
                columns if is_row and header is None else None,
            )
        )
    stated = {f.figure_id for f in findings} | said_zero(figure_set, "\n".join(texts))
    left = [f for f in figure_set if not f.missing and f.id not in stated]
    return CheckReport(
        findings=findings,
        summary=summarise(findings),
        unstated=tuple(f.id for f in left),
        unstated_names=tuple(f.name for f in left),
    )


def said_zero(figure_set: FigureSet, text: str) -> set[str]:
    """The zero counts a text states in words (未发生森林火灾, 无劣Ⅴ类断面: assistant.prose)."""
    return {f.id for f in figure_set if zero_count(f) and zero_words(prose_name(f.name)) in text}


def _check_block(
    checker: _Checker,
    block: int,
    text: str,
    cited: list[tuple[Citation, MatchedBy]],
    plan_section: bool = False,
    columns: Sequence[_Column] | None = None,
) -> list[Finding]:
    holes = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
    holes += [(m.start(), m.end()) for m in REFERENCE.finditer(text)]
    extracted = [q for q in extract_numbers(text) if not any(s <= q.start < e for s, e in holes)]
    findings = _placeholder_findings(block, text, holes, extracted)
    row = _Row.read(text, columns) if columns else None
    ranks = any(f.written.startswith("第") for f in checker.index.figures)
    quantities = [
        q for q in extracted if q.form not in ("masked", "category") and (q.form != "rank" or ranks)
    ]  # a rank (排名全市第二) is a figure only where the file holds a rank
    if row is not None:
        quantities = row.quantities(quantities)
    quantities = _normalise_quantities(text, quantities, tabled=row is not None)
    findings.extend(_number_findings(checker, block, text, quantities, cited, row, plan_section))
    if row is None:
        findings.extend(_class_findings(checker, block, text, extracted))
    findings.sort(key=lambda item: item[0])
    return [f for _, f in findings]


def slot_prefix() -> str:
    """How a section's prose slot starts (the pack's shape.yaml: 〔待补：本期…〕)."""
    return domain.data("shape.yaml")["slot"].split("{")[0]


def _placeholder_findings(
    block: int, text: str, holes: Sequence[tuple[int, int]], extracted: Sequence[Quantity]
) -> list[tuple[int, Finding]]:
    """〔待补…〕 placeholders and unrendered {{id}} references (``holes``), and masked numbers."""
    findings: list[tuple[int, Finding]] = []
    for start, end in holes:
        piece = text[start:end]
        message = "未渲染的数据引用" if piece.startswith("{{") else "占位符未补齐"
        slot = piece.startswith(slot_prefix())  # prose the editor writes, not a number
        if slot:
            message = "待编辑补写的内容"
        findings.append(
            (
                start,
                Finding(
                    kind="slot" if slot else "placeholder",
                    value=piece,
                    block=block,
                    start=start,
                    end=end,
                    context=_context(text, start, end),
                    message=f"{message}：{piece}",
                ),
            )
        )
    for q in extracted:
        if q.form == "masked" and (q.unit or "." in q.number_text):  # xx.x%: a value not filled in
            finding = Finding(
                kind="placeholder",
                value=q.text,
                block=block,
                start=q.start,
                end=q.end,
                context=_context(text, q.start, q.end),
                message=f"数字被遮盖未补齐：{q.text}",
                unit=q.unit,
            )
            findings.append((q.start, finding))
    return findings


def _number_findings(
    checker: _Checker,
    block: int,
    text: str,
    quantities: list[Quantity],
    cited: Sequence[tuple[Citation, MatchedBy]],
    row: _Row | None,
    plan_section: bool,
) -> list[tuple[int, Finding]]:
    """A verdict on each number, by its citation or its context; a figure named in a sentence
    carries on to the numbers after it; then 完成/达到…目标 claims are checked."""
    fs = checker.figure_set
    members = _members(text, quantities)
    matched: dict[int, tuple[Figure, FigureField]] = {}  # quantity position → figure, field
    verdicts: dict[int, Finding] = {}
    sentence_figure: tuple[int, Figure, int] | None = None  # (sentence start, figure, its end)
    for position, q in enumerate(quantities):
        if counts_named(text, q):
            continue  # 两项 counting the two things the clause names
        previous_end = quantities[position - 1].end if position else 0
        member = members.get(position)
        anchor = None
        if member is not None and not member.items:  # 分别 over the numbers before the list
            anchor = _anchor(quantities, members, matched, position, member)
            member = None
        spot = _spot(q, block, text, previous_end, member, row)
        citation = _citation_at(cited, q)
        inherited = None
        if sentence_figure is not None and sentence_figure[0] == spot.sentence_start:
            inherited = sentence_figure[1]
            if member is None and row is None:
                spot.continues = _continues(checker, spot, inherited, sentence_figure[2])
        if anchor is not None:
            inherited = anchor
        if citation is not None:
            verdict = _by_citation(checker, spot, *citation)
        else:
            verdict = checker.by_context(spot, inherited)
        if verdict is None:
            continue
        verdicts[position] = verdict
        figure = fs.get(verdict.figure_id) if verdict.figure_id else None
        if figure is not None and verdict.field is not None:
            matched[position] = (figure, verdict.field)
            sentence_figure = (spot.sentence_start, figure, q.end)
    _apply_claims(checker, text, quantities, matched, verdicts, plan_section)
    return [(quantities[p].start, v) for p, v in verdicts.items()]


def _citation_at(
    cited: Sequence[tuple[Citation, MatchedBy]], q: Quantity
) -> tuple[Citation, MatchedBy] | None:
    """The citation whose span overlaps the quantity's, if any."""
    return next(
        (
            (c, how)
            for c, how in cited
            if c.start <= q.start < c.end or (q.start <= c.start < q.end)
        ),
        None,
    )


_CLASS_NOT_VALUE = re.compile(r"^\s*(?:及?以上|及?以下|标准|目标|要求|水体)")


def _class_findings(
    checker: _Checker, block: int, text: str, extracted: Sequence[Quantity]
) -> list[tuple[int, Finding]]:
    """A water class written for a category figure ("示例桥断面水质为Ⅲ类"): ok when it is the
    figure's class, mismatch when the clause names the figure and the class differs. A class
    that is a standard or goal (达到Ⅲ类标准, Ⅲ类以上), a starting point (由Ⅳ类…) or another
    period's, or that no category figure is named for, gives no finding."""
    classes = [f for f in checker.index.figures if f.category is not None]
    out: list[tuple[int, Finding]] = []
    for q in extracted:
        if q.form != "category" or q.category is None or not classes:
            continue
        spot = _spot(q, block, text)
        _, clause_end = span_bounds(text, q.start, q.end, _CLAUSE_STOPS)
        if (
            re.search(r"[由从]\s*$", spot.own)
            or _CLASS_NOT_VALUE.match(text[q.end : clause_end])
            or _field_for(spot, checker.index) not in ("value", "change")
        ):
            continue
        scored = [(checker.score(spot, f, None, "value"), f) for f in classes]
        best, figure = max(scored, key=lambda item: item[0])
        if best < CANDIDATE_THRESHOLD:
            continue
        label = f"{figure.name}（{figure.category}类）"
        if q.category == figure.category:
            finding = checker.finding(spot, "ok", f"与{label}一致", figure, "value", "context")
        elif checker.named(spot, figure, None, "value") and checker.clearly_named(spot, figure):
            message = f"{figure.name}应为{figure.category}类，文中写的是{q.text}"
            finding = checker.finding(spot, "mismatch", message, figure, "value", "context")
        else:
            continue
        out.append((q.start, finding))
    return out


def _continues(checker: _Checker, spot: _Spot, figure: Figure, previous_end: int) -> bool:
    """Does a clause that names nothing go on about the figure of the clause just before it
    ("2023年度生态质量指数为64.15，2024年度提升至64.38")? Only when the earlier number ends
    its clause, this clause's words name no figure and no metric but do name the figure's own
    year or period, and its unit (if any) measures what the figure does."""
    q, text = spot.q, spot.text
    clause_start, _ = span_bounds(text, q.start, q.end, _CLAUSE_STOPS)
    if not re.fullmatch(r"[^，,：:\u4e00-\u9fff]{0,4}[，,：:]\s*", text[previous_end:clause_start]):
        return False
    own = spot.own
    if find_metric(own) is not None or any(
        checker.index.overlap(f, spot.clause) for f in checker.index.figures
    ):
        return False
    unit = _value_unit(figure)
    if q.unit and not (unit and _same_measure(q.unit, unit)):
        return False
    years = [int(m.group(1)) for m in _YEAR_MENTION.finditer(own)]
    kind = last_spoken(own)
    if not years and kind is None:
        return False
    return all(y == checker.index.years[figure.id][0] for y in years) and (
        kind is None or kind == checker.index.period
    )


def _anchor(
    quantities: Sequence[Quantity],
    members: Mapping[int, _Member],
    matched: Mapping[int, tuple[Figure, FigureField]],
    position: int,
    member: _Member,
) -> Figure | None:
    """The figure a subject-less 分别 list member stands for: the figures of the numbers before
    the list, in order, when there are as many as the list has members."""
    first = position - member.index
    size = sum(1 for p, m in members.items() if p - m.index == first)
    before = [p for p in range(first) if p in matched and matched[p][1] == "value"]
    if len(before) < size:
        return None
    return matched[before[-size + member.index]][0]


def _by_citation(checker: _Checker, spot: _Spot, citation: Citation, how: MatchedBy) -> Finding:
    figure = checker.figure_set.get(citation.figure_id)
    if figure is None:
        return checker.finding(
            spot, "unsourced", f"标注的数据 {citation.figure_id} 不在数据文件中，请核实出处"
        )
    field_name: FigureField = citation.field
    if _raw(figure, checker.figure_set, field_name) is None:
        return checker.finding(
            spot,
            "unsourced",
            f"标注的{figure.name}{_FIELD_WORDS[field_name]}在数据文件中缺，文中的数无出处",
            figure,
            field_name,
            how,
        )
    spoken = _spoken_period(spot)
    period = _own_span(figure, checker.figure_set) or checker.index.period
    if field_name in ("value", "change") and period and spoken and another_periods(spoken, period):
        # 今年截至3月31日，PM2.5平均浓度… refilled with the whole year's figure
        return checker.finding(
            spot,
            "period",
            f"{figure.name}是{period.title}的数，句中说的是{spoken.name}",
            figure,
            field_name,
            how,
        )
    return checker.judge(spot, figure, field_name, how)


def summarise(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts by kind (every kind present), plus the total."""
    counts = Counter(f.kind for f in findings)
    kinds = tuple(FINDING_LABELS)
    summary = {kind: counts.get(kind, 0) for kind in kinds}
    summary["total"] = len(findings)
    return summary


def _own_span(figure: Figure, figure_set: FigureSet) -> Period | None:
    """The months of a row whose own period is another part of the report's year (一季度 in a
    上半年 file): a sentence about that part speaks of the row's own period."""
    own, report = figure.period, figure_set.period
    if own is None or report is None or own == report or own.since is not None:
        return None
    if own.whole_year or own.year != report.year:
        return None
    return Period(None, *own.span)
