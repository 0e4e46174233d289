"""科室 material: the readers (notes .docx/.txt/.md, 事项 tables .csv/.xlsx, the 事项 sheet of a
figures workbook), cutting notes into one-fact items, labelling them like the corpus, the period
check, conflicts with the figures file, duplicates, and the numbers of items as figures."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.items import load_items, with_items
from assistant.items.read import Entry, office_in, read_note
from assistant.items.split import label, pieces
from assistant.periods import parse_period, stated
from assistant.render import render

from .conftest import REPO_ROOT, SAMPLE_DIR

ITEMS_DIR = REPO_ROOT / "corpus" / "items-2025H1"
FIGURES = SAMPLE_DIR / "figures-2025H1.csv"
LABELLED = Path(__file__).parent / "data" / "items_labelled.yaml"


def _docx(path: Path, lines: list[str]) -> Path:
    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


# --- readers ----------------------------------------------------------------------------------


def test_docx_note_office_from_file_name_and_items_cut_at_ordinals(tmp_path: Path) -> None:
    note = _docx(
        tmp_path / "2025年上半年大气科工作材料.docx",
        [
            "大气科2025年上半年工作总结",
            "一、上半年工作情况",
            "一是完成8家企业治理设施改造。二是检查餐饮单位120家，发现问题15个。",
            "二、下半年工作打算",
            "一是开展夏季臭氧攻坚；二是推进2家企业超低排放改造。",
        ],
    )
    found = load_items(note, period="2025年上半年")
    assert [i.office for i in found] == ["大气科"] * 4
    assert [i.text for i in found] == [
        "完成8家企业治理设施改造。",
        "检查餐饮单位120家，发现问题15个。",
        "开展夏季臭氧攻坚。",
        "推进2家企业超低排放改造。",
    ]
    assert [i.part for i in found] == ["总结", "总结", "计划", "计划"]
    assert all(re.fullmatch("大气科-[0-9a-f]{4}", i.id) for i in found)
    assert len({i.id for i in found}) == 4
    assert found.items[1].line == 3 and found.items[1].row is None


def test_txt_note_in_gbk_with_first_line_office_and_numbered_lines(tmp_path: Path) -> None:
    note = tmp_path / "材料.txt"
    text = "科室：执法大队\n\n1.开展夜间突击检查6次。\n2.立案查处环境违法行为4起。\n"
    note.write_bytes(text.encode("gbk"))
    found = load_items(note, period="2025年上半年")
    assert [(i.office, i.text, i.topic) for i in found] == [
        ("执法大队", "开展夜间突击检查6次。", "执法"),
        ("执法大队", "立案查处环境违法行为4起。", "执法"),
    ]


def test_md_note_headings_say_the_part(tmp_path: Path) -> None:
    note = tmp_path / "水科.md"
    note.write_text(
        "# 水科上半年工作\n\n## 存在问题\n\n部分乡镇管网建设滞后，雨污分流推进较慢。\n\n"
        "## 下半年打算\n\n1. 开展汛期水质保障专项行动。\n",
        encoding="utf-8",
    )
    found = load_items(note, period="2025年上半年")
    assert [(i.part, i.topic) for i in found] == [("问题", "水"), ("计划", "水")]


def test_csv_table_rows_with_status_time_and_source(tmp_path: Path) -> None:
    table = tmp_path / "事项.csv"
    table.write_text(
        "科室,主题,事项,完成情况,时间,来源\n"
        "审批科,审批,核发排污许可证56张,已完成,2025年3月,审批科台账\n"
        "审批科,审批,开展环评文件质量复核,计划,2025年9月,审批科计划\n"
        "审批科,,部分项目环评编制质量不高,滞后,2025年上半年,审批科台账\n",
        encoding="utf-8",
    )
    found = load_items(table, period="2025年上半年")
    assert [(i.row, i.part, i.period, i.source) for i in found] == [
        (2, "总结", "2025年3月", "审批科台账"),
        (3, "计划", "2025年9月", "审批科计划"),
        (4, "问题", "2025年上半年", "审批科台账"),
    ]
    assert found.items[0].text == "核发排污许可证56张。"
    assert found.items[2].topic == "审批"  # no 主题 cell: the 科室's own


def test_table_without_an_items_column_is_one_clear_error(tmp_path: Path) -> None:
    table = tmp_path / "表.csv"
    table.write_text("科室,内容说明\n审批科,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="事项"):
        load_items(table, period="2025年上半年")


def test_items_sheet_of_the_figures_workbook(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    figures = workbook.active
    figures.title = "数据"
    for row in (
        ["id", "指标", "数值", "单位", "期间", "来源"],
        ["inspections", "检查企业", 120, "家次", "2025年上半年", "执法台账"],
    ):
        figures.append(row)
    sheet = workbook.create_sheet("事项")
    sheet.append(["科室", "事项", "完成情况"])
    sheet.append(["执法大队", "开展固体废物专项打击行动，立案查处3起", "已完成"])
    path = tmp_path / "数据.xlsx"
    workbook.save(path)
    figure_set = load_figures(path)
    assert [f.id for f in figure_set] == ["inspections"]  # the 事项 sheet is no figures table
    found = load_items(None, figure_set)
    assert [(i.office, i.row, i.part) for i in found] == [("执法大队", 2, "总结")]
    assert found.figures[0].provenance.sheet == "事项"


def test_office_from_names() -> None:
    assert office_in("大气科") == "大气科"
    assert office_in("2025年上半年执法大队工作小结") == "执法大队"
    assert office_in("综合科-事项") == "综合科"
    assert office_in("2025-上半年") is None


def test_lead_sentence_is_context_not_an_item(tmp_path: Path) -> None:
    note = tmp_path / "执法大队.txt"
    note.write_text(
        "下半年，我队将重点做好以下工作：一是开展第二轮双随机抽查。二是加强业务培训。\n",
        encoding="utf-8",
    )
    entries = read_note(note)
    found = pieces(entries[0])
    assert [p.text for p in found] == ["开展第二轮双随机抽查。", "加强业务培训。"]
    items, _ = label(found, parse_period("2025年上半年"))
    assert [i.part for i in items] == ["计划", "计划"]


# --- labels on a table of real-style items ------------------------------------------------------


def test_part_and_topic_of_labelled_items() -> None:
    rows = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["items"]
    assert len(rows) >= 30
    entries = [
        Entry(r["office"], r["text"], "材料.txt", (r["context"],) if r["context"] else (), line=n)
        for n, r in enumerate(rows, start=1)
    ]
    found = [p for e in entries for p in pieces(e)]
    assert len(found) == len(rows)  # one fact each
    items, problems = label(found, parse_period("2025年上半年"))
    wrong = [
        f"{r['text']}: {i.part}/{i.topic}, want {r['part']}/{r['topic']}"
        for r, i in zip(rows, items, strict=True)
        if (i.part, i.topic) != (r["part"], r["topic"])
    ]
    assert not wrong, "\n".join(wrong)
    assert not problems


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2024年12月，完成机构年度检查。", "2024年12月"),
        ("3月，开展专项检查。", "2025年3月"),
        ("完成2024年度考核自评工作。", None),  # a subject, not the item's time
        ("PM2.5浓度较2024年同期下降。", None),  # a comparison
        ("自2023年以来累计建成管网30公里。", None),
        ("截至6月底，完成整治97个。", "2025年上半年"),  # a stock at the end of June
        ("上半年共检查企业120家。", "2025年上半年"),
    ],
)
def test_the_time_an_item_states(text: str, said: str | None) -> None:
    found = stated(text, 2025)
    assert (found.title if found else None) == said


def test_an_item_of_last_year_is_held_back_with_file_and_row(tmp_path: Path) -> None:
    table = tmp_path / "事项.csv"
    table.write_text(
        "科室,事项,完成情况,时间\n"
        "审批科,完成排污许可执行报告审核86份,已完成,2024年12月\n"
        "审批科,核发排污许可证56张,已完成,2025年3月\n",
        encoding="utf-8",
    )
    found = load_items(table, period="2025年上半年")
    assert [i.text for i in found] == ["核发排污许可证56张。"]
    assert [i.text for i in found.held] == ["完成排污许可执行报告审核86份。"]
    (problem,) = found.problems
    assert problem.item_id == found.held[0].id
    assert problem.kind == "period" and problem.row == 2
    assert "事项.csv 第2行" in problem.message and "2024年12月" in problem.message


# --- the sample material: traps ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple:
    figure_set = load_figures(FIGURES)
    return figure_set, load_items(ITEMS_DIR, figure_set)


def test_sample_material_is_read_from_every_kind_of_file(sample: tuple) -> None:
    _, found = sample
    names = {Path(f).suffix for f in found.files}
    assert {".docx", ".txt", ".md", ".csv"} <= names
    offices = {i.office for i in found}
    assert offices == {"大气科", "水科", "执法大队", "审批科", "综合科"}
    assert len(found) >= 30
    assert {i.part for i in found} == {"总结", "计划", "问题"}


def test_sample_traps_are_reported(sample: tuple) -> None:
    _, found = sample
    kinds = sorted(p.kind for p in found.problems)
    assert kinds == ["conflict", "duplicate", "period", "period"]
    conflict = next(p for p in found.problems if p.kind == "conflict")
    assert conflict.figure_id == "cases_total"
    assert "执法大队.txt" in conflict.message and "35件" in conflict.message
    assert "figures-2025H1.csv 第26行" in conflict.message and "32件" in conflict.message
    held = {i.id for i in found.held}
    assert conflict.item_id in held
    assert all(p.item_id in held for p in found.problems if p.kind == "period")


def test_a_duplicate_is_merged_and_named(sample: tuple) -> None:
    _, found = sample
    (duplicate,) = [p for p in found.problems if p.kind == "duplicate"]
    kept = found.get(duplicate.item_id)
    assert kept is not None and kept.office == "大气科"
    assert kept.also and "执法大队.txt" in kept.also[0]
    assert sum("86家次" in i.text for i in (*found.items, *found.held)) == 1


def test_agreeing_numbers_are_no_conflict(sample: tuple) -> None:
    """办结率100% and 16.8公里 agree with the file; 2.98亿元 is 2.977 at two places; 抽查企业
    368家次 is a part of the work, not the file's 检查企业."""
    _, found = sample
    used = " ".join(i.text for i in found)
    for said in ("办结率100%", "16.8公里", "2.98亿元", "368家次"):
        assert said in used


def test_item_numbers_are_figures_sourced_to_the_item(sample: tuple) -> None:
    figure_set, found = sample
    item = next(i for i in found if "3000余份" in i.text)
    figures = {f.id: f for f in found.figures}
    first = figures[item.figure_ids[0]]
    assert first.value == Decimal(3000) and first.written == "3000余" and first.unit == "份"
    assert first.provenance.file.endswith("综合科.txt")
    assert "综合科" in first.provenance.source
    whole = with_items(figure_set, found)
    rendered = render("发放宣传资料{{" + first.id + "}}。", whole)
    assert rendered.text == "发放宣传资料3000余份。"
    assert "综合科.txt" in rendered.citations[0].source
    held_ids = {f for i in found.held for f in i.figure_ids}
    assert held_ids and not held_ids & set(whole.ids)  # a held item's numbers are not cited


def test_item_ids_stay_when_an_earlier_file_changes(tmp_path: Path) -> None:
    """An id is the 科室's and a hash of its file's name and its words: adding an item to a file
    read first (or moving a row) leaves the others' ids — and their numbers' figure ids — alone."""
    first = tmp_path / "1-上半年.txt"
    second = tmp_path / "2-补充.txt"
    first.write_text("科室：大气科\n1.完成8家企业治理设施改造。\n", encoding="utf-8")
    second.write_text(
        "科室：大气科\n1.检查餐饮单位120家。\n2.开展夏季臭氧攻坚。\n3.开展夏季臭氧攻坚。\n",
        encoding="utf-8",
    )
    before = load_items(tmp_path, period="2025年上半年")
    first.write_text(
        "科室：大气科\n1.修订重污染天气应急减排清单。\n2.完成8家企业治理设施改造。\n",
        encoding="utf-8",
    )
    after = load_items(tmp_path, period="2025年上半年")
    ids = {i.text: (i.id, i.figure_ids) for i in before.items}
    for item in after.items:
        if item.text in ids and item.file == str(second):
            assert (item.id, item.figure_ids) == ids[item.text]
    assert len({i.id for i in after.items}) == len(after.items) == 4  # twice written: merged
    assert all(re.fullmatch(r"大气科-[0-9a-f]{4,}(-\d+)?", i.id) for i in after.items)
    moved = load_items(second, period="2025年上半年")
    assert {i.id for i in moved} <= {i.id for i in after.items}


ALIASED = """id,指标,数值,单位,期间,来源
closure,信访办结率,98.6,%,2025年上半年,区信访办
cases,立案查处案件,32,件,2025年上半年,执法大队台账
inspections,检查企业,1274,家次,2025年上半年,执法大队台账
eia,审批环评文件,49,个,2025年上半年,区行政审批局
"""


def test_a_conflict_is_found_through_the_metric_aliases(tmp_path: Path) -> None:
    """An item naming a figure's measure by another of its names (信访件办结率 for 信访办结率,
    办理环境违法案件 for 立案查处案件) is held against it; a part of the work (审批环评报告书,
    随机抽查企业) is not the file's total."""
    figures = tmp_path / "数据.csv"
    figures.write_text(ALIASED, encoding="utf-8")
    note = tmp_path / "综合科.txt"
    note.write_text(
        "科室：综合科\n1.受理环境信访件241件，信访件办结率100%。\n2.办理环境违法案件共35件。\n"
        "3.审批环评报告书6个。\n4.随机抽查企业368家次。\n5.按期办结率达到98.6%。\n",
        encoding="utf-8",
    )
    found = load_items(note, load_figures(figures))
    conflicts = {p.figure_id: p.message for p in found.problems if p.kind == "conflict"}
    assert set(conflicts) == {"closure", "cases"}
    assert "“100%”" in conflicts["closure"] and "“信访办结率”为98.6%" in conflicts["closure"]
    assert "数据.csv 第3行" in conflicts["cases"] and "“35件”" in conflicts["cases"]
    assert [i.text for i in found.held] == [
        "受理环境信访件241件，信访件办结率100%。",
        "办理环境违法案件共35件。",
    ]
    assert {"审批环评报告书6个。", "随机抽查企业368家次。"} <= {i.text for i in found}


def test_an_item_keeps_only_what_the_figures_do_not_say(sample: tuple) -> None:
    """A clause whose number is a stated figure's (at the item's precision) and whose words are
    its name goes; the rest of the item stays with its own figure ids; a clause leaning on the
    dropped one (其中…) keeps its whole; a clause with words of its own stays."""
    from assistant.items.facts import unsaid
    from assistant.items.prose import forms

    figure_set, found = sample
    stated = list(figure_set)
    items = {i.text: i for i in found}
    pipe_item = items["新建改造城镇污水管网16.8公里，完成老旧小区雨污分流改造。"]
    pipes = unsaid(pipe_item, stated, forms())
    assert pipes is not None and pipes.text == "完成老旧小区雨污分流改造。"
    assert pipes.figure_ids == ()
    works = items["调度32项生态环境重点工程，完成投资2.98亿元。"]
    # 32项 is the figure's, and what is left of the clause is a bare verb before the figure's
    # name (调度生态环境重点工程): an editor would strike that stub, so the item is said in full
    assert unsaid(works, stated, forms()) is None
    monthly = replace(works, text="逐月调度32项生态环境重点工程进度，完成投资2.98亿元。")
    trimmed = unsaid(monthly, stated, forms())
    assert trimmed is not None and trimmed.text == "逐月调度生态环境重点工程进度。"
    assert trimmed.figure_ids == () and trimmed.id == works.id
    counted = replace(works, text="调度32项生态环境重点工程。", figure_ids=works.figure_ids[:1])
    assert unsaid(counted, [f for f in stated if f.id != "key_projects"], forms()) == counted
    eia = items["审批建设项目环评文件49个，其中报告书6个、报告表43个。"]
    part = unsaid(eia, stated, forms())
    assert part is not None and part.text == "审批建设项目环评文件中，报告书6个、报告表43个。"
    assert part.figure_ids == eia.figure_ids[1:]
    assert unsaid(items["受理环境信访件241件，办结率100%。"], stated, forms()) is None
    river = next(i for i in found if "约320吨" in i.text)
    assert unsaid(river, stated, forms()) == river
    alike = replace(pipes, text="完成河道清淤16.8公里。", figure_ids=("item_x_1",))
    assert unsaid(alike, stated, forms()) == alike  # the same number, another fact
    assert unsaid(pipes, [], forms()) == pipes
    # a plan states the targets: 确保完成全年35公里建设任务 is the target 35公里 again
    targets = [replace(f, value=f.target) for f in stated if f.target is not None]
    plan = items["加快推进剩余污水管网建设，确保完成全年35公里建设任务。"]
    left = unsaid(plan, targets, forms())
    assert left is not None and left.text == "加快推进剩余污水管网建设。"
    assert unsaid(plan, stated, forms()) == plan  # the 16.8公里 done is another number


# --- the CLI ----------------------------------------------------------------------------------


def test_items_show_lists_items_and_problems() -> None:
    runner = CliRunner()
    args = ["items", "show", "--items", str(ITEMS_DIR), "--figures", str(FIGURES)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "与数据表不符" in result.output and "不在本期" in result.output
    result = runner.invoke(app, [*args, "--json"])
    data = json.loads(result.output)
    assert data["period"] == "2025年上半年"
    assert sum(not i["used"] for i in data["items"]) == 3
    shown = runner.invoke(app, args).output
    assert all(i["id"] in shown for i in data["items"])  # each id whole, on one line
    assert {p["kind"] for p in data["problems"]} == {"period", "conflict", "duplicate"}


def test_items_show_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["items", "show", "--items", str(tmp_path / "无")])
    assert result.exit_code != 0
