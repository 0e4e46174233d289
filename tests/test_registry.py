"""Writers by name: the entry points our package declares, in-process registration, and the
error an unknown name gives."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from assistant.errors import ConfigError
from assistant.model_writer import OpenAIWriter
from assistant.registry import (
    GROUP,
    make_writer,
    register_writer,
    unregister_writer,
    writer_names,
)
from assistant.settings import load_settings
from assistant.writers import TemplateWriter
from tests.fake_writer import FakeWriter


def test_our_writers_are_declared_as_entry_points() -> None:
    declared = {point.name: point.value for point in entry_points(group=GROUP)}
    assert declared == {
        "template": "assistant.writers:TemplateWriter",
        "openai": "assistant.model_writer:OpenAIWriter",
    }
    settings = load_settings()
    assert isinstance(make_writer("template", settings), TemplateWriter)
    assert isinstance(make_writer("openai", settings), OpenAIWriter)


def test_an_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(ConfigError, match="未知的起草方式 “gpt”") as caught:
        make_writer("gpt", load_settings())
    assert caught.value.hint == "可选: openai、template"
    with pytest.raises(ConfigError, match="可选: openai、template"):
        load_settings(writer="gpt")


def test_a_writer_registered_in_process(fake_writer: FakeWriter) -> None:
    assert writer_names() == ["fake", "openai", "template"]
    settings = load_settings(writer="fake")  # the setting accepts any registered name
    assert make_writer(settings.writer, settings) is fake_writer


def test_in_process_wins_and_unregistering_restores() -> None:
    made: list[object] = []
    register_writer("template", lambda settings: made.append(settings) or FakeWriter())
    try:
        assert isinstance(make_writer("template", load_settings()), FakeWriter) and made
    finally:
        unregister_writer("template")
    assert isinstance(make_writer("template", load_settings()), TemplateWriter)
