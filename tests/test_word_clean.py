"""The clean copy (清稿): same text, tracked changes accepted, no comments, no highlights; the
公文 finish (page numbers, 落款) stays."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import docx
from docx.oxml.ns import qn

from assistant.types import Block, Finish, Mark
from assistant.word import (
    accepted_text,
    clean_path,
    read_blocks,
    read_comments,
    write_clean_copy,
    write_document,
    write_revision,
)

TEXTS = [
    "示例区2025年上半年工作总结",
    "一、大气",
    "PM2.5平均浓度为32微克/立方米，同比下降5.2%。",
    "罚款〔待补：罚款金额〕。",
]
STYLES = ["title", "h1", "body", "body"]


def _annotated(tmp_path: Path) -> Path:
    blocks = [Block(text, style) for text, style in zip(TEXTS, STYLES, strict=True)]
    start = TEXTS[2].index("32")
    blocks[2].marks.append(Mark(start, start + len("32微克/立方米"), comment="来源：监测站"))
    start = TEXTS[3].index("〔")
    blocks[3].marks.append(Mark(start, len(TEXTS[3]) - 1, comment="缺少数据", highlight=True))
    path = tmp_path / "草稿.docx"
    write_document(
        path, blocks, author="起草助手", finish=Finish("示例区生态环境局", date(2025, 7, 1))
    )
    return path


def _xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


def test_clean_copy_has_the_text_without_comments_or_highlights(tmp_path: Path) -> None:
    annotated = _annotated(tmp_path)
    assert len(read_comments(annotated)) == 2 and "w:highlight" in _xml(annotated)
    clean = write_clean_copy(annotated)
    assert clean == clean_path(annotated) == tmp_path / "草稿-清稿.docx"
    assert [b.text for b in read_blocks(clean)] == TEXTS
    assert read_comments(clean) == []
    xml = _xml(clean)
    for gone in ("w:highlight", "commentRangeStart", "commentReference", "w:comment "):
        assert gone not in xml
    with zipfile.ZipFile(clean) as archive:
        assert not [name for name in archive.namelist() if "comments" in name]
    # the finish stays: page numbers and the 落款
    document = docx.Document(str(clean))
    assert "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml
    assert [p.text for p in document.paragraphs][-2:] == ["示例区生态环境局", "2025年7月1日"]
    assert annotated.exists() and len(read_comments(annotated)) == 2  # the source untouched


def test_clean_copy_of_a_revision_accepts_every_change(tmp_path: Path) -> None:
    annotated = _annotated(tmp_path)
    revised = tmp_path / "修订.docx"
    new = {2: "PM2.5平均浓度为31.5微克/立方米，同比下降7.2%。", 3: "罚款12万元。"}
    write_revision(annotated, revised, new, author="编辑")
    clean = write_clean_copy(revised)
    expected = [new.get(i, text) for i, text in enumerate(TEXTS)]
    assert accepted_text(clean) == expected == [b.text for b in read_blocks(clean)]
    body = docx.Document(str(clean)).element.body
    for tag in ("w:ins", "w:del", "w:delText"):
        assert body.find(".//" + qn(tag)) is None, tag
    assert [p.text for p in docx.Document(str(clean)).paragraphs][2:4] == list(expected[2:4])
