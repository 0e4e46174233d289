"""科室 items in a template draft: each section's items after its figures in the genre's forms,
every stretch that states an item sourced (Word comment and sidecar), held items never drafted,
and `check` catching a stretch that says what its item does not."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import domain, gate
from assistant.check import check_file
from assistant.cli import app
from assistant.draft import DraftRequest, compose, save_draft
from assistant.figures import load_figures
from assistant.items import load_items, with_items
from assistant.items.place import section_items
from assistant.items.prose import campaign_name, clause, paragraphs
from assistant.outline import Section, strip_number
from assistant.periods import parse_period
from assistant.provenance import read_sidecar
from assistant.render import render, take_item_marks
from assistant.settings import load_settings
from assistant.types import Item, ItemSet
from assistant.word import read_comments

from .conftest import REPO_ROOT, SAMPLE_DIR

ITEMS_DIR = REPO_ROOT / "corpus" / "items-2025H1"
FIGURES = SAMPLE_DIR / "figures-2025H1.csv"
UNIT = "示例区生态环境局"


def _items(tmp_path: Path, *lines: str, office: str = "执法大队") -> list[Item]:
    note = tmp_path / f"{office}.txt"
    note.write_text("\n".join(lines), encoding="utf-8")
    return list(load_items(note, period="2025年上半年"))


# --- the forms ----------------------------------------------------------------------------------


def test_campaigns_are_joined_and_other_items_numbered(tmp_path: Path) -> None:
    items = _items(
        tmp_path,
        "1.开展打击危险废物环境违法犯罪专项行动。",
        "2.开展夜间突击检查12次，查处偷排行为2起。",
        "3.开展第三方服务机构弄虚作假问题专项行动。",
    )
    assert campaign_name(items[0]) == "打击危险废物环境违法犯罪"
    assert campaign_name(items[1]) is None  # it says more than a name
    (paragraph,) = paragraphs(items)
    item_set = load_items(tmp_path / "执法大队.txt", period="2025年上半年")
    rendered = render(paragraph, with_items(load_figures(FIGURES), item_set))
    assert rendered.text == (
        "一是先后开展打击危险废物环境违法犯罪、第三方服务机构弄虚作假问题等专项行动；"
        "二是开展夜间突击检查12次，查处偷排行为2起。"
    )
    assert [c.item_id for c in rendered.items] == [items[0].id, items[2].id, items[1].id]
    assert [c.figure_id for c in rendered.citations] == list(items[1].figure_ids)


def test_the_bureau_voice_drops_the_period_word_and_the_office_speaking(tmp_path: Path) -> None:
    (item,) = _items(tmp_path, "下半年，执法大队将开展第二轮“双随机”抽查；同时加强业务培训。")
    said = clause(item, ("下半年",))
    assert said == "开展第二轮“双随机”抽查，同时加强业务培训"


def test_one_item_is_a_sentence_of_its_own(tmp_path: Path) -> None:
    (item,) = _items(tmp_path, "完成排污口溯源整治。", office="水科")
    assert paragraphs([item]) == [f"完成排污口溯源整治〔item:{item.id}〕。"]


def test_item_marks_become_spans_and_the_gate_keeps_them() -> None:
    figure_set = load_figures(FIGURES)
    text = "一是检查企业{{inspections}}〔item:执法大队-1〕；二是开展夜间检查〔item:执法大队-2〕。"
    assert gate.mend_paragraph(text) == [text]
    rendered = render(text, figure_set)
    assert rendered.text == "一是检查企业1274家次；二是开展夜间检查。"
    (citation,) = rendered.citations
    assert rendered.text[citation.start : citation.end] == "1274家次"
    spans = [rendered.text[i.start : i.end] for i in rendered.items]
    assert spans == ["一是检查企业1274家次", "二是开展夜间检查"]
    assert take_item_marks("无标记。", [], 0) == ("无标记。", [], [])


# --- the sample draft -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drafted(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    settings = load_settings(embedding="hash", data_dir=store_dir)
    result = compose(DraftRequest(FIGURES, UNIT, "2025年上半年", items=ITEMS_DIR), settings)
    out = tmp_path_factory.mktemp("out")
    files = save_draft(result.draft, result.figure_set, out)
    return result, files


def test_the_items_reach_their_sections(drafted) -> None:
    result, _ = drafted
    draft = result.draft
    texts = [b.text for b in draft.blocks]
    whole = "\n".join(texts)
    item_set = result.items
    assert item_set is not None
    stated = {c.item_id for c in draft.item_citations}
    usable = {i.id for i in item_set.items}
    assert len(stated & usable) >= 0.9 * len(usable)
    assert not stated & {i.id for i in item_set.held}  # no trap is drafted
    assert "35件" not in whole and "2024年12月" not in whole
    assert "先后开展" in whole and "等专项行动" in whole
    headings = [i for i, b in enumerate(draft.blocks) if b.style == "h1"]
    problems, plan = headings[1], headings[2]
    for citation in draft.item_citations:
        item = item_set.get(citation.item_id)
        assert item is not None
        where = "总结" if citation.block < problems else "问题" if citation.block < plan else "计划"
        assert where == item.part, (item.text, where)
    for text in texts:
        assert gate.problems(text) == [], text
    assert result.report.ok


def test_every_item_stretch_carries_a_source_comment(drafted) -> None:
    result, files = drafted
    comments = [r for r in read_comments(files["docx"]) if r.text.startswith("事项：")]
    assert len(comments) == len(result.draft.item_citations) > 30
    first = result.draft.item_citations[0]
    assert any(c.block_index == first.block and first.source in c.text for c in comments)
    sidecar = read_sidecar(files["json"])
    used = {i.id for i in sidecar.items if i.used}
    assert used == {c.item_id for c in sidecar.item_citations}
    unused = {i.id for i in sidecar.items if not i.used}
    assert {i.id for i in result.items.held} <= unused


def test_check_passes_the_draft_and_catches_an_altered_item_fact(drafted, tmp_path: Path) -> None:
    _, files = drafted
    whole = with_items(load_figures(FIGURES), load_items(ITEMS_DIR, load_figures(FIGURES)))
    assert check_file(files["md"], whole).ok
    md = tmp_path / files["md"].name
    shutil.copy(files["json"], tmp_path / files["json"].name)
    text = files["md"].read_text(encoding="utf-8")
    assert "检查餐饮单位412家" in text
    md.write_text(text.replace("检查餐饮单位412家", "2024年3月检查餐饮单位412家"), "utf-8")
    report = check_file(md, whole)
    found = [f for f in report.findings if f.kind == "item"]
    assert [f.value for f in found] == ["2024年3月"]
    assert "大气科" in found[0].message and not report.ok


def test_a_changed_item_number_is_caught_twice(drafted, tmp_path: Path) -> None:
    _, files = drafted
    whole = with_items(load_figures(FIGURES), load_items(ITEMS_DIR, load_figures(FIGURES)))
    md = tmp_path / files["md"].name
    shutil.copy(files["json"], tmp_path / files["json"].name)
    text = files["md"].read_text(encoding="utf-8")
    md.write_text(text.replace("检查餐饮单位412家", "检查餐饮单位421家"), "utf-8")
    kinds = {f.kind for f in check_file(md, whole).findings if f.value.startswith("421")}
    assert "item" in kinds


def test_period_check_uses_the_draft_period() -> None:
    found = load_items(ITEMS_DIR, period=parse_period("2025年上半年"))
    assert all("2024年12月" not in i.text for i in found)


def test_an_item_does_not_repeat_what_its_sections_figures_say(drafted) -> None:
    """四是新建改造城镇污水管网16.8公里… and 完成投资2.98亿元 repeated the figures' sentence: the
    clause the figures say goes, the rest of the item stays, stated and sourced."""
    result, files = drafted
    draft = result.draft
    texts = [b.text for b in draft.blocks]
    summary_end = next(i for i, b in enumerate(draft.blocks) if b.style == "h1" and i > 2)
    summary = "\n".join(texts[:summary_end])
    assert summary.count("16.8公里") == 1 and "2.98亿元" not in summary
    assert summary.count("32项") == 1
    assert summary.count("环评文件49个") == 1
    whole = "\n".join(texts)
    assert "加快推进剩余污水管网建设；" in whole and "确保完成全年35公里建设任务" not in whole
    water = next(t for t in texts if "仅完成年度目标的48.0%" in t)  # 存在的问题
    assert "仅完成年度目标的48.0%；部分乡镇污水管网建设进度滞后" in water
    assert water.count("进度滞后") == 1
    for said, item_words in (
        ("完成老旧小区雨污分流改造", "新建改造城镇污水管网16.8公里"),
        ("审批建设项目环评文件中，报告书6个、报告表43个", "其中报告书6个"),
    ):
        cited = [c for c in draft.item_citations if said in texts[c.block][c.start : c.end]]
        assert len(cited) == 1, said
        item = result.items.get(cited[0].item_id)
        assert item is not None and item_words in item.text  # the comment keeps the item whole
    # 调度32项…，完成投资2.98亿元 minus what the figures say is a bare verb: no stub sentence
    assert "调度生态环境重点工程" not in whole
    comments = [r.text for r in read_comments(files["docx"]) if r.text.startswith("事项：")]
    assert any("新建改造城镇污水管网16.8公里" in c for c in comments)


def test_check_finds_the_material_through_the_sidecar(drafted, tmp_path: Path) -> None:
    """Without --items, check reads the material where the sidecar says it was (and knows it by
    its fingerprint): no item number is unsourced; moved or changed, a clear message says so."""
    from assistant.check import check_draft
    from assistant.errors import InputError

    _, files = drafted
    report = check_draft(files["docx"], FIGURES)
    assert report.ok, [f for f in report.problems]
    assert not [i for i in report.unstated if i.startswith("item_")]
    material = tmp_path / "材料"
    shutil.copytree(ITEMS_DIR, material)
    sidecar = json.loads(files["json"].read_text(encoding="utf-8"))
    assert sidecar["material"]["path"] == str(ITEMS_DIR.resolve())
    sidecar["material"]["path"] = str(material)
    md = tmp_path / files["md"].name
    shutil.copy(files["md"], md)
    (tmp_path / files["json"].name).write_text(json.dumps(sidecar, ensure_ascii=False), "utf-8")
    assert check_draft(md, FIGURES).ok  # the same material, elsewhere
    note = material / "水科.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n7. 新增一条。\n", encoding="utf-8")
    with pytest.raises(InputError, match="改动过") as changed:
        check_draft(md, FIGURES)
    assert "--items" in (changed.value.hint or "")
    assert check_draft(md, FIGURES, items=ITEMS_DIR).ok  # the user names the material
    shutil.rmtree(material)
    runner = CliRunner()
    moved = runner.invoke(app, ["check", str(md), "--figures", str(FIGURES)])
    assert isinstance(moved.exception, InputError)  # main() prints it: one message, exit 2
    assert "找不到起草时用的科室材料" in str(moved.exception)
    assert "--items" in (moved.exception.hint or "")


def test_check_names_the_figures_left_unsaid_and_not_the_items_used(drafted, tmp_path) -> None:
    """未提及的指标 names figures (not ids), and leaves out the numbers of items the draft states
    or its figures say in full; an item the draft left out is named."""
    _, files = drafted
    shown = CliRunner().invoke(app, ["check", str(files["md"]), "--figures", str(FIGURES)])
    assert shown.exit_code == 0, shown.output
    assert "item_" not in shown.output and "未提及" not in shown.output
    md = tmp_path / files["md"].name
    shutil.copy(files["json"], tmp_path / files["json"].name)
    text = files["md"].read_text(encoding="utf-8")
    kept = [line for line in text.split("\n") if "412家" not in line and "22.6" not in line]
    md.write_text("\n".join(kept), encoding="utf-8")
    shown = CliRunner().invoke(app, ["check", str(md), "--figures", str(FIGURES), "--json"])
    summary = json.loads(shown.output)["summary"]
    assert "检查餐饮单位" in summary["unstated_names"]
    assert all(not n.startswith("item_") for n in summary["unstated_names"])
    assert len(summary["unstated"]) == len(summary["unstated_names"])


def test_general_office_items_go_to_the_section_of_their_subject(store_dir, tmp_path) -> None:
    """综合科 does all sorts of work: its rectification and responsibility items go to a 督察
    section, its training to 党建, and only what speaks of projects to the 重点工程 section the
    catch-all topic heads — an item is never put there for want of a subject."""
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "综合科.txt").write_text(
        "科室：综合科\n\n"
        "1.完成生态环境保护目标责任考核自评材料报送。\n"
        "2.建立生态环境重点工程项目调度台账。\n\n"
        "下半年打算：\n"
        "3.配合做好省级生态环境保护督察交办问题整改销号。\n"
        "4.举办全局干部业务培训班2期。\n",
        encoding="utf-8",
    )
    settings = load_settings(embedding="hash", data_dir=store_dir)
    result = compose(DraftRequest(FIGURES, UNIT, "2025年上半年", items=folder), settings)
    blocks = result.draft.blocks
    under: dict[str, str] = {}
    for citation in result.draft.item_citations:
        heading = next(b.text for b in reversed(blocks[: citation.block]) if b.style == "h2")
        item = result.items.get(citation.item_id)
        under[item.text[:6]] = strip_number(heading)
    assert under == {
        "完成生态环境": domain.topic_heading("督察", "neutral"),
        "建立生态环境": under["建立生态环境"],
        "配合做好省级": domain.topic_heading("督察", "plan"),
        "举办全局干部": under["举办全局干部"],
    }
    assert "重点工程" in under["建立生态环境"]
    assert "党" in under["举办全局干部"] and "重点工程" not in under["举办全局干部"]


def test_an_item_of_no_section_goes_to_the_nearest_not_to_the_catch_all(tmp_path) -> None:
    """A user's outline without the item's topic: the item goes where its words point, not to
    the section the catch-all topic (重点工程) heads because nothing else took it."""
    (item,) = _items(tmp_path, "完成入河排污口溯源排查问题整改。", office="综合科")
    item = replace(item, topic="督察")
    sections = [
        Section("summary", "（一）大气", 2, ("大气",)),
        Section("summary", "（二）水", 2, ("水",)),
        Section("summary", "（三）重点工程", 2, (domain.default_topic(),)),
    ]
    placed = section_items(sections, ItemSet(items=(item,)), load_figures(FIGURES))
    assert [len(p) for p in placed] == [0, 1, 0]
