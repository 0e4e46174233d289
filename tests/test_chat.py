"""The conversation engine end to end over the sample corpus: draft, revise, versions, diff,
check, export, import, persistence across restarts, and the questions it asks back."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from assistant.chat import ChatEngine, SessionNotFound
from assistant.errors import InputError
from assistant.settings import Settings, load_settings
from assistant.splitting import classify_topic
from assistant.word import read_comments
from tests.chat_support import FIGURES, SAMPLE_DIR, UNIT, ingested_settings
from tests.openai_stub import Reply


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ingested_settings(tmp_path)


def test_draft_revise_versions_diff_check(settings: Settings, tmp_path: Path) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    tokens: list[str] = []
    first = engine.send("alice", info.id, "写下半年水环境的工作计划", on_token=tokens.append)
    assert first.reply.kind == "draft" and first.version and first.version.number == 1
    assert "".join(tokens).strip()  # streamed as it was written
    assert first.draft is not None and first.draft.citations
    assert first.report is not None and first.report.ok
    assert "水污染防治" in first.draft.title and "计划" in first.draft.title
    assert "35公里" in first.reply.text  # the plan speaks of the targets

    second = engine.send("alice", info.id, "再精简一些")
    assert second.version is not None and second.version.number == 2
    assert len(second.reply.text) < len(first.reply.text)
    assert second.report is not None and second.report.ok
    kept = {c.text for c in second.draft.citations}
    assert kept == {c.text for c in first.draft.citations}  # every figure survived

    diff = engine.diff("alice", info.id, 1, 2)
    assert diff.summary["changed"] >= 1 and diff.numbers == []
    assert engine.check("alice", info.id, 2).ok
    assert [v.number for v in engine.versions("alice", info.id)] == [1, 2]

    saved = engine.export("alice", info.id, tmp_path / "out")
    assert set(saved) == {"docx", "clean", "md", "json"}
    assert saved["clean"].name.endswith("-清稿.docx") and not read_comments(saved["clean"])
    comments = read_comments(saved["docx"])
    assert comments and all("来源：" in c.text for c in comments)
    assert "〔" not in saved["md"].read_text(encoding="utf-8")


def test_revision_adds_a_sourced_figure_sentence(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "写执法监管的总结")
    turn = engine.send("alice", info.id, "加上危险废物转移量的内容")
    assert turn.version is not None, turn.reply.text
    assert "危险废物转移量为3652.18吨，同比上升7.1%。" in turn.reply.text
    added = [c for c in turn.draft.citations if c.figure_id == "hazwaste_transfer_t"]
    assert {c.field for c in added} == {"value", "change"}
    assert all("全国固体废物管理信息系统" in c.source for c in added)


def test_nothing_to_change_is_said_not_versioned(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "帮我起草上半年大气污染防治部分")
    turn = engine.send("alice", info.id, "加上臭氧的内容")  # the air section already has it
    assert turn.version is None and turn.reply.kind == "notice" and "已在文中" in turn.reply.text
    assert len(engine.versions("alice", info.id)) == 1


def _under(blocks, heading_word: str) -> set[int]:
    """Indices of the bodies under the first heading containing ``heading_word``."""
    start = next(i for i, b in enumerate(blocks) if b.style != "body" and heading_word in b.text)
    end = next((i for i in range(start + 1, len(blocks)) if blocks[i].style != "body"), len(blocks))
    return set(range(start + 1, end))


def test_revision_aimed_at_a_topic_changes_only_its_passages(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    whole = engine.send("alice", info.id, "写整篇").draft
    blocks = whole.blocks
    summary_air = _under(blocks, "蓝天保卫战")  # 大气 though the heading never says so
    plan_air = _under(blocks, "空气质量目标")
    problem_air = {  # titled by its figure in trouble (优良天数比例…), a 大气 problem
        i for i in _under(blocks, "存在的问题") if classify_topic((), blocks[i].text) == "大气"
    }
    assert summary_air and plan_air and len(problem_air) == 1

    turn = engine.send("alice", info.id, "把大气部分再精简一些")
    assert turn.version is not None and turn.version.number == 2, turn.reply.text
    new = turn.draft.blocks
    changed = {i for i, (a, b) in enumerate(zip(blocks, new, strict=True)) if a.text != b.text}
    # a style edit goes to every 大气 passage (总结, 问题, 计划), and nowhere else
    assert summary_air & changed and changed <= summary_air | plan_air | problem_air
    diff = engine.diff("alice", info.id, 1, 2)
    assert {p.a_index for p in diff.paragraphs if p.kind != "unchanged"} == changed
    assert diff.numbers == []
    untouched = [c for c in whole.citations if c.block not in changed]
    assert untouched == [c for c in turn.draft.citations if c.block not in changed]
    assert "大气" in turn.version.label and any("蓝天保卫战" in n for n in turn.notes)

    aimed = engine.send("alice", info.id, "在计划里的大气部分加上臭氧的内容")
    assert aimed.version is not None and aimed.version.number == 3, aimed.reply.text
    before, after = turn.draft.blocks, aimed.draft.blocks
    moved = {i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a.text != b.text}
    assert moved and moved <= plan_air
    ozone_before = {c.block for c in turn.draft.citations if c.figure_id == "o3_8h_90"}
    ozone_after = {c.block for c in aimed.draft.citations if c.figure_id == "o3_8h_90"}
    assert ozone_after - ozone_before and ozone_after - ozone_before <= plan_air
    assert aimed.report is not None and aimed.report.ok


def test_aimed_revision_through_the_model_sees_only_its_section(
    settings: Settings, openai_server
) -> None:
    template = ChatEngine(settings)
    info = template.create_session("alice", figures=FIGURES, unit=UNIT)
    blocks = template.send("alice", info.id, "写整篇").draft.blocks
    plan_air = _under(blocks, "空气质量目标")
    openai_server.script([Reply.of("一是细化夏季VOCs治理方案；二是逐月调度扬尘管控。")])
    model = ChatEngine(
        load_settings(
            data_dir=settings.data_dir,
            embedding="hash",
            writer="openai",
            base_url=openai_server.base_url,
            timeout=10,
            max_retries=0,
        )
    )
    turn = model.send("alice", info.id, "下半年计划里的大气部分再具体些")
    assert turn.version is not None, turn.reply.text
    (request,) = openai_server.chat_requests
    prompt = request["messages"][1]["content"]
    assert "全力攻坚空气质量目标" in prompt and "再具体些" in prompt
    assert "蓝天保卫战" not in prompt and "系统治水" not in prompt
    changed = {
        i
        for i, (a, b) in enumerate(zip(blocks, turn.draft.blocks, strict=True))
        if a.text != b.text
    }
    assert changed and changed <= plan_air
    assert "逐月调度扬尘管控" in turn.reply.text


def test_aimed_revision_asks_back_or_says_what_is_missing(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "写整篇")
    asked = engine.send("alice", info.id, "在大气部分加上臭氧的内容").reply
    # an addition belongs in one place: which of 总结 / 问题 / 计划?
    assert asked.kind == "question"
    assert (
        "蓝天保卫战" in asked.text and "空气质量目标" in asked.text and "工作计划里" in asked.text
    )
    # the whole draft has the genre's sections (党建 too, from the corpus); it has no 宣传 one
    missing = engine.send("alice", info.id, "把宣传部分精简一些").reply
    assert missing.kind == "notice" and "没有讲宣传教育的部分" in missing.text
    two = engine.send("alice", info.id, "把大气和水环境部分精简一些").reply
    assert two.kind == "question" and "一次改一个部分" in two.text
    assert [v.number for v in engine.versions("alice", info.id)] == [1]

    section = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", section.id, "写执法监管的总结")
    lacking = engine.send("alice", section.id, "精简存在的问题部分").reply
    assert lacking.kind == "notice" and "没有“存在的问题”部分" in lacking.text
    other = engine.send("alice", section.id, "把大气部分再精简一些").reply
    assert other.kind == "notice" and "没有讲大气污染防治的部分" in other.text
    own = engine.send("alice", section.id, "把执法部分再精简一些")
    assert own.version is not None and own.version.number == 2, own.reply.text


def test_questions_instead_of_guesses(settings: Settings) -> None:
    engine = ChatEngine(settings)
    bare = engine.create_session("bob")
    assert "数据文件" in engine.send("bob", bare.id, "写整篇").reply.text
    engine.set_figures("bob", bare.id, FIGURES)
    assert "单位名称" in engine.send("bob", bare.id, "写整篇").reply.text
    reply = engine.send("bob", bare.id, "单位是示例区生态环境局").reply
    assert reply.kind == "notice" and UNIT in reply.text
    assert engine.send("bob", bare.id, "写一下").reply.kind == "question"
    declined = engine.send("bob", bare.id, "帮我做个PPT").reply
    assert declined.kind == "notice" and "我能做的是" in declined.text
    assert engine.send("bob", bare.id, "再精简一些").reply.kind == "question"
    quarter = engine.create_session("bob", figures=SAMPLE_DIR / "figures-2025Q3.yaml", unit=UNIT)
    asked = engine.send("bob", quarter.id, "帮我起草上半年大气污染防治部分").reply
    assert asked.kind == "question" and "前三季度" in asked.text
    assert engine.versions("bob", bare.id) == []


def test_bad_figures_file_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    broken = tmp_path / "figures.csv"
    broken.write_text("id,指标,数值,单位,来源\npm25,PM2.5,abc,微克/立方米,站\n", encoding="utf-8")
    with pytest.raises(InputError, match="第2行"):
        engine.set_figures("alice", info.id, broken)
    assert Path(engine.store.info("alice", info.id).figures).name == FIGURES.name


def test_sessions_survive_restart_and_stay_private(settings: Settings) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "帮我起草上半年大气污染防治部分")
    restarted = ChatEngine(settings)
    history = restarted.history("alice", info.id)
    assert [m.role for m in history] == ["user", "assistant"] and history[1].version == 1
    assert restarted.load("alice", info.id, 1).citations
    with pytest.raises(SessionNotFound):
        restarted.history("mallory", info.id)
    with pytest.raises(SessionNotFound):
        restarted.send("mallory", info.id, "写整篇")
    assert restarted.store.sessions("mallory") == []


def test_edited_docx_comes_back_as_a_version(settings: Settings, tmp_path: Path) -> None:
    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    engine.send("alice", info.id, "帮我起草上半年大气污染防治部分")
    saved = engine.export("alice", info.id, tmp_path / "out")
    document = docx.Document(str(saved["docx"]))
    document.add_paragraph("编辑补充：扬尘管控检查工地1200个。")
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    turn = engine.import_docx("alice", info.id, edited)
    assert turn.version is not None and turn.version.number == 2
    assert turn.draft.citations  # the comments on numbers are provenance again
    unsourced = [f for f in turn.report.findings if f.kind == "unsourced"]
    assert [f.value for f in unsourced] == ["1200个"]
    diff = engine.diff("alice", info.id, 1, 2)
    assert [(n.kind, n.new, n.new_source) for n in diff.numbers] == [("added", "1200个", None)]


def test_terminal_chat_by_piped_stdin(settings: Settings, tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/figures " + str(FIGURES),
            "单位是示例区生态环境局",
            "写下半年水环境的工作计划",
            "再精简一些",
            "/versions",
            "/diff 1 2",
            "/check",
            "/save " + str(tmp_path / "saved"),
            "/diff 1",
            "/nonsense",
            "/quit",
            "这一行不会被读到",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "chat", "--data-dir", str(settings.data_dir)],
        input=script + "\n",
        capture_output=True,
        text=True,
        env=_env(settings),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "已载入 36 个指标" in out
    assert "第 1 版" in out and "第 2 版" in out
    assert "个已核对" in out and "待处理" not in out  # the plan cites only sourced numbers
    assert "段落变化: 第1版 → 第2版" in out
    assert "数字核对" in out and "✓" in out
    assert "用法: /diff" in done.stderr and "未知命令 /nonsense" in done.stderr
    assert "Traceback" not in done.stderr
    saved = sorted(p.name.split("-v")[-1] for p in (tmp_path / "saved").iterdir())
    assert saved == ["2-清稿.docx", "2.docx", "2.json", "2.md"]
    session = done.stderr.split("新会话 ")[1].split("（")[0]
    resumed = subprocess.run(
        [sys.executable, "-m", "assistant", "chat", "--data-dir", str(settings.data_dir),
         "--session", session],
        input="", capture_output=True, text=True, env=_env(settings), timeout=60,
    )  # fmt: skip
    assert "写下半年水环境的工作计划" in resumed.stdout  # history kept


def _env(settings: Settings) -> dict[str, str]:
    import os

    return {**os.environ, "ASSISTANT_EMBEDDING": "hash", "COLUMNS": "200"}


def test_a_message_reads_the_figures_once_and_keeps_the_drafts_check(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures file is not read again for a message (it was read when it was set, and
    compose gets the FigureSet, not the path), and the reply's check is the one drafting or
    revising made, not a second run."""
    import assistant.draft
    import assistant.figures
    import assistant.revise

    engine = ChatEngine(settings)
    info = engine.create_session("alice", figures=FIGURES, unit=UNIT)
    reads: list[Path] = []
    real_load = assistant.figures.load_figures

    def counted(path):
        reads.append(Path(path))
        return real_load(path)

    made = []
    real_compose, real_revise = assistant.draft.compose, assistant.revise.revise_blocks
    monkeypatch.setattr(assistant.figures, "load_figures", counted)
    monkeypatch.setattr(assistant.draft, "load_figures", counted)
    monkeypatch.setattr(assistant.draft, "compose", lambda *a, **k: made.append(
        real_compose(*a, **k)) or made[-1])  # fmt: skip
    monkeypatch.setattr(assistant.revise, "revise_blocks", lambda *a, **k: made.append(
        real_revise(*a, **k)) or made[-1])  # fmt: skip
    first = engine.send("alice", info.id, "写执法监管的总结")
    assert reads == [] and first.report is made[0].report
    second = engine.send("alice", info.id, "再精简一些")
    assert reads == [] and second.version is not None
    assert second.report is made[1].report and second.report is not None


def test_the_figures_file_is_read_once_per_version_of_it(settings: Settings) -> None:
    """Every message needs the session's figures; a file of thousands of rows used to be read
    again for each one. A changed file is read again."""
    engine = ChatEngine(settings)
    session = engine.create_session("carol", figures=FIGURES, unit=UNIT)
    first = engine.figures("carol", session.id)
    assert first is not None and engine.figures("carol", session.id) is first
    kept = Path(engine.store.info("carol", session.id).figures or "")
    kept.write_text(
        kept.read_text(encoding="utf-8-sig").replace(",38.4,", ",37.9,"), encoding="utf-8"
    )
    again = engine.figures("carol", session.id)
    assert again is not first and again is not None
    assert again.get("pm25_avg").value == Decimal("37.9")
