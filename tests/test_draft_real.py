"""Drafting from another bureau's old summary: only the target bureau and its era speak, and
every sentence leaves whole (real-style material written for this test)."""

from pathlib import Path

import pytest

from assistant import era, gate, names
from assistant.draft import DraftRequest, compose, markdown
from assistant.ingest import ingest
from assistant.reading import read_document
from assistant.settings import load_settings

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
UNIT = "示例区生态环境局"

# Another city's old half-year summary: its names, its level, its era, PDF spacing, a cut clause.
FOREIGN = (Path(__file__).parent / "data" / "foreign-2005-h1.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("real")
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "江阴-2005-上半年.txt").write_text(FOREIGN, "utf-8")
    settings = load_settings(data_dir=work / "data", embedding="hash")
    ingest([corpus, SAMPLE], settings)
    result = compose(DraftRequest(SAMPLE / "figures-2025H1.csv", UNIT, "2025年上半年"), settings)
    assert result.report.ok
    return markdown(result.draft)


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))


def test_no_other_bureaus_names(drafted: str) -> None:
    """The sample corpus is the target's own archive: its names (龙潭水库) may stay."""
    own = [
        name
        for path in SAMPLE.iterdir()
        if path.suffix in (".txt", ".md", ".docx")
        for block in read_document(path).blocks
        for name in names.find_names(block.text)
    ]
    assert names.foreign_names(_body(drafted), names.Voice.of(UNIT, own)) == []
    assert "我市" not in drafted and "江阴" not in drafted


def test_no_wording_out_of_its_era(drafted: str) -> None:
    assert era.stale(_body(drafted), 2025) == []


def test_every_sentence_is_whole(drafted: str) -> None:
    assert gate.problems(_body(drafted)) == []
