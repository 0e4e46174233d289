"""Clean text in: site notices, PDF page numbers and spacing, repeated titles, flattened
headings (real-style text written for these tests)."""

from pathlib import Path

from assistant.reading import read_document, tidy

FLAT = (
    "示例县生态环境局2024年上半年工作总结2024年上半年,我局坚持以改善环境质量为核心,"
    "各项工作有序推进。一、上半年工作开展情况(一)深入打好蓝天保卫战。一是强化扬尘管控。"
    "上半年优良天数比例为 82.5%,同比持平。(二)深入打好碧水保卫战。一是推进水源地规范化建设。"
)


def test_notices_page_numbers_and_pdf_spacing_go() -> None:
    assert tidy("【仅供学习参考。我局进一步厘清执法权 责边界。") == "我局进一步厘清执法权责边界。"
    assert tidy("推进试 点工作,查看更多") == "推进试点工作,"
    assert tidy("开展项目前期工— 2 —作,2023 年完成") == "开展项目前期工作,2023年完成"
    assert tidy("PM2.5 平均浓度为 36 微克/立方米") == "PM2.5平均浓度为36微克/立方米"
    assert tidy("（此件主动公开）2022年，全县优良天数比例100%") == "2022年，全县优良天数比例100%"
    assert tidy("(此件公开发布)") == ""


def test_a_slot_names_its_section_by_the_heading_s_first_words() -> None:
    from assistant.prose import slot

    assert slot("（五）生态保护修复：生态本底持续夯实") == slot("（五）生态保护修复，生态本底夯实")
    assert "生态保护修复的" in slot("（五）生态保护修复：生态本底持续夯实")


def test_a_flattened_document_splits_along_its_ladder(tmp_path: Path) -> None:
    path = tmp_path / "flat.txt"
    path.write_text(
        "示例县生态环境局2024年上半年工作总结\n示例县生态环境局2024年上半年工作总结\n" + FLAT,
        "utf-8",
    )
    texts = [b.text for b in read_document(path).blocks]
    assert texts[0] == "示例县生态环境局2024年上半年工作总结"
    assert texts.count("示例县生态环境局2024年上半年工作总结") == 1
    assert "一、上半年工作开展情况" in texts
    assert any(t.startswith("(一)深入打好蓝天保卫战。") for t in texts)
    assert any(t.startswith("(二)深入打好碧水保卫战。") for t in texts)
    assert any("为82.5%" in t for t in texts)


def test_a_title_run_into_its_text_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "run-in.txt"
    path.write_text(FLAT, "utf-8")
    document = read_document(path)
    assert document.title == "示例县生态环境局2024年上半年工作总结"
    assert document.blocks[1].text.startswith("2024年上半年,我局")
