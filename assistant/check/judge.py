"""The matcher: which figure a number speaks of, and the verdict on it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from ..numbers import direction_sign, span_bounds
from ..render import reference_text
from ..types import Figure, FigureField, FigureSet, Finding, Quantity, places_of
from .index import _Index, _key
from .quantities import _fits_field, _raw, _same_measure, _unit_of
from .spots import _PLAN_WORDS, _field_for, _Spot, _subclass, _years
from .subjects import contradicted
from .text import _CJK_OR_WORD, _CLAUSE_STOPS, _context, _fold, _grams

MatchedBy = Literal["provenance", "comment", "context"]
_AT_WORDS = ("降至", "升至", "增至", "减至", "降为", "减为")
_ARTICLE_ONE = Decimal(1)

_WEAK_TARGET = ("计划", "任务", "以上")  # target words that also name actual amounts (计划投资)
CANDIDATE_THRESHOLD = 0.45  # least context score for a figure to be "what the text speaks of"
NAMED_OVERLAP = 0.34  # least share of a figure's name in a number's own clause to call it wrong
_GAP = re.compile(  # the distance to a target: 还差2.6个百分点, 较年度目标低0.2
    r"(?:还差|尚差|相差|差距为?|仍差|较[^，。；,;]{0,8}(?:目标|要求)值?(?:低|高|少|多)了?)\s*$"
)
_PER_UNIT = re.compile(r"[案人户家件项次]均|平均每|每(?:件|起|家|人|户|项)")
TIE_MARGIN = 0.1  # figures within this of the best score are equally likely


@dataclass
class _Checker:
    figure_set: FigureSet
    index: _Index
    findings: list[Finding] = field(default_factory=list)

    def score(
        self, spot: _Spot, figure: Figure, inherited: Figure | None, field_name: str
    ) -> float:
        q = spot.q
        score = self.index.overlap(figure, spot.clause)
        score += 0.5 * self.index.overlap(figure, spot.sentence)
        score += 0.4 * self.index.overlap(figure, spot.after)
        if q.metric is not None and q.metric == figure.metric:
            score += 0.8 if spot.own_metric else 0.3
        if inherited is not None and inherited.id == figure.id:
            score += 0.9 if field_name != "value" or spot.continues else 0
        unit = _unit_of(figure, self.figure_set, field_name, q)  # type: ignore[arg-type]
        if q.unit and unit:
            if q.unit == unit or _same_measure(q.unit, unit):
                score += 0.3
            elif {q.unit, unit} != {"%", "个百分点"}:
                score -= 0.6
        return score

    def candidates(
        self,
        spot: _Spot,
        field_name: FigureField,
        inherited: Figure | None,
        margin: float = TIE_MARGIN,
        only: Callable[[Figure], bool] | None = None,
    ) -> list[Figure]:
        """The figures the context names best, having a number for ``field_name``."""
        scored = []
        for figure in self.index.figures:
            if only is not None and not only(figure):
                continue
            subject = contradicted(spot, figure)
            if subject is not None:  # the clause names another subject of the same metric
                self.note_other(spot, subject, figure, inherited, field_name)
                continue
            if spot.months is not None and self.index.noted.get(figure.id) != spot.months:
                continue  # 1-11月: only a figure noted as 1-11月
            if _raw(figure, self.figure_set, field_name) is None and not (
                field_name == "value" and figure.missing
            ):
                continue
            scored.append((self.score(spot, figure, inherited, field_name), figure))
        if not scored:
            return []
        best = max(s for s, _ in scored)
        if best < CANDIDATE_THRESHOLD:
            return []
        return [f for s, f in sorted(scored, key=lambda x: -x[0]) if s >= best - margin]

    def note_other(
        self, spot: _Spot, subject: str, figure: Figure, inherited: Figure | None, field: str
    ) -> None:
        """Keep the best-named figure a number was kept off for its subject, to say why."""
        score = self.score(spot, figure, inherited, field)
        if score >= CANDIDATE_THRESHOLD and (spot.other is None or score > spot.other[0]):
            spot.other = (score, subject, figure.name)

    def finding(
        self,
        spot: _Spot,
        kind: str,
        message: str,
        figure: Figure | None = None,
        field_name: FigureField | None = None,
        matched_by: MatchedBy | None = None,
    ) -> Finding:
        q = spot.q
        expected = None
        if figure is not None and field_name is not None:
            expected = reference_text(figure, self.figure_set, field_name)
        return Finding(
            kind=kind,  # type: ignore[arg-type]
            value=q.text,
            block=spot.block,
            start=q.start,
            end=q.end,
            context=_context(spot.text, q.start, q.end),
            message=message,
            unit=q.unit,
            figure_id=figure.id if figure else None,
            field=field_name,
            expected=expected,
            source=figure.provenance.describe() if figure else None,
            matched_by=matched_by if figure is not None else None,
        )

    def judge(
        self,
        spot: _Spot,
        figure: Figure,
        field_name: FigureField,
        matched_by: MatchedBy,
        also: Sequence[Figure] = (),
    ) -> Finding:
        """The verdict for a quantity known to speak of ``figure``'s ``field_name``."""
        q, fs = spot.q, self.figure_set
        label = f"{figure.name}{'' if field_name == 'value' else _FIELD_WORDS[field_name]}"
        fit = _fits_field(q, figure, fs, field_name)
        if (
            fit == "yes"
            and field_name == "value"
            and q.places < figure.places
            and figure.previous_written
            and q.places >= places_of(figure.previous_written)
            and _fits_field(q, figure, fs, "previous") == "yes"
        ):
            fit = "no"  # 100% for 99.5% when last year was exactly 100%: last year's number
        if fit == "yes":
            wrong = self.wrong_direction(spot, figure, field_name)
            if wrong:
                return self.finding(spot, "direction", wrong, figure, field_name, matched_by)
            return self.finding(spot, "ok", f"与{label}一致", figure, field_name, matched_by)
        if fit == "unit":
            written = q.unit_written or "无单位"
            should = _unit_of(figure, fs, field_name, q) or "无单位"
            message = f"数值与{label}一致，但单位应为“{should}”而不是“{written}”"
            if field_name == "change" and should == "个百分点":
                message = f"{figure.name}是比率，同比变化应写“个百分点”，不是“%”"
            elif field_name == "change" and q.unit == "个百分点":
                message = f"{figure.name}同比变化是相对增幅，应写“%”，不是“个百分点”"
            return self.finding(spot, "unit", message, figure, field_name, matched_by)
        if field_name == "value" and _fits_field(q, figure, fs, "previous") == "yes":
            previous = reference_text(figure, fs, "previous")
            current = reference_text(figure, fs, "value")
            message = f"这是{figure.name}的上年同期数（{previous}），本期应为{current}"
            return self.finding(spot, "stale", message, figure, field_name, matched_by)
        for other in also:
            if other is not figure and _fits_field(q, other, fs, field_name) == "yes":
                message = f"与{other.name}（{other.id}）的数相同，但上下文说的是{figure.name}"
                return self.finding(spot, "mismatch", message, figure, field_name, matched_by)
        expected = reference_text(figure, fs, field_name) or "（数据文件中缺）"
        message = f"{label}应为{expected}，文中写的是{q.text}"
        return self.finding(spot, "mismatch", message, figure, field_name, matched_by)

    def wrong_direction(self, spot: _Spot, figure: Figure, field_name: FigureField) -> str | None:
        """A direction word that contradicts the figure's change, else None."""
        q = spot.q
        change = self.figure_set.change(figure.id)
        if change is None or q.direction is None:
            return None
        if field_name == "change" or (field_name == "value" and q.direction in _AT_WORDS):
            sign = direction_sign(q.direction)
            actual = {"上升": 1, "下降": -1, "持平": 0}[change.direction]
            if sign is not None and sign != actual:
                return f"{figure.name}同比{change.word}，文中写“{q.direction}”"
            if q.direction in ("改善", "好转", "恶化") and change.improved is not None:
                says_better = q.direction != "恶化"
                if says_better != change.improved:
                    return f"{figure.name}同比{change.assessment}，文中写“{q.direction}”"
        return None

    def by_context(self, spot: _Spot, inherited: Figure | None) -> Finding | None:
        q = spot.q
        field_name = spot.column or _field_for(spot, self.index)
        if field_name is None:
            message = "说的是数据文件以外的期间或比较基数，无从核对"
            return self.finding(spot, "unsourced", message)
        if _GAP.search(spot.text[max(0, q.start - 14) : q.start]) and not (
            q.is_change or q.direction or q.comparison
        ):
            return self.finding(spot, "unsourced", "与目标的差距不在数据文件中，无从核对")
        if spot.member is not None:  # 分别: the list's items decide, not the last figure named
            inherited = None
        if spot.column:
            found = self.candidates(spot, field_name, inherited)
        else:
            field_name, found = self.by_year(spot, field_name, inherited)
        if field_name == "target" and q.target in _WEAK_TARGET:  # 计划投资: maybe the value
            values = self.candidates(spot, "value", inherited)
            fits = [f for f in values if _fits_field(q, f, self.figure_set, "value") == "yes"]
            target_fits = [
                f for f in found if _fits_field(q, f, self.figure_set, "target") == "yes"
            ]
            closer = bool(values) and (
                not found
                or self.score(spot, values[0], inherited, "value")
                > self.score(spot, found[0], inherited, "target")
            )
            if (fits and not target_fits) or (closer and not target_fits):
                field_name, found = "value", values
        elif field_name == "target" and not found:
            field_name, found = "value", self.candidates(spot, "value", inherited)
            if found and not any(
                _fits_field(q, f, self.figure_set, "value") == "yes" for f in found
            ):
                message = "是目标值，数据文件中没有该指标的目标，无从核对"
                return self.finding(spot, "unsourced", message)  # 力争88%: not the value
        if spot.member is not None and found:
            found = self.pick_item(spot, field_name, found)
        if found:
            fitting = [f for f in found if _fits_field(q, f, self.figure_set, field_name) == "yes"]
            figure = fitting[0] if fitting else found[0]
            if figure.missing and field_name == "value":
                return self.finding(
                    spot, "unsourced", f"{figure.name}在数据文件中待补，文中的数无出处", figure
                )
            verdict = self.judge(spot, figure, field_name, "context", also=found)
            if verdict.kind == "mismatch" and q.form == "range" and figure.value is not None:
                message = "文中是一个范围，数据文件中是单个数，无从比对"
                return self.finding(spot, "unsourced", message)
            if verdict.kind in ("mismatch", "stale"):
                return self.second_look(spot, figure, field_name, inherited, verdict)
            return verdict
        return self.unsourced(spot)

    def by_year(
        self, spot: _Spot, field_name: FigureField, inherited: Figure | None
    ) -> tuple[FigureField, list[Figure]]:
        """The candidates, keeping to the figures that have a number for the year the text names
        (its data year: this period's value; the year before: 上年同期; a change's base year)."""
        spoken, base = _years(spot)
        years = self.index.years
        if field_name == "change" and (spoken or base):
            return field_name, self.candidates(
                spot,
                field_name,
                inherited,
                only=lambda f: spoken in (None, years[f.id][0]) and base in (None, years[f.id][1]),
            )
        if spoken is None or field_name != "value":
            return field_name, self.candidates(spot, field_name, inherited)
        now = self.candidates(spot, "value", inherited, only=lambda f: years[f.id][0] == spoken)
        before = self.candidates(
            spot, "previous", inherited, only=lambda f: years[f.id][1] == spoken
        )
        if now and (
            not before
            or self.score(spot, now[0], inherited, "value")
            >= self.score(spot, before[0], inherited, "previous")
        ):
            return "value", now
        return "previous", before

    def pick_item(self, spot: _Spot, field_name: FigureField, found: list[Figure]) -> list[Figure]:
        """Of the figures the list's subject names, the one whose name holds the characters only
        this number's item has (大气、水、其他类…分别为14件、9件和9件: 水 → the 水 figure)."""
        member = spot.member
        assert member is not None
        letters = [{c for c in _fold(item) if _CJK_OR_WORD.match(c)} for item in member.items]
        own = letters[member.index].difference(
            *(other for i, other in enumerate(letters) if i != member.index)
        )
        ranked = []
        for figure in self.candidates(spot, field_name, None, math.inf):
            score = self.score(spot, figure, None, field_name)
            if score >= CANDIDATE_THRESHOLD:
                name = _fold(figure.name)
                weight = sum(self.index.chars.get(c, 0) for c in own if c in name)
                ranked.append((weight, score, figure))
        if not ranked:
            return found
        weight, _, figure = max(ranked, key=lambda r: (r[0], r[1]))
        return [figure] if weight > 0 else found

    def named(self, spot: _Spot, figure: Figure, inherited: Figure | None, field: str) -> bool:
        """Does the number's own clause name the figure (or, for a change/target/completion, did
        the sentence just speak of it)? Only then may a wrong number be called wrong."""
        inherits = inherited is not None and inherited.id == figure.id
        if inherits and (field != "value" or spot.continues):
            return True
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        own = self.index.overlap(figure, spot.clause)
        if own >= NAMED_OVERLAP:
            return True
        # 立案查处环境违法案件32件，其中大气类9件、水类14件: the sentence names the family, the
        # clause the item (by a word few names have)
        sentence = self.index.overlap(figure, spot.sentence)
        return own > 0 and (
            sentence >= 0.5 or (sentence >= 0.3 and bool(spot.clause & self.index.rare[figure.id]))
        )

    def strongly_named(self, spot: _Spot, figure: Figure) -> bool:
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        return self.index.overlap(figure, spot.clause) >= 0.5

    def second_look(
        self,
        spot: _Spot,
        figure: Figure,
        field_name: FigureField,
        inherited: Figure | None,
        verdict: Finding,
    ) -> Finding:
        """Before calling a number wrong: is it a number the file holds elsewhere (a figure's
        范围/备注, a target in a plan sentence), or a number of some other thing altogether?"""
        q, fs = spot.q, self.figure_set
        before = _grams(spot.text[max(0, q.start - 8) : q.start] + spot.name_after)
        for other, words in self.index.side_words.get(_key(q), []):
            if words & before and not self.strongly_named(spot, figure):
                return replace(
                    verdict,
                    kind="ok",
                    message=f"见{other.name}（{other.id}）的范围/备注",
                    figure_id=other.id,
                    field=None,
                    expected=None,
                    source=other.provenance.describe(),
                )
        _, clause_end = span_bounds(spot.text, q.start, q.end, _CLAUSE_STOPS)
        own = spot.own
        if _PER_UNIT.search(own) and not _PER_UNIT.search(figure.name):
            return self.finding(spot, "unsourced", "平均到每件/每人的数不在数据文件中，无从核对")
        part = _subclass(own, figure.name)
        if part:
            message = f"“{part}”是{figure.name}中的一部分，数据文件中没有，无从核对"
            return self.finding(spot, "unsourced", message)
        if (
            field_name == "value"
            and _fits_field(q, figure, fs, "target") == "yes"
            and (
                _PLAN_WORDS.search(spot.text[spot.sentence_start : q.start])
                or re.search(r"目标|要求|任务|考核|计划", own + spot.text[q.end : clause_end])
            )
        ):
            return self.judge(spot, figure, "target", "context")
        unit = _unit_of(figure, fs, field_name, q)
        if (
            q.unit
            and unit
            and not _same_measure(q.unit, unit)
            and {q.unit, unit} != {"%", "个百分点"}
        ):
            message = f"单位“{q.unit_written or q.unit}”与{figure.name}（{unit}）对不上，无从核对"
            return self.finding(spot, "unsourced", message)
        if not self.named(spot, figure, inherited, field_name) or not (
            self.clearly_named(spot, figure)
            or (
                (field_name != "value" or spot.continues)
                and inherited is not None
                and inherited.id == figure.id
            )
        ):
            message = f"上下文没有点明这是{figure.name}，数据文件中没有与之对应的数据，请核实出处"
            return self.finding(spot, "unsourced", message)
        return verdict

    def clearly_named(self, spot: _Spot, figure: Figure) -> bool:
        """Named well enough to call a number wrong: the metric dictionary finds the figure's
        metric in the number's own words, or the sentence holds at least half the figure's name
        by word (weighted: words few names share count more) with one of them in its own words.
        Shared characters are not enough: "配合公安机关侦办…案件2起" is not 移送公安机关行政拘留."""
        if spot.own_metric and spot.q.metric is not None and spot.q.metric == figure.metric:
            return True
        words = self.index.words(figure)
        if not words:
            return True
        own = _fold(spot.naming)
        sentence = _fold(spot.text[spot.sentence_start : spot.q.start]) + own
        total = sum(words.values())
        present = sum(w for word, w in words.items() if word in sentence)
        return present >= 0.5 * total and any(word in own for word in words)

    def unsourced(self, spot: _Spot) -> Finding | None:
        q = spot.q
        if q.value is None:
            return None
        if q.unit:
            side = self.index.side_numbers.get(_key(q))
            if side:
                figure = side[0]
                return Finding(
                    kind="ok",
                    value=q.text,
                    block=spot.block,
                    start=q.start,
                    end=q.end,
                    context=_context(spot.text, q.start, q.end),
                    message=f"见{figure.name}（{figure.id}）的范围/备注",
                    unit=q.unit,
                    figure_id=figure.id,
                    source=figure.provenance.describe(),
                    matched_by="context",
                )
            exact = [
                f
                for f in self.index.figures
                if f.value is not None
                and _unit_of(f, self.figure_set, "value") == q.unit
                and q.approx is None
                and f.value == q.value
                and f.places == q.places
                and not contradicted(spot, f)
                and (spot.months is None or self.index.noted.get(f.id) == spot.months)
                and (_distinctive(q) or self.index.overlap(f, spot.sentence | spot.clause) > 0)
            ]
            if len(exact) == 1:
                return self.judge(spot, exact[0], "value", "context")
        if q.number_text in ("一", "壹") and q.value == _ARTICLE_ONE:
            return None  # 一个项目、一名领导: an article, not a figure
        if spot.other is not None:
            _, subject, name = spot.other
            message = (
                f"句中说的是{subject}的数，不是{name}，数据文件中没有与之对应的数据，请核实出处"
            )
            return self.finding(spot, "unsourced", message)
        return self.finding(spot, "unsourced", "数据文件中没有与之对应的数据，请核实出处")


def _distinctive(q: Quantity) -> bool:
    """A number unlikely to be written by chance for another measure (112.3295, 3690), unlike
    100%, 5 or 20: only such a number may find its figure by its value alone."""
    assert q.value is not None
    digits = format(abs(q.value).normalize(), "f").replace(".", "").strip("0")
    return len(digits) >= 3


_FIELD_WORDS = {
    "value": "",
    "change": "同比变化",
    "previous": "上年同期",
    "target": "目标",
    "completion": "完成率",
}
