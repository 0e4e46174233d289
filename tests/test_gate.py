"""The sentence gate on real-style breakage: cut clauses, half-width punctuation, spacing."""

import pytest

from assistant import gate


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("、以“建设美丽家园”为目标，狠抓环境整治。", "以标点开头"),
        ("力争年建成省级文明单位，为发展营造良好环境。", "“年”前缺年份"),
        ("以“守护碧水蓝天”为己任,让群众满意”为主题，狠抓落实。", "引号或括号不成对"),
        ("PM2.5平均浓度为，同比下降。", "“为/达/共”后缺数值"),
        ("优良天数比例80.1%，同比，重污染天数减少。", "“同比”后缺变化"),
        ("共开展专项检查余次，检查企业120家。", "“余”前缺数值"),
        ("出动执法人员人次，检查企业120家。", "“人次”前缺数值"),
        ("全区PM2.5平均浓度为 35微克/立方米。", "中文或数字间有空格"),
        ("进一步厘清执法权 责边界。", "中文或数字间有空格"),
        ("上半年,全区空气质量稳中向好。", "半角标点"),
        ("推进污染源(重点行业)排查整治。", "半角标点"),
        ("总之，也是我区承上启下的关键一年。", "开头的连接词没有前文"),
        ("二是尤其是农村地区污水设施覆盖率低。", "开头的连接词没有前文"),
        ("办结率达到《》要求。", "空的引号或括号"),
    ],
)
def test_each_breakage_is_named(text, rule):
    assert any(p.startswith(rule) for p in gate.problems(text)), gate.problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "上半年，全区PM2.5平均浓度{{pm25}}微克/立方米，同比{{pm25.change}}。",
        "严厉打击环境违法行为，专项资金已下达。",
        "深化“双随机、一公开”监管，推行非现场执法。",
        "于年底前完成整改，年内建成投运。",
        "全区受理信访件120件，办结率100%，同比下降3.5%。",
        "坚持问题导向，统筹推进各项工作。",
    ],
)
def test_whole_sentences_pass(text):
    assert gate.problems(text) == []


def test_mend_drops_a_sentence_a_cut_left_broken_and_keeps_the_rest():
    text = "以“建设美丽家园”为宗旨,让群众满意”为主题。全区空气质量稳中向好。力争年建成文明单位。"
    assert gate.mend(text) == "全区空气质量稳中向好。"


def test_mend_repairs_punctuation_spacing_and_a_leading_connective():
    text = "总之,也是我区 关键的一年。全区PM2.5平均浓度为 35微克/立方米,同比下降3%。"
    mended = gate.mend(text)
    assert mended == "我区关键的一年。全区PM2.5平均浓度为35微克/立方米，同比下降3%。"
    assert gate.problems(mended) == []


def test_mend_keeps_references_and_an_item_prefix():
    mended = gate.mend("二是尤其是，PM2.5浓度{{pm25}}微克/立方米 ,同比{{pm25.change}}。")
    assert mended == "二是PM2.5浓度{{pm25}}微克/立方米，同比{{pm25.change}}。"


def test_a_heading_run_into_the_body_is_split_off():
    mended = gate.mend("各项工作有序推进。(一)持续抓好大气污染防治。")
    assert mended.splitlines() == ["各项工作有序推进。", "（一）持续抓好大气污染防治。"]
    assert gate.problems("各项工作有序推进。（一）持续抓好大气污染防治。")


def test_headings_are_left_alone():
    text = "一、上半年工作情况\n（一）大气污染防治"
    assert gate.mend(text) == text
