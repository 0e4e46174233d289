from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from assistant import InputError
from assistant.word import read_blocks


def test_paragraphs_and_tables_in_reading_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("2024年上半年工作总结", level=0)
    document.add_heading("一、大气污染防治", level=1)
    document.add_paragraph("PM2.5平均浓度为32微克/立方米。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数值"
    table.cell(1, 0).text, table.cell(1, 1).text = "优良天数比例", "85.1%"
    document.add_paragraph("二、存在问题")
    path = tmp_path / "a.docx"
    document.save(str(path))

    blocks = read_blocks(path)
    assert [b.text for b in blocks] == [
        "2024年上半年工作总结",
        "一、大气污染防治",
        "PM2.5平均浓度为32微克/立方米。",
        "指标\t数值",
        "优良天数比例\t85.1%",
        "二、存在问题",
    ]
    assert [b.style for b in blocks] == ["title", "h1", "body", "table", "table", "body"]


def test_merged_cells_are_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
    table.cell(0, 2).text = "右"
    path = tmp_path / "m.docx"
    document.save(str(path))
    assert [b.text for b in read_blocks(path)] == ["合并\t右"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("renamed.docx", b"just text, not a zip", "不是有效的Word 文档"),
        ("old.doc", b"\xd0\xcf\x11\xe0", ".doc"),
        ("empty.docx", b"", "不是有效的Word 文档"),
    ],
)
def test_unreadable_files_give_input_errors(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_blocks(path)
    assert caught.value.hint


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"缺少 word/document\.xml"):
        read_blocks(path)


def test_a_zip_bomb_named_docx_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"0" * 300_000_000)
    with pytest.raises(InputError, match="压缩炸弹"):
        read_blocks(path)
