from __future__ import annotations

from pathlib import Path

import docx
import pytest

from assistant import InputError
from assistant.reading import (
    clean_title,
    is_title_like,
    join_broken_lines,
    normalise_for_matching,
    read_document,
    strip_debris,
)

BODY = (
    "示例区生态环境局2025年上半年工作总结\n"
    "\n"
    "一、大气污染防治\n"
    "上半年，全区细颗粒物平均浓度为33微克/立方米，同比下降5.7%。\n"
)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_text_files_in_every_common_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "总结.txt"
    path.write_text(BODY, encoding=encoding)

    document = read_document(path)

    assert document.encoding == expected
    assert document.title == "示例区生态环境局2025年上半年工作总结"
    assert [b.text for b in document.blocks] == [
        "示例区生态环境局2025年上半年工作总结",
        "一、大气污染防治",
        "上半年，全区细颗粒物平均浓度为33微克/立方米，同比下降5.7%。",
    ]
    assert document.blocks[0].text.startswith("示例区")  # no BOM left in the text


def test_markdown_markup_is_removed_and_headings_kept(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(
        "# 示例区生态环境局2025年一季度工作总结\n\n"
        "## 一、水污染防治\n\n"
        "**国考断面**水质稳定达到Ⅱ类，[详见](http://example.invalid/a)附表。\n\n"
        "- 完成入河排污口排查12个；\n"
        "* 新建污水管网3.2公里。\n\n"
        "| 指标 | 数值 |\n|---|---|\n| 优Ⅲ类比例 | 100% |\n\n"
        "### （一）饮用水水源保护\n"
        "> 开展水源地巡查`6`次。\n"
        "1. 持续推进黑臭水体排查\n",
        encoding="utf-8",
    )

    document = read_document(path)

    assert document.title == "示例区生态环境局2025年一季度工作总结"
    assert [(b.style, b.text) for b in document.blocks] == [
        ("h1", "示例区生态环境局2025年一季度工作总结"),
        ("h2", "一、水污染防治"),
        ("body", "国考断面水质稳定达到Ⅱ类，详见附表。"),
        ("body", "完成入河排污口排查12个；"),
        ("body", "新建污水管网3.2公里。"),
        ("table", "指标\t数值"),
        ("table", "优Ⅲ类比例\t100%"),
        ("h3", "（一）饮用水水源保护"),
        ("body", "开展水源地巡查6次。"),
        ("body", "1. 持续推进黑臭水体排查"),
    ]


def test_docx_paragraphs_tables_and_title_style(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("2025年前三季度工作总结", level=0)
    word.add_paragraph("")
    word.add_heading("一、执法监管", level=1)
    word.add_paragraph("前三季度共立案查处环境违法案件9件，处罚金额86.5万元。")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "类别", "件数"
    table.cell(1, 0).text, table.cell(1, 1).text = "大气类", "4"
    word.add_paragraph("本文来源：某某范文网 点击下载")
    path = tmp_path / "q3.docx"
    word.save(str(path))

    document = read_document(path)

    assert document.encoding is None
    assert document.title == "2025年前三季度工作总结"
    assert [(b.style, b.text) for b in document.blocks] == [
        ("title", "2025年前三季度工作总结"),
        ("h1", "一、执法监管"),
        ("body", "前三季度共立案查处环境违法案件9件，处罚金额86.5万元。"),
        ("table", "类别\t件数"),
        ("table", "大气类\t4"),
    ]


def test_web_page_debris_is_stripped() -> None:
    lines = [
        "某某公文网 首页 > 工作总结",
        "站点导航：范文 | 总结 | 计划",
        "登录 | 注册 | 会员中心 | 投稿",
        "发布时间：2023-04-18 09:32   来源：网友投稿   浏览：1286次",
        "2025-03-02 某某公文网",
        "示例区生态环境局2024年工作总结",
        "申明敬告：本站文章均为网友投稿，如有侵权请联系删除。",
        "一、固体废物管理",
        "全年办理危险废物转移联单1260份。",
        "更多范文请访问 https://example.invalid/zongjie",
        "Copyright © 2025 某某公文网 版权所有",
        "★★★★★★★★★★",
        "—— —— ——",
        "点击下载完整版",
        "二、下一步工作计划",
        "预览阅读已结束，若需全文请联系客服。",
        "相关阅读",
        "2024年环保工作计划范文",
        "三、这一行在相关阅读之后，也不是正文",
    ]
    kept = [line for line in strip_debris(lines) if line]
    assert kept == [
        "示例区生态环境局2024年工作总结",
        "一、固体废物管理",
        "全年办理危险废物转移联单1260份。",
        "二、下一步工作计划",
    ]


def test_everything_after_related_reading_is_dropped() -> None:
    kept = strip_debris(["一、审批服务", "相关阅读", "三、这也是网页推荐"])
    assert kept == ["一、审批服务"]


def test_body_lines_with_ordinary_words_are_not_debris() -> None:
    lines = [
        "（二）开展公益广告宣传，在主要路口投放宣传标语。",
        "通过微信公众号发布环境质量月报12期，阅读量持续增长。",
        "完成污染源普查数据下载、核对和上报工作，确保数据准确。",
    ]
    assert strip_debris(lines) == lines


def test_broken_lines_are_rejoined_but_headings_are_not() -> None:
    lines = [
        "2023年环境保护工作总结",
        "一、强化大气污染防治",
        "全年共检查建筑工地86个，督促落实扬尘",
        "",
        "防治措施，下达整改通知书14份。",
        "二、推进水环境治理",
        "三是开展入河排污口整治，完成了",
        "一是新的条目开头，不应并入上一行。",
        "存在问题",
        "部分乡镇污水管网建设滞后。",
        "（三）生态保护",
        "开展自然保护地",
        "（四）信访",
    ]
    assert join_broken_lines(lines) == [
        "2023年环境保护工作总结",
        "一、强化大气污染防治",
        "全年共检查建筑工地86个，督促落实扬尘防治措施，下达整改通知书14份。",
        "二、推进水环境治理",
        "三是开展入河排污口整治，完成了",
        "一是新的条目开头，不应并入上一行。",
        "存在问题",
        "部分乡镇污水管网建设滞后。",
        "（三）生态保护",
        "开展自然保护地",
        "（四）信访",
    ]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["全区PM2.5平均浓度55.1微克/立方", "米，同比下降6.1%。"], "55.1微克/立方米，同比"),
        (["PM2.5平均浓度36微克/", "立方米以内。"], "36微克/立方米以内。"),
        (["平均降尘量5.3吨/平方公里·", "月，同比下降7.0%。"], "吨/平方公里·月，"),
        (
            ["（一）全力抓好大气污染防治", "紧盯全年PM2.5平均浓度36微克/立方", "", "米以内。"],
            "立方米以内",
        ),
    ],
)
def test_a_line_broken_inside_a_unit_is_always_rejoined(lines: list[str], joined: str) -> None:
    """A short unpunctuated line would stand alone as a label, but not one that stops mid-unit."""
    result = join_broken_lines(lines)
    assert any(joined in paragraph for paragraph in result), result
    assert not any(p.startswith(("米", "立方米", "月")) for p in result)


def test_a_broken_inline_heading_paragraph_is_rejoined(tmp_path: Path) -> None:
    path = tmp_path / "pdf.txt"
    path.write_text(
        "、加强信访调处。上半年受理环境信访件，办结率达到%，兑现举报奖励\n\n"
        "起；答复人大建议和政协提案件。\n",
        encoding="utf-8",
    )
    texts = [b.text for b in read_document(path).blocks]
    assert texts == [
        "、加强信访调处。上半年受理环境信访件，办结率达到%，兑现举报奖励起；答复人大建议和政协提案件。"
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        bytes(range(0x80, 0x100)) * 40,
    ],
    ids=["png", "zip", "undecodable"],
)
def test_binary_file_renamed_to_txt_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "renamed.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="不是文本文件") as caught:
        read_document(path)
    assert "renamed.txt" in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"  \r\n\n\t  \n", "\u3000\n".encode()])
def test_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="文件为空"):
        read_document(path)


def test_file_of_only_debris_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("某某范文网 首页\n点击下载\n相关阅读\n2024年工作总结范文\n", encoding="utf-8")
    with pytest.raises(InputError, match="没有正文"):
        read_document(path)


@pytest.mark.parametrize("name", ["report.pdf", "report.doc", "report.xlsx", "README"])
def test_unsupported_kinds_name_the_supported_ones(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(InputError, match=r"\.docx、\.txt、\.md"):
        read_document(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        read_document(tmp_path / "nope.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＰＭ２．５浓度３２微克／立方米", "pm2.5浓度32微克/立方米"),
        ("PM₂.₅年均浓度", "pm2.5年均浓度"),
        ("（一）大气污染防治", "(一)大气污染防治"),
        ("优良天数比例７８．５％，同比上升２个百分点。", "优良天数比例78.5%,同比上升2个百分点。"),
        ("断面水质达到Ⅱ类", "断面水质达到Ⅱ类"),
        ("断面水质达到III类", "断面水质达到Ⅲ类"),
        ("劣V类水体清零", "劣Ⅴ类水体清零"),
        ("优III类比例100%", "优Ⅲ类比例100%"),
        ("1—3月受理信访", "1-3月受理信访"),
        ("VOCs  治理\u3000项目", "vocs 治理 项目"),
        ("“十四五”规划：推进", "“十四五”规划:推进"),
    ],
)
def test_normalise_for_matching(text: str, expected: str) -> None:
    assert normalise_for_matching(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年上半年工作总结", True),
        ("上半年工作进展情况和下半年工作安排", True),
        ("工作总结及2025年度工作计划", True),
        ("示例区生态环境局一季度工作总结", True),
        ("202x年生态环境保护工作总结", True),
        ("一、2024年工作总结", False),
        ("上半年，我局紧紧围绕年度目标推进各项工作。", False),
        ("强化大气污染防治", False),
        ("2024年重点工作安排如下：", False),
        # clauses a PDF broke out of a sentence: they name a period and 工作 but hold a comma
        ("污染防治攻坚、生态保护修复和服务高质量发展各项工作，一季度", False),
        ("围绕“美丽示例区建设”主题，一季度在区融媒体中心发布生态环境工作信息", False),
        ("一季度评审土壤污染状况调查报告6份；启动危险废物“存量清零”专项行动", False),
    ],
)
def test_title_like(text: str, expected: bool) -> None:
    assert is_title_like(text) is expected


def test_clean_title_drops_the_page_date() -> None:
    assert clean_title("示例区2024年一季度工作总结(20240412)") == "示例区2024年一季度工作总结"
    assert clean_title("示例区2024年一季度工作总结（20240412）") == "示例区2024年一季度工作总结"


def test_pdf_broken_opening_keeps_every_line_and_the_real_title(tmp_path: Path) -> None:
    path = tmp_path / "2024q1.txt"
    path.write_text(
        "示例区生态环境局2024年一季度工作总结\n\n"
        "　　2024年一季度，我局坚持以习近平新时代\n"
        "中国特色社会主义思想为指导，统筹推进\n"
        "污染防治攻坚、生态保护修复和服务高质量发展各项工作，一季度\n"
        "各项工作实现良好开局。\n"
        "　　（一）全力抓好大气污染防治。紧盯全年PM2.5平均浓度36微克/立方\n"
        "米以内的目标。\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.title == "示例区生态环境局2024年一季度工作总结"
    texts = [block.text for block in document.blocks]
    assert any("服务高质量发展各项工作，一季度各项工作实现良好开局。" in t for t in texts)
    assert any(t.endswith("36微克/立方米以内的目标。") for t in texts)


def test_web_copy_title_prefers_the_full_one_over_the_pages_shortened_heading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "web.txt"
    path.write_text(
        "公文素材网 首页 > 工作总结 > 正文\n登录 | 注册 | 会员中心 | 投稿\n\n"
        "区生态环境局2023年一季度工作总结\n\n"
        "发布时间：2023-04-18 09:32   来源：网友投稿   浏览：1286次\n\n"
        "示例区生态环境局2023年一季度工作总结\n\n"
        "    今年以来，我局紧紧围绕全年目标任务推进各项工作。\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.title == "示例区生态环境局2023年一季度工作总结"
    texts = [block.text for block in document.blocks]
    assert not any("登录" in t or "发布时间" in t for t in texts)
