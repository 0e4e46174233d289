"""Rules from the drafting QA pass: the opening claims no more than the figures bear out, a
part-year concentration off its annual target is a pressure only when it also got worse, a
part-only draft has its own title and file, and a reused sentence keeps its subject."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose, make_draft
from assistant.figures import load_figures
from assistant.outline import (
    Section,
    fit_claims,
    fit_heading,
    heading_claim,
    parse_period,
    verdict,
)
from assistant.refill import Refiller
from assistant.settings import load_settings
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
Q1 = SAMPLE_DIR / "figures-2025Q1.csv"
Q3 = SAMPLE_DIR / "figures-2025Q3.yaml"
UNIT = "示例区生态环境局"
HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,主题,方向"
NEUTRAL = "各项工作有序推进"


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


def figures_file(tmp_path: Path, rows: list[str], name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- 1. the opening's claims ------------------------------------------------------------------

PACE_CLAIM = "持续深入打好蓝天、碧水、净土保卫战，上半年各项工作总体达到序时进度。"


@pytest.mark.parametrize(
    "claim", ["上半年各项工作总体达到序时进度", "前三季度主要指标均优于序时进度"]
)
def test_a_pace_claim_is_a_claim(claim: str) -> None:
    assert heading_claim(claim) == "steady"


def test_an_opening_claim_stands_only_when_every_figure_bears_it_out(tmp_path: Path) -> None:
    row = "pm25_avg,PM2.5平均浓度,{v},微克/立方米,2025年上半年,39.8,,监测站,大气,越低越好"
    better = load_figures(figures_file(tmp_path, [row.format(v=33.0)]))
    assert fit_claims(PACE_CLAIM, verdict(better, better.ids, "上半年"), NEUTRAL) == PACE_CLAIM
    worse = load_figures(figures_file(tmp_path, [row.format(v=41.0)]))
    fitted = fit_claims(PACE_CLAIM, verdict(worse, worse.ids, "上半年"), NEUTRAL)
    assert fitted == f"持续深入打好蓝天、碧水、净土保卫战，{NEUTRAL}。"
    two = "前三季度全区生态环境质量持续改善，主要指标均优于序时进度。"
    assert fit_claims(two, verdict(worse, worse.ids, "前三季度"), NEUTRAL) == f"{NEUTRAL}。"


@pytest.mark.parametrize(
    ("figures", "period"), [(H1, "2025年上半年"), (Q3, "2025年前三季度"), (Q1, "2025年一季度")]
)
def test_the_opening_claims_nothing_the_problems_contradict(settings, figures, period) -> None:
    draft = compose(DraftRequest(figures, UNIT, period), settings).draft
    texts = [b.text for b in draft.blocks]
    problems = next(i for i, t in enumerate(texts) if t.startswith("二、存在"))
    assert any("是" in t for t in texts[problems + 1 :])  # there are problems listed …
    opening = texts[1]
    for clause in opening.replace("。", "，").split("，"):
        assert heading_claim(clause) is None, clause  # … so the opening claims no pace or gain


# --- 2. part-year problems against annual targets ---------------------------------------------


def problems_of(settings, figures: Path, period: str) -> str:
    draft = compose(DraftRequest(figures, UNIT, period, part="问题"), settings).draft
    return "".join(b.text for b in draft.blocks[1:])


def test_a_winter_concentration_above_the_annual_target_is_no_problem_when_improving(
    settings,
) -> None:
    text = problems_of(settings, Q1, "2025年一季度")  # PM2.5 52.7 (55.1 a year ago), target 35
    assert "PM2.5" not in text
    assert "年度目标；" not in text and "的年度目标。" not in text  # no rate stated as a failure
    assert re.search(r"一是[^。]+。一季度", text), text  # the topic's first clause is dated


@pytest.mark.parametrize("period", ["2025年一季度", "2025年前三季度", "2025年"])
def test_a_rate_off_its_target_and_worse_is_a_pressure_within_the_year(
    settings, tmp_path: Path, period: str
) -> None:
    rows = [
        f"pm25_avg,PM2.5平均浓度,41.0,微克/立方米,{period},39.8,35,监测站,大气,越低越好",
        f"good_days_ratio,优良天数比例,76.0,%,{period},74.0,80,监测站,大气,越高越好",
    ]
    text = problems_of(settings, figures_file(tmp_path, rows), period)
    if period == "2025年":  # a full year: the annual target is the period's own
        assert "PM2.5平均浓度为41.0微克/立方米，高于35微克/立方米的年度目标" in text
        assert "优良天数比例为76.0%，低于80%的年度目标" in text
    else:
        label = period.removeprefix("2025年")
        assert (
            f"{label}PM2.5平均浓度为41.0微克/立方米，同比上升3.0%，"
            "完成35微克/立方米的年度目标压力较大"
        ) in text
        assert "优良天数比例" not in text  # below target but better than a year ago


@pytest.mark.parametrize(
    ("value", "period", "kept"),
    [
        (38.0, "2025年上半年", True),  # above 35 but better than 39.8: the season, no problem
        (41.0, "2025年上半年", False),  # above and worse: a pressure
        (38.0, "2025年", False),  # a full year above its annual target: a miss
    ],
)
def test_headings_and_problems_judge_a_target_alike(
    settings, tmp_path: Path, value: float, period: str, kept: bool
) -> None:
    row = f"pm25_avg,PM2.5平均浓度,{value},微克/立方米,{period},39.8,35,监测站,大气,越低越好"
    path = figures_file(tmp_path, [row])
    figure_set = load_figures(path)
    heading = "（一）大气环境质量持续改善"
    section = Section("summary", heading, topics=("大气",), figure_ids=("pm25_avg",))
    fitted = fit_heading(heading, section, figure_set, parse_period(period))
    assert (fitted == heading) is kept
    assert ("PM2.5" not in problems_of(settings, path, period)) is kept


# --- 3. part-only drafts: own title, own file -------------------------------------------------


@pytest.mark.parametrize(
    ("period", "part", "section", "title", "stem"),
    [
        ("2025年上半年", "全部", None, "2025年上半年工作总结和下半年工作计划", "工作总结"),
        ("2025年上半年", "计划", None, "2025年下半年工作计划", "计划部分"),
        ("2025年上半年", "总结", None, "2025年上半年工作总结", "总结部分"),
        ("2025年上半年", "问题", None, "2025年上半年工作存在的问题", "问题部分"),
        ("2025年上半年", "计划", "大气污染防治", "2025年下半年大气污染防治工作计划", None),
        ("2025年一季度", "总结", None, "2025年一季度工作总结", "总结部分"),
        ("2025年一季度", "计划", None, "2025年一季度下一步工作打算", "计划部分"),
    ],
)
def test_a_part_only_draft_has_its_own_title_and_file(
    settings, tmp_path: Path, period, part, section, title, stem
) -> None:
    figures = H1 if period == "2025年上半年" else Q1
    request = DraftRequest(figures, UNIT, period, part=part, section=section)
    result = make_draft(request, settings, tmp_path)
    assert result.draft.title == UNIT + title
    assert result.draft.blocks[0].text == UNIT + title
    stem = stem or f"{section}工作计划"  # a section plan keeps its section in the stem
    assert result.files["docx"].name == f"{UNIT}-{period}-{stem}.docx"


def test_a_part_only_draft_leaves_the_whole_draft_alone(settings, tmp_path: Path) -> None:
    whole = make_draft(DraftRequest(H1, UNIT, "2025年上半年"), settings, tmp_path)
    before = whole.files["md"].read_text("utf-8")
    for part in ("计划", "总结", "问题"):
        make_draft(DraftRequest(H1, UNIT, "2025年上半年", part=part), settings, tmp_path)
    assert whole.files["md"].read_text("utf-8") == before
    assert len(list(tmp_path.glob("*.md"))) == 4


# --- 4. a reused sentence keeps its subject ---------------------------------------------------

WATER = "water_ratio,国考断面优Ⅲ类比例,100,%,2025年上半年,100,100,监测站,水,越高越好"
INVEST = "invest,重点工程完成投资,2.977,亿元,2025年上半年,2.135,5.68,发改局,综合,越高越好"


@pytest.mark.parametrize(
    ("row", "past", "expected"),
    [
        (  # 3个 is an old number: its clause goes, and with it the subject 国考断面
            WATER,
            "全区3个国考断面水质均达到或优于Ⅲ类，优Ⅲ类比例保持100%。",
            "国考断面优Ⅲ类比例保持{{water_ratio}}。",
        ),
        (  # 28项 and 4.96亿元 have no current figure: whose investment is it?
            INVEST,
            "全年28项生态环境重点工程计划总投资4.96亿元，上半年完成投资2.135亿元。",
            "上半年重点工程完成投资{{invest}}。",
        ),
        (  # nothing dropped: the sentence stands as the bureau wrote it
            INVEST,
            "上半年完成投资2.135亿元。",
            "上半年完成投资{{invest}}。",
        ),
        (  # the subject was said in a kept clause before: not said twice
            WATER,
            "加强国考断面水质管理，全区3个断面均达标，优Ⅲ类比例保持100%。",
            "加强国考断面水质管理，优Ⅲ类比例保持{{water_ratio}}。",
        ),
    ],
)
def test_a_dropped_clause_does_not_take_the_subject(tmp_path: Path, row, past, expected) -> None:
    figure_set = load_figures(figures_file(tmp_path, [row]))
    refilled = Refiller(figure_set, figure_set.ids, "summary", 2025).sentence(past)
    assert refilled is not None and refilled.text == expected


@pytest.mark.parametrize(
    ("figures", "period"), [(H1, "2025年上半年"), (Q1, "2025年一季度"), (Q3, "2025年前三季度")]
)
def test_reused_sentences_name_what_they_measure(settings, figures, period) -> None:
    text = "\n".join(
        b.text for b in compose(DraftRequest(figures, UNIT, period), settings).draft.blocks
    )
    assert "国考断面优Ⅲ类比例" in text
    for orphan in ("，优Ⅲ类比例", "；优Ⅲ类比例", "年完成投资", "季度完成投资", "，完成投资"):
        assert orphan not in text


def test_a_topic_without_problems_borrows_none_from_other_topics(settings) -> None:
    # every 土壤 figure of the half year is on target and better 同比: its 存在的问题 must not
    # fall back on another topic's past problems (VOCs, 投资进度)
    request = DraftRequest(H1, UNIT, "2025年上半年", section="土壤", part="问题")
    body = " ".join(b.text for b in compose(request, settings).draft.blocks[1:])
    assert body and not any(word in body for word in ("VOCs", "臭氧", "投资", "污水", "执法"))
