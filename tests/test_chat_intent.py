"""Chat: plain-Chinese requests into intents (ask back when unclear); sessions in SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import domain
from assistant.chat import ChatStore, SessionNotFound, find_topics, parse_intent, period_problem
from assistant.periods import parse


@pytest.mark.parametrize(
    ("text", "section", "part", "period"),
    [
        ("帮我起草上半年大气污染防治部分", "大气污染防治", "总结", "上半年"),
        ("写下半年水环境的工作计划", "水污染防治", "计划", "下半年"),
        ("起草执法监管这一节", "环境执法监管", "全部", None),
        ("写一下土壤方面存在的问题", "土壤污染防治", "问题", None),
        ("帮我写信访工作的总结", "环境信访", "总结", None),
        ("写一段固废的内容", "固体废物污染防治", "全部", None),
    ],
)
def test_section_requests(text: str, section: str, part: str, period: str | None) -> None:
    intent = parse_intent(text, has_draft=False)
    assert (intent.action, intent.section, intent.part, intent.period_word) == (
        "draft",
        section,
        part,
        period,
    )


@pytest.mark.parametrize(
    "text", ["写整篇", "帮我起草全文", "起草完整的总结", "写整篇，单位是示例区生态环境局"]
)
def test_whole_document(text: str) -> None:
    intent = parse_intent(text, has_draft=True)
    assert intent.action == "draft" and intent.section is None and intent.part == "全部"


def test_unit_in_a_request_is_picked_up() -> None:
    assert (
        parse_intent("写整篇，单位是示例区生态环境局", has_draft=False).unit == "示例区生态环境局"
    )
    assert parse_intent("单位：示例区生态环境局", has_draft=False).action == "unit"


@pytest.mark.parametrize(
    "text", ["再精简一些", "加上臭氧的内容", "语气更正式", "把第二段改成更简洁的说法"]
)
def test_revisions_of_the_current_draft(text: str) -> None:
    intent = parse_intent(text, has_draft=True)
    assert intent.action == "revise" and intent.instruction == text


@pytest.mark.parametrize(
    ("text", "topic", "part"),
    [
        ("把大气部分再精简一些", "大气", "全部"),
        ("水环境那一节语气更正式", "水", "全部"),
        ("在大气部分加上臭氧的内容", "大气", "全部"),
        ("精简存在的问题部分", None, "问题"),
        ("下半年计划里的执法部分再具体些", "执法", "计划"),
        ("总结部分的水环境精简一些", "水", "总结"),
        ("在计划里的大气部分加上臭氧的内容", "大气", "计划"),
        ("把大气部分改写得更正式", "大气", "全部"),  # 改写 is a revision, not 写 a new section
        ("重写执法部分", "执法", "全部"),
        # what to add is not where: these stay whole-document revisions
        ("加上臭氧的内容", None, "全部"),
        ("加上危险废物转移量的内容", None, "全部"),
        ("再精简一些", None, "全部"),
    ],
)
def test_revisions_aimed_at_a_section(text: str, topic: str | None, part: str) -> None:
    intent = parse_intent(text, has_draft=True)
    assert (intent.action, intent.topic, intent.part, intent.instruction) == (
        "revise",
        topic,
        part,
        text,
    )


def test_several_topics_make_one_combined_section() -> None:
    intent = parse_intent("写大气和水环境的部分", has_draft=False)
    assert intent.action == "draft" and intent.topics == ("大气", "水")
    assert intent.section == "大气污染防治和水污染防治"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("写结尾", "结尾段我还写不了"),
        ("帮我做个PPT", "这个我做不了"),
        ("把总结翻译成英文", "做不了"),
    ],
)
def test_what_it_cannot_do_says_what_it_can(text: str, said: str) -> None:
    intent = parse_intent(text, has_draft=False)
    assert intent.action == "decline" and said in (intent.question or "")
    assert "我能做的是" in (intent.question or "")


def test_revision_naming_two_topics_asks_which() -> None:
    intent = parse_intent("把大气和水环境部分精简一些", has_draft=True)
    assert intent.action == "ask" and "大气、水" in (intent.question or "")


def test_revision_without_a_draft_asks_first() -> None:
    intent = parse_intent("再精简一些", has_draft=False)
    assert intent.action == "ask" and "还没有草稿" in (intent.question or "")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("帮我起草一下", "哪一部分"),
        ("嗯", "没听明白"),  # small talk is answered instead (below)
        ("", "起草什么"),
    ],
)
def test_ambiguous_requests_ask_back(text: str, asks: str) -> None:
    intent = parse_intent(text, has_draft=False)
    assert intent.action == "ask" and asks in (intent.question or "")


def test_topics_vocab() -> None:
    assert find_topics("臭氧和PM2.5") == ["大气"]
    assert find_topics("断面水质")[0] == "水"
    assert find_topics("你好") == []


def test_period_that_does_not_fit_the_figures_is_asked_about() -> None:
    assert period_problem("上半年", parse("2025年上半年")) is None
    assert period_problem("下半年", parse("2025年上半年")) is None
    assert "2025年前三季度" in (period_problem("上半年", parse("2025年前三季度")) or "")
    assert period_problem(None, parse("2025年上半年")) is None


def test_store_isolation_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "chat.sqlite3"
    store = ChatStore(path)
    mine = store.create("client-a", unit="示例区生态环境局")
    theirs = store.create("client-b")
    store.add_message(mine, "user", "写整篇")
    store.add_message(mine, "assistant", "<b>草稿</b>", version=1, kind="draft")
    again = ChatStore(path)  # a restarted server
    assert [m.text for m in again.messages("client-a", mine)] == ["写整篇", "<b>草稿</b>"]
    assert [s.id for s in again.sessions("client-a")] == [mine]
    assert [s.id for s in again.sessions("client-b")] == [theirs]
    with pytest.raises(SessionNotFound):
        again.messages("client-b", mine)
    with pytest.raises(SessionNotFound):
        again.update("client-b", mine, title="偷看")
    version = again.add_version(mine, "全文", tmp_path / "v1", "draft")
    assert version.number == 1 and again.add_version(mine, "修改", tmp_path, "d").number == 2
    assert [v.number for v in again.versions("client-a", mine)] == [1, 2]


def test_weather_is_declined_only_where_it_is_not_the_offices_business() -> None:
    """An emergency office plans around the weather; an environment bureau's assistant does not."""
    request = "帮我查一下明天的天气"
    assert parse_intent(request, has_draft=False).action == "decline"
    domain.use("应急管理")
    try:
        assert parse_intent(request, has_draft=False).action != "decline"
    finally:
        domain.use(domain.DEFAULT_DOMAIN)


@pytest.mark.parametrize("pack", ["生态环境", "应急管理"])
def test_small_talk_is_answered_not_asked_back(pack: str) -> None:
    """今天天气不错 used to get “没听明白要做什么”: small talk gets a friendly word and what the
    assistant can do (the pack's chat.yaml small_talk); with a request in the same message, the
    request is what counts."""
    domain.use(pack)
    try:
        said = [("今天天气不错", "是啊"), ("你好", "您好"), ("好的谢谢", "不客气")]
        # asked what it is for, it says so instead of “没听明白”
        said += [("你能做什么", "我是起草助手"), ("这个怎么用", "我是起草助手")]
        for text, word in said:
            intent = parse_intent(text, has_draft=False)
            question = intent.question or ""
            assert intent.action == "decline" and question.startswith(word), (text, question)
            assert "我能做的是" in question and "没听明白" not in question
        assert parse_intent("嗯", has_draft=False).action == "ask"
        assert parse_intent("今天天气不错，写个整篇", has_draft=False).action == "draft"
        revision = parse_intent("谢谢，再精简一些", has_draft=True)
        assert revision.action == "revise", revision
    finally:
        domain.use(domain.DEFAULT_DOMAIN)
