"""The metric dictionary and unit table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.metrics import (
    METRICS,
    convert,
    find_metric,
    kind_for_unit,
    metric_by_name,
    normalise_unit,
    same_measure,
)


@pytest.mark.parametrize(
    "written",
    ["微克/立方米", "微克每立方米", "μg/m³", "µg/m³", "ug/m3", "µg/m3", "UG/M3", "微克／立方米"],
)
def test_concentration_spellings_meet(written: str) -> None:
    unit = normalise_unit(written)
    assert unit is not None
    assert (unit.canonical, unit.kind, unit.scale) == ("微克/立方米", "concentration", 1)


@pytest.mark.parametrize(
    ("written", "canonical", "base", "scale"),
    [
        ("元", "元", "元", 1),
        ("万元", "万元", "元", 10_000),
        ("亿元", "亿元", "元", 100_000_000),
        ("千万元", "千万元", "元", 10_000_000),
        ("吨", "吨", "吨", 1),
        ("万吨", "万吨", "吨", 10_000),
        ("公里", "公里", "米", 1000),
        ("千米", "公里", "米", 1000),
        ("km", "公里", "米", 1000),
        ("米", "米", "米", 1),
        ("亩", "亩", "平方米", Decimal("666.6666666666666666666666667")),
        ("公顷", "公顷", "平方米", 10_000),
        ("万人次", "万人次", "人次", 10_000),
        ("％", "%", "%", 1),
        ("百分点", "个百分点", "个百分点", 1),
        ("家次", "家次", "家次", 1),
        ("天", "天", "天", 1),
        ("类", "类", "类", 1),
    ],
)
def test_units_normalise_with_scale(written: str, canonical: str, base: str, scale: int) -> None:
    unit = normalise_unit(written)
    assert unit is not None
    assert (unit.canonical, unit.base, unit.scale) == (canonical, base, Decimal(scale))


def test_unknown_and_empty_units() -> None:
    assert normalise_unit("斤两") is None
    assert normalise_unit("") is None
    assert normalise_unit(None) is None
    assert normalise_unit("万%") is None  # a prefix never scales a percentage


def test_conversion_between_money_units() -> None:
    assert convert(Decimal("2.977"), "亿元", "万元") == Decimal("29770")
    assert convert(Decimal("112.3295"), "万元", "元") == Decimal("1123295")
    assert convert(Decimal("1.5"), "公里", "米") == Decimal("1500")
    assert convert(Decimal(1), "%", "个百分点") is None
    assert convert(Decimal(1), "家", "家次") is None


def test_same_measure() -> None:
    assert same_measure("万元", "亿元")
    assert same_measure("μg/m³", "微克每立方米")
    assert not same_measure("%", "个百分点")
    assert not same_measure("件", "起")
    assert not same_measure(None, "件")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("PM2.5平均浓度", "PM2.5平均浓度"),
        ("PM2.5浓度均值", "PM2.5平均浓度"),
        ("全区细颗粒物浓度", "PM2.5平均浓度"),
        ("PM₂.₅浓度", "PM2.5平均浓度"),
        ("ＰＭ２．５浓度", "PM2.5平均浓度"),
        ("可吸入颗粒物浓度", "PM10平均浓度"),
        ("优良天数比例", "优良天数比例"),
        ("空气质量优良率", "优良天数比例"),
        ("优良天数", "优良天数"),
        ("重度及以上污染天数", "重污染天数"),
        ("国考断面优Ⅲ类比例", "优Ⅲ类比例"),
        ("立案查处大气类环境违法案件", "立案查处"),
        ("处罚金额", "罚款金额"),
        ("受理环境信访件", "受理环境信访"),
        ("重点工程完成投资", "完成投资"),
        ("集中式饮用水水源地水质达标率", "饮用水水源地水质达标率"),
    ],
)
def test_find_metric_by_alias(text: str, name: str) -> None:
    metric = find_metric(text)
    assert metric is not None and metric.name == name


def test_find_metric_prefers_the_mention_nearest_the_end() -> None:
    metric = find_metric("PM2.5平均浓度41.6微克/立方米，优良天数比例")
    assert metric is not None and metric.name == "优良天数比例"


def test_find_metric_none() -> None:
    assert find_metric("扎实推进各项工作") is None
    assert find_metric("") is None


def test_metric_facts_for_the_rules() -> None:
    pm25 = metric_by_name("细颗粒物浓度")
    assert pm25 is not None
    assert (pm25.topic, pm25.better, pm25.kind, pm25.unit) == (
        "大气",
        "lower",
        "concentration",
        "微克/立方米",
    )
    ratio = metric_by_name("优良天数比率")
    assert ratio is not None and (ratio.kind, ratio.better) == ("rate", "higher")
    water = metric_by_name("断面水质")
    assert water is not None and water.kind == "category"


def test_every_metric_unit_is_known() -> None:
    for metric in METRICS:
        for unit in (metric.unit, *metric.units):
            assert unit == "" or normalise_unit(unit) is not None, (metric.name, unit)
        if metric.kind == "rate":
            assert metric.unit == "%", metric.name


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for metric in METRICS:
        for alias in metric.names:
            assert seen.setdefault(alias, metric.name) == metric.name, alias


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("%", "rate"),
        ("个百分点", "rate"),
        ("微克/立方米", "concentration"),
        ("类", "category"),
        ("件", "count"),
        ("万元", "amount"),
        ("吨", "amount"),
        ("", "amount"),
        ("奇怪", "amount"),
    ],
)
def test_kind_for_unit(unit: str, kind: str) -> None:
    assert kind_for_unit(unit) == kind
