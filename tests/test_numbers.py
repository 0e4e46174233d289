"""Number extraction: the case table (tests/data/numbers_cases.yaml) and the numeral helpers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from assistant.numbers import chinese_to_decimal, direction_sign, extract_numbers
from assistant.types import Quantity

CASES = yaml.safe_load((Path(__file__).parent / "data" / "numbers_cases.yaml").read_text("utf-8"))


def render(quantity: Quantity) -> str:
    """The compact form the case table uses (see the table's header comment)."""
    if quantity.form == "masked":
        return f"masked {quantity.text}"
    if quantity.form == "category":
        return f"class {quantity.category}"
    if quantity.form == "rank":
        return f"rank {format(quantity.value, 'f')}"
    if quantity.form in ("fraction", "ratio"):
        a, b = quantity.terms
        shown = f"{a}/{b} fraction" if quantity.form == "fraction" else f"{a}:{b} ratio"
    else:
        value = quantity.number_text if quantity.number_text.startswith("+") else None
        value = value or format(quantity.value, "f")
        if quantity.form == "range":
            value = f"{format(quantity.value, 'f')}~{format(quantity.high, 'f')}"
        shown = f"{value} {quantity.unit}" if quantity.unit else value
    return f"{shown} ({quantity.approx})" if quantity.approx else shown


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 150
    assert sum(1 for case in CASES if case.get("not")) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] for c in CASES])
def test_extraction_case(case: dict) -> None:
    text = case["text"]
    found = extract_numbers(text)
    assert [render(q) for q in found] == case["expect"]
    for quantity in found:
        assert text[quantity.start : quantity.end] == quantity.text
    for trap in case.get("not", []):
        assert trap in text, f"trap {trap!r} is not in the sentence"
        at = text.index(trap)
        overlapping = [q.text for q in found if q.start < at + len(trap) and at < q.end]
        assert not overlapping, f"{trap!r} was extracted as {overlapping}"
    for index, expected in (case.get("detail") or {}).items():
        quantity = found[int(index)]
        for key, value in expected.items():
            actual = {
                "metric": quantity.metric,
                "direction": quantity.direction,
                "change": quantity.is_change,
                "comparison": quantity.comparison,
                "target": quantity.target,
                "period": list(quantity.period),
            }[key]
            if key == "period":
                assert set(value) <= set(actual), (key, actual)
            else:
                assert actual == value, (key, quantity.text)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("一百二十", 120),
        ("一百零五", 105),
        ("两千", 2000),
        ("三千五百", 3500),
        ("一万二千", 12000),
        ("十二万", 120000),
        ("三亿五千万", 350000000),
        ("二〇二四", 2024),
        ("三点五", Decimal("3.5")),
        ("八十五点三", Decimal("85.3")),
    ],
)
def test_chinese_numerals(written: str, value: int | Decimal) -> None:
    assert chinese_to_decimal(written) == Decimal(value)


def test_chinese_numerals_reject_words() -> None:
    assert chinese_to_decimal("统一") is None
    assert chinese_to_decimal("") is None


def test_spans_point_into_the_original_text_with_full_width_characters() -> None:
    text = "检查企业１，２７４家次，罚款３．５万元。"
    first, second = extract_numbers(text)
    assert (first.text, first.value, first.unit_written) == ("１，２７４家次", 1274, "家次")
    assert (second.text, second.value, second.unit) == ("３．５万元", Decimal("3.5"), "万元")
    assert second.places == 1


def test_places_and_written_digits_are_kept() -> None:
    (quantity,) = extract_numbers("项目开工率85.10%。")
    assert quantity.number_text == "85.10"
    assert quantity.places == 2
    assert quantity.value == Decimal("85.10")


def test_percent_points_are_flagged() -> None:
    rate, points = extract_numbers("优良率73.5%，同比下降3.6个百分点")
    assert not rate.is_percent_point
    assert points.is_percent_point


def test_masked_and_category_have_no_value() -> None:
    masked, water = extract_numbers("优良率xx.x%，断面水质Ⅱ类。")
    assert masked.masked and masked.value is None and masked.unit == "%"
    assert water.form == "category" and water.value is None and water.category == "Ⅱ"


def test_direction_signs() -> None:
    assert direction_sign("上升") == 1
    assert direction_sign("降至") == -1
    assert direction_sign("持平") == 0
    assert direction_sign("改善") is None
    assert direction_sign(None) is None


def test_metric_inherited_by_a_change_from_the_level_before_it() -> None:
    level, change = extract_numbers("全区细颗粒物浓度38.4微克/立方米，同比下降3.5%。")
    assert level.metric == change.metric == "PM2.5平均浓度"
    assert change.is_change and not level.is_change


def test_metric_words_after_the_number_when_none_before() -> None:
    (quantity,) = extract_numbers("完成12份土壤污染状况调查报告。")
    assert quantity.metric == "土壤污染状况调查报告"


def test_empty_and_numberless_text() -> None:
    assert extract_numbers("") == []
    assert extract_numbers("扎实推进污染防治攻坚战。") == []
