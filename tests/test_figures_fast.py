"""The figures loader is fast for a large file (caches per distinct name, unit and 期间, one
Figure per row, lookups that search instead of scanning) and loads exactly what the plain
definitions give: each lookup against its straightforward form, and a large varied file
against the same rows loaded one at a time with every cache emptied first."""

from __future__ import annotations

import gc
import random
import shutil
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from assistant import domain, topics
from assistant.errors import InputError
from assistant.figures import compute_change, load_figures
from assistant.figures.rows import _VALUE_READERS, _measure, names_said
from assistant.figures.tables import COLUMNS, _Row
from assistant.metrics import _unit_of, normalise_unit
from assistant.types import Figure, FigureSet

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample" / "figures-2025H1.csv"
HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,备注,主题,方向,小数位"
UNITS = ("微克/立方米", "%", "个百分点", "件", "家", "万元", "亿元", "吨", "万吨", "亩", "dB(A)",
         "类", "人次", "", "个/月", "ＭＧ／Ｌ")  # fmt: skip
PERIODS = ("2025年上半年", "2025年1-6月", "截至2025年6月底", "2025年一季度", "2024年度",
           "2025年度", "2025年2季度")  # fmt: skip
VALUES = ("41.6", "85.10", "12", "0", "1,234.5", "约4.2", "40余", "近3万", "≥95", "〔待补〕",
          "", "３８．４", "-3.2", "120多", "6000余")  # fmt: skip
CLASSES = ("Ⅱ", "Ⅲ类", "劣Ⅴ", "IV", "3")
SUFFIXES = ("", "（全区）", "平均", "年均值", "同比", "完成率", "监测点位7", "12369")


def _names() -> list[str]:
    """Every alias of the pack's metrics and hint words, alone and with words around them,
    in full width too, and names of the benchmark's kind."""
    pack = domain.current()
    words = [alias for metric in pack.metric_list for alias in metric.names]
    words += [word for word, _topic in topics._pack_hints(pack)]
    names = [*words, *(w + s for w in words[::3] for s in SUFFIXES), "某某指标", "Ｏ₃浓度"]
    names += [unicodedata.normalize("NFKC", w).translate({0x2E: 0xFF0E}) for w in words[::5]]
    return names + [f"监测点位{n}浓度" for n in range(50)]


def _plain_match_key(text: str) -> str:
    folded = "".join(
        unicodedata.normalize("NFKC", ch)
        if ch.isascii() or "\uff01" <= ch <= "\uff5e" or ch in "₀₁₂₃₄₅₆₇₈₉"
        else ch
        for ch in text
    )
    return folded.lower().replace("（", "(").replace("）", ")")


def _plain_find_metric(text: str):
    pattern, owner = domain.current().alias_index
    key = _plain_match_key(text)
    best = None
    for start in range(len(key)):
        found = pattern.match(key, start)
        if found is not None:
            candidate = (found.end(), found.end() - found.start(), owner[found.group()])
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


def _plain_hinted(name: str) -> str | None:
    folded = name.upper()
    return next((t for w, t in topics._pack_hints(domain.current()) if w in folded), None)


def test_each_fast_lookup_is_its_plain_definition() -> None:
    names = _names()
    assert len(names) > 500
    for name in names:
        assert domain.match_key(name) == _plain_match_key(name), name
        assert domain.find_metric(name) == _plain_find_metric(name), name
        assert topics.hinted_topic(name) == _plain_hinted(name), name
    for code in [*range(0x20, 0x3000, 7), *range(0xFF00, 0xFF70), *range(0x2070, 0x20A0)]:
        assert domain.match_key(chr(code)) == _plain_match_key(chr(code)), hex(code)
    pack = domain.current()
    for unit in (*UNITS, "万人次", "千吨", "万%", "ug/m3"):
        assert normalise_unit(unit) == _unit_of.__wrapped__(pack, unit), unit


def _row(rng: random.Random, number: int, name: str) -> str:
    unit = rng.choice(UNITS)
    metric = domain.find_metric(name)
    is_class = unit == "类" or (not unit and metric is not None and metric.kind == "category")
    values = CLASSES if is_class else VALUES
    cells = [
        f"f{number}",
        name,
        rng.choice(values),
        unit,
        rng.choice(PERIODS),
        rng.choice(values) if rng.random() < 0.8 else "",
        rng.choice(values) if rng.random() < 0.4 else "",
        "区环境监测站月报" if rng.random() < 0.9 else "=HYPERLINK(1)",
        "备注" if rng.random() < 0.1 else "",
        rng.choice(("", "", "", "大气", "水", "不在列表")),
        rng.choice(("", "", "", "越低越好", "越高越好")),
        rng.choice(("", "", "", "", "0", "2")),
    ]
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def _row_of(name: str) -> _Row:
    return _Row(1, *(name if key == "name" else "" for key in COLUMNS))


def _without_place(figure: Figure) -> Figure:
    return replace(figure, provenance=replace(figure.provenance, file="", row=0))


def _empty_caches() -> None:
    for cached in (_measure, *_VALUE_READERS, domain._metric_in, topics._hinted, _unit_of):
        cached.cache_clear()


@pytest.mark.slow
def test_a_large_file_loads_as_its_rows_do_one_at_a_time(tmp_path: Path) -> None:
    rng = random.Random(14)
    names = _names()
    rows = [_row(rng, number, rng.choice(names)) for number in range(3000)]
    big = tmp_path / "big.csv"
    big.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    loaded = load_figures(big)
    assert len(loaded) == 3000 and loaded.period is not None
    assert {f.kind for f in loaded} >= {"category", "rate", "amount", "concentration"}
    assert len({f.topic for f in loaded}) >= 8 and any(f.metric for f in loaded)
    assert any("公式" in warning for warning in loaded.warnings)

    for number in rng.sample(range(3000), 60):
        alone = tmp_path / f"row{number}.csv"
        alone.write_text(f"{HEADER}\n{rows[number]}\n", encoding="utf-8")
        _empty_caches()
        single: FigureSet = load_figures(alone)
        figure = loaded[f"f{number}"]
        assert _without_place(single.figures[0]) == _without_place(figure), rows[number]
        assert single.change(figure.id) == loaded.change(figure.id), rows[number]
        assert single.target(figure.id) == loaded.target(figure.id), rows[number]
        said = [w.split("：", 1)[-1] for w in single.warnings]
        assert said == [
            w.split("：", 1)[-1] for w in loaded.warnings if f"第{number + 2}行" in w
        ], rows[number]


def test_changes_worked_out_when_asked_are_each_figures_own(tmp_path: Path) -> None:
    """A figure set's changes are worked out when asked and shared between rows of the same
    numbers, never the result: each change carries its own figure's id, 41.6 and 41.60 stay
    apart, and a figure whose change compute_change refuses has none."""
    lines = [
        "a1,PM2.5浓度,41.6,微克/立方米,36.7",
        "a2,PM2.5浓度,41.6,微克/立方米,36.7",
        "a3,PM2.5浓度,41.60,微克/立方米,36.7",
        "a4,优良天数比例,85.1,%,82.30",
        "a5,优良天数比例,85.1,%,82.30",
        "a6,案件数,12,件,0",
        "a7,案件数,40余,件,35",
        "a8,项目投资,12,万元,0",
    ]
    path = tmp_path / "repeat.csv"
    path.write_text("id,指标,数值,单位,上年同期,期间,来源\n" + "".join(
        f"{line},2025年上半年,站\n" for line in lines), encoding="utf-8")  # fmt: skip
    loaded = load_figures(path)
    assert loaded.change("a1") is not None and "a2" in loaded.changes  # asked before the rest
    changes = dict(loaded.changes)
    assert changes == {f.id: c for f in loaded.figures if (c := compute_change(f)) is not None}
    assert {c.figure_id for c in changes.values()} == set(changes) == {f"a{n}" for n in range(1, 7)}
    assert changes["a1"].formula == changes["a2"].formula
    assert changes["a1"].formula == "(41.6 − 36.7) / 36.7 × 100 = 13.4（%）"
    assert changes["a3"].formula == "(41.60 − 36.7) / 36.7 × 100 = 13.4（%）"
    assert changes["a4"].formula == "85.1 − 82.30 = 2.80（个百分点）"


def test_a_figure_set_finds_each_id_as_a_scan_would() -> None:
    """FigureSet.get looks ids up in a dict made on first use: the first figure of an id wins,
    a missing id is None, and a set made by replace has its own index."""
    figures = load_figures(SAMPLE)
    first = figures.figures[0]
    doubled = replace(figures, figures=(*figures.figures, replace(first, name="后来的")))
    for figure_set in (figures, doubled):
        for figure in figure_set.figures[: len(figures)]:
            assert figure_set.get(figure.id) is next(
                f for f in figure_set.figures if f.id == figure.id
            )
    assert doubled[first.id].name == first.name
    assert figures.get("no_such_id") is None
    fewer = replace(figures, figures=figures.figures[1:])
    assert fewer.get(first.id) is None and figures.get(first.id) is first


def test_the_collector_is_back_after_any_load(tmp_path: Path) -> None:
    """The loader holds off the cyclic garbage collector while it runs: on again after a load,
    after a refused file and after loads overlapping in threads; left off if it was off."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,指标,数值,来源\nx,名,abc,站\n", encoding="utf-8")
    assert gc.isenabled()
    load_figures(SAMPLE)
    assert gc.isenabled()
    with pytest.raises(InputError):
        load_figures(bad)
    assert gc.isenabled()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: load_figures(SAMPLE), range(16)))
    assert gc.isenabled()
    gc.disable()
    try:
        load_figures(SAMPLE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_changes_asked_later_follow_the_pack_the_file_was_loaded_under(tmp_path: Path) -> None:
    """Changes are worked out when first asked; a pack made active after the load (another
    office's rules) does not change them: 12 件 against 10 stays 增加2件 though the other pack
    writes every count's change in %."""
    pack = tmp_path / "pack"
    shutil.copytree(Path(domain.current().folder), pack)
    metrics = pack / "metrics.yaml"
    data = yaml.safe_load(metrics.read_text(encoding="utf-8"))
    data["count_change"]["small_units"] = []
    metrics.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,指标,数值,单位,上年同期,期间,来源\ncases,立案查处,12,件,10,2025年上半年,执法台账\n",
        encoding="utf-8",
    )
    loaded = load_figures(path)
    domain.use(pack)
    assert compute_change(loaded["cases"]).mode == "percent"  # the other pack's rule
    assert loaded.change("cases").mode == "count" and loaded.change("cases").amount == 2


@pytest.mark.parametrize(
    "cell",
    ["=SUM(A1)", '" =SUM(A1)"', '"=1+2"', "@cmd", '"\u3000+cmd"', '"a,=b"'],
)
def test_a_csv_cell_like_a_formula_is_named_however_it_is_quoted(tmp_path: Path, cell: str) -> None:
    """A CSV file whose text holds none of = + - @ skips the per-cell check; a cell starting
    with one, quoted, after spaces or inside a quoted cell, is still named."""
    path = tmp_path / "odd.csv"
    path.write_text(
        f"id,指标,数值,单位,期间,来源\npm25,PM2.5平均浓度,38.4,微克/立方米,2025年上半年,{cell}\n",
        encoding="utf-8",
    )
    warnings = load_figures(path).warnings
    said = any("第2行，列“来源”" in w and "公式" in w for w in warnings)
    assert said is (cell != '"a,=b"'), warnings  # a,=b starts with a: no formula
    assert not any("公式" in w for w in load_figures(SAMPLE).warnings)


def test_names_alike_but_for_their_numbers_are_looked_up_once_and_say_the_same() -> None:
    """A large file numbers its stations: names that differ only in runs of digits share one
    search, unless a word with a digit (PM2.5, PM10, 12369) occurs in them; either way each
    name gets the metric and topic it gets alone."""
    pack = domain.current()
    names = ["监测点位12浓度", "监测点位7浓度", "PM2.5浓度", "PM10浓度", "12369热线",
             "12345热线", "3号断面水质", "ＰＭ２.５浓度", "站点3PM2.5平均浓度", "点位1", "pm10",
             "某某指标9"]  # fmt: skip
    keys = topics.search_keys(pack, names)
    assert keys[0] == keys[1] != names[0] and keys[6] != names[6]
    assert [k for k, n in zip(keys, names, strict=True) if k == n] == names[2:6] + names[7:9] + [
        "pm10"
    ]
    said = names_said(pack, [_row_of(name) for name in names])
    for name in names:
        metric = domain.metric_in(pack, name)
        topic = topics.topic_in(pack, name, metric.topic if metric else None)
        assert said[name] == (metric, topic), name
