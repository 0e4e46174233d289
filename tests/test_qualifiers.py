"""Values as offices write them: 40余, 120多, 近3万, 约4.2, ≥95, a rank 第2 — Decimal for
arithmetic, the written form for the draft; 181日 is days, 第二名 a figure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import pytest

from assistant.check import check_blocks
from assistant.draft import DraftRequest, compose, save_draft
from assistant.errors import InputError
from assistant.figures import format_change, format_value, load_figures
from assistant.numbers import extract_numbers
from assistant.settings import load_settings
from assistant.types import places_of
from tests.conftest import SAMPLE_DIR

ROWS = """id,指标,数值,单位,期间,上年同期,目标,来源
waste_cases,查处固废案件,40余,起,2025年上半年,35,,区执法大队
trained,培训企业人员,120多,人次,2025年上半年,,,区宣教中心
served,服务群众,近3万,人次,2025年上半年,,,区宣教中心
invest,完成治理投资,约4.2,亿元,2025年上半年,,,区发改局
checked,检查企业,6000余,家次,2025年上半年,,,区执法大队
good_rate,饮用水水源地水质达标率,100,%,2025年上半年,,≥95,区监测站
days,优良天数,181,日,2025年上半年,170,,区监测站
rank,全市考核排名,第2,名,2025年上半年,,,市生态环境局
"""


@pytest.fixture
def figures(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(ROWS, encoding="utf-8")
    return load_figures(path)


def test_a_qualified_value_keeps_its_number_and_its_written_form(figures) -> None:
    expected = {
        "waste_cases": (Decimal(40), "40余起"),
        "trained": (Decimal(120), "120多人次"),
        "served": (Decimal(30000), "近3万人次"),
        "invest": (Decimal("4.2"), "约4.2亿元"),
        "checked": (Decimal(6000), "6000余家次"),
        "days": (Decimal(181), "181日"),
        "rank": (Decimal(2), "第2名"),
    }
    for figure_id, (value, rendered) in expected.items():
        assert (figures[figure_id].value, format_value(figures[figure_id])) == (value, rendered)
    assert figures["invest"].places == 1 and places_of("1.2万余") == 1


def test_arithmetic_uses_the_number_but_states_no_false_precision(figures) -> None:
    assert figures.change("waste_cases") is None  # 40余 against 35: no 同比 % from a rough count
    change = figures.change("days")
    assert change is not None and change.amount == Decimal("11")  # 日 = 天: days change by days
    assert format_change(change) == "同比增加11日"
    target = figures.target("good_rate")
    assert target is not None and target.met and target.target == 95  # ≥95 as a target


def test_a_value_that_is_no_number_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(ROWS.replace("40余", "四十余"), encoding="utf-8")
    with pytest.raises(InputError, match="“四十余”不是数字"):
        load_figures(path)


def test_text_in_the_same_forms_is_confirmed(figures) -> None:
    text = (
        "上半年，查处固废案件40余起，培训企业人员120多人次，服务群众近3万人次。"
        "完成治理投资约4.2亿元，检查企业6000余家次。优良天数181日，全市考核排名第2名。"
    )
    report = check_blocks([text], figures)
    by_figure = {f.figure_id: f.kind for f in report.findings}
    assert by_figure == {
        "waste_cases": "ok",
        "trained": "ok",
        "served": "ok",
        "invest": "ok",
        "checked": "ok",
        "days": "ok",
        "rank": "ok",
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("优良天数共181日，同比增加11天", [("181日", Decimal(181), "天"), ("11天", 11, "天")]),
        ("全市排名第二名", [("第二名", Decimal(2), "名")]),
        ("位列全省第2位", [("第2位", Decimal(2), "名")]),
        ("于6月30日召开推进会", []),
        ("于15日召开推进会", []),
        ("第一，加强监管；第3季度开展", []),
        ("O3-8h第90百分位浓度", []),
    ],
)
def test_days_and_ranks_in_text(text: str, found: list[tuple[str, Decimal, str]]) -> None:
    quantities = extract_numbers(text)
    assert [(q.text, q.value, q.unit) for q in quantities] == found


def test_qualifiers_survive_to_the_docx(tmp_path: Path, store_dir: Path) -> None:
    sample = (SAMPLE_DIR / "figures-2025H1.csv").read_text("utf-8-sig")
    path = tmp_path / "figures.csv"
    path.write_text(
        sample.replace("出动执法人员,3690,", "出动执法人员,3600余,"),
        encoding="utf-8",
    )
    settings = load_settings(embedding="hash", data_dir=store_dir)
    result = compose(DraftRequest(path, "示例区生态环境局", "2025年上半年"), settings)
    files = save_draft(result.draft, load_figures(path), tmp_path / "out", "draft")
    text = "\n".join(p.text for p in docx.Document(str(files["docx"])).paragraphs)
    assert "3600余人次" in text
    assert "3690" not in text


def test_decibels_are_a_unit() -> None:
    quantities = extract_numbers("昼间平均等效声级为52.4dB(A)，夜间为44.1分贝。")
    assert [(q.value, q.unit) for q in quantities] == [
        (Decimal("52.4"), "分贝"),
        (Decimal("44.1"), "分贝"),
    ]
