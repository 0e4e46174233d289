"""write_revision(): new wording as Word tracked changes, everything else left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from assistant import InputError
from assistant.types import Block, Mark
from assistant.word import (
    accepted_text,
    annotate,
    read_blocks,
    read_comments,
    rejected_text,
    write_document,
    write_revision,
)

OLD = [
    "2025年上半年工作总结",
    "一、大气污染防治",
    "PM2.5平均浓度为32微克/立方米，同比下降5.2%。",
    "优良天数比率为73.5%。",
    "立案查处\t12\t件",
    "",
    "下半年将继续推进扬尘治理。",
]
STYLES = ["title", "h1", "body", "body", "table", "body", "body"]
WHEN = datetime(2025, 7, 15, 9, 30, tzinfo=UTC)


def span(text: str, part: str, **kwargs: object) -> Mark:
    start = text.index(part)
    return Mark(start, start + len(part), **kwargs)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    blocks = [Block(text, style) for text, style in zip(OLD, STYLES, strict=True)]
    blocks[3].marks.append(span(OLD[3], "73.5%", comment="来源：监测站"))
    path = tmp_path / "draft.docx"
    write_document(path, blocks, author="起草助手")
    return path


def _body_children(path: Path) -> list[etree._Element]:
    return list(docx.Document(str(path)).element.body.iterchildren(qn("w:p"), qn("w:tbl")))


def _revisions(path: Path, tag: str) -> list[etree._Element]:
    return list(docx.Document(str(path)).element.body.iter(qn(tag)))


def test_accepting_gives_new_text_rejecting_gives_old(source: Path, tmp_path: Path) -> None:
    new = {
        2: "PM2.5平均浓度为31.5微克/立方米，同比下降7.2%。",
        4: "立案查处\t15\t起",
        5: "（新增段落内容）",
        6: "",
    }
    out = tmp_path / "revised.docx"
    write_revision(source, out, new, author="编辑甲", date=WHEN)
    expected = [new.get(index, text) for index, text in enumerate(OLD)]
    assert accepted_text(out) == expected
    assert rejected_text(out) == OLD
    assert [b.text for b in read_blocks(out)] == expected  # read_blocks shows accepted text


def test_minimal_character_diff_keeps_unchanged_text_plain(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "revised.docx"
    write_revision(source, out, {2: OLD[2].replace("5.2%", "7.2%")}, author="编辑甲", date=WHEN)
    paragraph = docx.Document(str(out)).paragraphs[2]
    # python-docx's own .text skips w:ins and w:del: only the untouched characters remain
    assert paragraph.text == OLD[2].replace("5.2%", ".2%")
    [deleted] = _revisions(out, "w:del")
    [inserted] = _revisions(out, "w:ins")
    assert [t.text for t in deleted.iter(qn("w:delText"))] == ["5"]
    assert [t.text for t in inserted.iter(qn("w:t"))] == ["7"]
    for change in (deleted, inserted):
        assert change.get(qn("w:author")) == "编辑甲"
        assert change.get(qn("w:date")) == "2025-07-15T09:30:00Z"
    assert deleted.get(qn("w:id")) != inserted.get(qn("w:id"))


def test_untouched_paragraphs_are_byte_identical(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "revised.docx"
    write_revision(source, out, {2: "PM2.5浓度下降。", 4: "立案查处\t13\t件"}, author="编辑甲")
    before, after = _body_children(source), _body_children(out)
    assert len(before) == len(after)
    # body children: title, h1, body(2), body(3), table(4), 5, 6
    changed = {2, 4}
    for position, (old, new) in enumerate(zip(before, after, strict=True)):
        if position in changed:
            assert etree.tostring(old) != etree.tostring(new)
        else:
            assert etree.tostring(old) == etree.tostring(new), position


def test_existing_comments_survive_and_new_ones_anchor_on_new_text(
    source: Path, tmp_path: Path
) -> None:
    new_text = "PM2.5平均浓度为31.5微克/立方米，同比下降7.2%。"
    out = tmp_path / "revised.docx"
    write_revision(
        source,
        out,
        {2: new_text},
        author="编辑甲",
        comments={
            2: [
                span(new_text, "31.5", comment="改为核定值"),
                span(new_text, "同比下降7.2%", comment="重算"),
            ]
        },
    )
    found = {(c.block_index, c.anchored_text, c.text, c.author) for c in read_comments(out)}
    assert found == {
        (3, "73.5%", "来源：监测站", "起草助手"),
        (2, "31.5", "改为核定值", "编辑甲"),
        (2, "同比下降7.2%", "重算", "编辑甲"),
    }
    assert accepted_text(out)[2] == new_text
    assert rejected_text(out)[2] == OLD[2]
    comment_ids = [str(c.comment_id) for c in docx.Document(str(out)).comments]
    revision_ids = [e.get(qn("w:id")) for e in _revisions(out, "w:ins") + _revisions(out, "w:del")]
    assert len(set(comment_ids + revision_ids)) == len(comment_ids) + len(revision_ids)


def test_inserted_text_takes_its_neighbours_formatting(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("罚款")
    paragraph.add_run("112.3").bold = True
    paragraph.add_run("万元。")
    source = tmp_path / "s.docx"
    document.save(str(source))
    out = tmp_path / "r.docx"
    write_revision(source, out, {0: "罚款112.3295万元。"}, author="乙")
    [inserted] = _revisions(out, "w:ins")
    run = inserted.find(qn("w:r"))
    assert run.findtext(qn("w:t")) == "295"
    assert run.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    assert accepted_text(out) == ["罚款112.3295万元。"]


def test_table_row_must_keep_its_cells(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "revised.docx"
    with pytest.raises(ValueError, match="cells"):
        write_revision(source, out, {4: "立案查处 12件"}, author="编辑甲")
    with pytest.raises(ValueError, match="block 42 does not exist"):
        write_revision(source, out, {42: "x"}, author="编辑甲")
    with pytest.raises(ValueError, match="outside"):
        write_revision(source, out, {2: "短"}, author="编辑甲", comments={2: [Mark(0, 5, "x")]})
    assert not out.exists()


def test_paragraph_with_pending_revisions_is_refused(source: Path, tmp_path: Path) -> None:
    once = tmp_path / "once.docx"
    write_revision(source, once, {2: "PM2.5浓度下降。"}, author="编辑甲")
    write_revision(once, once, {3: "优良天数比率为80.1%。"}, author="编辑乙")  # other paragraph ok
    assert accepted_text(once)[2:4] == ["PM2.5浓度下降。", "优良天数比率为80.1%。"]
    with pytest.raises(InputError, match="已有未处理的修订"):
        write_revision(once, tmp_path / "twice.docx", {2: "又改了。"}, author="编辑乙")


def test_annotating_inserted_text_splits_the_insertion(source: Path, tmp_path: Path) -> None:
    new_text = OLD[2].replace("32", "31.58")
    revised = tmp_path / "revised.docx"
    write_revision(source, revised, {2: new_text}, author="编辑甲")
    annotate(revised, revised, {2: [span(new_text, "1.5", comment="核对")]}, author="核对助手")
    assert accepted_text(revised)[2] == new_text
    assert rejected_text(revised)[2] == OLD[2]
    [ref] = [c for c in read_comments(revised) if c.author == "核对助手"]
    assert ref.anchored_text == "1.5"
    ids = [el.get(qn("w:id")) for el in _revisions(revised, "w:ins") + _revisions(revised, "w:del")]
    assert len(ids) == len(set(ids))
