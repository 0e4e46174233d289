"""Figures of one campaign stay in one section (issue 15): assignment by topic first, then by
shared subject; the unit's own name is no subject."""

from __future__ import annotations

from pathlib import Path

from assistant.draft import DraftRequest, compose
from assistant.figures import load_figures
from assistant.outline import assigned_topics, derive_outline
from assistant.periods import parse_period
from assistant.settings import load_settings

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,主题,方向"
ROWS = [
    "aq_tasks,大气攻坚任务,20,项,2025年上半年,18,,台账,大气,",
    "aq_rate,大气攻坚任务完成率,60,%,2025年上半年,55,,台账,综合,越高越好",
    "projects,生态环境重点工程,32,项,2025年上半年,28,,调度表,综合,",
    "eco_index,生态环境状况指数,64.4,,2025年上半年,64.2,,评价结果,生态,越高越好",
    "water_ratio,国考断面优Ⅲ类比例,100,%,2025年上半年,100,100,月报,水,越高越好",
]
UNIT = "示例区生态环境局"


def figures(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return load_figures(path)


def test_a_campaigns_catch_all_figure_joins_its_topic(tmp_path: Path) -> None:
    topics = assigned_topics(figures(tmp_path), UNIT)
    assert topics["aq_rate"] == "大气" and topics["aq_tasks"] == "大气"
    assert topics["projects"] == "综合"  # 生态环境 is the unit's name, not a shared subject
    assert assigned_topics(figures(tmp_path))["projects"] == "生态"  # without the unit it would


def test_each_figure_is_in_one_summary_section(tmp_path: Path) -> None:
    figure_set = figures(tmp_path)
    outline = derive_outline(figure_set, parse_period("2025年上半年"), UNIT, None)
    summaries = [s for s in outline.sections if s.role == "summary"]
    air = next(s for s in summaries if "大气" in s.topics)
    assert {"aq_tasks", "aq_rate"} <= set(air.figure_ids)
    cited = [i for s in summaries for i in s.figure_ids]
    assert sorted(cited) == sorted(figure_set.ids)  # every figure once


def test_the_problems_speak_of_a_campaign_under_its_topic(tmp_path: Path, store_dir) -> None:
    rows = [
        r.replace(
            "大气攻坚任务完成率,60,%,2025年上半年,55", "大气攻坚任务完成率,50,%,2025年上半年,55"
        )
        for r in ROWS
    ]
    path = tmp_path / "worse.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    settings = load_settings(embedding="hash", data_dir=store_dir)
    draft = compose(DraftRequest(path, UNIT, "2025年上半年", part="问题"), settings).draft
    (item,) = [b.text for b in draft.blocks if "大气攻坚任务完成率" in b.text]
    # titled by the figure in trouble (assistant.stock.problem_title), under its topic
    assert item.startswith("一是大气攻坚任务完成率") and "。上半年大气攻坚任务完成率" in item
