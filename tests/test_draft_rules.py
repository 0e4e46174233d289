"""Drafting rules beyond the happy path: the unit setting and the .docx times matching the
sidecar."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from assistant.draft import DraftRequest, compose, make_draft, save_draft
from assistant.ingest import ingest
from assistant.settings import load_settings
from tests.conftest import SAMPLE_DIR

H1 = SAMPLE_DIR / "figures-2025H1.csv"
Q1 = SAMPLE_DIR / "figures-2025Q1.csv"
UNIT = "示例区生态环境局"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    ingest([SAMPLE_DIR], load_settings(embedding="hash", data_dir=folder))
    return folder


@pytest.fixture
def settings(store_dir: Path):
    return load_settings(embedding="hash", data_dir=store_dir)


# --- the unit setting -------------------------------------------------------------------------


def test_unit_setting_is_the_default_before_the_corpus(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_UNIT", "样例县生态环境分局")
    settings = load_settings(embedding="hash", data_dir=store_dir)
    assert settings.unit == "样例县生态环境分局"
    result = compose(DraftRequest(H1, "", "2025年上半年", part="问题"), settings)
    assert result.draft.unit == "样例县生态环境分局"
    assert result.draft.title.startswith("样例县生态环境分局2025年上半年")
    given = compose(DraftRequest(H1, UNIT, "2025年上半年", part="问题"), settings)
    assert given.draft.unit == UNIT  # --unit still wins


def test_without_the_setting_the_corpus_names_the_unit(settings) -> None:
    assert settings.unit is None
    result = compose(DraftRequest(H1, "", "2025年上半年", part="问题"), settings)
    assert result.draft.unit == UNIT


def test_unit_setting_from_assistant_toml(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("ASSISTANT_UNIT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assistant.toml").write_text('unit = "样例县生态环境分局"\n', encoding="utf-8")
    assert load_settings(embedding="hash", data_dir=store_dir).unit == "样例县生态环境分局"


# --- the .docx carries the draft's time -------------------------------------------------------


def test_docx_times_are_the_sidecars_created(settings, tmp_path: Path) -> None:
    request = DraftRequest(Q1, UNIT, "2025年一季度", part="问题")
    first = make_draft(request, settings, tmp_path / "a")
    sidecar = json.loads(first.files["json"].read_text(encoding="utf-8"))
    created = datetime.fromisoformat(sidecar["created"])
    core = docx.Document(str(first.files["docx"])).core_properties
    assert core.created == created
    assert core.modified == core.created


def test_saving_the_same_draft_twice_stamps_the_same_times(settings, tmp_path: Path) -> None:
    draft = compose(DraftRequest(Q1, UNIT, "2025年一季度", part="问题"), settings).draft
    draft.created = "2025-04-03T08:30:00+00:00"
    times = []
    for folder in ("a", "b"):
        paths = save_draft(draft, tmp_path / folder)
        core = docx.Document(str(paths["docx"])).core_properties
        times.append((core.created, core.modified))
    moment = datetime(2025, 4, 3, 8, 30, tzinfo=UTC)
    assert times[0] == times[1] == (moment, moment)
