"""Drafting and revising through the Writer protocol with the in-process fake writer: what the
writer is given and returns is all the pipeline needs — no name of a writer is looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose
from assistant.errors import InputError
from assistant.figures import load_figures
from assistant.render import REFERENCE, render
from assistant.revise import revise_blocks
from assistant.settings import load_settings
from assistant.types import Block
from tests.conftest import SAMPLE_DIR
from tests.fake_writer import FakeWriter

H1 = SAMPLE_DIR / "figures-2025H1.csv"
UNIT = "示例区生态环境局"


def test_a_draft_written_by_the_fake_writer(store_dir: Path, fake_writer: FakeWriter) -> None:
    fake_writer.slips = {"pm25_avg": "40.1微克/立方米"}  # typed, and not the figure (38.4)
    settings = load_settings(embedding="hash", data_dir=store_dir, writer="fake")
    pieces: list[str] = []
    result = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings, on_token=pieces.append)
    draft = result.draft

    # every body paragraph is the writer's, rendered: one per section it was asked for
    bodies = [b.text for b in draft.blocks if b.style == "body"]
    figure_set = load_figures(H1)
    expected = [render(fake_writer.paragraph(c), figure_set).text for c in fake_writer.contexts]
    assert len(fake_writer.contexts) == len(bodies) > 5
    assert sorted(bodies) == sorted(expected)  # sections may be asked for in any order
    assert bodies == [b for b in bodies if b in expected]

    # each section with the slip went to repair once, listing the typed number; none survived
    slipped = [c for c in fake_writer.contexts if "pm25_avg" in c.section.figure_ids[:4]]
    listed = [items for items in fake_writer.repairs if any("40.1" in i for i in items)]
    assert len(listed) == len(slipped) >= 1 and result.repairs >= len(slipped)
    assert not any("40.1" in text for text in bodies)
    assert any(c.figure_id == "pm25_avg" and c.text == "38.4微克/立方米" for c in draft.citations)
    assert not [f for f in result.report.findings if f.kind == "unsourced"]

    # it streamed like a model: numbers, never a reference, in document order
    streamed = "".join(pieces)
    assert "{{" not in streamed and "68.7微克/立方米" in streamed  # PM10, rendered
    assert streamed.index(bodies[0][:8]) < streamed.index(bodies[-1][:8])
    assert (draft.writer, draft.model, draft.prompts) == ("fake", "fake-model", {"fake": 1})


def test_a_revision_goes_through_the_writers_revise(fake_writer: FakeWriter) -> None:
    figure_set = load_figures(H1)
    line = render("PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。", figure_set, 2)
    blocks = [Block("标题", "title"), Block("一、大气", "h1"), Block(line.text)]
    fake_writer.addition = "，优良天数比例达到99%"  # a number the writer typed itself
    settings = load_settings(writer="fake")
    # an instruction the template writer refuses: only the protocol can carry it
    revision = revise_blocks(blocks, line.citations, "改得更生动些", figure_set, settings)

    (job,) = fake_writer.jobs
    assert job.paragraphs == {2: "PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。"}
    assert job.instruction == "改得更生动些" and job.unit == "本单位"
    assert revision.changed == [2] and revision.writer == "fake"
    assert (revision.model, revision.prompts) == ("fake-model", {"fake": 1})
    assert "假写作已修改" in revision.notes
    text = revision.texts[2]
    assert text.startswith(line.text.removesuffix("。"))  # numbers rendered again from the file
    assert revision.flagged == ["99%"] and "〔待核：99%〕" in text
    assert [c.figure_id for c in revision.citations] == ["pm25_avg", "pm25_avg"]
    assert revision.report is not None and not REFERENCE.search(text)


def test_the_template_writer_says_what_it_can_do() -> None:
    figure_set = load_figures(H1)
    line = render("PM2.5平均浓度为{{pm25_avg}}。", figure_set, 1)
    blocks = [Block("标题", "title"), Block(line.text)]
    settings = load_settings()
    with pytest.raises(InputError, match="模板写作无法执行"):
        revise_blocks(blocks, line.citations, "改得更生动些", figure_set, settings)
    revision = revise_blocks(blocks, line.citations, "再精简一些", figure_set, settings)
    assert revision.changed == [] and any("--writer openai" in n for n in revision.notes)


def test_the_checker_runs_once_a_verification_pass(
    store_dir: Path, fake_writer: FakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One check per section written, one per repaired section, one of the whole draft — whose
    report the result keeps."""
    import assistant.check

    runs: list[int] = []
    real = assistant.check.check_blocks

    def counted(texts, *args, **kwargs):
        runs.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(assistant.check, "check_blocks", counted)
    fake_writer.slips = {"pm25_avg": "40.1微克/立方米"}
    settings = load_settings(embedding="hash", data_dir=store_dir, writer="fake")
    result = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings)
    assert fake_writer.repairs and result.report.ok
    assert len(runs) == len(fake_writer.contexts) + len(fake_writer.repairs) + 1
    assert runs[-1] == len(result.draft.blocks)  # the last run: the whole draft, kept


def test_a_clean_revision_is_checked_once_after_it_is_written(
    fake_writer: FakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before and after: the revision's report is the check of its text, not a third run."""
    import assistant.check

    runs: list[int] = []
    real = assistant.check.check_blocks
    monkeypatch.setattr(assistant.check, "check_blocks",
                        lambda *a, **k: runs.append(1) or real(*a, **k))  # fmt: skip
    figure_set = load_figures(H1)
    line = render("PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。", figure_set, 1)
    blocks = [Block("标题", "title"), Block(line.text)]
    revision = revise_blocks(blocks, line.citations, "改", figure_set, load_settings(writer="fake"))
    assert revision.changed == [1] and not revision.flagged
    assert len(runs) == 2 and revision.report is not None and revision.report.ok
