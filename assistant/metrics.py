"""Our metric dictionary and unit table: what a figure's name and unit mean for arithmetic.

The figures loader asks it for a figure's topic, better direction and kind when the file does
not say; the number extractor asks it which metric the words before a number name. Units are
normalised so 微克/立方米, 微克每立方米, μg/m³ and ug/m3 compare equal, and scaled so 万元,
亿元 and 元 can be compared (``convert``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from .types import Better, MetricKind

# --- units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A normalised unit: its canonical spelling, the base unit it scales to, and its kind.

    Two quantities are comparable when their units share ``base``; ``scale`` converts to it
    (万元 → base 元, scale 10000). ``kind`` groups units for the 同比 rule: "percent",
    "points", "concentration", "money", "mass", "length", "area", "volume", "time", "count",
    "class", "ratio" (倍), "other".
    """

    canonical: str
    base: str
    scale: Decimal
    kind: str


_CONCENTRATION = ("微克/立方米", "微克每立方米", "μg/m3", "ug/m3", "µg/m3", "μg/立方米")
_MG_CONCENTRATION = ("毫克/立方米", "毫克每立方米", "mg/m3")

# canonical → (spellings, base, scale to base, kind)
_UNIT_TABLE: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "微克/立方米": (_CONCENTRATION, "微克/立方米", "1", "concentration"),
    "毫克/立方米": (_MG_CONCENTRATION, "微克/立方米", "1000", "concentration"),
    "毫克/升": (("毫克/升", "毫克每升", "mg/l"), "毫克/升", "1", "concentration"),
    "吨/平方公里·月": (
        ("吨/平方公里·月", "吨/平方公里/月", "t/km2·月", "吨/(平方公里·月)"),
        "吨/平方公里·月",
        "1",
        "concentration",
    ),
    "%": (("%", "百分比"), "%", "1", "percent"),
    "个百分点": (("个百分点", "百分点"), "个百分点", "1", "points"),
    "元": (("元",), "元", "1", "money"),
    "万元": (("万元",), "元", "10000", "money"),
    "亿元": (("亿元",), "元", "100000000", "money"),
    "吨": (("吨", "t"), "吨", "1", "mass"),
    "千克": (("千克", "公斤", "kg"), "吨", "0.001", "mass"),
    "万吨": (("万吨",), "吨", "10000", "mass"),
    "米": (("米", "m"), "米", "1", "length"),
    "公里": (("公里", "千米", "km"), "米", "1000", "length"),
    "毫米": (("毫米", "mm"), "米", "0.001", "length"),
    "厘米": (("厘米", "cm"), "米", "0.01", "length"),
    "平方米": (("平方米", "m2"), "平方米", "1", "area"),
    "平方公里": (("平方公里", "km2"), "平方米", "1000000", "area"),
    "亩": (("亩",), "平方米", "666.6666666666666666666666667", "area"),
    "公顷": (("公顷",), "平方米", "10000", "area"),
    "立方米": (("立方米", "m3"), "立方米", "1", "volume"),
    "天": (("天", "日"), "天", "1", "time"),
    "小时": (("小时", "h"), "小时", "1", "time"),
    "个月": (("个月",), "个月", "1", "time"),
    "年": (("年",), "年", "1", "time"),
    "类": (("类",), "类", "1", "class"),
    "倍": (("倍",), "倍", "1", "ratio"),
    "分": (("分",), "分", "1", "other"),
    "千瓦": (("千瓦", "kw"), "千瓦", "1", "other"),
    "蒸吨": (("蒸吨",), "蒸吨", "1", "other"),
    "分钟": (("分钟",), "分钟", "1", "time"),
    "周": (("周",), "周", "1", "time"),
    "吨/日": (("吨/日", "吨/天", "t/d"), "吨/日", "1", "other"),
    "立方米/日": (("立方米/日", "立方米/天", "m3/d"), "立方米/日", "1", "other"),
    "吨/年": (("吨/年", "t/a"), "吨/年", "1", "other"),
}

# measure words: each its own base, so 家 and 家次 never silently compare equal
_COUNT_WORDS = """
件 起 家 家次 厂次 人次 车次 辆次 人 名 个 项 份 次 批 批次 条 处 座 台 套 辆 艘
户 所 场 期 轮 宗 块 篇 部 张 组 支 只 根 口 头 株 棵
"""
COUNT_UNITS = tuple(_COUNT_WORDS.split())
for _word in COUNT_UNITS:
    _UNIT_TABLE[_word] = ((_word,), _word, "1", "count")

_PREFIXES = {
    "万": Decimal(10000),
    "亿": Decimal(100000000),
    "千": Decimal(1000),
    "百": Decimal(100),
}


def _spelling_key(written: str) -> str:
    """Fold width, case, superscripts and micro signs so every spelling of a unit meets."""
    text = unicodedata.normalize("NFKC", written).strip().lower()
    text = text.replace("µ", "μ").replace("／", "/").replace(" ", "")
    return text


@cache
def _spellings() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, (spellings, _base, _scale, _kind) in _UNIT_TABLE.items():
        for spelling in (canonical, *spellings):
            table[_spelling_key(spelling)] = canonical
    return table


def unit_spellings() -> tuple[str, ...]:
    """Every accepted unit spelling, longest first (for matching units after a number)."""
    forms = {s for spellings, *_ in _UNIT_TABLE.values() for s in spellings} | set(_UNIT_TABLE)
    return tuple(sorted(forms, key=len, reverse=True))


def normalise_unit(written: str | None) -> Unit | None:
    """The Unit a written spelling means, or None when we do not know it.

    A 万/亿/千 prefix on a known unit scales it (万人次, 万亩, 千吨); 万元/亿元/万吨 are units of
    their own. An empty unit is None too (a bare number).
    """
    if not written or not written.strip():
        return None
    key = _spelling_key(written)
    canonical = _spellings().get(key)
    if canonical is not None:
        _s, base, scale, kind = _UNIT_TABLE[canonical]
        return Unit(canonical, base, Decimal(scale), kind)
    if len(key) > 1 and key[0] in _PREFIXES:
        inner = normalise_unit(key[1:])
        if inner is not None and inner.kind not in ("percent", "points", "class"):
            return Unit(
                key[0] + inner.canonical, inner.base, inner.scale * _PREFIXES[key[0]], inner.kind
            )
    return None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (2.977亿元 → 29770万元); None if the
    units are unknown or measure different things."""
    source, target = normalise_unit(from_unit), normalise_unit(to_unit)
    if source is None or target is None or source.base != target.base:
        return None
    return value * source.scale / target.scale


def same_measure(a: str | None, b: str | None) -> bool:
    """True when two written units measure the same thing (万元 and 亿元; not % and 个百分点)."""
    ua, ub = normalise_unit(a), normalise_unit(b)
    return ua is not None and ub is not None and ua.base == ub.base


# --- metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """A metric of the genre: how it is named, measured, and which way is better."""

    name: str
    aliases: tuple[str, ...]
    topic: str
    unit: str  # canonical unit
    units: tuple[str, ...]  # accepted unit spellings (canonical forms)
    better: Better | None
    kind: MetricKind
    period_words: tuple[str, ...] = ()  # how the period is usually stated for it

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


_AVG = ("平均", "上半年", "1-6月", "同比")
_CUM = ("累计", "共", "上半年", "1-6月")
_RATE = ("截至", "上半年", "同比", "较上年")

METRICS: tuple[Metric, ...] = (
    # 大气
    Metric(
        "PM2.5平均浓度",
        (
            "PM2.5浓度均值",
            "PM2.5浓度",
            "PM2.5均值",
            "细颗粒物浓度",
            "细颗粒物平均浓度",
            "细颗粒物(PM2.5)平均浓度",
            "PM₂.₅浓度",
            "PM₂.₅平均浓度",
            "PM2.5",
            "PM₂.₅",
            "细颗粒物",
        ),
        "大气",
        "微克/立方米",
        ("微克/立方米",),
        "lower",
        "concentration",
        _AVG,
    ),
    Metric(
        "PM10平均浓度",
        (
            "PM10浓度",
            "PM10浓度均值",
            "可吸入颗粒物浓度",
            "可吸入颗粒物平均浓度",
            "PM10",
            "PM₁₀",
            "可吸入颗粒物",
        ),
        "大气",
        "微克/立方米",
        ("微克/立方米",),
        "lower",
        "concentration",
        _AVG,
    ),
    Metric(
        "臭氧浓度",
        ("O3-8h第90百分位浓度", "臭氧8小时浓度", "臭氧平均浓度", "O3浓度", "臭氧"),
        "大气",
        "微克/立方米",
        ("微克/立方米",),
        "lower",
        "concentration",
        _AVG,
    ),
    Metric(
        "二氧化氮浓度",
        ("NO2浓度", "二氧化氮平均浓度"),
        "大气",
        "微克/立方米",
        ("微克/立方米",),
        "lower",
        "concentration",
        _AVG,
    ),
    Metric(
        "优良天数比例",
        (
            "优良天数比率",
            "空气质量优良天数比例",
            "空气质量优良天数比率",
            "空气质量优良率",
            "AQI优良率",
            "优良率",
            "优良天数占比",
            "优良比例",
        ),
        "大气",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric("优良天数", ("空气质量优良天数",), "大气", "天", ("天",), "higher", "count", _CUM),
    Metric(
        "重污染天数",
        ("重度及以上污染天数", "重度污染天数", "重污染天气"),
        "大气",
        "天",
        ("天",),
        "lower",
        "count",
        _CUM,
    ),
    Metric(
        "降尘量",
        ("平均降尘量", "降尘"),
        "大气",
        "吨/平方公里·月",
        ("吨/平方公里·月",),
        "lower",
        "concentration",
        _AVG,
    ),
    Metric(
        "大气治理项目",
        ("治气工程", "VOCs治理项目", "VOCs治理", "大气污染治理项目"),
        "大气",
        "项",
        ("项", "个"),
        None,
        "count",
        _CUM,
    ),
    # 水
    Metric(
        "断面水质类别",
        (
            "断面水质",
            "国考断面水质",
            "省考断面水质",
            "市考断面水质",
            "考核断面水质",
            "水质类别",
            "水质达到",
        ),
        "水",
        "类",
        ("类",),
        "lower",
        "category",
        (),
    ),
    Metric(
        "优Ⅲ类比例",
        (
            "优III类比例",
            "水质优良比例",
            "达到或好于Ⅲ类比例",
            "达到或好于III类比例",
            "优良水体比例",
            "水质优良率",
            "优Ⅲ类水体比例",
        ),
        "水",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "劣Ⅴ类断面数",
        ("劣V类断面数", "劣Ⅴ类断面", "劣V类断面", "劣Ⅴ类水体"),
        "水",
        "个",
        ("个",),
        "lower",
        "count",
        (),
    ),
    Metric(
        "饮用水水源地水质达标率",
        (
            "集中式饮用水水源地水质达标率",
            "饮用水源达标率",
            "饮用水水源地达标率",
            "水源地水质达标率",
        ),
        "水",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "污水处理率",
        ("城镇污水处理率", "生活污水处理率"),
        "水",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "农村生活污水治理率",
        ("行政村生活污水治理率", "农村污水治理率"),
        "水",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "污水管网建设",
        ("新建污水管网", "改造污水管网", "新建改造污水管网", "污水管网", "雨污分流管网", "管网"),
        "水",
        "公里",
        ("公里", "米"),
        None,
        "amount",
        _CUM,
    ),
    # 土壤
    Metric(
        "受污染耕地安全利用率", ("耕地安全利用率",), "土壤", "%", ("%",), "higher", "rate", _RATE
    ),
    Metric(
        "重点建设用地安全利用率",
        ("建设用地安全利用率", "污染地块安全利用率"),
        "土壤",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "土壤污染状况调查报告",
        ("土壤污染状况调查", "调查报告"),
        "土壤",
        "份",
        ("份", "个"),
        None,
        "count",
        _CUM,
    ),
    # 固废
    Metric(
        "危险废物转移量",
        ("危险废物转移", "危废转移量", "危废转移", "危险废物处置量", "危废处置量", "危险废物处置"),
        "固废",
        "吨",
        ("吨", "万吨"),
        None,
        "amount",
        _CUM,
    ),
    Metric(
        "危废管理计划备案",
        ("危险废物管理计划备案", "危废经营计划备案", "管理计划备案"),
        "固废",
        "家",
        ("家",),
        None,
        "count",
        _CUM,
    ),
    # 生态
    Metric(
        "造林面积",
        ("植树造林", "新增造林", "造林"),
        "生态",
        "亩",
        ("亩", "公顷"),
        "higher",
        "amount",
        _CUM,
    ),
    Metric("湿地面积", ("湿地保护面积",), "生态", "公顷", ("亩", "公顷"), "higher", "amount", ()),
    Metric("生态质量指数", ("EQI", "生态环境状况指数"), "生态", "", (), "higher", "amount", ()),
    # 执法
    Metric(
        "检查企业",
        (
            "现场检查企业",
            "执法检查企业",
            "检查企业数",
            "现场检查",
            "执法检查",
            "检查污染源",
            "检查排污单位",
        ),
        "执法",
        "家",
        ("家", "家次", "厂次"),
        None,
        "count",
        _CUM,
    ),
    Metric(
        "出动执法人员",
        ("出动执法人员人次", "出动环境执法人员", "出动人员", "出动执法"),
        "执法",
        "人次",
        ("人次",),
        None,
        "count",
        _CUM,
    ),
    Metric(
        "立案查处",
        (
            "立案查处环境违法案件",
            "查处环境违法案件",
            "办理案件",
            "立案",
            "环境违法案件",
            "行政处罚案件",
            "立案处罚",
            "查处案件",
        ),
        "执法",
        "件",
        ("件", "起"),
        None,
        "count",
        _CUM,
    ),
    Metric(
        "罚款金额",
        ("处罚金额", "罚没款", "罚款", "罚没金额", "处罚款"),
        "执法",
        "万元",
        ("万元", "元"),
        None,
        "amount",
        _CUM,
    ),
    Metric(
        "移送拘留",
        ("移送行政拘留", "行政拘留", "刑事拘留", "移送公安"),
        "执法",
        "件",
        ("件", "人"),
        None,
        "count",
        _CUM,
    ),
    Metric("查封扣押", ("查封", "扣押"), "执法", "件", ("件",), None, "count", _CUM),
    # 信访
    Metric(
        "受理环境信访",
        ("环境信访", "信访件", "信访投诉", "投诉举报", "信访举报", "信访", "受理信访"),
        "信访",
        "件",
        ("件", "批次"),
        "lower",
        "count",
        _CUM,
    ),
    Metric("信访办结率", ("办结率", "按期办结率"), "信访", "%", ("%",), "higher", "rate", _RATE),
    Metric("信访满意率", ("满意率", "群众满意率"), "信访", "%", ("%",), "higher", "rate", _RATE),
    # 审批
    Metric(
        "审批环评文件",
        ("环评审批", "审批环评", "审批环境影响评价文件", "环评文件", "审批建设项目环评"),
        "审批",
        "个",
        ("个", "件"),
        None,
        "count",
        _CUM,
    ),
    Metric(
        "行政审批事项", ("审批事项", "办理审批"), "审批", "件", ("个", "件"), None, "count", _CUM
    ),
    # 监测
    Metric(
        "监测数据",
        ("监测报告", "出具监测数据", "出具监测报告"),
        "监测",
        "个",
        ("个", "份"),
        None,
        "count",
        _CUM,
    ),
    Metric(
        "数据有效率",
        ("监测数据有效率", "数据传输有效率"),
        "监测",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric(
        "联网率", ("在线监控联网率", "自动监控联网率"), "监测", "%", ("%",), "higher", "rate", _RATE
    ),
    # 综合
    Metric(
        "项目完成率",
        ("工程项目完成率", "完成率", "工程完成率"),
        "综合",
        "%",
        ("%",),
        "higher",
        "rate",
        _RATE,
    ),
    Metric("开工率", ("项目开工率",), "综合", "%", ("%",), "higher", "rate", _RATE),
    Metric(
        "完成投资",
        ("完成投资额", "累计完成投资", "投资完成额", "完成投资金额"),
        "综合",
        "亿元",
        ("亿元", "万元"),
        "higher",
        "amount",
        _CUM,
    ),
    Metric(
        "计划投资",
        ("计划总投资", "总投资", "计划投资额", "投资"),
        "综合",
        "亿元",
        ("亿元", "万元"),
        None,
        "amount",
        (),
    ),
    Metric(
        "专项资金",
        ("争取资金", "专项治理资金", "中央资金", "补助资金"),
        "综合",
        "万元",
        ("万元", "亿元"),
        None,
        "amount",
        _CUM,
    ),
    # 减排 / 气候
    Metric("化学需氧量削减率", ("COD削减率",), "综合", "%", ("%",), "higher", "rate", _RATE),
    Metric("氨氮削减率", (), "综合", "%", ("%",), "higher", "rate", _RATE),
    Metric("二氧化硫削减率", ("SO2削减率",), "综合", "%", ("%",), "higher", "rate", _RATE),
    Metric("氮氧化物削减率", ("NOx削减率",), "综合", "%", ("%",), "higher", "rate", _RATE),
    Metric(
        "碳排放强度下降率",
        ("单位GDP二氧化碳排放下降", "碳排放强度下降", "碳排放强度"),
        "综合",
        "%",
        ("%",),
        None,
        "rate",
        _RATE,
    ),
)


def _match_key(text: str) -> str:
    """Fold width and case so PM₂.₅ / ＰＭ2.5 / pm2.5 meet; keeps Ⅱ and Chinese untouched."""
    folded = "".join(
        unicodedata.normalize("NFKC", ch)
        if ch.isascii() or "\uff01" <= ch <= "\uff5e" or ch in "₀₁₂₃₄₅₆₇₈₉"
        else ch
        for ch in text
    )
    return folded.lower().replace("（", "(").replace("）", ")")


@cache
def _alias_pattern() -> tuple[re.Pattern[str], dict[str, Metric]]:
    owner: dict[str, Metric] = {}
    for metric in METRICS:
        for alias in metric.names:
            owner.setdefault(_match_key(alias), metric)
    keys = sorted(owner, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), owner


def find_metric(text: str) -> Metric | None:
    """The metric named in ``text``, or None.

    Longest alias wins where aliases overlap ("优良天数比例" over "优良天数"); among separate
    mentions the one ending last wins, because in "PM2.5浓度41.6微克/立方米，优良天数比例" the
    words nearest a following number are what it measures.
    """
    if not text:
        return None
    pattern, owner = _alias_pattern()
    key = _match_key(text)
    best: tuple[int, int, Metric] | None = None
    for start in range(len(key)):
        found = pattern.match(key, start)
        if found is None:
            continue
        candidate = (found.end(), found.end() - found.start(), owner[found.group()])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def metric_by_name(name: str) -> Metric | None:
    """A metric by its canonical name or any alias, matched exactly (after width folding)."""
    _pattern, owner = _alias_pattern()
    return owner.get(_match_key(name.strip()))


def kind_for_unit(unit: str | None) -> MetricKind:
    """What a unit alone says about a figure's kind, for names the dictionary does not know."""
    normalised = normalise_unit(unit)
    if normalised is None:
        return "amount"
    return {
        "percent": "rate",
        "points": "rate",
        "concentration": "concentration",
        "class": "category",
        "count": "count",
    }.get(normalised.kind, "amount")
