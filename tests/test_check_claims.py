"""Hedged claims and counts of named things (issue 15): 实现目标任务压力较大 says the target is hard
to reach, not that it was reached; 两项 counting the two indicators the sentence names is no
figure. A plain claim that contradicts the figures is still a direction error, and a count of
things the sentence does not name is still unsourced."""

from __future__ import annotations

import pytest

from assistant.check import check_blocks
from assistant.figures import load_figures
from tests.conftest import SAMPLE_DIR

FIGURES = load_figures(SAMPLE_DIR / "figures-2025H1.csv")


def problems(text: str) -> list[tuple[str, str]]:
    report = check_blocks([text], FIGURES, [])
    return [(f.kind, f.value) for f in report.findings if f.kind != "ok"]


@pytest.mark.parametrize(
    "text",
    [
        "上半年，全区PM2.5平均浓度38.4微克/立方米，实现目标任务压力较大。",
        "上半年，优良天数比例74.6%，完成年度目标有待进一步努力。",
        "上半年，PM2.5平均浓度38.4微克/立方米，难以完成年度目标。",
        "上半年，PM2.5平均浓度38.4微克/立方米，能否完成年度目标仍存在不确定性。",
        "上半年，PM2.5平均浓度和优良天数比例两项指标尚未达到年度目标。",
        "上半年，臭氧、PM10、降尘三项指标同比改善。",
    ],
)
def test_hedges_and_named_counts_are_no_findings(text: str) -> None:
    assert problems(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上半年，重污染天数2天，尚未完成目标。", [("direction", "2天")]),
        (
            "上半年，PM2.5平均浓度38.4微克/立方米，已完成年度目标。",
            [("direction", "38.4微克/立方米")],
        ),
        ("上半年，全区完成两项重点工程。", [("unsourced", "两项")]),
        ("上半年，PM2.5平均浓度和优良天数比例三项指标同比改善。", [("unsourced", "三项")]),
    ],
)
def test_plain_claims_and_unnamed_counts_are_still_found(text: str, expected) -> None:
    assert problems(text) == expected
