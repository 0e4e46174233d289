"""--json contract: exactly one JSON document on stdout, also when the command fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

H1 = REPO_ROOT / "corpus" / "sample" / "figures-2025H1.csv"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def failed(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The one document on stdout of a failed run, checked against the contract."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)  # exactly one document: json.loads rejects extra data
    assert set(document) == {"error"}
    error = document["error"]
    assert set(error) == {"kind", "message", "path", "row", "column", "hint"}
    assert error["message"]
    return error


def test_a_bad_figures_file_is_an_error_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("指标,数值\nPM2.5,38.4\n", encoding="utf-8")
    done = run("figures", "validate", str(bad), "--json", cwd=tmp_path)
    error = failed(done)
    assert error["kind"] == "InputError"
    assert error["path"] == str(bad)
    assert str(bad) not in str(error["message"])  # the place is in path, not repeated
    assert error["hint"]
    assert "错误" in done.stderr and str(bad) in done.stderr  # people still read stderr


def test_a_bad_row_carries_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "row.csv"
    bad.write_text(
        "id,指标,数值,单位,期间,来源\npm25,PM2.5平均浓度,三十八,微克/立方米,2025年上半年,站\n",
        encoding="utf-8",
    )
    error = failed(run("figures", "show", str(bad), "--json", cwd=tmp_path))
    assert error["kind"] == "InputError"
    assert (error["path"], error["row"], error["column"]) == (str(bad), 2, "数值")
    assert "三十八" in str(error["message"])


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "missing-a.docx", "missing-b.docx", "--json"),
        ("check", "missing.docx", "--figures", str(H1), "--json"),
        ("search", "臭氧", "--part", "成效", "--json"),
    ],
)
def test_input_errors_of_other_commands(tmp_path: Path, args: tuple[str, ...]) -> None:
    error = failed(run(*args, cwd=tmp_path))
    assert error["kind"] == "InputError"


def test_a_usage_error_is_a_document_too(tmp_path: Path) -> None:
    done = run("search", "--json", cwd=tmp_path)
    error = failed(done)
    assert error["kind"] == "UsageError" and "query" in str(error["message"])
    assert "Usage" in done.stderr
    done = run("search", "臭氧", "-k", "many", "--json", cwd=tmp_path)
    assert failed(done)["kind"] == "UsageError"


def test_without_json_stdout_stays_empty_on_failure(tmp_path: Path) -> None:
    done = run("diff", "missing-a.docx", "missing-b.docx", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and "文件不存在" in done.stderr


def test_success_is_still_one_document(tmp_path: Path) -> None:
    done = run("figures", "validate", str(H1), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "error" not in json.loads(done.stdout)
