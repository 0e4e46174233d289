"""精简 and 语气更正式 over a table of real-style paragraphs (written for this test): whole
sentences and whole 一是… items only, every figure kept, numbering renumbered, the sentence
gate passed, and the topic sentence, problem analysis and at least one measure kept."""

from __future__ import annotations

import re

import pytest

from assistant import gate
from assistant.condense import units
from assistant.figures import load_figures
from assistant.revise import condense, template_revise
from assistant.types import Block, FigureSet

from .conftest import SAMPLE_DIR

# (role, paragraph): "总结" / "计划" / "问题"; figures as {{references}}
PARAGRAPHS = [
    (
        "总结",
        "上半年，全区空气质量总体平稳。PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。各部门密切配合，形成了工作合力。",
    ),
    (
        "总结",
        "我局持续深化大气污染防治。优良天数比例为{{good_days_ratio}}。重污染天数{{heavy_pollution_days}}。全局上下齐心协力，攻坚克难。",
    ),
    (
        "总结",
        "坚持系统治水，水环境质量稳中向好。国考断面优Ⅲ类比例{{national_section_good_ratio}}。河长制工作机制不断完善。",
    ),
    (
        "总结",
        "农村生活污水治理扎实推进。农村生活污水治理率达到{{rural_sewage_rate}}。新建改造城镇污水管网{{sewer_pipe_km}}。各镇街高度重视，主动作为。",
    ),
    (
        "总结",
        "土壤污染风险得到有效管控。受污染耕地安全利用率{{farmland_safe_use_rate}}。重点建设用地安全利用率{{construction_land_safe_use_rate}}。相关工作有序开展。",
    ),
    (
        "总结",
        "固体废物监管持续加强。全区{{hazwaste_plan_filings}}产废单位完成危险废物管理计划备案。转移危险废物{{hazwaste_transfer_t}}。企业主体责任意识明显增强。",
    ),
    (
        "总结",
        "生态保护修复稳步推进。完成造林{{afforestation_mu}}。生态质量指数为{{eqi}}。群众获得感不断提升。",
    ),
    (
        "总结",
        "环境执法保持高压态势。检查企业{{inspections}}，出动执法人员{{enforcement_staff}}。立案查处环境违法案件{{cases_total}}，罚款{{fines_wan}}。执法震慑作用充分发挥。",
    ),
    (
        "总结",
        "信访工作扎实有效。受理环境信访件{{petitions_received}}，办结率{{petition_closure_rate}}。群众满意度进一步提高。",
    ),
    (
        "总结",
        "审批服务持续优化。审批建设项目环评文件{{eia_approvals}}，涉及总投资{{eia_investment}}。服务企业发展的能力明显增强。",
    ),
    (
        "总结",
        "监测能力稳步提升。获取各类监测数据{{monitoring_data_points}}。监测数据有效率{{monitoring_data_validity}}。加强监测质量管理，确保监测数据真、准、全。",
    ),
    (
        "总结",
        "重点工程建设加快推进。重点工程完成投资{{key_projects_investment}}。项目调度机制逐步健全。",
    ),
    ("总结", "上半年，我局坚持以改善生态环境质量为核心，各项工作有序推进。现将有关情况报告如下。"),
    ("总结", "一是扬尘管控更加精细。二是移动源监管持续加强。三是PM10平均浓度为{{pm10_avg}}。"),
    (
        "总结",
        "臭氧污染防治取得阶段成效。臭氧浓度{{o3_8h_90}}。平均降尘量{{dustfall}}。夏季攻坚行动全面展开。",
    ),
    (
        "总结",
        "饮用水水源地保护不断加强。集中式饮用水水源地水质达标率{{drinking_water_compliance}}。劣Ⅴ类断面{{worse_v_sections}}。巡查频次明显增加。",
    ),
    (
        "总结",
        "土壤污染状况调查规范开展。评审调查报告{{soil_survey_reports}}。专家评审质量持续提高。",
    ),
    (
        "总结",
        "执法方式不断创新。实施查封扣押{{seal_seizure_cases}}，移送公安机关行政拘留{{detention_referrals}}。非现场监管手段广泛应用。",
    ),
    (
        "问题",
        "一是空气质量持续改善压力较大。优良天数比例为{{good_days_ratio}}，同比{{good_days_ratio.change}}。臭氧污染问题日益凸显。VOCs和氮氧化物协同减排的长效机制尚未形成。",
    ),
    (
        "问题",
        "二是水环境质量稳定达标基础仍不牢固。新建改造城镇污水管网{{sewer_pipe_km}}，进度滞后。部分河道汛期水质波动较大。",
    ),
    ("问题", "三是环境基础设施仍有短板。部分乡镇污水处理设施运行不稳定。运维资金保障不足。"),
    ("问题", "四是执法能力与任务不相匹配。执法人员数量偏少。专业化水平有待提高。"),
    ("计划", "下半年，紧盯年度目标，补短板、强弱项。确保全面完成全年目标任务。"),
    (
        "计划",
        "全力攻坚空气质量目标。确保全年PM2.5平均浓度控制在{{pm25_avg.target}}以内。一是持续抓好夏季臭氧污染防治；二是修订完善重污染天气应急减排清单；三是强化扬尘精细化管控。",
    ),
    (
        "计划",
        "持续巩固水环境质量。确保国考断面优Ⅲ类比例保持{{national_section_good_ratio.target}}。一是确保重点断面稳定达标；二是加快污水管网建设。",
    ),
    (
        "计划",
        "严格土壤和固废监管。一是开展危险废物专项整治“回头看”；二是严厉打击非法转移、倾倒危险废物行为；三是严格建设用地准入管理。",
    ),
    (
        "计划",
        "加强生态保护修复。全年完成造林{{afforestation_mu.target}}。一是开展“绿盾”自然保护地强化监督。二是推进废弃矿山生态修复。",
    ),
    (
        "计划",
        "提升执法和服务质效。一是深化“双随机、一公开”监管；二是推行非现场执法；三是优化环评审批服务。",
    ),
    (
        "计划",
        "做好环境信访工作。确保全年环境信访办结率保持{{petition_closure_rate.target}}。健全信访问题源头治理机制。加强信访队伍建设。",
    ),
    (
        "计划",
        "提升生态环境监测能力。确保全年监测数据有效率达到{{monitoring_data_validity.target}}以上。加强监测能力建设，确保监测数据真、准、全。完善监测网络布局。",
    ),
    (
        "计划",
        "加快重点工程建设。确保全年重点工程完成投资达到{{key_projects_investment.target}}以上。一是对进度滞后项目实行清单化管理；二是建立重点工程月调度机制。",
    ),
    (
        "计划",
        "深化党建引领。一是加强理论学习；二是推进模范机关建设；三是严格落实全面从严治党责任。",
    ),
]
INSTRUCTIONS = ["再精简一些", "压缩一下篇幅", "语气更正式，再精简一些"]
HEADINGS = {
    "总结": "一、上半年工作完成情况",
    "问题": "二、存在的问题",
    "计划": "三、下半年工作计划",
}
_NUMBER = re.compile(r"^[一二三四五六七八九十]是")
assert len(PARAGRAPHS) >= 30


@pytest.fixture(scope="module")
def figure_set() -> FigureSet:
    return load_figures(SAMPLE_DIR / "figures-2025H1.csv")


def _bare(piece: str) -> str:
    """A sentence or item without its number and end mark: what must survive whole."""
    return _NUMBER.sub("", piece.strip()).rstrip("。；")


def _revise(role: str, paragraph: str, instruction: str, figure_set: FigureSet) -> str:
    blocks = [Block("2025年上半年工作总结", "title"), Block(HEADINGS[role], "h1"), Block(paragraph)]
    notes: list[str] = []
    return template_revise({2: paragraph}, instruction, figure_set, blocks, notes)[2]


@pytest.mark.parametrize("instruction", INSTRUCTIONS)
@pytest.mark.parametrize(("role", "paragraph"), PARAGRAPHS)
def test_condensing_keeps_whole_sentences_and_every_figure(
    role: str, paragraph: str, instruction: str, figure_set: FigureSet
) -> None:
    new = _revise(role, paragraph, instruction, figure_set)
    if "正式" not in instruction:  # the phrase table may rewrite words; 精简 alone never does
        old_pieces = {_bare(u.text) for u in units(paragraph)}
        assert all(_bare(u.text) in old_pieces for u in units(new)), new
    assert re.findall(r"\{\{[^}]+\}\}", new) == re.findall(r"\{\{[^}]+\}\}", paragraph)
    assert gate.problems(new) == [], new
    first = units(paragraph)[0]
    assert new.startswith(_NUMBER.sub("", first.text)[:6]) or new.startswith(first.text[:6])
    assert not new.endswith("；")
    if role == "问题":  # the analysis (the last sentence) stays
        assert new.endswith(units(paragraph)[-1].text)
    measures = [u for u in units(paragraph)[1:] if u.item]
    if measures:  # at least one measure, numbered only if more than one is left
        left = [
            u
            for u in units(new)[1:]
            if u.item or _bare(u.text) in {_bare(m.text) for m in measures}
        ]
        assert left, new
        listed = units(new)[1:] if role == "问题" else units(new)  # 一是 of the problems list
        numbers = [u.text[:2] for u in listed if _NUMBER.match(u.text)]
        assert numbers == [f"{'一二三四五六七八九十'[i]}是" for i in range(len(numbers))]
        assert len(numbers) != 1, new


def test_condensing_shortens_where_a_sentence_can_go() -> None:
    shorter = [p for role, p in PARAGRAPHS if condense(p, problem=role == "问题") != p]
    assert len(shorter) >= 20
    assert condense(PARAGRAPHS[0][1]) == (
        "上半年，全区空气质量总体平稳。PM2.5平均浓度为{{pm25_avg}}，同比{{pm25_avg.change}}。"
    )
    assert condense(PARAGRAPHS[27][1]) == "提升执法和服务质效。深化“双随机、一公开”监管。"


def test_the_broken_name_of_the_issue_cannot_happen() -> None:
    text = (
        "监测能力稳步提升。监测数据有效率{{monitoring_data_validity}}。"
        "加强监测质量管理，确保监测数据真、准、全。"
    )
    assert condense(text) == "监测能力稳步提升。监测数据有效率{{monitoring_data_validity}}。"


def test_transitions_and_a_plain_measure_in_a_plan_stay(figure_set: FigureSet) -> None:
    opening = "上半年，我局各项工作有序推进。现将有关情况报告如下。"
    plan = "确保全年环境信访办结率保持{{petition_closure_rate.target}}。健全信访问题源头治理机制。"
    closing = "下半年，我局将紧盯目标任务。全力以赴完成全年工作。"
    blocks = [
        Block("2025年上半年工作总结", "title"),
        Block(opening),
        Block("一、上半年工作完成情况", "h1"),
        Block("信访工作扎实有效。受理信访件{{petitions_received}}。群众满意度提高。"),
        Block("二、下半年工作计划", "h1"),
        Block("（一）做好环境信访工作", "h2"),
        Block(plan),
        Block(closing),
    ]
    paragraphs = {i: b.text for i, b in enumerate(blocks) if b.style == "body"}
    new = template_revise(paragraphs, "再精简一些", figure_set, blocks, [])
    assert new[1] == opening and new[7] == closing  # the transitions
    assert new[6] == plan  # the plan's only measure
    assert new[3] == "信访工作扎实有效。受理信访件{{petitions_received}}。"


def test_a_written_number_counts_as_a_figure() -> None:
    """A document without our comments has numbers, not references: those sentences stay."""
    text = "执法保持高压态势。检查企业1274家次，立案32件。全局上下齐心协力。"
    assert condense(text) == "执法保持高压态势。检查企业1274家次，立案32件。"
