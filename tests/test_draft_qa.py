"""Rules from the drafting QA pass: the opening claims no more than the figures bear out, a
part-year concentration off its annual target is a pressure only when it also got worse, a
part-only draft has its own title and file, and a reused sentence keeps its subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose
from assistant.figures import load_figures
from assistant.ingest import ingest
from assistant.outline import fit_claims, heading_claim, verdict
from assistant.settings import load_settings
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
Q1 = SAMPLE_DIR / "figures-2025Q1.csv"
Q3 = SAMPLE_DIR / "figures-2025Q3.yaml"
UNIT = "示例区生态环境局"
HEADER = "id,指标,数值,单位,期间,上年同期,目标,来源,主题,方向"
NEUTRAL = "各项工作有序推进"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    ingest([SAMPLE_DIR], load_settings(embedding="hash", data_dir=folder))
    return folder


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


def figures_file(tmp_path: Path, rows: list[str], name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- 1. the opening's claims ------------------------------------------------------------------

PACE_CLAIM = "持续深入打好蓝天、碧水、净土保卫战，上半年各项工作总体达到序时进度。"


@pytest.mark.parametrize(
    "claim", ["上半年各项工作总体达到序时进度", "前三季度主要指标均优于序时进度"]
)
def test_a_pace_claim_is_a_claim(claim: str) -> None:
    assert heading_claim(claim) == "steady"


def test_an_opening_claim_stands_only_when_every_figure_bears_it_out(tmp_path: Path) -> None:
    row = "pm25_avg,PM2.5平均浓度,{v},微克/立方米,2025年上半年,39.8,,监测站,大气,越低越好"
    better = load_figures(figures_file(tmp_path, [row.format(v=33.0)]))
    assert fit_claims(PACE_CLAIM, verdict(better, better.ids, "上半年"), NEUTRAL) == PACE_CLAIM
    worse = load_figures(figures_file(tmp_path, [row.format(v=41.0)]))
    fitted = fit_claims(PACE_CLAIM, verdict(worse, worse.ids, "上半年"), NEUTRAL)
    assert fitted == f"持续深入打好蓝天、碧水、净土保卫战，{NEUTRAL}。"
    two = "前三季度全区生态环境质量持续改善，主要指标均优于序时进度。"
    assert fit_claims(two, verdict(worse, worse.ids, "前三季度"), NEUTRAL) == f"{NEUTRAL}。"


@pytest.mark.parametrize(
    ("figures", "period"), [(H1, "2025年上半年"), (Q3, "2025年前三季度"), (Q1, "2025年一季度")]
)
def test_the_opening_claims_nothing_the_problems_contradict(settings, figures, period) -> None:
    draft = compose(DraftRequest(figures, UNIT, period), settings).draft
    texts = [b.text for b in draft.blocks]
    problems = next(i for i, t in enumerate(texts) if t.startswith("二、存在"))
    assert any("是" in t for t in texts[problems + 1 :])  # there are problems listed …
    opening = texts[1]
    for clause in opening.replace("。", "，").split("，"):
        assert heading_claim(clause) is None, clause  # … so the opening claims no pace or gain
