"""Drafting rules beyond the happy path: the unit setting, the .docx times matching the sidecar,
headings that claim no more than the figures bear out, one section per topic, which past
measures may stand in a new draft, and no section saying the same thing twice."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from assistant.draft import DraftRequest, compose, make_draft, save_draft
from assistant.figures import load_figures
from assistant.measures import SPECIFIC, _clause_history, in_plan_time, reusable_measure
from assistant.outline import (
    Section,
    Verdict,
    fit_heading,
    heading_claim,
    parse_period,
    section_topics,
    strip_number,
    verdict,
)
from assistant.settings import load_settings
from assistant.types import Chunk
from assistant.writers import _said, items
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
Q1 = SAMPLE_DIR / "figures-2025Q1.csv"
Q3 = SAMPLE_DIR / "figures-2025Q3.yaml"
UNIT = "示例区生态环境局"


def relabelled(figures: Path, period: str, folder: Path) -> Path:
    """The 上半年 file relabelled 2025年 for an annual draft (a draft refuses another period's
    figures file)."""
    if period != "2025年":
        return figures
    copy = folder / "figures-2025.csv"
    copy.write_text(figures.read_text("utf-8-sig").replace("2025年上半年", "2025年"), "utf-8")
    return copy


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


@pytest.fixture(scope="module")
def half_year_rules(store_dir: Path):
    return compose(
        DraftRequest(H1, UNIT, "2025年上半年"), load_settings(embedding="hash", data_dir=store_dir)
    )


# --- the unit setting -------------------------------------------------------------------------


def test_unit_setting_is_the_default_before_the_corpus(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_UNIT", "样例县生态环境分局")
    settings = load_settings(embedding="hash", data_dir=store_dir)
    assert settings.unit == "样例县生态环境分局"
    result = compose(DraftRequest(H1, "", "2025年上半年", part="问题"), settings)
    assert result.draft.unit == "样例县生态环境分局"
    assert result.draft.title.startswith("样例县生态环境分局2025年上半年")
    given = compose(DraftRequest(H1, UNIT, "2025年上半年", part="问题"), settings)
    assert given.draft.unit == UNIT  # --unit still wins


def test_without_the_setting_the_corpus_names_the_unit(settings) -> None:
    assert settings.unit is None
    result = compose(DraftRequest(H1, "", "2025年上半年", part="问题"), settings)
    assert result.draft.unit == UNIT


def test_unit_setting_from_assistant_toml(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ASSISTANT_UNIT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assistant.toml").write_text('unit = "样例县生态环境分局"\n', encoding="utf-8")
    assert load_settings(embedding="hash", data_dir=store_dir).unit == "样例县生态环境分局"


# --- the .docx carries the draft's time -------------------------------------------------------


def test_docx_times_are_the_sidecars_created(settings, tmp_path: Path) -> None:
    request = DraftRequest(Q1, UNIT, "2025年一季度", part="问题")
    first = make_draft(request, settings, tmp_path / "a")
    sidecar = json.loads(first.files["json"].read_text(encoding="utf-8"))
    created = datetime.fromisoformat(sidecar["created"])
    core = docx.Document(str(first.files["docx"])).core_properties
    assert core.created == created
    assert core.modified == core.created


def test_saving_the_same_draft_twice_stamps_the_same_times(settings, tmp_path: Path) -> None:
    result = compose(DraftRequest(Q1, UNIT, "2025年一季度", part="问题"), settings)
    draft = result.draft
    draft.created = "2025-04-03T08:30:00+00:00"
    times = []
    for folder in ("a", "b"):
        paths = save_draft(draft, result.figure_set, tmp_path / folder)
        core = docx.Document(str(paths["docx"])).core_properties
        times.append((core.created, core.modified))
    moment = datetime(2025, 4, 3, 8, 30, tzinfo=UTC)
    assert times[0] == times[1] == (moment, moment)


# --- headings agree with the figures ----------------------------------------------------------

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,主题,方向"


def figures_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def air_section(figure_set) -> Section:
    ids = tuple(f.id for f in figure_set)
    return Section("summary", "（一）坚持协同治理，空气质量持续向好", 2, ("大气",), ids)


PM25_BETTER = "pm25_avg,PM2.5平均浓度,33.0,微克/立方米,2025年上半年,39.8,35,监测站,大气,越低越好"
# within the year a concentration off its annual target counts only when it also got worse
PM25_PRESSURE = "pm25_avg,PM2.5平均浓度,41.0,微克/立方米,2025年上半年,39.8,35,监测站,大气,越低越好"
RATIO_WORSE = "good_days_ratio,优良天数比例,74.6,%,2025年上半年,76.9,,监测站,大气,越高越好"
RATIO_BETTER = "good_days_ratio,优良天数比例,78.6,%,2025年上半年,76.9,,监测站,大气,越高越好"


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("坚持协同治理，空气质量持续向好", "better"),
        ("水环境质量总体稳定", "steady"),
        ("坚持严格执法，环境秩序持续规范", None),
    ],
)
def test_heading_claims(claim: str, expected: str | None) -> None:
    assert heading_claim(claim) == expected


def test_a_claim_the_figures_bear_out_keeps_its_heading(tmp_path: Path) -> None:
    figure_set = load_figures(figures_file(tmp_path, [PM25_BETTER, RATIO_BETTER]))
    section = air_section(figure_set)
    period = parse_period("2025年上半年")
    assert fit_heading(section.heading, section, figure_set, period) == section.heading


@pytest.mark.parametrize("rows", [[PM25_BETTER, RATIO_WORSE], [PM25_PRESSURE, RATIO_BETTER]])
def test_a_figure_worse_or_a_target_missed_drops_the_claim(tmp_path: Path, rows) -> None:
    figure_set = load_figures(figures_file(tmp_path, rows))
    section = air_section(figure_set)
    period = parse_period("2025年上半年")
    candidates = [
        "（二）大气污染防治稳中有进",
        "（一）蓝天保卫战持续深入",
        "（三）水污染防治有序推进",
    ]
    fitted = fit_heading(section.heading, section, figure_set, period, candidates)
    assert fitted == "（一）蓝天保卫战持续深入"  # another past heading: no claim, same topic
    without = fit_heading(section.heading, section, figure_set, period)
    assert without.startswith("（一）") and heading_claim(without) is None
    assert "大气" in section_topics(without)


def test_an_amount_behind_pace_is_a_missed_target_ahead_is_not(tmp_path: Path) -> None:
    row = "trees,造林面积,{v},亩,2025年上半年,1800,3000,林业局,生态,越高越好"
    period = parse_period("2025年上半年")
    ahead = load_figures(figures_file(tmp_path, [row.format(v=1980)]))
    assert verdict(ahead, ahead.ids, period.period_kind).missed == 0
    behind = load_figures(figures_file(tmp_path, [row.format(v=1200)]))
    assert verdict(behind, behind.ids, period.period_kind) == Verdict(0, 1, 1)


@pytest.mark.parametrize(
    ("figures", "period"),
    [(H1, "2025年上半年"), (Q1, "2025年一季度"), (Q3, "2025年前三季度"), (H1, "2025年")],
)
def test_every_summary_heading_agrees_with_its_figures(settings, figures, period, tmp_path) -> None:
    figures = relabelled(figures, period, tmp_path)
    result = compose(DraftRequest(figures, UNIT, period), settings)
    figure_set = load_figures(figures)
    outline_period = parse_period(period)
    draft = result.draft
    summary_part = True
    sections = 0
    seen: set[str] = set()
    for block in draft.blocks:
        if block.style == "h1":
            summary_part = "总结" in block.text or "情况" in block.text
        if block.style != "h2" or not summary_part:
            continue
        text = strip_number(block.text)
        assert text not in seen
        seen.add(text)
        topics = section_topics(text)
        ids = [f.id for f in figure_set if f.topic in topics]
        claim = heading_claim(text)
        assert verdict(figure_set, ids, outline_period.period_kind).supports(claim), block.text
        sections += 1
    assert sections >= 6


def test_monitoring_figures_get_their_own_section(half_year_rules) -> None:
    blocks = half_year_rules.draft.blocks
    headings = [b.text for b in blocks if b.style == "h2"]
    assert any("监测" in h for h in headings[: len(headings) // 2 + 1])
    approvals = next(i for i, b in enumerate(blocks) if b.style == "h2" and "营商" in b.text)
    body = []
    for block in blocks[approvals + 1 :]:
        if block.style != "body":
            break
        body.append(block.text)
    assert "审批" in "".join(body) and "监测" not in "".join(body)


# --- which past measures may stand in a new draft ---------------------------------------------


def chunk(
    text: str,
    year: int,
    part: str = "计划",
    heading: str = "（二）持续巩固水环境质量",
    period: str = "上半年",
    topic: str = "水",
) -> Chunk:
    top = "三、下半年工作计划" if part == "计划" else "一、上半年工作总结"
    return Chunk(
        f"c{year}{part}{len(text)}",
        text,
        f"{year}.md",
        (top, heading),
        part,
        topic,
        None,
        year,
        period,
    )


DEADLINE = "年底前完成洪塘沟水质提升三期主体工程"
STANDING = "深化国考断面“一断面一策”管理"


def history(*chunks: Chunk):
    return _clause_history(chunks)


def test_a_plan_measure_naming_a_project_or_deadline_is_one_years_task() -> None:
    old = chunk(f"{STANDING}；{DEADLINE}。", 2024)
    assert SPECIFIC.search(DEADLINE) and not SPECIFIC.search(STANDING)
    past = history(old)
    assert not reusable_measure(DEADLINE, old, ("水",), 2025, past)
    assert reusable_measure(STANDING, old, ("水",), 2025, past)  # nothing specific in it


def test_a_specific_measure_that_recurs_across_years_is_standing_practice() -> None:
    old = chunk(f"{DEADLINE}。", 2024)
    earlier = chunk("年底前完成洪塘沟水质提升三期主体工程建设。", 2023)
    same_year = chunk("年底前完成洪塘沟水质提升三期主体工程建设。", 2024, period="一季度")
    assert reusable_measure(DEADLINE, old, ("水",), 2025, history(old, earlier))
    assert not reusable_measure(DEADLINE, old, ("水",), 2025, history(old, same_year))


def test_an_annual_documents_plan_is_about_the_next_year() -> None:
    annual = chunk(f"{DEADLINE}。", 2024, period="全年")
    assert reusable_measure(DEADLINE, annual, ("水",), 2025, history(annual))
    assert not reusable_measure(DEADLINE, annual, ("水",), 2026, history(annual))


def test_a_measure_about_another_topic_is_dropped() -> None:
    soil = chunk("推进“无废城市”建设。", 2024, heading="（三）严格土壤和固废监管", topic="土壤")
    assert reusable_measure("推进“无废城市”建设", soil, ("土壤", "固废"), 2025, history(soil))
    assert not reusable_measure("推进“无废城市”建设", soil, ("大气",), 2025, history(soil))
    mixed = chunk(
        "加快推进示范区创建。", 2023, heading="（三）抓好土壤固废和生态保护", topic="土壤"
    )
    assert not reusable_measure("加快推进示范区创建", mixed, ("土壤", "固废"), 2025, history(mixed))


def test_a_summary_measure_is_kept_only_when_it_recurs() -> None:
    this = chunk(
        "深入推进非现场执法；开展春节前后环境安全隐患排查。",
        2024,
        part="总结",
        heading="（五）执法监管保持高压",
        topic="执法",
    )
    other = chunk(
        "深入推进非现场执法，提升监管效能。",
        2023,
        part="总结",
        heading="（五）执法监管",
        topic="执法",
    )
    past = history(this, other)
    assert reusable_measure("深入推进非现场执法", this, ("执法",), 2025, past)
    assert not reusable_measure("开展春节前后环境安全隐患排查", this, ("执法",), 2025, past)


@pytest.mark.parametrize(
    ("figures", "period"),
    [(H1, "2025年上半年"), (Q1, "2025年一季度"), (Q3, "2025年前三季度"), (H1, "2025年")],
)
def test_no_section_says_the_same_thing_twice(settings, figures, period, tmp_path) -> None:
    figures = relabelled(figures, period, tmp_path)
    draft = compose(DraftRequest(figures, UNIT, period), settings).draft
    sections: list[list[str]] = []
    current: list[str] | None = None
    for block in draft.blocks:
        if block.style in ("h1", "h2"):  # topic sections only: 存在问题 is 一是/二是 by nature
            current = [] if block.style == "h2" else None
            if current is not None:
                sections.append(current)
        elif block.style == "body" and current is not None:
            current.append(block.text)
    assert len(sections) >= 10
    for paragraphs in sections:
        text = "".join(paragraphs)
        items = re.findall(r"[一二三四五六七八九十]是([^；。]+)", text)
        rest = re.sub(r"[一二三四五六七八九十]是[^；。]+[；。]?", "", text)
        for item in items:
            assert not _said(item, rest), (item, rest)
        assert len(items) == len(set(items))
        if len(paragraphs) == 2:  # figures, then measures: no 二是 inside the figures
            assert not re.search(r"(?:^|[。；])[一二三四五六七八九十]是", paragraphs[0])
        assert "。。" not in text


@pytest.mark.parametrize(
    ("clause", "kind", "ahead"),
    [
        ("5月起启动夏季臭氧污染防治攻坚", "前三季度", False),
        ("5月起启动夏季臭氧污染防治攻坚", "一季度", True),
        ("9月底前完成整改销号", "上半年", True),
        ("3月底前完成排污许可证核发", "上半年", False),
        ("十一月起开展秋冬季攻坚", "前三季度", True),
        ("强化夏季VOCs治理和秋冬季攻坚", "前三季度", False),
        ("持续抓好夏季臭氧污染防治", "上半年", True),
        ("3月底前完成排污许可证核发", "全年", True),
    ],
)
def test_a_plan_clause_must_lie_ahead_of_the_period(clause: str, kind: str, ahead: bool) -> None:
    assert in_plan_time(clause, kind) is ahead


def test_the_fourth_quarter_plan_names_no_month_or_season_already_over(settings) -> None:
    """The 四季度 plan once read 一是5月起启动夏季臭氧污染防治攻坚."""
    draft = compose(DraftRequest(Q3, UNIT, "2025年前三季度"), settings).draft
    start = next(i for i, b in enumerate(draft.blocks) if "四季度" in b.text and b.style == "h1")
    plan = "".join(b.text for b in draft.blocks[start:])
    assert plan and in_plan_time(plan, "前三季度"), plan


def test_one_measure_stands_without_yi_shi() -> None:
    assert items(["健全信访问题源头治理机制"]) == "健全信访问题源头治理机制。"
    assert items(["甲措施", "乙措施"], "；") == "一是甲措施；二是乙措施；"


@pytest.mark.parametrize(
    ("figures", "period"),
    [(H1, "2025年上半年"), (Q1, "2025年一季度"), (Q3, "2025年前三季度")],
)
def test_no_lone_yi_shi_and_no_problem_contradicted_or_said_twice(settings, figures, period):
    """Sections once ended in a lone 一是…; 存在问题 appended a past cause that repeated the
    problem (进度滞后，污水管网建设进度滞后于计划) or that the figures contradict (the pipes ahead
    of pace, PM2.5 under its target in 前三季度)."""
    draft = compose(DraftRequest(figures, UNIT, period), settings).draft
    for block in draft.blocks:
        if "一是" in block.text and block.style == "body":
            following = "".join(b.text for b in draft.blocks[draft.blocks.index(block) :][:2])
            assert "二是" in following, block.text
        assert block.text.count("滞后") <= 1, block.text
    problems = "".join(b.text for b in draft.blocks if "是水环境质量" in b.text)
    if figures == Q3:
        assert "污水管网" not in problems
        assert "PM2.5浓度仍处于高位" not in "".join(b.text for b in draft.blocks)


def test_a_measure_does_not_repeat_its_section_heading(settings) -> None:
    draft = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings).draft
    for index, block in enumerate(draft.blocks[:-1]):
        if block.style == "h2":
            title = strip_number(block.text)
            assert not draft.blocks[index + 1].text.startswith(f"一是{title}"), block.text


def test_the_pattern_opening_has_no_stray_space(tmp_path: Path) -> None:
    empty = load_settings(embedding="hash", data_dir=tmp_path)
    draft = compose(DraftRequest(H1, UNIT, "2025年上半年", part="总结"), empty).draft
    assert "深入践行习近平生态文明思想" in draft.blocks[1].text
