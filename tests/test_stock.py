"""Stock phrasing made the unit's own, corpus choices per unit, and the editor's defects seen in
drafts from real summaries: a measure repeating an earlier one or the section's heading, a past
problem of slow progress while the targets are on pace, a past analysis the figures do not show.
The sentences here are our own, of the shape the real drafts had."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import domain, stock
from assistant.draft import DraftRequest, compose
from assistant.figures import load_figures
from assistant.measures import by_unit
from assistant.reading import read_document
from assistant.refill import Refiller
from assistant.settings import load_settings
from assistant.types import Chunk
from assistant.writers import _dedupe, _off_title
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
UNITS = [
    "甲县生态环境局",
    "乙区生态环境分局",
    "丙市生态环境局",
    "丁县生态环境分局",
    "戊区生态环境局",
]
HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,主题,方向"


def figures_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- the stock grammar ---------------------------------------------------------------------------


def test_a_units_choice_is_the_same_every_time_and_another_units_differs() -> None:
    text = "[加强|强化|狠抓]餐饮油烟[常态化管控|日常巡查|网格化管控][，及时处置问题|]"
    chosen = {unit: stock.choose(text, unit) for unit in UNITS}
    assert chosen == {unit: stock.choose(text, unit) for unit in UNITS}
    assert len(set(chosen.values())) >= 4
    assert all(c in stock.variants(text) for c in chosen.values())
    assert len(stock.variants(text)) == 18


def test_an_alternative_with_a_given_slot_goes_first_one_without_its_slot_never() -> None:
    text = "开展[{scope}|]排污口排查[，{name}整治|，落实整治]"
    for unit in UNITS:
        said = stock.choose(text, unit, slots={"scope": "全县"})
        assert said.startswith("开展全县排污口排查") and "{" not in said
        assert said.endswith("落实整治")
    assert stock.choose("[{gov}|党委、政府]的领导", "甲", slots={}) == "党委、政府的领导"


def test_every_topics_stock_varies_by_unit() -> None:
    """Two bureaus whose past gives too little do not get the same stock sentence."""
    for topic in domain.topics():
        for key in ("measures", "plans"):
            firsts = [
                stock.measures((topic,), key, unit, "", 2024, {"scope": "全县"})[0]
                for unit in UNITS
            ]
            assert len(set(firsts)) >= 3, (topic, key, firsts)


def test_the_units_own_figures_and_trouble_name_the_stock(tmp_path: Path) -> None:
    figure_set = load_figures(
        figures_file(
            tmp_path,
            [
                "o3,臭氧浓度（O3-8h第90百分位）,168,微克/立方米,2025年上半年,156,,监测站,大气,越低越好",
                "pipes,新建改造城镇污水管网,16.8,公里,2025年上半年,,35,住建局,水,越高越好",
            ],
        )
    )
    o3, pipes = figure_set["o3"], figure_set["pipes"]
    title = stock.problem_title(o3, "worse", "甲县生态环境局")
    assert title.startswith("臭氧浓度") and "90" not in title and "下降" not in title
    assert stock.problem_title(pipes, "behind", "甲县生态环境局").startswith("新建改造城镇污水管网")
    assert stock.weak(figure_set, "上半年") == "臭氧浓度和新建改造城镇污水管网"
    assert stock.work(figure_set, "甲县生态环境局") == "大气污染防治和水污染防治"


# --- corpus choices per unit -------------------------------------------------------------------


def past(chunk_id: str, unit: str | None, year: int, period: str = "上半年") -> Chunk:
    return Chunk(
        chunk_id, "加强巡查。", f"{chunk_id}.md", ("一、总结", "（一）x"), "总结", "执法", unit,
        year, period,
    )  # fmt: skip


def test_the_units_own_past_speaks_first_then_another_bureaus_in_the_units_order() -> None:
    chunks = [past(f"c{i}", "某市生态环境局", 2020 + i % 4) for i in range(8)]
    chunks += [past("own-old", "甲县生态环境局", 2021), past("own-new", "甲县生态环境局", 2023)]
    chunks += [past("other-kind", "某市生态环境局", 2024, "全年")]
    mine = by_unit(chunks, "甲县生态环境局", "上半年")
    assert [c.id for c in mine[:2]] == ["own-new", "own-old"]
    assert mine[-1].id == "other-kind"
    assert mine == by_unit(list(reversed(chunks)), "甲县生态环境局", "上半年")
    theirs = by_unit(chunks, "乙区生态环境分局", "上半年")
    assert [c.id for c in mine[2:-1]] != [c.id for c in theirs[:8]]


# --- near-duplicates and the heading said again --------------------------------------------------


def test_a_measure_that_mostly_repeats_an_earlier_one_goes() -> None:
    measures = [
        "强化工地扬尘和渣土车管控，对超标工地实行即查即改",
        "强化工地扬尘、渣土车和道路保洁精细化管控",
        "开展餐饮油烟专项检查",
    ]
    assert _dedupe(measures) == [measures[0], measures[2]]
    assert _dedupe(["深化“双随机、一公开”抽查", "推行“双随机、一公开”抽查"]) == [
        "深化“双随机、一公开”抽查"
    ]
    distinct = ["加强涉气企业日常巡查", "加强餐饮油烟和露天焚烧日常巡查"]
    assert _dedupe(distinct) == distinct


def test_a_plan_item_does_not_say_its_heading_again() -> None:
    title = "持续加强党风廉政建设"
    assert _off_title(["持续加强党风廉政建设", "开展廉政警示教育"], title) == ["开展廉政警示教育"]
    assert _off_title(["压实主体责任，持续加强党风廉政建设"], title) == ["压实主体责任"]
    assert _off_title(["加强党员日常教育管理"], title) == ["加强党员日常教育管理"]


# --- a past analysis only where the figures show it --------------------------------------------

ANALYSIS = "臭氧浓度160微克/立方米，成为影响优良天数的主要因素。"


@pytest.mark.parametrize(("previous", "kept"), [("170", False), ("150", True)])
def test_a_past_analysis_stands_only_when_the_figure_bears_it_out(
    tmp_path: Path, previous: str, kept: bool
) -> None:
    row = f"o3,臭氧浓度,158,微克/立方米,2025年上半年,{previous},,监测站,大气,越低越好"
    figure_set = load_figures(figures_file(tmp_path, [row]))
    refilled = Refiller(figure_set, ["o3"], "summary", 2025).sentence(ANALYSIS)
    assert refilled is not None and refilled.figure_ids == ["o3"]
    assert ("主要因素" in refilled.text) is kept, refilled.text


def test_a_past_analysis_stands_when_the_figure_leads_the_exceedances(tmp_path: Path) -> None:
    rows = [
        "o3,臭氧浓度,158,微克/立方米,2025年上半年,170,,监测站,大气,越低越好",
        "o3_days,臭氧超标天数,21,天,2025年上半年,,,监测站,大气,越低越好",
        "pm_days,PM2.5超标天数,6,天,2025年上半年,,,监测站,大气,越低越好",
    ]
    figure_set = load_figures(figures_file(tmp_path, rows))
    refilled = Refiller(figure_set, ["o3"], "summary", 2025).sentence(ANALYSIS)
    assert refilled is not None and "主要因素" in refilled.text


# --- whole drafts ---------------------------------------------------------------------------------


DROPPED = [  # rows each bureau's sheet lacks
    ("pm10_avg", "soil_survey_reports", "fines_wan"),
    ("dustfall", "eqi", "monitoring_data_points"),
    ("good_days", "hazwaste_plan_filings", "eia_investment"),
    ("heavy_pollution_days", "rural_sewage_rate", "inspections"),
]


@pytest.fixture(scope="module")
def drafts(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Four bureaus' half-year drafts from one shared corpus; each bureau's sheet lacks a few of
    the sample's rows (no two offices report the very same figures)."""
    settings = load_settings(embedding="hash", data_dir=store_dir)
    header, *rows = H1.read_text("utf-8-sig").splitlines()
    folder = tmp_path_factory.mktemp("sheets")
    found = {}
    for index, unit in enumerate(UNITS[:4]):
        sheet = folder / f"{index}.csv"
        left_out = DROPPED[index]
        kept = [row for row in rows if row.split(",")[0] not in left_out]
        sheet.write_text("\n".join([header, *kept]) + "\n", "utf-8")
        draft = compose(DraftRequest(sheet, unit, "2025年上半年"), settings).draft
        found[unit] = "\n".join(b.text for b in draft.blocks if b.style == "body")
    return found


def _bare(item: str) -> str:
    """A stock item without what the unit's own choice added: its scope word, its adverb."""
    item = re.sub(r"全[县区市]", "", item)
    adverbs = "|".join(a for a in domain.patterns()["stock_adverbs"] if a)
    verbs = "|".join(domain.patterns()["stock_verbs"])
    return re.sub(rf"^(?:{adverbs})(?={verbs})", "", item)


def _corpus() -> str:
    docs = [p for p in SAMPLE_DIR.iterdir() if p.suffix in (".txt", ".md", ".docx")]
    return "\n".join(b.text for path in docs for b in read_document(path).blocks)


def _stock_sentences(text: str) -> set[str]:
    """The draft's sentences that are one of our stock variants (with a unit's slot words) and
    not the corpus's own words (our stock says some things as the sample corpus does)."""
    corpus = _corpus()
    pool = {
        re.sub(r"\{\w+\}", "", v)
        for topic in domain.topics()
        for key in ("measures", "plans")
        for s in domain.topic_sentences(topic, key)  # type: ignore[arg-type]
        for v in stock.variants(s)
    }
    said = set()
    for sentence in re.split(r"[。\n]", text):  # a sentence as bench_real counts them
        items = [i for i in re.split(r"；?[一二三四五六七八九十]是", sentence) if i]
        ours = [i for i in items if _bare(i) in pool and i not in corpus]
        if ours and len(ours) == len(items):  # all of it our stock
            said.add(sentence)
    return said


@pytest.mark.slow
def test_no_stock_sentence_is_word_for_word_in_two_bureaus_drafts(drafts) -> None:
    seen: dict[str, str] = {}
    for unit, text in drafts.items():
        mine = _stock_sentences(text)
        assert mine, unit  # the sample's sections do take stock: the test can fail
        for sentence in mine:
            assert sentence not in seen, (sentence, unit, seen.get(sentence))
            seen[sentence] = unit


def test_a_past_problem_of_slow_progress_goes_when_the_targets_are_on_pace(drafts) -> None:
    """The sample H1's 重点工程 完成率 is 52.4 % against a 50 % pace: no past title says its
    progress is slow or uneven."""
    for text in drafts.values():
        assert not re.search(r"重点工程[^。，]{0,6}(?:不均衡|不平衡|滞后|缓慢)", text), text


def test_a_slogan_lead_is_said_once_in_a_section() -> None:
    """二是扎实推进净土保卫战，严格… after 一是持续深入打好净土保卫战，… (or under that heading)
    says the slogan twice: the second keeps what follows it; a lead with work of its own
    stays."""
    from assistant.writers import _lead_once

    measures = [
        "持续深入打好净土保卫战，严格土壤污染状况调查报告评审",
        "扎实推进净土保卫战，严格建设用地土壤污染风险管控",
        "进一步完善重污染天气应急减排清单，落实分级管控措施",
        "聚焦重污染天气应对，完善应急预案",
    ]
    assert _lead_once(measures, "（三）严格土壤污染风险管控") == [
        measures[0],
        "严格建设用地土壤污染风险管控",
        measures[2],
        measures[3],  # 重污染天气 is in an earlier lead, but not what that lead ends on
    ]
    under = _lead_once(measures[1:2], "（三）持续深入打好净土保卫战")
    assert under == ["严格建设用地土壤污染风险管控"]
