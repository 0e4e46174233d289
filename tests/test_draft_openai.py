"""Drafting with the openai writer against the scripted OpenAI-compatible server on 127.0.0.1:
streaming and not, invented numbers (one repair, then 〔待核〕), unknown ids, and every way the
endpoint can fail — always a clear error naming endpoint and model, and no files left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.draft import DraftRequest, compose, make_draft, markdown
from assistant.errors import BackendError
from assistant.settings import load_settings
from tests.conftest import SAMPLE_DIR
from tests.openai_stub import Reply, unused_base_url

H1 = SAMPLE_DIR / "figures-2025H1.csv"
UNIT = "示例区生态环境局"
AIR = DraftRequest(H1, UNIT, "2025年上半年", section="大气污染防治", part="总结")
GOOD = (
    "上半年，全区PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}，高于年度目标{{pm25_avg.target}}；"
    "优良天数比例{{good_days_ratio}}，同比{{good_days_ratio.change}}。\n\n"
    "一是深化VOCs综合治理。二是强化扬尘精细管控。"
)
INVENTED = GOOD.replace("一是深化VOCs综合治理。", "一是完成46家企业VOCs治理。")


def model_settings(store_dir: Path, base_url: str, **extra: object):
    values = {"timeout": 5.0, "max_retries": 0} | extra
    return load_settings(
        embedding="hash",
        data_dir=store_dir,
        writer="openai",
        base_url=base_url,
        model="stub-writer",
        **values,
    )


def test_streamed_section(store_dir: Path, openai_server) -> None:
    openai_server.script([Reply.of(GOOD, chunks=[GOOD[:10], GOOD[10:40], GOOD[40:]])])
    pieces: list[str] = []
    result = compose(AIR, model_settings(store_dir, openai_server.base_url), on_token=pieces.append)
    streamed = "".join(pieces)  # passed on as it arrived, references already rendered
    assert streamed.startswith("上半年，全区PM2.5平均浓度38.4微克/立方米，同比下降3.5%")
    assert "{{" not in streamed and len(pieces) >= 3
    assert openai_server.chat_requests[0]["stream"] is True
    text = markdown(result.draft)
    assert "38.4微克/立方米" in text and "同比下降3.5%" in text and "{{" not in text
    assert result.report.ok and result.repairs == 0
    draft = result.draft
    assert draft.writer == "openai" and draft.model == "stub-writer"
    assert draft.prompts == {"section-summary": 4, "system": 4}
    assert all(draft.exemplars.get(c.block) for c in draft.citations)


def test_non_streamed_section(store_dir: Path, openai_server) -> None:
    openai_server.script([GOOD])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    assert not openai_server.chat_requests[0].get("stream")
    assert result.report.ok
    assert {c.figure_id for c in result.draft.citations} == {"pm25_avg", "good_days_ratio"}


def test_prompt_masks_exemplar_numbers_and_lists_figure_ids(store_dir, openai_server) -> None:
    openai_server.script([GOOD])
    compose(AIR, model_settings(store_dir, openai_server.base_url))
    messages = openai_server.chat_requests[0]["messages"]
    user = messages[1]["content"]
    assert "示例区生态环境局" in messages[0]["content"]
    assert "××" in user and "39.8" not in user.split("【范文开始】")[1]  # 2024's PM2.5
    assert "{{pm25_avg}} | PM2.5平均浓度 | 38.4微克/立方米 | 越低越好" in user
    assert "{{pm25_avg.change}} | PM2.5平均浓度同比变化 | 同比下降3.5% | 改善" in user
    assert "“大气污染防治”" in user


def test_invented_number_gets_one_repair(store_dir: Path, openai_server) -> None:
    openai_server.script([INVENTED, GOOD])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    assert len(openai_server.chat_requests) == 2 and result.repairs == 1
    repair = openai_server.chat_requests[1]["messages"][1]["content"]
    assert "46家" in repair and "待核清单" in repair
    assert "46家" not in markdown(result.draft) and result.report.ok
    assert result.draft.prompts["repair"] == 3


def test_number_still_invented_after_repair_becomes_unverified(store_dir, openai_server) -> None:
    openai_server.script([INVENTED, INVENTED])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    text = markdown(result.draft)
    assert len(openai_server.chat_requests) == 2  # one repair, not a loop
    assert "46家" not in text and "〔待核：" in text and result.unverified == 1
    assert {f.kind for f in result.report.problems} == {"placeholder"}
    assert not [f for f in result.report.findings if f.kind == "unsourced"]


def test_unknown_ids_go_to_repair_then_become_unverified_marks(store_dir, openai_server) -> None:
    wrong = GOOD + "三是出动执法人员{{staff_out}}，臭氧控制在{{o3_8h_90.target}}以内。"
    openai_server.script([wrong, wrong])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    repair = openai_server.chat_requests[1]["messages"][1]["content"]
    assert "“{{staff_out}}”" in repair and "数据表中没有这个 id" in repair
    assert "“{{o3_8h_90.target}}”" in repair and "没有目标" in repair
    assert "改写成不用它的说法" in repair
    text = markdown(result.draft)
    assert "〔待核：未知数据staff_out〕" in text and "〔待补：臭氧" not in text
    assert "〔待核：臭氧浓度（O3-8h第90百分位）目标〕" in text and result.unverified == 2
    assert any(p.text == "〔待核：未知数据staff_out〕" for p in result.draft.placeholders)


def test_an_unknown_id_the_model_repairs_is_gone(store_dir, openai_server) -> None:
    openai_server.script([GOOD + "三是出动执法人员{{staff_out}}。", GOOD])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    assert result.repairs == 1 and result.unverified == 0 and result.report.ok


def test_direction_word_written_twice_is_dropped(store_dir: Path, openai_server) -> None:
    openai_server.script(["PM2.5平均浓度{{pm25_avg}}，同比下降{{pm25_avg.change}}。"])
    result = compose(AIR, model_settings(store_dir, openai_server.base_url))
    assert "同比下降3.5%" in markdown(result.draft) and "下降下降" not in markdown(result.draft)


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply.empty(), "空回复"),
        (Reply.error(500), "HTTP 500"),
        (Reply.delayed(3, GOOD), "没有响应"),
        (Reply.cut(GOOD, after=3), "中断"),
    ],
)
def test_failed_endpoint_is_a_clear_error_and_leaves_no_files(
    store_dir: Path, openai_server, tmp_path: Path, reply: Reply, words: str
) -> None:
    openai_server.script([reply])
    settings = model_settings(store_dir, openai_server.base_url, timeout=1.0)
    out = tmp_path / "out"
    with pytest.raises(BackendError) as caught:
        make_draft(AIR, settings, out, on_token=lambda _: None)
    message = str(caught.value)
    assert words in message and openai_server.base_url in message and "stub-writer" in message
    assert not out.exists() or not list(out.iterdir())


def test_connection_refused(store_dir: Path, tmp_path: Path) -> None:
    base_url = unused_base_url()
    with pytest.raises(BackendError, match="无法连接") as caught:
        make_draft(AIR, model_settings(store_dir, base_url), tmp_path / "out")
    assert base_url in str(caught.value) and "stub-writer" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_whole_document_through_the_model(store_dir: Path, openai_server, tmp_path) -> None:
    openai_server.always = Reply.of(GOOD)
    request = DraftRequest(H1, UNIT, "2025年上半年")
    result = make_draft(request, model_settings(store_dir, openai_server.base_url), tmp_path)
    sections = [b for b in result.draft.blocks if b.style == "h2"]
    assert len(sections) >= 10 and result.report.ok
    # one request per section, the opening, 存在的问题 and the plan's introduction: every
    # paragraph is the model's, none the template writer's
    assert len(openai_server.chat_requests) == len(sections) + 3
    bodies = [b.text for b in result.draft.blocks if b.style == "body"]
    assert bodies and all(t.startswith(("上半年，全区PM2.5", "一是深化VOCs")) for t in bodies)
    sidecar = json.loads(result.files["json"].read_text(encoding="utf-8"))
    assert sidecar["writer"] == "openai" and sidecar["model"] == "stub-writer"
    assert set(sidecar["prompts"]) == {
        "opening",
        "problems",
        "section-plan",
        "section-summary",
        "system",
        "plan-intro",
    }


def test_cli_with_the_model_streams_and_fails_cleanly(store_dir, openai_server, tmp_path) -> None:
    runner = CliRunner()
    args = ["draft", "--figures", str(H1), "--period", "2025年上半年", "--section", "大气污染防治"]
    args += ["--part", "总结", "--writer", "openai", "--base-url", openai_server.base_url]
    args += ["--model", "stub-writer", "--out", str(tmp_path / "ok"), "--data-dir", str(store_dir)]
    env = {"ASSISTANT_EMBEDDING": "hash", "ASSISTANT_MAX_RETRIES": "0"}
    openai_server.script([GOOD])
    done = runner.invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    shown = done.output.replace("\n", "")  # the reply as it streamed, numbers rendered
    assert "PM2.5平均浓度38.4微克/立方米" in shown and "{{" not in shown
    assert "通过" in done.output and "stub-writer" in done.output
    openai_server.script([Reply.error(500)])
    failed = runner.invoke(app, [*args[:-4], "--out", str(tmp_path / "bad"), *args[-2:]], env=env)
    assert isinstance(failed.exception, BackendError)
    assert not (tmp_path / "bad").exists()


def test_target_sentence_in_a_plan_section_is_a_plan_not_a_claim(store_dir, openai_server) -> None:
    # 72.4% misses the 75% target: as a claim this would be a direction error, under the plan
    # heading it is what the bureau means to reach — no repair request, no 〔待核〕.
    plan = "农村生活污水治理率达到{{rural_sewage_rate.target}}的目标。"
    openai_server.script([plan] * 4)
    water_plan = DraftRequest(H1, UNIT, "2025年上半年", section="水污染防治", part="计划")
    result = compose(water_plan, model_settings(store_dir, openai_server.base_url))
    text = markdown(result.draft)
    assert "农村生活污水治理率达到75%的目标" in text and "〔待核" not in text
    assert result.repairs == 0
    assert not any("repair" in str(r["messages"]) for r in openai_server.chat_requests)


def test_a_section_the_model_could_not_write_is_a_visible_gap(store_dir, openai_server) -> None:
    openai_server.script([GOOD, Reply.error(500)])  # the opening, then 大气 fails
    openai_server.always = Reply.of(GOOD)
    settings = model_settings(store_dir, openai_server.base_url, concurrency=1)
    result = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings)
    gaps = [b.text for b in result.draft.blocks if "模型未能起草" in b.text]
    assert len(gaps) == 1 and gaps[0].startswith("〔待补：") and "HTTP 500" in gaps[0]
    assert any(p.text == gaps[0] for p in result.draft.placeholders)  # highlighted in Word
    assert any("HTTP 500" in note for note in result.notes)
    bodies = [b.text for b in result.draft.blocks if b.style == "body" and b.text != gaps[0]]
    assert all(t.startswith(("上半年，全区PM2.5", "一是深化VOCs")) for t in bodies)


def test_sections_are_requested_at_once_and_kept_in_order(store_dir, openai_server) -> None:
    openai_server.always = Reply.delayed(0.3, GOOD)
    settings = model_settings(store_dir, openai_server.base_url, concurrency=3)
    pieces: list[str] = []
    result = compose(DraftRequest(H1, UNIT, "2025年上半年"), settings, on_token=pieces.append)
    assert openai_server.peak == 3  # bounded by the setting, and used
    summary_heads = [b.text for b in result.draft.blocks if b.style == "h2"][:3]
    assert summary_heads[0].startswith("（一）") and summary_heads[2].startswith("（三）")
    assert "".join(pieces).count("上半年，全区PM2.5平均浓度38.4微克/立方米") >= 10
