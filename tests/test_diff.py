"""assistant diff: paragraph-level changes and the numbers that changed, with their sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.diff import diff_files, diff_texts, sourced_numbers
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.render import comment_text, render
from assistant.types import Block, FigureSet, Mark
from assistant.word import write_document

HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,方向"
ROWS_A = (
    "pm25_avg,PM2.5平均浓度,38.4,微克/立方米,2025年上半年,39.8,35,区监测站月报,越低越好",
    "cases,立案查处环境违法案件,32,件,2025年上半年,35,,区执法大队台账,",
)
ROWS_B = (
    "pm25_avg,PM2.5平均浓度,37.9,微克/立方米,2025年上半年,39.8,35,区监测站修订月报,越低越好",
    "cases,立案查处环境违法案件,32,件,2025年上半年,35,,区执法大队台账,",
)
TEXTS = [
    ("2025年上半年工作总结", "title"),
    ("一、大气污染防治", "h1"),
    ("PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。", "body"),
    ("二、执法监管", "h1"),
    ("立案查处环境违法案件{{cases}}。", "body"),
    ("下半年将继续推进扬尘治理。", "body"),
]


def figures_file(tmp_path: Path, name: str, rows: tuple[str, ...]) -> FigureSet:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return load_figures(path)


def write_draft(path: Path, texts: list[tuple[str, str]], figures: FigureSet) -> Path:
    blocks = []
    for index, (text, style) in enumerate(texts):
        rendered = render(text, figures, index)
        marks = [
            Mark(c.start, c.end, comment=comment_text(c, figures[c.figure_id]))
            for c in rendered.citations
        ]
        blocks.append(Block(rendered.text, style, marks))
    write_document(path, blocks, author="起草助手")
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    a = write_draft(tmp_path / "a.docx", TEXTS, figures_file(tmp_path, "fa.csv", ROWS_A))
    texts_b = list(TEXTS)
    texts_b[5] = ("下半年将持续推进扬尘污染治理，强化工地监管。", "body")
    texts_b.insert(5, ("执法检查实现重点企业全覆盖。", "body"))
    b = write_draft(tmp_path / "b.docx", texts_b, figures_file(tmp_path, "fb.csv", ROWS_B))
    return a, b


def test_paragraph_kinds_and_changed_numbers_with_sources(pair: tuple[Path, Path]) -> None:
    a, b = pair
    result = diff_files(a, b)
    kinds = [(c.kind, c.a_index, c.b_index) for c in result.paragraphs]
    assert ("changed", 2, 2) in kinds  # PM2.5 value and change differ
    assert ("added", None, 5) in kinds
    assert ("changed", 5, 6) in kinds
    assert ("unchanged", 4, 4) in kinds
    assert result.summary["unchanged"] == 4
    pm25 = [n for n in result.numbers if n.old == "38.4微克/立方米"]
    assert len(pm25) == 1
    (change,) = pm25
    assert change.kind == "changed" and change.new == "37.9微克/立方米"
    assert change.old_figure == change.new_figure == "pm25_avg"
    assert "区监测站月报" in (change.old_source or "")
    assert "区监测站修订月报" in (change.new_source or "")
    # the 同比 change moved too (3.5% → 4.8%), also sourced
    rates = [n for n in result.numbers if n.old and n.old.endswith("%")]
    assert rates and rates[0].new != rates[0].old and rates[0].new_source
    # the unchanged 32件 is not listed
    assert not any(n.old == "32件" for n in result.numbers)


def test_identical_documents(pair: tuple[Path, Path]) -> None:
    a, _ = pair
    result = diff_files(a, a)
    assert result.identical and result.numbers == []


def test_unsourced_number_added_by_an_editor_is_listed_without_source() -> None:
    result = diff_texts(["检查企业1274家次。"], ["检查企业1300家次，出动执法人员3690人次。"])
    assert [(n.kind, n.old, n.new) for n in result.numbers] == [
        ("changed", "1274家次", "1300家次"),
        ("added", None, "3690人次"),
    ]
    assert all(n.new_source is None for n in result.numbers)


def test_sidecar_sources_only_where_the_text_still_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "d.docx"
    write_document(path, [Block("标题", "title"), Block("浓度为38.4微克/立方米。", "body")],
                   author="x")  # fmt: skip
    sidecar = {
        "format": "assistant-draft/1",
        "numbers": [
            {"paragraph": 1, "start": 3, "end": 13, "text": "38.4微克/立方米",
             "figure_id": "pm25_avg", "field": "value", "source": "监测站"},
            {"paragraph": 1, "start": 0, "end": 2, "text": "改过", "figure_id": "x",
             "field": "value", "source": "旧"},
        ],
    }  # fmt: skip
    path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    numbers = sourced_numbers(path)
    assert [(n.figure_id, n.source) for n in numbers] == [("pm25_avg", "监测站")]


def test_not_a_docx_is_a_clear_error(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("这其实是一段文本", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的Word 文档"):
        diff_files(pair[0], fake)


def test_cli_json_and_table(pair: tuple[Path, Path]) -> None:
    a, b = pair
    run = [sys.executable, "-m", "assistant", "diff", str(a), str(b)]
    done = subprocess.run([*run, "--json"], capture_output=True, text=True, check=True)
    document = json.loads(done.stdout)
    assert document["summary"]["added"] == 1
    assert any(n["new"] == "37.9微克/立方米" for n in document["numbers"])
    table = subprocess.run(run, capture_output=True, text=True, check=True, env=_wide())
    assert "变化的数字" in table.stdout and "37.9" in table.stdout
    bad = subprocess.run([*run[:-1], str(a.with_name("missing.docx"))], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "文件不存在" in bad.stderr


def _wide() -> dict[str, str]:
    import os

    return {**os.environ, "COLUMNS": "200"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("监测数据有效率99.1%。", "监测数据有效率99.1％。"),  # full-width percent sign
        ("监测数据有效率99.1 %。", "监测数据有效率99.10%。"),  # spacing, trailing zero
        ("监测数据有效率99.1%（目标98%）。", "全区监测数据有效率达99.1%，超过98%的目标。"),
        (
            "监测数据有效率99.1%，同比上升0.5个百分点。",
            "同比上升0.5个百分点，监测数据有效率99.1%。",
        ),
    ],
)
def test_an_unchanged_number_in_a_reworded_paragraph_is_not_listed(before: str, after: str) -> None:
    result = diff_texts([before], [after])
    assert result.paragraphs[0].kind == "changed"
    assert result.numbers == []


def test_a_changed_number_is_paired_with_its_own_metric() -> None:
    lead = "上半年全区深入打好蓝天保卫战，空气质量持续改善，"
    result = diff_texts(
        [lead + "PM2.5浓度38.4微克/立方米，PM10浓度60微克/立方米，数据有效率99.1%。"],
        [
            lead
            + "数据有效率99.1％，PM10浓度60微克/立方米，"
            + "PM2.5浓度37.9微克/立方米，臭氧150微克/立方米。"
        ],
    )
    assert result.paragraphs[0].kind == "changed"
    assert [(n.kind, n.old, n.new) for n in result.numbers] == [
        ("changed", "38.4微克/立方米", "37.9微克/立方米"),
        ("added", None, "150微克/立方米"),
    ]


def test_changes_inside_a_paragraph_are_marked_character_by_character() -> None:
    result = diff_texts(["上半年，监测数据有效率99.1%。"], ["上半年，监测数据率99.1%。"])
    spans = [(s.op, s.text) for s in result.paragraphs[0].spans]
    assert spans == [("equal", "上半年，监测数据"), ("delete", "有效"), ("equal", "率99.1%。")]
    replaced = diff_texts(["检查企业1274家次。"], ["检查企业1300家次。"]).paragraphs[0].spans
    assert [(s.op, s.text) for s in replaced] == [
        ("equal", "检查企业1"),
        ("delete", "274"),
        ("insert", "300"),
        ("equal", "家次。"),
    ]
    added = diff_texts(["甲。"], ["甲。", "新增一段。"]).paragraphs[1]
    assert added.kind == "added" and [(s.op, s.text) for s in added.spans] == [
        ("insert", "新增一段。")
    ]


def test_a_broken_metric_name_is_listed_though_the_value_is_the_same() -> None:
    result = diff_texts(["上半年，监测数据有效率99.1%。"], ["上半年，监测数据率99.1%。"])
    assert [(n.kind, n.old, n.new, n.old_name, n.new_name) for n in result.numbers] == [
        ("renamed", "99.1%", "99.1%", "监测数据有效率", "监测数据率")
    ]


def test_a_word_before_the_name_is_not_a_rename() -> None:
    result = diff_texts(["监测数据有效率为99.1%。"], ["上半年全区监测数据有效率达到99.1%。"])
    assert result.numbers == []


def test_cli_marks_deletions_struck_and_insertions_underlined(tmp_path: Path) -> None:
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    write_document(a, [Block("标题", "title"), Block("监测数据有效率99.1%。")], author="x")
    write_document(b, [Block("标题", "title"), Block("监测数据率99.1%，保持稳定。")], author="x")
    run = [sys.executable, "-m", "assistant", "diff", str(a), str(b)]
    env = {**_wide(), "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    table = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout
    assert "\x1b[9" in table or ";9m" in table  # strike
    assert "\x1b[4" in table or ";4m" in table  # underline
    assert "监测数据有效率 → 监测数据率" in table
    document = json.loads(
        subprocess.run([*run, "--json"], capture_output=True, text=True, check=True).stdout
    )
    spans = document["paragraphs"][1]["spans"]
    assert {"op": "delete", "text": "有效"} in spans
    assert {"op": "insert", "text": "，保持稳定"} in spans
    assert document["numbers"][0]["kind"] == "renamed"
