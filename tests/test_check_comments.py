"""check on an edited .docx: a cited number that lost its comment, a comment that no longer
matches its text, and a metric name cut while the value stayed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import check_file
from assistant.figures import load_figures
from assistant.render import comment_text, render
from assistant.types import Block, FigureSet, Mark
from assistant.word import write_document

from .conftest import SAMPLE_DIR

LINES = [
    "上半年，监测数据有效率{{monitoring_data_validity}}。",
    "立案查处环境违法案件{{cases_total}}，罚款{{fines_wan}}。",
]


@pytest.fixture(scope="module")
def figures() -> FigureSet:
    return load_figures(SAMPLE_DIR / "figures-2025H1.csv")


def _write(path: Path, figures: FigureSet, *, drop=None, recorded=None, edit=None) -> None:
    """The two lines rendered with a comment on every number; ``drop`` (a number's text) loses
    its comment, ``recorded`` (old, new) changes a comment's 数值 line, ``edit`` the text."""
    blocks = [Block("2025年上半年工作总结", "title")]
    for index, line in enumerate(LINES, start=1):
        rendered = render(line, figures, block=index)
        text = rendered.text.replace(*edit) if edit and edit[0] in rendered.text else rendered.text
        shift = len(text) - len(rendered.text)
        marks = []
        for c in rendered.citations:
            if c.text == drop:
                continue
            comment = comment_text(c, figures[c.figure_id])
            if recorded and c.text == recorded[0]:
                comment = comment.replace(f"数值：{recorded[0]}", f"数值：{recorded[1]}")
            after = edit is not None and text.find(c.text) != c.start
            marks.append(Mark(c.start + (shift if after else 0), c.end + (shift if after else 0),
                              comment=comment))  # fmt: skip
        blocks.append(Block(text, marks=marks))
    write_document(path, blocks, author="起草助手")


def test_the_drafted_document_is_all_ok(tmp_path: Path, figures: FigureSet) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures)
    report = check_file(path, figures)
    assert report.ok and report.summary["ok"] == 3


def test_a_number_that_lost_its_comment(tmp_path: Path, figures: FigureSet) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures, drop="32件")
    report = check_file(path, figures)
    lost = [f for f in report.findings if f.kind == "uncommented"]
    assert [(f.value, f.figure_id) for f in lost] == [("32件", "cases_total")]
    assert not report.ok and report.summary["uncommented"] == 1
    assert "没有来源批注" in lost[0].message


def test_the_sidecar_names_the_number_whose_comment_went(
    tmp_path: Path, figures: FigureSet
) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures, drop="99.1%")
    rendered = render(LINES[0], figures, block=1)
    sidecar = {
        "format": "assistant-draft/1",
        "paragraphs": [{"index": 1, "text": rendered.text}],
        "numbers": [
            {"paragraph": 1, "start": c.start, "end": c.end, "text": c.text,
             "figure_id": c.figure_id, "field": c.field, "source": c.source}
            for c in rendered.citations
        ],
    }  # fmt: skip
    path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), "utf-8")
    lost = [f for f in check_file(path, figures).findings if f.kind == "uncommented"]
    assert [(f.value, f.figure_id) for f in lost] == [("99.1%", "monitoring_data_validity")]


def test_a_comment_that_records_another_value(tmp_path: Path, figures: FigureSet) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures, recorded=("32件", "30件"))
    report = check_file(path, figures)
    wrong = [f for f in report.findings if f.kind == "comment"]
    assert [(f.value, f.expected) for f in wrong] == [("32件", "30件")]
    assert "批注记录的数值是“30件”" in wrong[0].message


def test_an_edited_number_is_one_finding_not_two(tmp_path: Path, figures: FigureSet) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures, edit=("32件", "33件"))
    found = [(f.kind, f.value) for f in check_file(path, figures).findings if f.kind != "ok"]
    assert found == [("mismatch", "33件")]


def test_a_cut_metric_name_is_a_finding_though_the_value_agrees(
    tmp_path: Path, figures: FigureSet
) -> None:
    path = tmp_path / "d.docx"
    _write(path, figures, edit=("监测数据有效率", "监测数据率"))
    report = check_file(path, figures)
    broken = [f for f in report.findings if f.kind == "name"]
    assert [(f.value, f.figure_id) for f in broken] == [("99.1%", "monitoring_data_validity")]
    assert "监测数据率" in broken[0].message and not report.ok
