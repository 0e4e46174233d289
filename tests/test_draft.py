"""Drafting with the template writer, end to end over the sample corpus: structure, every figure
cited and checked, no past number carried over, determinism, missing data, the three files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from assistant.check import check_file
from assistant.cli import app
from assistant.draft import (
    DraftRequest,
    compose,
    make_draft,
    markdown,
    save_draft,
)
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.outline import parse_period
from assistant.prose import zero_count
from assistant.provenance import load_sidecar
from assistant.render import parse_comment
from assistant.settings import load_settings
from assistant.word import read_blocks, read_comments
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
Q3 = SAMPLE_DIR / "figures-2025Q3.yaml"
UNIT = "示例区生态环境局"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


@pytest.fixture(scope="module")
def half_year(store_dir: Path):
    settings = load_settings(embedding="hash", data_dir=store_dir)
    return compose(DraftRequest(H1, UNIT, "2025年上半年"), settings)


@pytest.fixture(scope="module")
def saved(half_year, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return save_draft(half_year.draft, half_year.figure_set, tmp_path_factory.mktemp("out"))


def past_only_numbers() -> set[str]:
    """Numbers of the 2024 half-year summary that no current figure has (e.g. 39.8, 1,315)."""
    figure_set = load_figures(H1)
    current = {f.written for f in figure_set} | {
        f.target_written for f in figure_set if f.target_written
    }
    text = (SAMPLE_DIR / "2024-上半年工作总结和下半年工作计划.docx").name
    from assistant.reading import read_document

    document = read_document(SAMPLE_DIR / text)
    numbers = {n for b in document.blocks for n in NUMBER.findall(b.text.replace(",", ""))}
    return {n for n in numbers if n not in current and "." in n}


# --- periods and kinds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "label", "next_label"),
    [
        ("2025年上半年", "half-year", "上半年", "下半年"),
        ("2025年一季度", "quarter", "一季度", "下一步"),
        ("2025年前三季度", "quarter", "前三季度", "下一步"),
        ("2025年", "annual", "2025年", "2026年"),
        ("2025年度", "annual", "2025年", "2026年"),
    ],
)
def test_kind_and_labels_from_the_period(text, kind, label, next_label) -> None:
    period = parse_period(text)
    assert (period.kind, period.label, period.next_label, period.year) == (
        kind,
        label,
        next_label,
        2025,
    )


def test_unreadable_period_needs_a_kind() -> None:
    with pytest.raises(InputError, match="无法从期间"):
        parse_period("本期")
    assert parse_period("本期", "quarter").kind == "quarter"
    with pytest.raises(InputError, match="文稿类型"):
        parse_period("2025年", "monthly")


# --- the whole half-year document -------------------------------------------------------------


def test_half_year_document_structure(half_year) -> None:
    draft = half_year.draft
    assert draft.title == f"{UNIT}2025年上半年工作总结和下半年工作计划"
    assert draft.blocks[0].style == "title" and draft.kind == "half-year"
    h1 = [b.text for b in draft.blocks if b.style == "h1"]
    assert [h[:2] for h in h1] == ["一、", "二、", "三、"]
    assert "问题" in h1[1] and "下半年" in h1[2]
    h2 = [b.text for b in draft.blocks if b.style == "h2"]
    assert h2[0].startswith("（一）") and len(h2) >= 10
    opening = draft.blocks[1]
    assert opening.style == "body" and "现将" in opening.text
    assert any(c.block == 1 and c.figure_id == "pm25_avg" for c in draft.citations)
    bodies = [b.text for b in draft.blocks if b.style == "body"]
    assert any("一是" in text and "二是" in text for text in bodies)  # reads as 公文, not a list


def test_every_figure_cited_and_every_number_checks(half_year) -> None:
    figure_set = load_figures(H1)
    cited = {c.figure_id for c in half_year.draft.citations if c.field == "value"}
    # a zero count is said in words (无劣Ⅴ类断面), not as 0个, and cited like every number
    zero = {f.id for f in figure_set if zero_count(f)}
    assert zero == {"worse_v_sections"} and "无劣Ⅴ类断面" in markdown(half_year.draft)
    assert cited == set(figure_set.ids)
    assert {c.text for c in half_year.draft.citations if c.figure_id in zero} == {"无劣Ⅴ类断面"}
    assert half_year.report.ok, half_year.report.problems
    assert half_year.unverified == 0 and half_year.draft.placeholders == []
    for citation in half_year.draft.citations:
        block = half_year.draft.blocks[citation.block]
        assert block.text[citation.start : citation.end] == citation.text


def test_problems_come_from_missed_targets_and_worse_figures(half_year) -> None:
    draft = half_year.draft
    h1 = [i for i, b in enumerate(draft.blocks) if b.style == "h1"]
    problems = range(h1[1] + 1, h1[2])
    cited = {(c.figure_id, c.field) for c in draft.citations if c.block in problems}
    figure_set = load_figures(H1)
    missed = {i for i, t in figure_set.targets.items() if not t.met}
    worse = {i for i, c in figure_set.changes.items() if c.improved is False}
    about = {figure_id for figure_id, _ in cited}
    assert about <= missed | worse
    assert ("good_days_ratio", "target") in cited and ("o3_8h_90", "change") in cited
    assert "pm10_avg" not in about  # improved and no target: not a problem
    # above its annual target but better 同比: a half year's PM2.5 is no problem (seasons)
    assert "pm25_avg" not in about


def test_plan_states_the_targets(half_year) -> None:
    draft = half_year.draft
    plan_start = [i for i, b in enumerate(draft.blocks) if b.style == "h1"][2]
    targets = {c.figure_id for c in draft.citations if c.block > plan_start}
    figure_set = load_figures(H1)
    zero = {f.id for f in figure_set if zero_count(f, target=True)}  # 确保全年无劣Ⅴ类断面
    assert targets == {f.id for f in figure_set if f.target is not None}  # zero ones in words
    assert "确保全年无劣Ⅴ类断面" in markdown(draft) and zero
    assert all(c.field == "target" for c in draft.citations if c.block > plan_start)


def test_no_number_of_the_past_summary_survives(half_year) -> None:
    text = markdown(half_year.draft)
    written = set(NUMBER.findall(text.replace(",", "")))
    cited = {n for c in half_year.draft.citations for n in NUMBER.findall(c.text)}
    past = past_only_numbers() - {"2.5"}  # PM2.5
    assert past and (past & written) <= cited
    assert "2023年" not in text
    # years move with the text: 2023年度 EQI in the 2024 summary is 2024年度 now (as the file notes)
    assert re.findall(r"2024年.", text) == ["2024年度"]


def test_same_input_same_output(settings, half_year) -> None:
    again = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings)
    assert markdown(again.draft) == markdown(half_year.draft)
    assert again.draft.citations == half_year.draft.citations
    assert again.draft.exemplars == half_year.draft.exemplars


def test_exemplar_chunks_recorded_per_paragraph(half_year, settings) -> None:
    from assistant.store import Store

    draft = half_year.draft
    ids = {i for chunk_ids in draft.exemplars.values() for i in chunk_ids}
    assert ids and {c.id for c in Store(settings).get(sorted(ids))} == ids
    assert draft.prompts == {"patterns": 1} and draft.writer == "template"
    assert draft.model is None and len(draft.figures_sha256) == 64


# --- other kinds, sections, outlines ----------------------------------------------------------


def test_annual_document(settings, tmp_path: Path) -> None:
    figures = tmp_path / "figures-2025.csv"
    figures.write_text(H1.read_text("utf-8-sig").replace("2025年上半年", "2025年"), "utf-8")
    result = compose(DraftRequest(figures, UNIT, "2025年"), settings)
    draft = result.draft
    assert draft.kind == "annual" and draft.title.endswith("2025年工作总结及2026年工作计划")
    h1 = [b.text for b in draft.blocks if b.style == "h1"]
    assert "2025年" in h1[0] and "2026年" in h1[2]
    assert result.report.ok, result.report.problems
    plan_start = [i for i, b in enumerate(draft.blocks) if b.style == "h1"][2]
    # this year's targets are not next year's: the annual plan cites none
    assert not [c for c in draft.citations if c.block > plan_start]


def test_quarter_with_missing_values_leaves_highlighted_placeholders(settings, tmp_path) -> None:
    result = make_draft(DraftRequest(Q3, UNIT, "2025年前三季度"), settings, tmp_path)
    text = markdown(result.draft)
    assert "〔待补：受污染耕地安全利用率〕" in text
    assert "〔待补：移送公安机关行政拘留〕" in text
    assert not result.report.ok
    # figures left to fill, and (shape.yaml) a section the corpus gives no phrasing for: 待写
    assert {f.kind for f in result.report.problems} <= {"placeholder", "slot"}
    assert "placeholder" in {f.kind for f in result.report.problems}
    document = docx.Document(str(result.files["docx"]))
    highlighted = {
        run.text for p in document.paragraphs for run in p.runs if run.font.highlight_color
    }
    assert "〔待补：受污染耕地安全利用率〕" in highlighted
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(result.files["docx"]), "--figures", str(Q3)])
    assert checked.exit_code == 1


def test_one_section_summary_and_plan(settings) -> None:
    request = DraftRequest(H1, UNIT, "2025年上半年", section="大气污染防治", part="全部")
    result = compose(request, settings)
    draft = result.draft
    assert not result.notes  # the store holds the sample corpus
    assert (
        draft.kind == "section"
        and draft.title == f"{UNIT}2025年上半年大气污染防治工作情况和下一步打算"
    )
    figure_set = load_figures(H1)
    about = {c.figure_id for c in draft.citations}
    assert about == {f.id for f in figure_set.by_topic("大气")}
    assert [b.text for b in draft.blocks if b.style == "h1"] == [
        "一、上半年工作情况",
        "二、下半年工作打算",
    ]


@pytest.mark.parametrize(("name", "topic"), [("水", "水"), ("生态", "生态"), ("重点工程", "综合")])
def test_section_named_by_a_topic_or_a_figure(settings, name: str, topic: str) -> None:
    """--section 水 and --section 生态 (the README's topic names) once drafted the key projects."""
    request = DraftRequest(H1, UNIT, "2025年上半年", section=name, part="总结")
    draft = compose(request, settings).draft
    cited = {c.figure_id for c in draft.citations}
    assert cited and {load_figures(H1)[i].topic or "综合" for i in cited} == {topic}


def test_section_about_nothing_known_is_refused(settings) -> None:
    with pytest.raises(InputError, match="“噪声”不是已知的主题"):
        compose(DraftRequest(H1, UNIT, "2025年上半年", section="噪声"), settings)


def test_section_with_no_exemplars_falls_back_to_our_patterns(tmp_path: Path) -> None:
    empty = load_settings(embedding="hash", data_dir=tmp_path / "empty")
    request = DraftRequest(H1, UNIT, "2025年上半年", section="执法监管", part="总结")
    result = compose(request, empty)
    draft = result.draft
    assert draft.exemplars == {}
    assert {c.figure_id for c in draft.citations} == {
        f.id for f in load_figures(H1).by_topic("执法")
    }
    assert "一是" in draft.blocks[-1].text and result.report.ok
    assert len(result.notes) == 1 and "assistant ingest" in result.notes[0]  # said, not silent


def test_outline_file_imposes_the_headings(settings, tmp_path: Path) -> None:
    outline = tmp_path / "提纲.md"
    outline.write_text(
        "一、上半年工作总结\n（一）大气污染防治\n（二）水污染防治\n二、存在的问题\n三、下半年工作计划\n",
        encoding="utf-8",
    )
    draft = compose(DraftRequest(H1, UNIT, "2025年上半年", outline=outline), settings).draft
    headings = [b.text for b in draft.blocks if b.style in ("h1", "h2")]
    assert headings[:3] == ["一、上半年工作总结", "（一）大气污染防治", "（二）水污染防治"]
    assert headings[3:] == ["二、存在的问题", "三、下半年工作计划"]
    first = headings.index("（一）大气污染防治")
    index = next(i for i, b in enumerate(draft.blocks) if b.text == "（二）水污染防治")
    air = {c.figure_id for c in draft.citations if first < c.block < index}
    assert air and all(load_figures(H1)[i].topic == "大气" for i in air)


def test_bad_requests_are_input_errors(settings, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--part"):
        compose(DraftRequest(H1, UNIT, "2025年上半年", part="摘要"), settings)
    with pytest.raises(InputError, match="提纲文件不存在"):
        compose(DraftRequest(H1, UNIT, "2025年上半年", outline=tmp_path / "x.md"), settings)


@pytest.mark.parametrize("period", ["2025年", "2025年前三季度", "2024年上半年"])
def test_period_contradicting_the_figures_file_is_refused(settings, period: str) -> None:
    """An annual draft from the 上半年 file would call 38.4 the 全年 PM2.5 average."""
    with pytest.raises(InputError, match="与数据文件的期间“2025年上半年”不一致") as caught:
        compose(DraftRequest(H1, UNIT, period), settings)
    assert "--period 2025年上半年" in str(caught.value)
    assert compose(DraftRequest(H1, UNIT, "2025年1-6月", part="问题"), settings).report.ok


# --- the files --------------------------------------------------------------------------------


def test_four_files_with_the_default_stem(saved) -> None:
    assert {p.name for p in saved.values()} == {
        f"{UNIT}-2025年上半年-工作总结{tail}" for tail in (".docx", "-清稿.docx", ".md", ".json")
    }
    assert not [p for p in saved["docx"].parent.iterdir() if p.name.startswith(".")]


def test_docx_fonts_and_heading_styles(saved, half_year) -> None:
    blocks = read_blocks(saved["docx"])
    assert [(b.text, b.style) for b in blocks] == [
        (b.text, b.style) for b in half_year.draft.blocks
    ]
    document = docx.Document(str(saved["docx"]))
    fonts = {"Title": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    for style, font in (*fonts.items(), ("Normal", "仿宋_GB2312")):
        rfonts = document.styles[style].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == font
    body = next(p for p in document.paragraphs if p.style.name == "Normal" and p.runs)
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_every_number_carries_its_comment(saved, half_year) -> None:
    comments = read_comments(saved["docx"])
    draft = half_year.draft
    assert len(comments) == len(draft.citations)
    figure_set = load_figures(H1)
    for comment, citation in zip(comments, draft.citations, strict=True):
        assert (comment.block_index, comment.start, comment.end) == (
            citation.block,
            citation.start,
            citation.end,
        )
        assert comment.anchored_text == citation.text
        assert parse_comment(comment.text) == (citation.figure_id, citation.field)
        assert figure_set[citation.figure_id].provenance.source in comment.text


def test_sidecar_matches_the_docx_text(saved, half_year) -> None:
    data = json.loads(saved["json"].read_text(encoding="utf-8"))
    assert data["format"] == "assistant-draft/1"
    assert data["figures"]["sha256"] == load_figures(H1).sha256
    assert data["writer"] == "template" and data["created"]
    blocks = read_blocks(saved["docx"])
    assert [p["text"] for p in data["paragraphs"]] == [b.text for b in blocks]
    for number in data["numbers"]:
        assert blocks[number["paragraph"]].text[number["start"] : number["end"]] == number["text"]
    assert any(p["exemplars"] for p in data["paragraphs"])
    assert load_sidecar(saved["json"]) == half_year.draft  # the whole draft, nothing lost


def test_markdown_holds_the_same_text_and_checks_clean(saved, half_year) -> None:
    text = saved["md"].read_text(encoding="utf-8")
    for block in half_year.draft.blocks:
        assert block.text in text
    assert check_file(saved["md"], load_figures(H1)).ok


def test_created_only_in_the_sidecar(saved) -> None:
    created = json.loads(saved["json"].read_text(encoding="utf-8"))["created"]
    assert created[:10] not in saved["md"].read_text(encoding="utf-8")


def test_load_sidecar_refuses_other_json(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"format": "something"}', encoding="utf-8")
    with pytest.raises(InputError, match="溯源文件"):
        load_sidecar(other)


# --- the command line -------------------------------------------------------------------------


def test_cli_draft_then_check_exits_zero(store_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["draft", "--figures", str(H1), "--period", "2025年上半年", "--unit", UNIT]
    args += ["--out", str(out), "--data-dir", str(store_dir), "--json"]
    result = runner.invoke(app, args, env={"ASSISTANT_EMBEDDING": "hash"})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["check"]["passed"] is True and report["placeholders"] == []
    docx_path = Path(report["files"]["docx"])
    assert docx_path.is_file() and len(report["sections"]) >= 10
    checked = runner.invoke(app, ["check", str(docx_path), "--figures", str(H1)])
    assert checked.exit_code == 0, checked.output


def test_cli_streams_sections_and_prints_a_summary(store_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["draft", "--figures", str(H1), "--period", "2025年上半年", "--section", "水污染防治"]
    args += ["--out", str(tmp_path), "--data-dir", str(store_dir)]
    result = runner.invoke(app, args, env={"ASSISTANT_EMBEDDING": "hash"})
    assert result.exit_code == 0, result.output
    assert "优Ⅲ类比例" in result.output and "通过" in result.output
    assert UNIT in result.output  # the unit came from the corpus: no --unit given
    assert (tmp_path / f"{UNIT}-2025年上半年-水污染防治工作情况和下一步打算.docx").is_file()


@pytest.mark.parametrize("where", ["a-file", "a-file/sub"])
def test_cli_unwritable_out_is_one_clear_error(tmp_path: Path, where: str) -> None:
    """--out naming a file, or a folder that cannot be made, was a traceback after drafting."""
    (tmp_path / "a-file").write_text("x", "utf-8")
    args = ["draft", "--figures", str(H1), "--period", "2025年上半年", "--unit", UNIT]
    run = subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--out", str(tmp_path / where)],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSISTANT_EMBEDDING": "hash", "ASSISTANT_DATA_DIR": str(tmp_path)},
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "a-file" in run.stderr and ("无法写入" in run.stderr or "应是文件夹" in run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix) == []


def test_cli_bad_figures_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(H1.read_text(encoding="utf-8-sig").replace("38.4", "三十八"), encoding="utf-8")
    args = [
        "draft",
        "--figures",
        str(bad),
        "--period",
        "2025年上半年",
        "--out",
        str(tmp_path / "o"),
    ]
    run = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "bad.csv" in run.stderr and "第2行" in run.stderr
    assert not (tmp_path / "o").exists()
