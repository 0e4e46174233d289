"""assistant check's table stays readable in an 80-column terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
DRAFT = (
    "上半年，全区PM2.5平均浓度为38.9微克/立方米，同比下降3.5%，空气质量优良天数比例为85.1%，"
    "较上年同期提高2.3个百分点，这是在全区上下共同努力下取得的成效。\n"
    "受理环境信访件35件。〔待补：臭氧浓度〕立案查处环境违法案件32件，罚款金额112.3295万元，"
    "全区监测数据有效率99.1%。\n"
)


def check(path: Path, columns: int, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "check", str(path), "--figures", str(H1), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("columns", [80, 160])
def test_every_value_and_expected_value_is_whole_on_one_line(tmp_path: Path, columns: int) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    findings = json.loads(check(draft, 80, "--json").stdout)["findings"]
    problems = [f for f in findings if f["kind"] != "ok"]
    assert len(problems) >= 5  # mismatches, a wrong direction and a placeholder

    done = check(draft, columns)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= columns
    for finding in problems:
        assert any(finding["value"] in line for line in lines), finding["value"]
        if finding["expected"]:
            assert any(finding["expected"] in line for line in lines), finding["expected"]
    # the long context is cut with an ellipsis, not folded down the table a character a line
    assert "…" in done.stdout
    rows = sum(1 for line in lines if line.startswith("├")) + 1
    assert len(lines) < rows * 6 + 8
    assert "有问题" in lines[-1]
