"""Defects an office editor saw in drafts written from other bureaus' real summaries: a figure
of the period's overall standing under 重点工程, sentences whose subject went with a cut
clause, two period words in one lead, a past heading promising two topics over one, a year
judged as done from 1-11月 figures, and zero counts with nothing tying them to their figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose, markdown
from assistant.settings import load_settings

UNIT = "示例区生态环境局"


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


def _write(folder: Path, name: str, rows: str) -> Path:
    path = folder / name
    path.write_text("id,指标,数值,单位,期间,上年同期,目标,来源\n" + rows, "utf-8")
    return path


STANDING = (
    "pm25,PM2.5平均浓度,33,微克/立方米,2025年,35,35,区监测站\n"
    "good,优良天数比例,86.1,%,2025年,84.2,85,区监测站\n"
    "score,生态环境公众满意度,90.12,分,2025年,,,市统计局\n"
    "invest,重点工程完成投资,8.2,亿元,2025年,,10,区发改局\n"
)


def test_public_satisfaction_leads_the_opening_not_the_projects_section(
    settings, tmp_path: Path
) -> None:
    figures = _write(tmp_path, "standing.csv", STANDING)
    result = compose(DraftRequest(figures, UNIT, "2025年"), settings)
    blocks = result.draft.blocks
    first_heading = next(i for i, b in enumerate(blocks) if b.style in ("h1", "h2"))
    opening = "".join(b.text for b in blocks[:first_heading])
    assert "公众满意度90.12分" in opening
    body = markdown(result.draft).split("\n## ", 1)[1]
    assert "90.12" not in body  # said once, in the opening, and under no section
    assert result.report.ok


def _figures(tmp_path: Path, rows: str, name: str = "f.csv"):
    from assistant.figures import load_figures

    return load_figures(_write(tmp_path, name, rows))


ENFORCEMENT = (
    "cases,立案查处环境违法案件,21,起,2025年上半年,,,执法大队\n"
    "fines,罚款金额,86.4,万元,2025年上半年,,,执法大队\n"
    "bad_v,劣Ⅴ类断面数,0,个,2025年上半年,0,0,监测站\n"
    "planted,新增造林面积,1500,亩,2025年上半年,,,林业局\n"
)


def test_a_refilled_clause_whose_subject_was_cut_is_said_with_its_figures_name(
    tmp_path: Path,
) -> None:
    """检查企业…，出动…，处罚款… with only the fines current: the clauses before it go (their
    numbers have no figure), and 处罚款86.4万元 alone has lost whoever fined."""
    from assistant.refill import Refiller

    figures = _figures(tmp_path, ENFORCEMENT)
    past = "今年以来共检查企业320家次，出动执法人员900人次，处罚款45.6万元。"
    refilled = Refiller(figures, ["fines"], "summary", 2025).sentence(past)
    assert refilled is not None and refilled.text == "罚款金额{{fines}}。"
    # a clause that opens its sentence as it did in the past keeps its words
    whole = "处罚款45.6万元，同比有所增加。"
    kept = Refiller(figures, ["fines"], "summary", 2025).sentence(whole)
    assert kept is not None and kept.text.startswith("处罚款{{fines}}")
    # the name's tail restored where the clause says it (the older rule) still holds
    tail = "全区5个考核断面水质均达标，造林面积1,200亩。"
    restored = Refiller(figures, ["planted"], "summary", 2025).sentence(tail)
    assert restored is not None and restored.text == "新增造林面积{{planted}}。"


def test_a_zero_count_in_words_has_the_area_as_its_subject(tmp_path: Path) -> None:
    from assistant import names
    from assistant.prose import figure_sentences

    figures = _figures(tmp_path, ENFORCEMENT)
    subject = names.area_subject(names.level_of("某县生态环境分局"))
    assert subject == "全县"
    said = figure_sentences([figures["bad_v"]], figures, subject)
    assert said == ["全县无劣Ⅴ类断面。"]
    # after another figure's clause the zero needs no subject of its own
    both = figure_sentences([figures["planted"], figures["bad_v"]], figures, subject)
    assert both == ["新增造林面积{{planted}}；无劣Ⅴ类断面。"]


def test_a_season_a_past_sentence_opened_with_gives_way_to_the_figures_period() -> None:
    from assistant.periods import lead_with, season_led

    assert lead_with("春季完成造林{{planted}}。", "一季度") == "一季度完成造林{{planted}}。"
    assert lead_with("完成造林{{planted}}。", "上半年") == "上半年，完成造林{{planted}}。"
    assert lead_with("1-6月，完成造林{{planted}}。", "上半年") == "1-6月，完成造林{{planted}}。"
    assert season_led("秋冬季PM2.5平均浓度{{pm25}}。", "2025年") == "2025年PM2.5平均浓度{{pm25}}。"
    assert season_led("全区完成造林{{planted}}。", "上半年") == "全区完成造林{{planted}}。"


def test_a_draft_says_one_period_word_and_keeps_every_subject(settings, tmp_path: Path) -> None:
    """The sample corpus's 春季完成造林…, 检查企业…，立案查处…件，处罚款… and a zero count
    said alone, drafted with this half year's figures."""
    figures = _write(tmp_path, "h1.csv", ENFORCEMENT)
    result = compose(DraftRequest(figures, UNIT, "2025年上半年"), settings)
    text = markdown(result.draft)
    assert "春季完成造林" not in text and "上半年完成造林1500亩" in text
    assert not re.search(r"(?:^|[。\n]|上半年，)处罚款", text)  # fined by whom?
    assert "86.4万元" in text and "21起" in text
    for at in [i for i in range(len(text)) if text.startswith("无劣Ⅴ类断面", i)]:
        assert text[at - 2 : at] in ("全区", "全年"), text[at - 20 : at + 8]
    assert result.report.ok


def test_a_past_heading_promising_another_sections_topic_is_not_reused() -> None:
    from assistant.outline import _heading_ok

    assert not _heading_ok("审批监测服务提质增效，助力发展提速", ["监测"])
    assert _heading_ok("审批监测服务提质增效，助力发展提速", ["审批", "监测"])
    # 环境风险 of soil and waste is still the soil section's, not 安全's
    assert _heading_ok("打好净土保卫战，土壤和固废环境风险有效管控", ["土壤", "固废"])
    assert _heading_ok("提升监测能力，监测数据真准全", ["监测"])


def test_a_case_count_in_another_count_word_keeps_the_sentence_whole(tmp_path: Path) -> None:
    """案件15件 in a past sentence stands for this period's cases kept in 起 (the metric's own
    count words): the sentence keeps 立案查处…，处罚款… instead of losing its first clause; a
    count of visits (家次) is still no count of one kind of firm (涉重金属企业…家)."""
    from assistant.refill import Refiller

    rows = ENFORCEMENT + "metal,涉重金属企业现场检查,4,家,2025年上半年,,,执法大队\n"
    figures = _figures(tmp_path, rows)
    past = "今年以来共检查企业320家次，立案查处环境违法案件15件，处罚款45.6万元。"
    refilled = Refiller(figures, ["cases", "fines", "metal"], "summary", 2025).sentence(past)
    assert refilled is not None
    assert refilled.text == "立案查处环境违法案件{{cases}}，处罚款{{fines}}。"


SO_FAR = (
    "pm25,PM2.5平均浓度,36,微克/立方米,2025年1-11月,38,35,区监测站\n"
    "planted,新增造林面积,1100,亩,2025年1-11月,,1200,区林业局\n"
    "sewer,新建污水管网,20,公里,2025年1-11月,,30,区住建局\n"
)


def test_an_annual_draft_from_1_11_figures_judges_targets_against_pace(
    settings, tmp_path: Path
) -> None:
    """Eleven months of a year owe 91 % of an annual amount: 1100 of 1200亩 (91.7 %) is on pace,
    20 of 30公里 (66.7 %) behind it; a concentration above its annual target while improving is
    no failure of a year not yet done. The problems say 1-11月, not the year."""
    from assistant.outline import trouble, verdict
    from assistant.periods import pace_for, parse

    figures = _figures(tmp_path, SO_FAR)
    assert pace_for("全年", parse("2025年1-11月")) == 91
    assert pace_for("全年", parse("2025年")) == 100
    assert pace_for("上半年", parse("2025年上半年")) == 50
    assert trouble(figures, "planted", "全年") is None
    assert trouble(figures, "sewer", "全年") == "behind"
    assert trouble(figures, "pm25", "全年") is None  # 36 > 35 but better than 38: pace
    assert not verdict(figures, ["planted"], "全年").supports("done")  # the year is not done
    assert verdict(figures, ["planted"], "全年").supports("steady")
    result = compose(DraftRequest(_write(tmp_path, "y.csv", SO_FAR), UNIT, "2025年"), settings)
    text = markdown(result.draft)
    problems = text.split("存在", 1)[1].split("\n## ", 1)[0]
    assert "1-11月新建污水管网20公里，仅完成年度目标的66.7%" in problems
    assert "造林" not in problems and "PM2.5" not in problems
    assert "2025年新建污水管网" not in text


def test_a_year_drafted_from_its_whole_figures_is_judged_as_done(tmp_path: Path) -> None:
    from assistant.outline import trouble, verdict

    figures = _figures(tmp_path, SO_FAR.replace("2025年1-11月", "2025年"))
    assert trouble(figures, "planted", "全年") == "behind"
    assert trouble(figures, "pm25", "全年") == "missed"
    assert verdict(figures, [], "全年").supports("done")


def test_a_zero_count_in_words_is_cited_and_commented_like_a_number(
    settings, tmp_path: Path
) -> None:
    from assistant.check import check_file
    from assistant.draft import make_draft
    from assistant.figures import load_figures
    from assistant.prose import zero_citations
    from assistant.word import read_comments

    figures = _figures(tmp_path, ENFORCEMENT)
    text = "上半年，全区无劣Ⅴ类断面。确保全年无劣Ⅴ类断面。"
    cited = zero_citations(text, figures, 3)
    assert [(c.text, c.field, c.block) for c in cited] == [
        ("无劣Ⅴ类断面", "value", 3),
        ("无劣Ⅴ类断面", "target", 3),
    ]
    assert text[cited[0].start : cited[0].end] == "无劣Ⅴ类断面"

    path = _write(tmp_path, "h1.csv", ENFORCEMENT)
    result = make_draft(DraftRequest(path, UNIT, "2025年上半年"), settings, tmp_path / "out")
    zeros = [c for c in result.draft.citations if c.figure_id == "bad_v"]
    assert zeros and all(c.text == "无劣Ⅴ类断面" for c in zeros)
    docx_path = result.files["docx"]
    comments = [r for r in read_comments(docx_path) if "（bad_v" in r.text]
    assert len(comments) == len(zeros)
    assert all(r.anchored_text == "无劣Ⅴ类断面" and "即：0个" in r.text for r in comments)
    assert check_file(docx_path, load_figures(path)).ok


def test_parts_said_without_their_total_keep_a_whole_name(tmp_path: Path) -> None:
    """报告书 and 报告表 of a total a past sentence already said: the second part is not cut to
    its one different character (…报告书5件、表21件 has lost what 表 is)."""
    from assistant.prose import figure_sentences

    rows = (
        "eia,审批环评文件,30,件,2025年上半年,,,审批股\n"
        "book,其中环评报告书,4,件,2025年上半年,,,审批股\n"
        "form,其中环评报告表,26,件,2025年上半年,,,审批股\n"
    )
    figures = _figures(tmp_path, rows)
    said = figure_sentences([figures["book"], figures["form"]], figures)
    assert said == ["其中环评报告书{{book}}、环评报告表{{form}}。"]
    whole = figure_sentences([figures["eia"], figures["book"], figures["form"]], figures)
    assert whole == ["审批环评文件{{eia}}，其中环评报告书{{book}}、环评报告表{{form}}。"]


def test_a_revision_keeps_a_zero_in_words_and_cites_it_again(tmp_path: Path) -> None:
    """A revision turns cited numbers back into references; a zero said in words stays words
    (not re-rendered as 0个) and is cited again after rendering."""
    from assistant.prose import zero_citations
    from assistant.revise import to_references

    figures = _figures(tmp_path, ENFORCEMENT)
    text = "上半年完成造林1500亩，全区无劣Ⅴ类断面。"
    cited = zero_citations(text, figures, 0)
    assert [c.figure_id for c in cited] == ["bad_v"]
    assert to_references(text, cited) == text
