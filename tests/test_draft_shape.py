"""More of the office's own phrasing per section, without passing one period's work or another
bureau's stock off as this draft's: standing practice vs one-off measures, a summary's time,
runs of clauses kept together, past problems as title and reason, stock chosen per unit, and a
quarter's brief plan."""

from __future__ import annotations

import yaml

from assistant import domain, names, stock
from assistant.figures import load_figures
from assistant.measures import (
    _clause_history,
    in_summary_time,
    practice,
    reusable_measure,
)
from assistant.outline import Section, parse_period
from assistant.problems import problem_items
from assistant.refill import narrative
from assistant.shape import plan_sections
from assistant.types import Chunk
from tests.conftest import SAMPLE_DIR


def summary_chunk(text: str, year: int = 2023, topic: str = "执法") -> Chunk:
    return Chunk(
        f"s{year}{len(text)}",
        text,
        f"{year}.md",
        ("一、上半年工作总结", "（五）执法监管保持高压"),
        "总结",
        topic,
        None,
        year,
        "上半年",
    )


def test_standing_practice_may_stand_in_a_summary_a_one_off_may_not() -> None:
    old = summary_chunk("坚持执法与服务并举；召开全县执法工作推进会；被评为执法先进集体。")
    past = _clause_history([old])  # nothing recurs: one document only
    assert practice("坚持执法与服务并举")
    assert reusable_measure("坚持执法与服务并举", old, ("执法",), 2025, past)
    for one_off in ("召开全县执法工作推进会", "被评为执法先进集体", "春节前开展执法巡查"):
        assert not practice(one_off)
        assert not reusable_measure(one_off, old, ("执法",), 2025, past)
    assert not practice("年底前完成三期工程")  # a deadline (SPECIFIC)
    assert not practice("7-9月开展夏季专项执法")  # months: one year's schedule


def test_a_summary_speaks_only_of_its_own_months_and_seasons() -> None:
    assert not in_summary_time("4-10月开展臭氧污染防治攻坚", "一季度")
    assert in_summary_time("4-10月开展臭氧污染防治攻坚", "全年")
    assert not in_summary_time("组织夏季臭氧攻坚", "一季度")
    assert in_summary_time("组织夏季臭氧攻坚", "上半年")
    assert in_summary_time("落实秋冬季攻坚各项措施", "一季度")


def test_clauses_of_one_sentence_stay_together_and_break_at_a_number() -> None:
    text = (
        "搭建区级扬尘监管平台，推行工地扬尘分级管理，检查工地45个，督促整改扬尘问题。"
        "强化机动车尾气抽检；加强餐饮油烟管控。"
    )
    runs = narrative(text, limit=6, actions=True, join=3)
    assert runs == [
        "搭建区级扬尘监管平台，推行工地扬尘分级管理",
        "督促整改扬尘问题",
        "强化机动车尾气抽检",  # a “；” ends an item
        "加强餐饮油烟管控",
    ]
    assert narrative(text, limit=6, actions=True)[0] == "搭建区级扬尘监管平台"  # join=1


def test_past_problems_are_read_as_title_and_reason() -> None:
    text = (
        "半年工作有进展，但仍有不足。一是扬尘管控存在薄弱环节。部分工地围挡不全，"
        "道路保洁频次不够。二是执法力量偏弱。"
    )
    items = problem_items(text)
    assert [i.title for i in items] == ["扬尘管控存在薄弱环节", "执法力量偏弱"]
    assert items[0].explanation == "部分工地围挡不全，道路保洁频次不够。"
    headed = problem_items("执法人员少，监管企业多。", ("二、存在的问题", "（二）监管力量不足"))
    assert headed[0].title == "监管力量不足" and headed[0].explanation.startswith("执法人员少")


def test_stock_is_ordered_per_unit_the_same_every_time() -> None:
    pool = domain.topic_sentences("大气", "measures")
    first = stock.ranked(pool, "甲县生态环境分局")
    assert first == stock.ranked(pool, "甲县生态环境分局")
    units = ["甲县生态环境分局", "乙区生态环境分局", "丙市生态环境局", "丁县生态环境局"]
    assert len({tuple(stock.ranked(pool, u)[:2]) for u in units}) == len(units)


def test_no_stock_sentence_names_a_place() -> None:
    voice = names.Voice.of("某县生态环境局")
    table = yaml.safe_load((domain.PACKS_DIR / "生态环境" / "topics.yaml").read_text("utf-8"))
    for spec in table["topics"].values():
        for text in (*spec.get("measures", ()), *spec.get("plans", ())):
            for sentence in stock.variants(text):
                assert not names.foreign_names(sentence, voice), sentence


def plan_chunk(topic: str) -> Chunk:
    return Chunk(
        f"p{topic}", "加强巡查。", "2024.md", ("三、下一步工作打算", "（一）x"), "计划", topic
    )


def test_a_quarters_plan_keeps_the_topics_past_plans_speak_of() -> None:
    figure_set = load_figures(SAMPLE_DIR / "figures-2025Q1.csv")
    period = parse_period("2025年一季度")
    with_target = next(f.id for f in figure_set if figure_set.target(f.id))
    sections = [
        Section("plan", "（一）大气", 2, ("大气",), (with_target,)),
        Section("plan", "（二）生态", 2, ("生态",), ()),
        Section("plan", "（三）宣传", 2, ("宣传",), ()),
    ]
    kept, found = plan_sections(sections, [[], [], [plan_chunk("宣传")]], figure_set, period)
    assert [s.heading for s in kept] == ["（一）大气", "（二）宣传"]  # renumbered
    assert found == [[], [plan_chunk("宣传")]]
    annual = parse_period("2025年")  # a year's plan also follows up this period's figures
    sections[1] = Section("plan", "（二）生态", 2, ("生态",), ("some_figure",))
    kept = plan_sections(sections, [[], [], []], figure_set, annual)[0]
    assert [s.heading for s in kept] == ["（一）大气", "（二）生态"]
    # a 科室's planned item of a topic keeps its section, figures or none
    kept = plan_sections(sections[:1] + sections[2:], [[], []], figure_set, period, {"宣传"})[0]
    assert [s.heading for s in kept] == ["（一）大气", "（二）宣传"]


def test_a_name_nothing_places_goes_to_its_closest_topic_not_the_catch_all() -> None:
    from assistant.topics import figure_topic

    assert figure_topic("群众来电反映问题", None) == "信访"  # no metric, no hint word
    assert figure_topic("开展环境安全隐患排查", None) == "安全"
    assert figure_topic("绿盾专项行动问题点位", None) == "生态"  # not 执法's 专项行动
    assert figure_topic("甲乙丙", None) is None  # nothing shared: left to the outline


def test_a_past_problems_reason_about_a_metric_not_in_trouble_does_not_stand() -> None:
    from assistant.problems import _unmeasured_claim

    assert _unmeasured_claim("完成投资低于时间进度，个别项目进展缓慢", set())
    assert not _unmeasured_claim("完成投资低于时间进度", {"完成投资"})  # the figures bear it out
    assert not _unmeasured_claim("执法人员少，监管企业多", set())  # no metric: may stand
