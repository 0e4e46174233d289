"""The openai writer with 科室 material, against the scripted OpenAI-compatible server on
127.0.0.1: the section's items reach the prompt with their ids, a reply's 〔item:ID〕 marks become
item citations (Word comments naming the 科室 and file, sidecar records, unused items listed),
an item number the reply changes is repaired or marked 〔待核〕 like any number, and an item the
reply invents (an id the material lacks, a held item) is repaired or marked, never kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.draft import DraftRequest, compose, make_draft, markdown
from assistant.figures import load_figures
from assistant.item_marks import INVENTED_MARK
from assistant.items import load_items
from assistant.types import ItemSet
from assistant.word import read_comments
from tests.conftest import SAMPLE_DIR
from tests.openai_stub import Reply
from tests.test_draft_openai import GOOD, model_settings

H1 = SAMPLE_DIR / "figures-2025H1.csv"
MATERIAL = SAMPLE_DIR.parent / "items-2025H1"
UNIT = "示例区生态环境局"


@pytest.fixture(scope="module")
def material() -> ItemSet:
    return load_items(MATERIAL, load_figures(H1))


def the(words: str) -> str:
    """The id of the sample item whose text holds ``words`` (ids hash the item's own words)."""
    found = load_items(MATERIAL, load_figures(H1))
    (item,) = [i for i in (*found.items, *found.held) if words in i.text]
    return item.id


INVENTORY = the("VOCs排放源清单更新")
VOCS = the("深入推进VOCs综合治理")
DUST = the("强化扬尘精细化管控")
CATERING = the("检查餐饮单位")
JOINT = the("VOCs专项执法检查")
LAST_YEAR = the("机动车排放检验机构")  # 2024年12月: held back
OZONE = the("紧盯臭氧高发时段")  # a plan
SOLID = the("固体废物环境违法行为")  # 执法大队's
PLEDGE = the("告知承诺制")  # 审批科's


def air(item_set: ItemSet) -> DraftRequest:
    return DraftRequest(
        H1, UNIT, "2025年上半年", section="大气污染防治", part="总结", items=item_set
    )


def ref(item_set: ItemSet, item_id: str, k: int = 0) -> str:
    item = item_set.get(item_id)
    assert item is not None and item.figure_ids
    return "{{" + item.figure_ids[k] + "}}"


def used(item_set: ItemSet) -> str:
    """A reply stating two items of 大气科: one with its numbers cited, one without numbers."""
    return (
        "上半年，全区PM2.5平均浓度{{pm25_avg}}，同比{{pm25_avg.change}}。\n\n"
        f"一是深入推进VOCs综合治理，完成{ref(item_set, VOCS)}重点企业挥发性有机物治理设施"
        f"提升改造，督促{ref(item_set, VOCS, 1)}企业完成泄漏检测与修复〔item:{VOCS}〕；"
        f"二是完成全区重点行业企业VOCs排放源清单更新〔item:{INVENTORY}〕。"
    )


def test_prompt_lists_the_sections_items_with_ids_and_numbers(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    openai_server.script([used(material)])
    compose(air(material), model_settings(store_dir, openai_server.base_url))
    user = openai_server.chat_requests[0]["messages"][1]["content"]
    listed = user.split("【科室事项开始】")[1].split("【科室事项结束】")[0]
    assert f"〔item:{JOINT}〕（大气科）会同执法大队开展VOCs专项执法检查" in listed
    assert f"{ref(material, JOINT)}写出“86家次”" in listed
    line = next(line for line in listed.split("\n") if JOINT in line)
    assert "86家次" not in line  # the item's own words cite its number, never type it
    # held items (last year's, the conflict) and other topics' and parts' items are not offered
    assert LAST_YEAR not in listed and SOLID not in listed
    assert "审批科" not in listed and OZONE not in listed


def test_reply_citing_items_is_sourced_commented_and_unused_listed(
    store_dir: Path, openai_server, material: ItemSet, tmp_path: Path
) -> None:
    reply = used(material)
    openai_server.script([Reply.of(reply, chunks=[reply[:30], reply[30:95], reply[95:]])])
    pieces: list[str] = []
    settings = model_settings(store_dir, openai_server.base_url)
    result = make_draft(air(material), settings, tmp_path, on_token=pieces.append)
    streamed = "".join(pieces)
    assert "〔item" not in streamed and "完成32家重点企业" in streamed
    draft = result.draft
    text = markdown(draft)
    assert "〔item" not in text and "督促6家企业完成泄漏检测与修复；二是" in text
    assert result.repairs == 0 and result.unverified == 0 and result.report.ok
    stated = {c.item_id: c for c in draft.item_citations}
    assert set(stated) == {INVENTORY, VOCS}
    block = draft.blocks[stated[VOCS].block].text
    vocs = stated[VOCS]
    assert block[vocs.start : vocs.end].startswith("一是深入推进VOCs综合治理")
    assert block[vocs.end] == "；"
    inventory = stated[INVENTORY]
    assert block[inventory.start : inventory.end] == "二是完成全区重点行业企业VOCs排放源清单更新"
    # the item's numbers are figures sourced to the item
    numbers = [c for c in draft.citations if c.figure_id.startswith("item_")]
    assert [c.text for c in numbers] == ["32家", "6家"]
    assert all("大气科" in c.source for c in numbers)
    # the .docx: a comment on each stated item naming the 科室 and the file
    comments = [c for c in read_comments(result.files["docx"]) if c.text.startswith("事项：")]
    assert [c.anchored_text for c in comments] == [
        block[vocs.start : vocs.end],
        "二是完成全区重点行业企业VOCs排放源清单更新",
    ]
    assert comments[0].text.startswith("事项：大气科 · 大气科.docx 第")
    # the sidecar records them, and every item the draft does not state
    sidecar = json.loads(result.files["json"].read_text(encoding="utf-8"))
    assert {i["item_id"] for i in sidecar["item_citations"]} == {INVENTORY, VOCS}
    unused = {i["id"] for i in sidecar["items"] if not i["used"]}
    assert {DUST, JOINT, PLEDGE} <= unused and INVENTORY not in unused
    usable = {i.id for i in material.items}
    assert unused & usable == usable - {INVENTORY, VOCS}
    assert sidecar["prompts"]["section-summary"] == 4


def test_sentence_citing_an_items_number_without_its_mark_still_states_it(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    reply = f"开展餐饮油烟专项整治，检查餐饮单位{ref(material, CATERING)}。"
    openai_server.script([reply])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    assert [c.item_id for c in result.draft.item_citations] == [CATERING]
    assert result.repairs == 0 and result.report.ok


def test_reply_changing_an_items_number_is_repaired(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    changed = f"会同执法大队开展VOCs专项执法检查，检查涉VOCs企业90家次〔item:{JOINT}〕。"
    fixed = changed.replace("90家次", ref(material, JOINT))
    openai_server.script([changed, fixed])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    repair = openai_server.chat_requests[1]["messages"][1]["content"]
    assert "“90家次”" in repair and "【科室事项开始】" in repair
    text = markdown(result.draft)
    assert "检查涉VOCs企业86家次" in text and "90家次" not in text
    assert result.repairs == 1 and result.unverified == 0 and result.report.ok
    assert [c.item_id for c in result.draft.item_citations] == [JOINT]
    assert result.draft.prompts["repair"] == 3


def test_an_items_number_still_changed_after_repair_becomes_unverified(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    changed = f"会同执法大队开展VOCs专项执法检查，检查涉VOCs企业90家次〔item:{JOINT}〕。"
    openai_server.script([changed, changed])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    text = markdown(result.draft)
    assert "90家次" not in text and "〔待核：" in text and result.unverified == 1
    assert {f.kind for f in result.report.problems} == {"placeholder"}


@pytest.mark.parametrize(
    ("mark", "why"),
    [
        ("〔item:大气科-99〕", "事项清单中没有“大气科-99”这一事项"),  # an id the material lacks
        (f"〔item:{LAST_YEAR}〕", f"事项清单中没有“{LAST_YEAR}”这一事项"),  # last year's: held back
        ("〔item〕", "标记没有写事项编号"),
    ],
)
def test_reply_inventing_an_item_is_repaired_or_marked(
    store_dir: Path, openai_server, material: ItemSet, mark: str, why: str
) -> None:
    invented = f"{used(material)}同时，完成全区加油站油气回收在线监控安装{mark}。"
    openai_server.script([invented, invented])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    repair = openai_server.chat_requests[1]["messages"][1]["content"]
    assert "“同时，完成全区加油站油气回收在线监控安装”后的事项标记" in repair
    assert why in repair and f"〔item:{INVENTORY}〕" in repair
    text = markdown(result.draft)
    assert f"完成全区加油站油气回收在线监控安装{INVENTED_MARK}。" in text
    assert "〔item" not in text and result.unverified == 1
    assert {c.item_id for c in result.draft.item_citations} == {INVENTORY, VOCS}
    assert any(p.text == INVENTED_MARK for p in result.draft.placeholders)
    assert not result.report.ok  # a 〔待核〕 left: check does not pass the draft


def test_an_invented_item_the_model_repairs_is_gone(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    invented = f"{used(material)}同时，完成全区加油站油气回收在线监控安装〔item:大气科-99〕。"
    openai_server.script([invented, used(material)])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    assert result.repairs == 1 and result.unverified == 0 and result.report.ok
    assert "加油站" not in markdown(result.draft)


def test_without_items_the_prompt_says_none_and_nothing_is_cited(
    store_dir: Path, openai_server
) -> None:
    openai_server.script([GOOD + f"三是完成清单更新〔item:{INVENTORY}〕。"] * 2)
    request = DraftRequest(H1, UNIT, "2025年上半年", section="大气污染防治", part="总结")
    result = compose(request, model_settings(store_dir, openai_server.base_url))
    user = openai_server.chat_requests[0]["messages"][1]["content"]
    assert "【科室事项开始】\n（无）\n【科室事项结束】" in user
    assert result.draft.item_citations == [] and result.draft.items_unused == []
    assert INVENTED_MARK in markdown(result.draft)  # no material: any item mark is invented


def test_a_mark_after_its_sentences_stop_still_cites_the_sentence(
    store_dir: Path, openai_server, material: ItemSet
) -> None:
    reply = (
        f"完成全区重点行业企业VOCs排放源清单更新。〔item:{INVENTORY}〕"
        "另外，新建监测站点。〔item:X-1〕"
    )
    openai_server.script([reply, reply])
    result = compose(air(material), model_settings(store_dir, openai_server.base_url))
    (cited,) = result.draft.item_citations
    text = result.draft.blocks[cited.block].text
    assert text[cited.start : cited.end] == "完成全区重点行业企业VOCs排放源清单更新"
    assert f"新建监测站点{INVENTED_MARK}。" in text  # the invented one is not lost either
