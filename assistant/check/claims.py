"""Target claims (完成/达到…目标) must agree with the figure's target check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from ..numbers import span_bounds
from ..render import reference_text
from ..types import Figure, FigureField, Finding, Quantity
from .judge import _Checker
from .text import _SENTENCE_STOPS

_CLAIM = re.compile(
    r"(?P<neg>未能|未|没有|尚未)?(?:顺利|全面|超额|提前|已经|已|均)?"
    r"(?P<verb>完成|达到|实现|优于|好于|达成|超过)(?:了)?"
    r"(?P<mid>[^，。；,;！？\n]{0,24}?)(?:年度|全年|年|阶段性|考核|约束性)?"
    r"(?:目标|任务|计划(?:投资|任务)?)"
)
_NOT_A_CLAIM = re.compile(  # after the claim: the goal as a topic (实现目标任务压力较大)
    r"\s*的?(?:任务|工作)?(?:压力|难度|任务艰巨|形势|风险|仍需|还需|尚需|仍有|还有|存在|面临"
    r"|有差距|差距|有待|尚待|仍待)"
)
_HEDGE_BEFORE = re.compile(  # before it: a forecast or a doubt, not a result (难以完成年度目标)
    r"(?:有待|尚待|仍待|能否|是否|有望|可望|难以|不能|无法)\s*(?:顺利|全面|如期|按期)?\s*$"
)
_PLAN_BEFORE = re.compile(r"(?:确保|力争|争取|努力|推动|全力|必须|要|将|保障|以)\s*$")


_PLAN_LEAD = re.compile(  # in the sentence before a claim: it is a plan
    r"确保|力争|争取|计划|将|下半年|下一步|下阶段|下步|明年|到年底|年底前|年内"
)


def _claims(
    text: str, *, annual_is_plan: bool = False, plan_section: bool = False
) -> list[tuple[int, int, bool]]:
    """(start, end, met?) of each statement that a target was (or was not) reached; none said to
    be met in a plan: a sentence with 确保/力争/下半年… before the claim, or any sentence under a
    plan heading (二、下半年工作计划). ``annual_is_plan``: the file is for part of a year, so
    全年… is the plan."""
    found = []
    for match in _CLAIM.finditer(text):
        tail = text[match.end() : match.end() + 16]
        if re.match(r"\s*(?:[\d.]+[^\d，。；,;]{0,4})?的\s*(?:\d|百分之)", tail) or re.match(
            r"\s*(?:完成率|任务的)", tail
        ):
            continue  # 完成年度目标的52.4%, 完成年度任务3000亩的66.0%: a completion rate
        if _NOT_A_CLAIM.match(tail):
            continue  # 完成全年目标压力较大: the goal as a topic, not a result
        sentence_start, _ = span_bounds(text, match.start(), match.end(), "。！？!?\n")
        lead = text[sentence_start : match.start()]
        if _HEDGE_BEFORE.search(lead):
            continue
        if not match.group("neg") and (
            plan_section
            or _PLAN_BEFORE.search(lead[-4:])
            or _PLAN_LEAD.search(lead)
            or (annual_is_plan and "全年" in lead)
        ):
            continue  # 确保…达到75%的目标, 下半年…完成年度任务: a plan, not a result
        if re.search(r"[，,]", match.group("mid")):
            continue
        found.append((match.start(), match.end(), not match.group("neg")))
    return found


def _apply_claims(
    checker: _Checker,
    text: str,
    quantities: list[Quantity],
    matched: Mapping[int, tuple[Figure, FigureField]],
    verdicts: dict[int, Finding],
    plan_section: bool = False,
) -> None:
    """完成/达到…目标 must agree with the target check of the figure it is said of."""
    report = checker.index.period
    annual_is_plan = report is not None and not report.whole_year
    for start, end, says_met in _claims(
        text, annual_is_plan=annual_is_plan, plan_section=plan_section
    ):
        sentence_start, _ = span_bounds(text, start, end, _SENTENCE_STOPS)
        before = [
            p
            for p in matched
            if sentence_start <= quantities[p].start < end
            and checker.figure_set.target(matched[p][0].id) is not None
        ]
        if not before:
            continue
        position = max(before, key=lambda p: quantities[p].start)
        figure = matched[position][0]
        values = [p for p in before if matched[p] == (figure, "value")]
        position = values[-1] if values else position  # the claim is about the actual value
        check = checker.figure_set.target(figure.id)
        assert check is not None
        verdict = verdicts[position]
        if check.met == says_met or verdict.kind != "ok":
            continue
        state = "已完成" if check.met else "未完成"
        actual = reference_text(figure, checker.figure_set, "value")
        goal = reference_text(figure, checker.figure_set, "target") or check.target
        message = f"{figure.name}{actual}，目标{goal}，{state}目标，文中写“{text[start:end]}”"
        verdicts[position] = replace(verdict, kind="direction", message=message)
