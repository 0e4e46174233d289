"""Only the target bureau speaks: names, level words and the era of reused sentences."""

from pathlib import Path

import pytest
import yaml

from assistant import era, names, topics
from assistant.metrics import find_metric

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():
    SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_divisions_and_other_names_are_found():
    text = (
        "以服务江阴人民为宗旨，争创无锡市文明单位。推进宏达玻璃、华兴建材等企业深度治理，"
        "对青石河沿岸企业和柳塘镇开展检查，局长王建国带队督导。"
    )
    found = names.find_names(text)
    for name in ("江阴", "无锡市", "宏达玻璃", "华兴建材", "青石河", "柳塘镇", "王建国"):
        assert name in found, found


def test_common_words_are_not_places():
    text = "坚持绿水青山就是金山银山理念，新建污水管网，推进城区黑臭水体和各乡镇污水治理。"
    assert names.find_names(text) == []


@pytest.mark.parametrize(
    ("unit", "level"),
    [
        ("江阴市生态环境局", "市"),
        ("示例区生态环境局", "区"),
        ("某县生态环境分局", "县"),
        ("丽水市生态环境局庆元分局", "县"),
        ("湘西州生态环境局吉首分局", "市"),
        ("莲都区环保分局", "区"),
    ],
)
def test_level_follows_the_unit(unit, level):
    assert names.level_of(unit) == level


def test_own_area_reaches_up_and_down():
    own = names.own_area("丽水市生态环境局庆元分局")
    assert {"庆元县", "丽水市", "浙江省"} <= own
    assert names.is_foreign("温州市", own)
    assert not names.is_foreign("庆元", own)


def test_a_foreign_sentence_is_generalised_or_dropped_and_level_words_follow():
    voice = names.Voice.of("示例区生态环境局")
    text = (
        "我市在市委、市政府的正确领导下，以服务江阴人民为宗旨。"
        "推进宏达玻璃、华兴建材等超低排放改造。"
        "对青石河沿岸企业开展专项检查。"
        "全市空气质量持续改善。"
    )
    own = names.speak_as(text, "市", voice)
    assert own == (
        "我区在区委、区政府的正确领导下，以服务人民群众为宗旨。"
        "推进重点企业超低排放改造。"
        "全区空气质量持续改善。"
    )
    assert names.foreign_names(own, voice) == []


def test_the_targets_own_names_stay():
    voice = names.Voice.of("江阴市生态环境局")
    assert names.speak_as("以服务江阴人民为宗旨。", "市", voice) == "以服务江阴人民为宗旨。"


def test_a_parent_level_is_not_swapped():
    """A district's 市委、市政府 is its parent: only the source's own level is swapped."""
    voice = names.Voice.of("某县生态环境局")
    text = "按照市委、市政府部署，我区扎实推进各项工作。"
    assert names.speak_as(text, "区", voice) == "按照市委、市政府部署，我县扎实推进各项工作。"


@pytest.mark.parametrize(
    ("sentence", "year", "expected"),
    [
        ("牢固树立和落实科学发展观，狠抓环境整治。", 2024, ""),
        ("以《行政许可法》的实施为契机，建设效能型机关。", 2022, ""),
        ("在上级环保部门的指导下，狠抓整治。", 2024, "在上级生态环境部门的指导下，狠抓整治。"),
        ("深入打好蓝天保卫战，推行非现场执法。", 2018, ""),
        ("深入打好蓝天保卫战，推行非现场执法。", 2023, "深入打好蓝天保卫战，推行非现场执法。"),
        ("坚决打好污染防治攻坚战。", 2019, "坚决打好污染防治攻坚战。"),
        ("学习贯彻党的二十大精神。", 2021, ""),
        ("编制“十四五”生态环境保护规划。", 2018, ""),
    ],
)
def test_wording_fits_the_year(sentence, year, expected):
    assert era.of_year(sentence, year) == expected


def test_stale_names_the_phrases():
    assert era.stale("落实科学发展观，深入打好污染防治攻坚战。", 2024) == ["落实科学发展观"]
    assert era.stale("深入打好污染防治攻坚战。", 2024) == []


def test_metric_names_land_in_their_topic():
    table = yaml.safe_load(
        (Path(__file__).parent / "data" / "metric_topics.yaml").read_text("utf-8")
    )
    assert len(table) >= 100
    wrong = []
    for name, expected in table.items():
        metric = find_metric(name)
        got = topics.figure_topic(name, metric.topic if metric else None)
        if got != expected:
            wrong.append((name, got, expected))
    assert len(wrong) <= 0.05 * len(table), wrong


@pytest.mark.skipif(not (SHARED / "real").is_dir(), reason="shared/real not beside the checkout")
def test_real_openings_name_their_places():
    text = (SHARED / "real" / "天长市-2022.txt").read_text("utf-8")
    found = names.find_names(text)
    assert "白塔河" in found
    assert names.level_of("天长市生态环境分局") == "市"
    assert not names.foreign_names(text, names.Voice.of("天长市生态环境分局", found))


def test_a_sibling_county_of_the_units_city_is_foreign():
    """A branch named after its city (衢州市…江山分局) speaks for 江山 only: the city's other
    counties and districts (柯城区) are another bureau's area, the city and province its own."""
    voice = names.Voice.of("衢州市生态环境局江山分局")
    assert {"江山市", "衢州市", "浙江省"} <= voice.own
    for sibling in ("柯城区", "衢江区", "常山县", "开化县"):
        assert names.is_foreign(sibling, voice.own), sibling
    text = "2024年，柯城区生态环境公众满意度位居全省前列。全市空气质量持续改善。"
    assert names.foreign_names(text, voice) == ["柯城区"]
    assert "柯城" not in names.speak_as(text, "县", voice)
    # the city bureau itself speaks for all of its counties
    city = names.Voice.of("衢州市生态环境局")
    assert not names.is_foreign("柯城区", city.own)
    assert not names.is_foreign("江山市", city.own)
