from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest

from assistant import InputError
from assistant.reading import read_document
from assistant.splitting import (
    MAX_CHUNK_CHARS,
    Heading,
    chunks_from_file,
    classify_part,
    classify_topic,
    detect_period,
    detect_unit,
    detect_year,
    split_document,
    split_heading,
)
from assistant.types import Block, Document
from tests.conftest import SAMPLE_DIR

H1_DONE = "一、上半年工作开展情况"
H1_PROBLEM = "二、存在的问题"
H1_PLAN = "三、下半年工作计划"

# (heading path, text, part, topic): headings decide the part when they say it; the text decides
# otherwise. Sentences are written for these tests in the genre's style.
CLASSIFY_CASES = [
    (
        (H1_DONE, "（一）大气污染防治"),
        "上半年全区PM2.5平均浓度为35微克/立方米，同比下降7.9%，优良天数比例为81.2%。",
        "总结",
        "大气",
    ),
    (
        (H1_DONE, "(二)扬尘管控"),
        "累计检查建筑工地126个次，督促整改扬尘问题43处，道路机扫率保持在95%以上。",
        "总结",
        "大气",
    ),
    (
        (H1_DONE, "1.VOCs综合治理"),
        "完成18家涉VOCs企业深度治理，更换低效治理设施22套。",
        "总结",
        "大气",
    ),
    (
        (H1_DONE,),
        "组织开展秸秆禁烧巡查，全区未发现火点，臭氧污染防控措施落实到位。",
        "总结",
        "大气",
    ),
    (
        (H1_DONE, "（三）碧水保卫战"),
        "3个国考断面水质均达到Ⅲ类及以上，优Ⅲ类比例100%，河长制巡河实现全覆盖。",
        "总结",
        "水",
    ),
    (
        (H1_DONE, "（四）饮用水源保护"),
        "集中式饮用水水源地水质达标率保持100%，完成水源地规范化建设2处。",
        "总结",
        "水",
    ),
    (
        (H1_DONE,),
        "新建污水管网4.6公里，整治黑臭水体3条，农村生活污水治理率达到62%。",
        "总结",
        "水",
    ),
    (
        (H1_DONE, "（五）净土保卫"),
        "受污染耕地安全利用率达到93%，完成2个污染地块土壤污染状况调查。",
        "总结",
        "土壤",
    ),
    (
        (H1_DONE, "（六）固体废物监管"),
        "办理危险废物转移联单835份，医疗废物集中处置率100%。",
        "总结",
        "固废",
    ),
    (
        (H1_DONE,),
        "开展“无废城市”建设，一般工业固废综合利用率稳步提升。",
        "总结",
        "固废",
    ),
    (
        (H1_DONE, "（七）生态保护修复"),
        "完成造林1200亩，湿地保护率保持稳定，组织“绿盾”自然保护地专项检查。",
        "总结",
        "生态",
    ),
    (
        (H1_DONE,),
        "编制生物多样性保护规划，生态保护红线内未发现新增违法问题。",
        "总结",
        "生态",
    ),
    (
        (H1_DONE, "（八）执法监管"),
        "共出动执法人员1360人次，检查企业512家次，立案查处环境违法案件15件，罚款金额98.6万元。",
        "总结",
        "执法",
    ),
    (
        (H1_DONE,),
        "开展“双随机、一公开”监管，移送公安机关行政拘留案件2件，查封扣押4件。",
        "总结",
        "执法",
    ),
    (
        (H1_DONE, "（九）信访办理"),
        "受理环境信访投诉218件，办结率100%，群众满意率稳步提升。",
        "总结",
        "信访",
    ),
    (
        (H1_DONE,),
        "办理人大建议和政协提案7件，全部按时答复；12369举报热线接听来电89个。",
        "总结",
        "信访",
    ),
    (
        (H1_DONE, "（十）环境监测"),
        "全区空气自动站运行稳定，监测数据有效率达到98%以上，完成监测报告46份。",
        "总结",
        "监测",
    ),
    (
        (H1_DONE, "（十一）审批服务"),
        "审批建设项目环评文件37个，其中报告书4个、报告表33个，核发排污许可证12张。",
        "总结",
        "审批",
    ),
    (
        (H1_DONE,),
        "深化“放管服”改革，主动上门服务企业，助力优化营商环境。",
        "总结",
        "审批",
    ),
    (
        (H1_DONE, "（十二）党建引领"),
        "局党组认真落实党风廉政建设责任制，开展主题教育专题学习6次。",
        "总结",
        "党建",
    ),
    (
        (H1_DONE,),
        "坚持每月开展政治学习，加强干部队伍建设和作风建设，文明单位创建取得成效。",
        "总结",
        "党建",
    ),
    (
        (H1_DONE, "（十三）宣传教育"),
        "围绕六五环境日开展主题宣传活动，发布新闻稿件52篇，招募环保志愿者300名。",
        "总结",
        "宣传",
    ),
    (
        (H1_DONE,),
        "今年以来，全局上下统筹推进各项重点工作，完成了年初确定的阶段性目标。",
        "总结",
        "综合",
    ),
    (
        ("二、存在问题及原因分析",),
        "部分时段臭氧浓度偏高，PM2.5浓度同比不降反升，大气污染防治压力较大。",
        "问题",
        "大气",
    ),
    (
        (H1_PROBLEM, "（一）水环境治理仍有短板"),
        "个别断面水质仍然不稳定，部分乡镇污水管网建设滞后。",
        "问题",
        "水",
    ),
    (
        (H1_PROBLEM,),
        "执法人员力量不足，非现场执法手段运用不够，查处违法案件数量偏少。",
        "问题",
        "执法",
    ),
    (
        ("四、困难和问题",),
        "危险废物处置能力不足，小微企业危废收集体系仍不健全。",
        "问题",
        "固废",
    ),
    (
        ("二、工作中的不足",),
        "环评审批服务效率有待提升，部分项目前期手续办理滞后。",
        "问题",
        "审批",
    ),
    (
        (H1_DONE, "（二）碧水保卫战", "1.加快补齐管网短板"),
        "上半年新建改造城镇污水管网18.35公里，城区雨污分流收尾工程完成总工程量的70%。",
        "总结",
        "水",
    ),
    (
        ("一、前三季度工作情况", "（八）党建引领作用持续增强"),
        "巩固拓展党纪学习教育成果，组织专题学习5次。",
        "总结",
        "党建",
    ),
    (
        (H1_DONE, "（三）问题整改"),
        "中央生态环境保护督察反馈问题已完成整改12项，整改完成率达到92%。",
        "总结",
        "督察",
    ),
    (
        (H1_PLAN, "（一）持续改善空气质量"),
        "强化扬尘、VOCs和机动车尾气协同治理，力争PM2.5浓度稳中有降。",
        "计划",
        "大气",
    ),
    (
        ("三、下一步工作打算",),
        "加快推进污水处理厂提标改造，确保国考断面水质稳定达标。",
        "计划",
        "水",
    ),
    (
        ("四、2025年工作计划",),
        "持续推进土壤污染源头防控，加强建设用地准入管理。",
        "计划",
        "土壤",
    ),
    (
        ("三、明年工作思路",),
        "深化环境执法改革，保持打击环境违法行为高压态势。",
        "计划",
        "执法",
    ),
    (
        ("五、下阶段重点工作安排",),
        "加强环境信访工作，及时回应群众投诉举报，提升办结满意率。",
        "计划",
        "信访",
    ),
    (
        (H1_PLAN,),
        "完善空气自动监测站点布局，提升监测数据质量。",
        "计划",
        "监测",
    ),
    (
        ("三、下一步工作打算", "（四）加强队伍建设"),
        "将继续深化党建业务融合，持续加强党风廉政建设。",
        "计划",
        "党建",
    ),
    (
        ("四、下步工作",),
        "结合六五环境日开展系列宣传活动，进一步提升公众参与度。",
        "计划",
        "宣传",
    ),
    (
        (),
        "下半年，我们将继续以改善环境质量为核心，力争全面完成年度目标任务。",
        "计划",
        "综合",
    ),
    (
        (),
        "当前生态保护工作仍然存在短板，湿地保护修复进度滞后，资金保障不足。",
        "问题",
        "生态",
    ),
    (
        (),
        "上半年，我局在区委、区政府的坚强领导下，完成了各项工作任务，取得了明显成效。",
        "总结",
        "综合",
    ),
    (
        (),
        "附件：示例区生态环境局机构设置",
        "其他",
        "综合",
    ),
    (
        ("一、主要成效", "（二）固废危废监管"),
        "规范化考核抽查危险废物产生单位24家，发现问题全部督促整改到位。",
        "总结",
        "固废",
    ),
    (
        ("一、主要做法",),
        "建立河长制巡查台账，对入河排污口实行动态监管。",
        "总结",
        "水",
    ),
    (
        ("二、2025年重点工作",),
        "聚焦重点行业深化挥发性有机物综合治理，推动重点企业完成深度治理。",
        "计划",
        "大气",
    ),
    (
        ("一、2024年重点工作完成情况",),
        "全年完成大气治理项目26个，重点企业深度治理全部通过验收。",
        "总结",
        "大气",
    ),
    (
        ("二、存在的主要问题", "（二）监测能力薄弱"),
        "乡镇空气站点覆盖不全，监测设备老化。",
        "问题",
        "监测",
    ),
    (
        (H1_DONE, "（四）加强生态监管"),
        "组织开展专项检查，发现的问题已全部整改到位。",
        "总结",
        "生态",
    ),
    (
        (H1_PLAN, "（四）生态文明建设示范区创建"),
        "对照创建指标逐项查漏补缺，力争年内通过省级复核。",
        "计划",
        "生态",
    ),
    (
        (H1_DONE, "（四）自然保护地监管"),
        "完成区内3处保护区域勘界立标工作。",
        "总结",
        "生态",
    ),
    (
        (H1_DONE,),
        "开展“绿盾2025”强化监督，发现问题点位全部销号。",
        "总结",
        "生态",
    ),
    (
        (H1_PLAN,),
        "启动生物多样性本底调查，建立重点物种名录。",
        "计划",
        "生态",
    ),
    (
        ("三、2025年工作计划", "7.全面加强党的建设"),
        "推动全面从严治党向纵深发展，锻造生态环境保护铁军。",
        "计划",
        "党建",
    ),
    (
        (H1_PLAN,),
        "下半年，我局将认真学习宣传贯彻全会精神，紧盯年度目标，确保全面完成全年目标任务。",
        "计划",
        "综合",
    ),
    (
        ("三、2025年工作计划", "5.提升环境监管效能"),
        "深化“双随机、一公开”监管，健全信访问题源头治理机制，确保信访办结率100%。",
        "计划",
        "执法",
    ),
    (
        (),
        "今年以来，在区委、区政府的坚强领导下，我局扎实开展主题教育，持续深入打好污染防治攻坚战。"
        "现将上半年工作情况报告如下。",
        "总结",
        "综合",
    ),
]


@pytest.mark.parametrize(("path", "text", "part", "topic"), CLASSIFY_CASES)
def test_classify_part_and_topic(path: tuple[str, ...], text: str, part: str, topic: str) -> None:
    assert (classify_part(path, text), classify_topic(path, text)) == (part, topic)


def test_classification_table_is_broad() -> None:
    assert len(CLASSIFY_CASES) >= 40
    assert {case[2] for case in CLASSIFY_CASES} == {"总结", "问题", "计划", "其他"}
    topics = {case[3] for case in CLASSIFY_CASES}
    assert topics >= {"大气", "水", "土壤", "固废", "生态", "执法", "信访", "监测", "审批"}
    assert topics >= {"党建", "宣传", "综合"}


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("示例区生态环境局2024年一季度工作总结", "一季度"),
        ("2025年第一季度生态环境保护工作情况", "一季度"),
        ("1—3月，全区空气质量总体稳定", "一季度"),
        ("截至3月底，共受理信访件21件", "一季度"),
        ("2024年上半年工作总结", "上半年"),
        ("上半年工作进展情况和下半年工作安排", "上半年"),
        ("1-6月PM2.5平均浓度为36微克/立方米", "上半年"),
        ("半年来，我局紧紧围绕年度目标任务", "上半年"),
        ("2024年前三季度工作总结", "前三季度"),
        ("1至9月累计立案查处环境违法案件21件", "前三季度"),
        ("示例区生态环境局2024年工作总结", "全年"),
        ("工作总结及2025年度工作计划", "全年"),
        ("2024年度生态环境保护工作总结", "全年"),
        ("全年共审批环评文件58个", "全年"),
        ("强化大气污染防治", None),
        ("第三季度重点工作", None),
    ],
)
def test_detect_period(text: str, period: str | None) -> None:
    assert detect_period(text) == period


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("示例区生态环境局2024年上半年工作总结", 2024),
        ("2023年工作总结及2024年工作计划", 2023),
        ("工作总结及2025年度工作计划", 2024),
        ("202x年一季度工作总结", None),
        ("上半年工作进展情况和下半年工作安排", None),
    ],
)
def test_detect_year(text: str, year: int | None) -> None:
    assert detect_year(text) == year


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("示例区生态环境局2024年上半年工作总结", "示例区生态环境局"),
        ("今年以来，示例市生态环境局示例分局紧紧围绕", "示例市生态环境局示例分局"),
        ("示例县环保局一季度工作总结", "示例县环保局"),
        ("半年来，我局在上级生态环境局的指导下", None),
        ("区生态环境局2023年一季度工作总结", None),  # a level, not a named bureau
        ("2024年上半年工作总结", None),
    ],
)
def test_detect_unit(text: str, unit: str | None) -> None:
    assert detect_unit(text) == unit


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("一、大气污染防治", Heading(1, "一、大气污染防治")),
        ("十二、党建工作", Heading(1, "十二、党建工作")),
        ("（一）水污染防治", Heading(2, "（一）水污染防治")),
        ("(二)土壤污染防治", Heading(2, "(二)土壤污染防治")),
        ("（三)固废监管", Heading(2, "（三)固废监管")),
        ("1.强化执法监管", Heading(3, "1.强化执法监管")),
        ("2、做好信访工作", Heading(3, "2、做好信访工作")),
        ("（1）加强监测能力", Heading(4, "（1）加强监测能力")),
        ("(2)优化审批服务", Heading(4, "(2)优化审批服务")),
        ("、开展专项整治", Heading(3, "、开展专项整治")),
        (
            "（一）空气质量持续改善。全区优良天数比例同比提升。",
            Heading(2, "（一）空气质量持续改善", "全区优良天数比例同比提升。"),
        ),
        ("(二)水环境质量稳中向好。", Heading(2, "(二)水环境质量稳中向好")),
        ("1.共检查企业120家。", None),
        ("1.5万元专项资金已拨付到位。", None),
        ("2024年全区空气质量改善", None),
        ("一是强化扬尘管控。", None),
        (
            "、由于受宏观经济形势影响，部分企业生产经营困难，环保设施投入不足，治理进度滞后。",
            None,
        ),
        ("开展秸秆禁烧巡查", None),
    ],
)
def test_split_heading(line: str, heading: Heading | None) -> None:
    assert split_heading(Block(line)) == heading


def _document(*lines: str, title: str = "示例区生态环境局2025年上半年工作总结") -> Document:
    return Document(Path("t.txt"), title, "utf-8", [Block(line) for line in lines])


LADDER = _document(
    "示例区生态环境局2025年上半年工作总结",
    "上半年，示例区生态环境局紧紧围绕年度目标，扎实推进各项工作，生态环境质量总体稳定。",
    "一、上半年工作开展情况",
    "（一）大气污染防治。上半年PM2.5平均浓度为33微克/立方米，同比下降5.7%，优良天数比例80.1%。",
    "1.扬尘管控",
    "检查建筑工地58个次，下达整改通知21份，道路扬尘管控措施全面落实。",
    "(2)餐饮油烟整治",
    "排查餐饮单位140家，督促安装油烟净化设施36套，有效减少油烟投诉。",
    "(二)水污染防治",
    "2个国考断面水质均达到Ⅱ类，新建污水管网2.1公里。",
    "二、存在问题",
    "臭氧浓度同比上升，夏季臭氧污染防控压力较大，部分乡镇污水收集管网建设仍然滞后。",
    "三、下半年工作计划",
    "（一）持续改善空气质量。将继续加强扬尘和VOCs治理，力争PM2.5浓度稳中有降。",
)


def test_heading_ladder_with_mixed_parentheses_and_inline_headings() -> None:
    chunks = split_document(LADDER, "ladder.txt")

    assert [(c.heading_path, c.part, c.topic) for c in chunks] == [
        ((), "总结", "综合"),
        (("一、上半年工作开展情况", "（一）大气污染防治"), "总结", "大气"),
        (("一、上半年工作开展情况", "（一）大气污染防治", "1.扬尘管控"), "总结", "大气"),
        (
            ("一、上半年工作开展情况", "（一）大气污染防治", "1.扬尘管控", "(2)餐饮油烟整治"),
            "总结",
            "大气",
        ),
        (("一、上半年工作开展情况", "(二)水污染防治"), "总结", "水"),
        (("二、存在问题",), "问题", "大气"),
        (("三、下半年工作计划", "（一）持续改善空气质量"), "计划", "大气"),
    ]
    assert chunks[1].text.startswith("上半年PM2.5平均浓度")  # the inline heading is cut off
    assert chunks[-1].text.startswith("将继续加强扬尘")
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert {(c.unit, c.year, c.period, c.document) for c in chunks} == {
        ("示例区生态环境局", 2025, "上半年", "ladder.txt")
    }
    assert all(c.title == "示例区生态环境局2025年上半年工作总结" for c in chunks)


def test_numbered_paragraph_without_heading_returns_to_its_parent() -> None:
    chunks = split_document(
        _document(
            "二、存在问题",
            "、污染治理资金投入不足，部分乡镇生活污水处理设施建设进度滞后，运行维护缺乏保障。",
            "三、下半年工作打算",
            "、加强执法监管。严格落实“双随机、一公开”制度，严厉打击偷排漏排等环境违法行为。",
            "、以排污许可制度改革为重点，全面推进固定污染源排污许可清单化管理，做到应发尽发。",
            "总之，我们将坚定不移走生态优先、绿色发展之路，奋力完成全年各项目标任务。",
        ),
        "d",
    )
    assert [c.heading_path for c in chunks] == [
        ("二、存在问题",),
        ("三、下半年工作打算", "、加强执法监管"),
        ("三、下半年工作打算",),
        (),
    ]
    assert [c.part for c in chunks] == ["问题", "计划", "计划", "计划"]


def test_long_bodies_split_at_items_and_short_pieces_merge() -> None:
    items = "".join(
        f"{n}是加强第{i}类重点区域扬尘管控，组织开展建筑工地、道路、堆场扬尘专项检查，"
        "督促企业落实围挡、覆盖、洒水、冲洗等防尘措施，对问题突出的工地下达整改通知并跟踪复查，"
        "确保各项扬尘防控措施落地见效。"
        for i, n in enumerate("一二三四五六七八九十", start=1)
    )
    body = "围绕扬尘治理重点持续发力。" + items
    chunks = split_document(_document("一、大气污染防治", body), "long")

    assert len(body) > MAX_CHUNK_CHARS
    assert len(chunks) >= 2
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert "".join(c.text for c in chunks) == body  # nothing lost, nothing added
    assert chunks[0].text.startswith("围绕扬尘治理重点持续发力。一是")  # the short lead merged
    assert all(c.text[1] == "是" for c in chunks[1:])
    assert all(c.heading_path == ("一、大气污染防治",) for c in chunks)


def test_short_paragraphs_of_one_section_stay_together() -> None:
    chunks = split_document(
        _document("（三）信访工作", "受理信访件32件。", "办结率100%。", "无越级上访。"), "s"
    )
    assert [c.text for c in chunks] == ["受理信访件32件。\n办结率100%。\n无越级上访。"]


def test_tables_become_chunks_of_their_own(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("示例区生态环境局2024年工作总结", level=0)
    word.add_paragraph("一、执法监管")
    word.add_paragraph("全年保持执法高压态势，严厉打击各类环境违法行为，执法效能持续提升。")
    table = word.add_table(rows=3, cols=3)
    for row, cells in enumerate(
        [("类别", "立案数", "罚款"), ("大气", "6", "42.5"), ("水", "3", "18")]
    ):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    word.add_paragraph("二、下一步工作计划")
    word.add_paragraph("持续开展执法大练兵，提升执法人员业务能力。")
    path = tmp_path / "annual.docx"
    word.save(str(path))

    chunks = chunks_from_file(path)

    assert [c.text for c in chunks] == [
        "全年保持执法高压态势，严厉打击各类环境违法行为，执法效能持续提升。",
        "类别\t立案数\t罚款\n大气\t6\t42.5\n水\t3\t18",
        "持续开展执法大练兵，提升执法人员业务能力。",
    ]
    assert [c.heading_path for c in chunks] == [
        ("一、执法监管",),
        ("一、执法监管",),
        ("二、下一步工作计划",),
    ]
    assert [c.part for c in chunks] == ["总结", "总结", "计划"]
    assert chunks[0].document == "annual.docx"
    assert (chunks[0].year, chunks[0].period, chunks[0].unit) == (2024, "全年", "示例区生态环境局")


def test_markdown_title_is_not_a_section(tmp_path: Path) -> None:
    path = tmp_path / "q1.md"
    path.write_text(
        "# 示例区生态环境局2025年一季度工作总结\n\n## 一、环境质量\n\n"
        "一季度PM2.5平均浓度为48微克/立方米，同比下降4%。\n",
        encoding="utf-8",
    )
    chunks = chunks_from_file(path)
    assert [(c.heading_path, c.period, c.year) for c in chunks] == [
        (("一、环境质量",), "一季度", 2025)
    ]


def test_masked_year_in_the_title_gives_no_year(tmp_path: Path) -> None:
    path = tmp_path / "masked.txt"
    path.write_text(
        "XX区生态环境分局202x年上半年工作总结\n"
        "2023年以来，我局持续推进污染防治攻坚战，各项工作取得积极进展。\n"
        "一、大气\n优良天数比例xx.x%。\n",
        encoding="utf-8",
    )
    chunk = chunks_from_file(path)[0]
    assert (chunk.year, chunk.period, chunk.unit) == (None, "上半年", "XX区生态环境分局")


def _lines_file(tmp_path: Path, middle: str) -> Path:
    path = tmp_path / "stable.txt"
    path.write_text(
        "示例区生态环境局2025年上半年工作总结\n"
        "一、大气污染防治\n上半年PM2.5平均浓度为33微克/立方米，同比下降5.7%，空气质量持续改善。\n"
        f"二、水污染防治\n{middle}\n"
        "三、下半年工作计划\n将持续推进土壤、固废、生态等领域重点工作，力争完成全年目标任务。\n",
        encoding="utf-8",
    )
    return path


def test_chunk_ids_are_stable_and_change_only_with_their_chunk(tmp_path: Path) -> None:
    original = "国考断面水质稳定达到Ⅱ类，新建污水管网2.1公里，完成黑臭水体整治1条。"
    first = [c.id for c in chunks_from_file(_lines_file(tmp_path, original))]
    again = [c.id for c in chunks_from_file(_lines_file(tmp_path, original))]
    changed = [
        c.id for c in chunks_from_file(_lines_file(tmp_path, original.replace("1条", "2条")))
    ]

    assert first == again
    assert len(first) == len(set(first)) == 3
    assert all(len(i) >= 16 and int(i, 16) >= 0 for i in first)
    assert [a == b for a, b in zip(first, changed, strict=True)] == [True, False, True]
    other_key = [c.id for c in chunks_from_file(_lines_file(tmp_path, original), "其他名称")]
    assert set(other_key).isdisjoint(first)


def test_overrides_beat_sidecar_which_beats_detection(tmp_path: Path) -> None:
    path = _lines_file(tmp_path, "水质稳定。")
    detected = chunks_from_file(path)[0]
    assert (detected.unit, detected.year, detected.period) == ("示例区生态环境局", 2025, "上半年")

    (tmp_path / "stable.txt.meta.yaml").write_text(
        "unit: 示例市生态环境局示例分局\nyear: 2024\nperiod: 全年\n", encoding="utf-8"
    )
    from_sidecar = chunks_from_file(path)[0]
    assert (from_sidecar.unit, from_sidecar.year, from_sidecar.period) == (
        "示例市生态环境局示例分局",
        2024,
        "全年",
    )

    overridden = chunks_from_file(path, "k", {"period": "前三季度", "title": "另一个标题"})[0]
    assert (overridden.unit, overridden.year, overridden.period, overridden.title) == (
        "示例市生态环境局示例分局",
        2024,
        "前三季度",
        "另一个标题",
    )


def test_json_sidecar(tmp_path: Path) -> None:
    path = _lines_file(tmp_path, "水质稳定。")
    (tmp_path / "stable.txt.meta.json").write_text(
        json.dumps({"year": "2023", "unit": "示例县环保局"}), encoding="utf-8"
    )
    chunk = chunks_from_file(path)[0]
    assert (chunk.year, chunk.unit) == (2023, "示例县环保局")


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("period: 下半年\n", "period 应为"),
        ("year: 二〇二四\n", "year 应为四位年份"),
        ("quarter: 1\n", "未知的设置项"),
        ("- just\n- a list\n", "键值对"),
        ("year: [unclosed\n", "无法读取元数据文件"),
    ],
)
def test_bad_sidecar_is_a_clear_error(tmp_path: Path, sidecar: str, message: str) -> None:
    path = _lines_file(tmp_path, "水质稳定。")
    (tmp_path / "stable.txt.meta.yaml").write_text(sidecar, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        chunks_from_file(path)
    assert "stable.txt.meta.yaml" in str(caught.value)


def test_bad_override_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="period 应为"):
        chunks_from_file(_lines_file(tmp_path, "水质稳定。"), overrides={"period": "Q1"})


def test_sample_corpus_splits_into_labelled_chunks() -> None:
    files = sorted(p for p in SAMPLE_DIR.glob("*") if p.suffix in (".docx", ".txt", ".md"))
    if not files:
        pytest.skip("corpus/sample not written yet")
    for path in files:
        chunks = chunks_from_file(path)
        assert chunks, path
        assert read_document(path).title, path
        parts = {c.part for c in chunks}
        assert "总结" in parts or "计划" in parts, path
        assert {c.unit for c in chunks} == {"示例区生态环境局"}, path
        assert not any(re.search(r"登录|注册|发布时间|浏览", c.text) for c in chunks), path
        assert len({c.id for c in chunks}) == len(chunks), path


def test_long_tables_are_cut_between_rows() -> None:
    rows = [f"示例镇第{i}号工地\t扬尘在线监测设备已安装并联网运行\t整改完成" for i in range(40)]
    document = Document(
        Path("t.docx"), "", None, [Block("一、扬尘管控", "h1")] + [Block(r, "table") for r in rows]
    )
    chunks = split_document(document, "t")
    assert len(chunks) >= 2
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert [line for c in chunks for line in c.text.split("\n")] == rows
