"""The number checker: every finding kind on realistic 公文 sentences, provenance, files, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import CheckReport, Finding, check_blocks, check_file
from assistant.check import annotate_report
from assistant.cli import app
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.render import comment_text, parse_comment, render
from assistant.types import Block, FigureSet, Mark
from assistant.word import read_blocks, read_comments, write_document

from .conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"


@pytest.fixture(scope="module")
def figures() -> FigureSet:
    return load_figures(H1)


def only(report: CheckReport, value: str) -> Finding:
    """The one finding whose written value is ``value``."""
    found = [f for f in report.findings if f.value == value]
    assert len(found) == 1, [(f.value, f.kind) for f in report.findings]
    return found[0]


def check(text: str, figures: FigureSet) -> CheckReport:
    return check_blocks([text], figures)


# --- each kind -------------------------------------------------------------------------------


def test_correct_paragraph_is_all_ok(figures: FigureSet) -> None:
    text = (
        "上半年，全区PM2.5平均浓度为38.4微克/立方米，同比下降3.5%，未达到35微克/立方米的年度目标；"
        "优良天数比例74.6%，同比下降2.3个百分点。立案查处环境违法案件32件，其中大气类14件、"
        "水类9件、其他类9件，罚款203.4915万元。"
    )
    report = check(text, figures)
    assert report.ok and report.summary["ok"] == 10 and report.summary["total"] == 10
    water = [f for f in report.findings if f.value == "9件"]
    assert [f.figure_id for f in water] == ["cases_water", "cases_other"]
    change = only(report, "3.5%")
    assert (change.figure_id, change.field, change.expected) == ("pm25_avg", "change", "下降3.5%")
    assert change.matched_by == "context" and "figures-2025H1.csv 第2行" in (change.source or "")
    assert only(report, "35微克/立方米").field == "target"


def test_mismatch_gives_expected(figures: FigureSet) -> None:
    report = check("上半年，全区检查企业1247家次，出动执法人员3690人次。", figures)
    wrong = only(report, "1247家次")
    assert wrong.kind == "mismatch" and wrong.figure_id == "inspections"
    assert wrong.expected == "1274家次" and "1274家次" in wrong.message
    assert only(report, "3690人次").kind == "ok"
    assert not report.ok


def test_unrelated_figure_with_the_same_value_does_not_confirm(figures: FigureSet) -> None:
    # 35 is cases_total's 上年同期 and pm25_avg's target, but the clause speaks of 信访
    report = check("受理环境信访件35件，办结率100%。", figures)
    petitions = only(report, "35件")
    assert petitions.kind == "mismatch" and petitions.figure_id == "petitions_received"
    assert petitions.expected == "241件"
    # swapped sub-items: 大气类 gets 水类's number
    swapped = check("立案查处环境违法案件32件，其中大气类9件、水类14件。", figures)
    assert [f.kind for f in swapped.findings] == ["ok", "mismatch", "mismatch"]
    assert swapped.findings[1].figure_id == "cases_air"


def test_unsourced_numbers_and_small_counts(figures: FigureSet) -> None:
    report = check(
        "组织开展培训5期，实行一个项目、一名领导、一套方案，督促三家企业完成整改。", figures
    )
    kinds = {f.value: f.kind for f in report.findings}
    assert kinds == {"5期": "unsourced", "三家": "unsourced"}  # 一个/一名/一套 are articles
    assert "核实出处" in only(report, "5期").message
    # a number written in a figure's 范围 (scope) is sourced
    assert only(check("3个国考断面水质均达标。", figures), "3个").kind == "ok"


def test_years_headings_and_document_numbers_give_no_findings(figures: FigureSet) -> None:
    texts = [
        "2025年上半年工作总结",
        "一、2025年上半年工作进展",
        "（一）深入打好蓝天保卫战",
        "按照〔2024〕3号文件要求，落实“十四五”规划，一是加强PM2.5治理。",
    ]
    assert check_blocks(texts, figures).findings == []


def test_precision_and_rounding(figures: FigureSet) -> None:
    # 203.4915万元 written to 2 places is 203.49 (half-up); 203.5 to 1 place
    ok = check("罚款203.49万元，罚没款约203.5万元，PM2.5平均浓度约38微克/立方米。", figures)
    assert ok.ok, [(f.value, f.message) for f in ok.findings]
    wrong = check("罚款203.50万元。", figures)
    assert only(wrong, "203.50万元").kind == "mismatch"
    # the unrounded 同比: (38.4 − 39.8) / 39.8 = −3.5176…%, so 3.52% is right and 3.51% is not
    two_places = check("PM2.5平均浓度38.4微克/立方米，同比下降3.52%。", figures)
    assert only(two_places, "3.52%").kind == "ok"
    assert only(check("PM2.5平均浓度38.4微克/立方米，同比下降3.51%。", figures), "3.51%").kind == (
        "mismatch"
    )


def test_unit_conversion_wan_and_yi(figures: FigureSet) -> None:
    report = check(
        "重点工程完成投资29770万元，环评审批项目总投资742600万元，罚款2034915元。", figures
    )
    assert report.ok, [(f.value, f.message) for f in report.findings]
    dropped = check("罚款203.4915元。", figures)
    finding = only(dropped, "203.4915元")
    assert finding.kind == "unit" and finding.expected == "203.4915万元"
    in_wan = check("获取各类监测数据14.59万个。", figures)
    assert only(in_wan, "14.59万个").kind == "ok"
    assert only(check("获取各类监测数据14.59个。", figures), "14.59个").kind == "unit"


def test_percent_versus_percentage_points(figures: FigureSet) -> None:
    rate = check("优良天数比例74.6%，同比下降2.3%。", figures)
    finding = only(rate, "2.3%")
    assert finding.kind == "unit" and "个百分点" in finding.message
    assert finding.expected == "下降2.3个百分点"
    concentration = check("PM2.5平均浓度38.4微克/立方米，同比下降3.5个百分点。", figures)
    assert only(concentration, "3.5个百分点").kind == "unit"


def test_direction_both_ways(figures: FigureSet) -> None:
    up = check("PM2.5平均浓度38.4微克/立方米，同比上升3.5%。", figures)
    finding = only(up, "3.5%")
    assert finding.kind == "direction" and "下降" in finding.message
    down = check("危险废物转移量3652.18吨，同比下降7.1%。", figures)
    assert only(down, "7.1%").kind == "direction"
    assert only(check("危险废物转移量3652.18吨，同比增长7.1%。", figures), "7.1%").kind == "ok"
    worse = check("臭氧浓度168微克/立方米，同比改善7.7%。", figures)
    assert only(worse, "7.7%").kind == "direction"


def test_target_missed_written_as_met(figures: FigureSet) -> None:
    claimed = check("PM2.5平均浓度38.4微克/立方米，达到35微克/立方米的年度目标。", figures)
    finding = only(claimed, "38.4微克/立方米")
    assert finding.kind == "direction" and "未完成目标" in finding.message
    honest = check("PM2.5平均浓度38.4微克/立方米，未达到35微克/立方米的年度目标。", figures)
    assert honest.ok
    money = check("重点工程完成投资2.977亿元，顺利完成年度目标任务。", figures)
    assert only(money, "2.977亿元").kind == "direction"
    # the other way round: a met target written as missed
    met = check("受污染耕地安全利用率95.6%，尚未完成年度目标任务。", figures)
    assert only(met, "95.6%").kind == "direction"
    # 完成年度计划的52.4% is a completion rate, not a claim; 确保完成 is a plan
    rate = check(
        "重点工程完成投资2.977亿元，完成年度计划的52.4%，下半年确保完成全年目标。", figures
    )
    assert rate.ok and only(rate, "52.4%").field == "completion"


def test_stale_last_years_value(figures: FigureSet) -> None:
    report = check("上半年，全区PM2.5平均浓度为39.8微克/立方米。", figures)
    finding = only(report, "39.8微克/立方米")
    assert finding.kind == "stale" and finding.expected == "38.4微克/立方米"
    # named as last year's, it is right
    previous = check("PM2.5平均浓度38.4微克/立方米，上年同期为39.8微克/立方米。", figures)
    assert previous.ok and only(previous, "39.8微克/立方米").field == "previous"
    dated = check("2024年上半年PM2.5平均浓度39.8微克/立方米。", figures)
    assert dated.ok


def test_placeholders(figures: FigureSet) -> None:
    report = check_blocks(
        ["臭氧浓度〔待补：臭氧浓度〕，同比〔待核：未知数据o3〕。", "无数字"], figures
    )
    assert [f.kind for f in report.findings] == ["placeholder", "placeholder"]
    assert report.findings[0].value == "〔待补：臭氧浓度〕" and not report.ok
    assert report.summary["placeholder"] == 2


# --- provenance ------------------------------------------------------------------------------


def test_citations_match_exactly_and_report_edits(figures: FigureSet) -> None:
    rendered = render("全区PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}。", figures, block=0)
    report = check_blocks([rendered.text], figures, rendered.citations)
    assert report.ok and {f.matched_by for f in report.findings} == {"provenance"}
    # an editor changes the number: the citation still says which figure it was
    edited = rendered.text.replace("38.4", "36.4")
    report = check_blocks([edited], figures, rendered.citations)
    finding = only(report, "36.4微克/立方米")
    assert finding.kind == "mismatch" and finding.matched_by == "provenance"
    assert finding.expected == "38.4微克/立方米"
    # provenance beats context: a cited number in an unhelpful sentence is still matched
    cited = render("该项指标为{{eqi}}。", figures, block=0)
    plain = check_blocks([cited.text], figures)
    assert only(plain, "64.38").kind == "unsourced"
    exact = check_blocks([cited.text], figures, cited.citations)
    assert exact.ok and only(exact, "64.38").matched_by == "provenance"


def _draft_docx(path: Path, figures: FigureSet, edit: tuple[str, str] = ("", "")) -> None:
    """A drafted .docx with our comment on every number; ``edit`` replaces text afterwards
    (same length), as an editor typing over a commented number in Word would."""
    lines = [
        "上半年，全区PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}。",
        "立案查处环境违法案件{{cases_total}}，罚款{{fines_wan}}。",
    ]
    blocks = [Block("2025年上半年工作总结", "title")]
    for index, line in enumerate(lines, start=1):
        rendered = render(line, figures, block=index)
        marks = [
            Mark(c.start, c.end, comment=comment_text(c, figures[c.figure_id]))
            for c in rendered.citations
        ]
        blocks.append(
            Block(rendered.text.replace(*edit) if edit[0] else rendered.text, marks=marks)
        )
    write_document(path, blocks, author="起草助手")


def test_word_comments_give_provenance_and_catch_edits(tmp_path: Path, figures: FigureSet) -> None:
    draft = tmp_path / "draft.docx"
    _draft_docx(draft, figures)
    report = check_file(draft, figures)
    assert report.ok and report.summary["ok"] == 4
    assert {f.matched_by for f in report.findings} == {"comment"}

    edited = tmp_path / "edited.docx"
    _draft_docx(edited, figures, edit=("32件", "33件"))
    assert [c.anchored_text for c in read_comments(edited)][2] == "33件"
    finding = only(check_file(edited, figures), "33件")
    assert finding.kind == "mismatch" and finding.matched_by == "comment"
    assert finding.figure_id == "cases_total" and finding.expected == "32件"
    # 35 is the 上年同期 of cases_total: last year's number carried over
    stale = tmp_path / "stale.docx"
    _draft_docx(stale, figures, edit=("32件", "35件"))
    assert only(check_file(stale, figures), "35件").kind == "stale"


def test_sidecar_gives_provenance_for_markdown(tmp_path: Path, figures: FigureSet) -> None:
    line = "该项指标为{{eqi}}，检查{{inspections}}。"
    rendered = render(line, figures, block=1)
    (tmp_path / "d.md").write_text(f"# 2025年上半年工作总结\n\n{rendered.text}\n", encoding="utf-8")
    sidecar = {
        "format": "assistant-draft/1",
        "paragraphs": [
            {"index": 0, "text": "2025年上半年工作总结"},
            {"index": 1, "text": rendered.text},
        ],
        "numbers": [
            {
                "paragraph": c.block,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "figure_id": c.figure_id,
                "field": c.field,
                "source": c.source,
            }
            for c in rendered.citations
        ],
    }
    (tmp_path / "d.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    report = check_file(tmp_path / "d.md", figures)
    assert report.ok and {f.matched_by for f in report.findings} == {"provenance"}
    # the number edited: the text before it still reads as recorded, so the edit is reported
    (tmp_path / "d.md").write_text(
        f"# 2025年上半年工作总结\n\n{rendered.text.replace('64.38', '66.38')}\n", encoding="utf-8"
    )
    finding = only(check_file(tmp_path / "d.md", figures), "66.38")
    assert finding.kind == "mismatch" and finding.matched_by == "provenance"
    assert finding.figure_id == "eqi"
    # a sidecar that is not ours is refused when named explicitly, ignored when found
    (tmp_path / "other.json").write_text('{"format": "x"}', encoding="utf-8")
    with pytest.raises(InputError, match="溯源文件"):
        check_file(tmp_path / "d.md", figures, sidecar=tmp_path / "other.json")


def test_annotated_docx_round_trip(tmp_path: Path, figures: FigureSet) -> None:
    draft = tmp_path / "plain.docx"
    write_document(
        draft,
        [
            Block("2025年上半年工作总结", "title"),
            Block("上半年，全区PM2.5平均浓度为39.8微克/立方米，同比上升3.5%。"),
            Block("优良天数比例74.6%。"),
        ],
        author="编辑",
    )
    report = check_file(draft, figures)
    out = tmp_path / "annotated.docx"
    assert annotate_report(draft, out, report) == 2
    comments = read_comments(out)
    assert [(c.block_index, c.anchored_text) for c in comments] == [
        (1, "39.8微克/立方米"),
        (1, "3.5%"),
    ]
    assert "沿用上年数" in comments[0].text and "应为：38.4微克/立方米" in comments[0].text
    assert "来源：figures-2025H1.csv" in comments[0].text and "pm25_avg" in comments[0].text
    assert "方向错误" in comments[1].text
    assert [b.text for b in read_blocks(out)] == [b.text for b in read_blocks(draft)]
    every = tmp_path / "all.docx"
    assert annotate_report(draft, every, report, include_ok=True) == 3
    assert parse_comment(read_comments(every)[2].text) is None  # ours, not a drafter's comment


# --- files and CLI ---------------------------------------------------------------------------


def test_gbk_txt_and_markdown(tmp_path: Path, figures: FigureSet) -> None:
    text = "上半年，全区PM2.5平均浓度为38.4微克/立方米，同比下降3.5%。\n受理环境信访件35件。\n"
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text.encode("gbk"))
    report = check_file(gbk, figures)
    assert [f.kind for f in report.findings] == ["ok", "ok", "mismatch"]
    assert report.findings[2].block == 1
    md = tmp_path / "d.md"
    md.write_text("# 2025年上半年工作总结\n\n## 一、大气\n\n**优良天数比例**74.6%。\n", "utf-8")
    report = check_file(md, figures)
    assert report.ok and report.findings[0].block == 2


def test_bad_input(tmp_path: Path, figures: FigureSet) -> None:
    with pytest.raises(InputError, match="不存在"):
        check_file(tmp_path / "missing.docx", figures)
    with pytest.raises(InputError, match="不支持"):
        check_file(tmp_path / "draft.pdf", figures)
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError):
        check_file(fake, figures)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "check", *args], capture_output=True, text=True
    )


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("上半年，全区PM2.5平均浓度为38.4微克/立方米，同比下降3.5%。", "utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("受理环境信访件35件。〔待补：臭氧浓度〕", "utf-8")

    ok = _cli(str(good), "--figures", str(H1), "--json")
    assert ok.returncode == 0, ok.stderr
    document = json.loads(ok.stdout)
    assert set(document) == {"findings", "summary"}
    assert document["summary"]["all_ok"] is True and document["summary"]["ok"] == 2
    first = document["findings"][0]
    for key in (
        "kind",
        "value",
        "unit",
        "figure_id",
        "expected",
        "paragraph",
        "start",
        "end",
        "context",
        "message",
        "source",
    ):
        assert key in first
    assert (first["value"], first["start"], first["end"]) == ("38.4微克/立方米", 16, 26)

    flagged = _cli(str(bad), "--figures", str(H1), "--json")
    assert flagged.returncode == 1
    kinds = [f["kind"] for f in json.loads(flagged.stdout)["findings"]]
    assert kinds == ["mismatch", "placeholder"]

    missing = _cli(str(tmp_path / "none.txt"), "--figures", str(H1))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "不存在" in missing.stderr
    not_docx = _cli(str(good), "--figures", str(H1), "--annotate", str(tmp_path / "o.docx"))
    assert not_docx.returncode == 2 and "--annotate" in not_docx.stderr


def test_cli_table_and_annotate(tmp_path: Path, figures: FigureSet) -> None:
    draft = tmp_path / "d.docx"
    write_document(draft, [Block("受理环境信访件35件，办结率100%。")], author="编辑")
    out = tmp_path / "out.docx"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["check", str(draft), "--figures", str(H1), "--annotate", str(out), "--all"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1, result.output
    assert "数值不符" in result.stdout and "petitions_received" in result.stdout
    assert "241件" in result.stdout and "有问题" in result.stdout
    assert len(read_comments(out)) == 2  # --all: the ok number is annotated too


def test_cli_annotate_into_a_folder_that_cannot_exist(tmp_path: Path) -> None:
    """--annotate to a path no file can be written at was a FileNotFoundError traceback."""
    draft = tmp_path / "d.docx"
    write_document(draft, [Block("受理环境信访件35件。")], author="编辑")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", "utf-8")
    run = _cli(str(draft), "--figures", str(H1), "--annotate", str(blocker / "out.docx"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "无法写入" in run.stderr and "out.docx" in run.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


# --- tables: the header row gives each column its meaning -----------------------------------

TABLE = [
    "指标\t单位\t上半年\t上年同期\t同比\t年度目标",
    "PM2.5平均浓度\t微克/立方米\t38.4\t39.8\t-3.5%\t35",
    "检查企业\t家次\t1315\t1315\t-3.1%\t",
]


def _kinds(report: CheckReport) -> list[tuple[str, str, str | None, str | None]]:
    return [(f.value, f.kind, f.figure_id, f.field) for f in report.findings]


def test_table_header_gives_columns_their_meaning(figures: FigureSet) -> None:
    """上年同期 and 目标 columns are declared only in the header row (another block)."""
    assert _kinds(check_blocks(TABLE, figures)) == [
        ("38.4", "ok", "pm25_avg", "value"),
        ("39.8", "ok", "pm25_avg", "previous"),
        ("-3.5%", "ok", "pm25_avg", "change"),
        ("35", "ok", "pm25_avg", "target"),
        ("1315", "stale", "inspections", "value"),  # last year's number in the 上半年 column
        ("1315", "ok", "inspections", "previous"),
        ("-3.1%", "ok", "inspections", "change"),
    ]


def test_table_header_units_ordinals_and_bare_changes(figures: FigureSet) -> None:
    rows = [
        "序号\t指标\t数值（微克/立方米）\t同比（%）\t完成率",
        "1\t臭氧浓度\t168\t7.7\t",  # 7.7 in a 同比（%） column: 上升7.7%
        "2\tPM10平均浓度\t68.7\t3.1\t",  # unsigned = 上升, but PM10 fell
        "3\t造林面积（亩）\t1980\t\t66.0%",  # the row's own unit overrides the column's
    ]
    assert _kinds(check_blocks(rows, figures)) == [
        ("168", "ok", "o3_8h_90", "value"),
        ("7.7", "ok", "o3_8h_90", "change"),
        ("68.7", "ok", "pm10_avg", "value"),
        ("3.1", "direction", "pm10_avg", "change"),
        ("1980", "ok", "afforestation_mu", "value"),
        ("66.0%", "ok", "afforestation_mu", "completion"),
    ]


def test_a_row_without_a_header_is_read_as_before(figures: FigureSet) -> None:
    """No header (or one with another number of cells): the second number is the value."""
    report = check_blocks([TABLE[1]], figures)
    assert _kinds(report)[1] == ("39.8", "stale", "pm25_avg", "value")
    other = check_blocks([TABLE[0], "PM2.5平均浓度\t38.4\t39.8"], figures)
    assert _kinds(other)[1] == ("39.8", "stale", "pm25_avg", "value")


def test_tables_in_docx_and_markdown_use_their_header(tmp_path: Path, figures: FigureSet) -> None:
    docx_path = tmp_path / "table.docx"
    blocks = [Block("2025年上半年工作总结", "title"), Block("主要指标如下：")]
    blocks += [Block(row, "table") for row in TABLE]
    write_document(docx_path, blocks, author="起草助手")
    assert [b.style for b in read_blocks(docx_path)][2:5] == ["table"] * 3
    md_path = tmp_path / "table.md"
    md_lines = ["# 2025年上半年工作总结", "", "主要指标如下：", ""]
    md_lines += ["| " + " | ".join(row.split("\t")) + " |" for row in TABLE[:1]]
    md_lines += ["|---|---|---|---|---|---|"]
    md_lines += ["| " + " | ".join(row.split("\t")) + " |" for row in TABLE[1:]]
    md_path.write_text("\n".join(md_lines) + "\n", encoding="utf-8")
    for path in (docx_path, md_path):
        report = check_file(path, figures)
        got = [(f.value, f.kind, f.field) for f in report.findings]
        assert ("39.8", "ok", "previous") in got, (path.suffix, got)
        assert ("35", "ok", "target") in got, (path.suffix, got)
        assert report.summary["stale"] == 1 and report.summary["ok"] == 6


def test_plan_sentences_and_plan_sections_claim_nothing(figures: FigureSet) -> None:
    """确保…达到75%的目标 states a target; under a plan heading every sentence is a plan. The
    same words about the period's result still must agree with the figure."""
    plan = check_blocks(["下半年，确保农村生活污水治理率达到75%的目标。"], figures)
    assert _kinds(plan) == [("75%", "ok", "rural_sewage_rate", "target")]
    section = check_blocks(["二、下半年工作计划", "一是优良天数比例达到80%的目标。"], figures)
    assert [f.kind for f in section.findings] == ["ok"]
    nested = ["二、下半年工作计划", "（一）巩固水环境质量", "农村生活污水治理率达到75%的目标。"]
    assert [f.kind for f in check_blocks(nested, figures).findings] == ["ok"]
    result = check_blocks(["一、上半年工作情况", "优良天数比例74.6%，达到80%的目标。"], figures)
    assert [f.kind for f in result.findings] == ["direction", "ok"]


def test_a_figures_data_year_comes_from_its_note(figures: FigureSet) -> None:
    """EQI's 备注: 本期为2024年度值 — so 2024年度 is the current value, 2023年度 last year's."""
    report = check_blocks(["2024年度全区生态质量指数为64.38，2023年度为64.15。"], figures)
    assert _kinds(report) == [("64.38", "ok", "eqi", "value"), ("64.15", "ok", "eqi", "previous")]
    other = check_blocks(["2024年上半年PM2.5平均浓度为39.8微克/立方米。"], figures)
    assert _kinds(other) == [("39.8微克/立方米", "ok", "pm25_avg", "previous")]


def test_stale_needs_the_figure_named_not_shared_characters(figures: FigureSet) -> None:
    """2 = 移送公安机关行政拘留's 上年同期, but 侦办…案件 with 公安机关 is another count."""
    loose = check_blocks(["配合公安机关侦办环境污染犯罪案件2起。"], figures)
    assert [f.kind for f in loose.findings] == ["unsourced"]
    named = check_blocks(["移送公安机关行政拘留案件2件。"], figures)
    assert _kinds(named) == [("2件", "stale", "detention_referrals", "value")]


def test_a_plan_section_without_its_heading_states_intentions(figures: FigureSet) -> None:
    # 72.4% missed the 75% target: said of the period it is a false claim; in a plan, a goal.
    text = ["农村生活污水治理率达到75%的目标。"]
    assert [f.kind for f in check_blocks(text, figures).findings] == ["direction"]
    assert [f.kind for f in check_blocks(text, figures, plan=True).findings] == ["ok"]


def test_a_nameless_clause_continues_the_figure_before_it(figures: FigureSet) -> None:
    """ "2024年度提升至64.38" names no figure, but goes on about the EQI the clause before named,
    in the EQI's own data year; a clause about another measure does not."""
    text = "2023年度生态质量指数为64.15，2024年度提升至{}，培训人员120人次。"
    report = check_blocks([text.format("64.38")], figures)
    assert _kinds(report)[:2] == [
        ("64.15", "ok", "eqi", "previous"),
        ("64.38", "ok", "eqi", "value"),
    ]
    assert only(report, "120人次").kind == "unsourced"
    assert only(check_blocks([text.format("64.83")], figures), "64.83").kind == "mismatch"
    stale = [f.kind for f in check_blocks([text.format("64.15")], figures).findings]
    assert stale == ["ok", "stale", "unsourced"]
    # another period than the figure's data year, or another measure: still nothing to go on
    for other in (
        "2023年度生态质量指数为64.15，2025年上半年为64.38。",
        "2023年度生态质量指数为64.15，2024年度培训人员64.38人次。",
    ):
        assert [f.kind for f in check_blocks([other], figures).findings] == ["ok", "unsourced"]


CLASSES = """id,指标,数值,单位,期间,上年同期,目标,范围,来源,备注,主题,方向,合计
qingxi_class,清溪河示例桥断面水质类别,Ⅱ,类,2025年上半年,Ⅲ,Ⅲ,国考断面,区环境监测站水质监测月报,,水,,
worse_v_sections,劣Ⅴ类断面数,0,个,2025年上半年,0,,,区环境监测站水质监测月报,,水,越低越好,
"""


def test_water_classes_are_checked_against_class_figures(tmp_path: Path) -> None:
    """A class figure (Ⅱ) confirms "断面水质为Ⅱ类" and calls "…为Ⅳ类" wrong when the clause
    names the section; a standard, a starting class or an unnamed water gives no finding, and
    劣Ⅴ类断面数 stays a count."""
    path = tmp_path / "classes.csv"
    path.write_text(CLASSES, encoding="utf-8")
    classes = load_figures(path)
    good = check_blocks(["清溪河示例桥断面水质为Ⅱ类，劣Ⅴ类断面数0个。"], classes)
    assert _kinds(good) == [
        ("Ⅱ类", "ok", "qingxi_class", "value"),
        ("0个", "ok", "worse_v_sections", "value"),
    ]
    bad = only(check_blocks(["清溪河示例桥断面水质为Ⅳ类。"], classes), "Ⅳ类")
    assert (bad.kind, bad.expected) == ("mismatch", "Ⅱ类")
    rose = check_blocks(["示例桥断面水质由Ⅲ类提升为Ⅱ类。"], classes)
    assert _kinds(rose) == [("Ⅱ类", "ok", "qingxi_class", "value")]
    for quiet in ("示例桥断面水质达到Ⅲ类标准。", "某湖泊水质为Ⅳ类。"):
        assert check_blocks([quiet], classes).findings == []
    count = only(check_blocks(["劣Ⅴ类断面数1个。"], classes), "1个")
    assert (count.kind, count.figure_id) == ("mismatch", "worse_v_sections")
