"""Find every quantity in Chinese text, with its unit and the words around it.

``extract_numbers`` returns Quantities (see assistant.types): the value as written, its unit,
the metric the words before it name, the period and comparison words, the direction word and
whether the number is itself a change (同比下降3.6个百分点 → 3.6), and target words.

What is deliberately NOT a quantity, because the checker must not verify it against figures:
years and dates used as time (2024年, 6月30日, 1-6月, 截至6月底, 3月份), times (9:00), heading
and list numbers (一、 （一） 1. （1） 一是 第二), document numbers (〔2024〕3号), phone and
hotline numbers, names with digits (PM2.5, O3-8h, G20, 5G, “532”发展战略, 十四五, 水十条,
三线一单, 二十大, “6个百分百”, “1·20”事故), quoted names, and Chinese numerals without a
measure word (统一, 进一步, 一批). Masked numbers (xx.x%, 202x, XX区) come back with
``form="masked"``; water classes (Ⅱ类) with ``form="category"`` — never as plain numbers.

Values stay in the written unit (5.877亿元 → 5.877, "亿元"); a bare 万/亿 with no unit after
it multiplies the value (5万 → 50000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from . import domain
from .metrics import find_metric, normalise_unit, unit_spellings
from .types import Quantity, places_of

# Same-length character folding, so every index in the folded text is an index in the original.
_FOLD = str.maketrans(
    "０１２３４５６７８９．％－～：，（）／＋ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ∶—–−［］",
    "0123456789.%-~:,()/+ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:---[]",
)

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGIT |= {"七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10000, "亿": 100000000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_MULTIPLIERS = {"万": 10**4, "亿": 10**8, "百万": 10**6, "千万": 10**7}
_DASH = r"\s*[-~至到]\s*"

_TOKEN = re.compile(
    r"(?P<cnpct>百分之(?P<pct>[零〇一二两三四五六七八九十百点]+))"
    r"|(?P<frac>(?P<den>[一二两三四五六七八九十百千\d]+)分之(?P<num>[零〇一二两三四五六七八九十百\d点.]+))"
    r"|(?P<cls>(?<![A-Za-z])(?P<worse>劣)?(?P<roman>Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|IV|V|I{1,3})(?=类))"
    r"|(?P<masked>(?<![A-Za-z0-9])\d*[xX]+\d*(?:\.[xX\d]+)?(?![A-Za-z]))"
    r"|(?P<arabic>(?<![\d.])\d+(?:,\d{3}(?!\d))*(?:\.\d+)?)"
    r"|(?P<cn>(?:[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*|[百千](?=[余多]))"
    r"(?:点[零〇一二三四五六七八九]+)?)"
)

# Spans that hold digits but are not quantities. Matched on the folded text.
_CORE_NOT_QUANTITIES = "|".join(
    (
        r"[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*第?\s*\d+\s*号",  # 〔2024〕3号
        r"(?<!\d)(?:19|20)\d{2}\s*(?:-\s*(?:19|20)?\d{2}\s*)?年",  # 2024年, 2023-2025年
        r"(?<!\d)(?:19|20)\d{2}\s*(?:[~至到]\s*(?:19|20)\d{2}\s*)年",
        r"(?<![\d.])(?:19|20)\d{2}\s*-\s*(?:19|20)\d{2}(?![\d.])",  # 2021-2025
        r"(?<![\d.])(?:19|20)\d{2}[./-]\d{1,2}(?:[./-]\d{1,2})?(?![\d.])",  # 2025-07-02
        r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])(?!\d)",  # 20240412
        r"(?<![\d.])\d{2}年(?=上半年|下半年|[一二三四]季度|前三季度|全年|度)",  # 24年上半年
        r"(?<![\d.])\d{1,2}\s*(?:[-~至到]\s*\d{1,2}\s*)?月(?:份|底|末|初|[上中下]旬)?"
        r"(?:\s*\d{1,2}\s*[日号])?",  # 6月, 1-6月, 6月30日
        r"(?<![\d.])\d{1,2}\s*[日号](?!\d)",
        r"(?<![\d.])(?:[01]?\d|2[0-3])\s*[时点](?:\s*\d{1,2}\s*分)?(?![\d钟])",  # 9时30分
        r"(?<![\d.])(?:[01]?\d|2[0-3]):(?:00|30)(?!\d)",  # 9:00
        r"(?:上午|下午|晚上|早上|凌晨)\s*\d{1,2}:\d{2}",
        r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)",  # 0571-88888888
        r"(?<!\d)1[3-9]\d{9}(?!\d)",  # mobile numbers
        r"(?<!\d)(?:12345|110|119|120)(?!\d)(?=\s*(?:热线|举报|服务|平台|电话|政务|转))",
        r"(?:电话|热线|手机|传真)\s*[:]?\s*\d[\d-]{4,}",
        r"[A-Za-z]+\d+(?:\.\d+)?(?:[-.][A-Za-z0-9]+)*",  # PM2.5, O3-8h, G20, NH3-N
        r"\d+\s*[·•]\s*\d+",  # “1·20”事故
        r"-[ \t　]+\d{1,3}[ \t　]+-",  # — 2 —: a page number left in a PDF's text
        r"(?:^|(?<=\n))[ \t　]*(?:[一二三四五六七八九十]+[、.]"
        r"|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+(?:\.\d+)*[.、](?!\d)|第[一二三四五六七八九十\d]+[章节条部分])",
        r"\(\s*[一二三四五六七八九十]+\s*\)|\(\s*\d{1,2}\s*\)",  # （一） （1） inline
        r"(?<=[。；;:!?！？\s])\d{1,2}[.、](?!\d)",  # 。2.加强…
        r"第\s*[\d一二两三四五六七八九十百千]+(?![\d一二两三四五六七八九十百千]|\s*[名位])",  # 第一
        r"[一二三四五六七八九十]+是",  # 一是 二是
        r"十[二三四五]五|(?:十[六七八九]|二十)(?:大|届[一二三四五六七]中全会)",
        r"[一二三四五六七]中全会|三重一大",
        r"[\d一二三四五六七八九十]个百分百|两个确立|两个维护|四个意识|四个自信|三个代表",
        r"两个一百年|三个一批|一岗双责|一张图|一件事|一条龙|一盘棋|一批|一次性|一揽子",
        r"一[企厂河园湖点]一[策档]|十分(?!之)|一起(?![^，。；]{0,8}(?:案|事件|事故|违法))",
        r"\d+\+[A-Za-z]|\d+(?:\+\d+)+(?=模式|体系|机制)",
    )
)


@cache
def _not_quantities(pack: domain.Domain) -> re.Pattern[str]:
    """The core spans plus the pack's own names with digits in them (its not_quantities)."""
    return re.compile("|".join((_CORE_NOT_QUANTITIES, *pack.info.not_quantities)))


_WORD_BEFORE_CN = set("统唯之进万第每逐同单专划某任周初这那哪其另数几若星")
_APPROX_BEFORE = re.compile(r"(约|近|将近|接近|大约|逾|超过|超|不足|不到|近似)\s*(?:为|是|达)?\s*$")
_APPROX_AFTER = re.compile(r"\s*(左右|上下)")
_NOT_A_UNIT_AFTER = re.compile(r"\s*(?:月|日|号|时(?!间)|季度|周年|届|年代|世纪|版|楼|层|室|路|街)")
_PERIOD_END = "。！？!?\n"
_SENTENCE_END = _PERIOD_END + "；;"
_CLAUSE_END = _SENTENCE_END + "，,：:"

_DIRECTION = re.compile(
    r"(同比|环比)?(上升|下降|提高|降低|增长|增加|减少|改善|恶化|持平|升高|回升|下滑|好转|上涨|"
    r"增幅|降幅|涨幅|降至|升至|增至|减至|降为|减为|提升)"
)
_COMPARE = re.compile(
    r"同比|环比|较上年同期|较去年同期|比上年同期|比去年同期|与上年同期相比|与去年同期相比|"
    r"较上年|比上年|较去年|比去年|较\d{4}年(?:同期)?|比\d{4}年(?:同期)?|上年同期|去年同期|"
    r"[较比](?:上半年|一季度|上季度|上月|年初)"
)
_MORE_LESS = re.compile(r"(?:比|较)[^，。；,;]{0,12}?(多|少)\s*$")
_CHANGE_GAP = re.compile(r"^(?:了|为|达|达到|幅度|幅度为|幅度达|分别为|分别|约|近|超过|逾)?$")
_PERIOD = re.compile(
    r"(?:\d{4}|[二〇一九零]{4})年(?:上半年|下半年|前三季度|[一二三四]季度|全年|度)?|上半年|下半年|"
    r"前三季度|第?[一二三四]季度|全年|今年以来|年初以来|年内|截至\s*(?:目前|(?:\d{4}年)?\d{1,2}月(?:底|末|"
    r"\d{1,2}日)?)|\d{1,2}\s*[-~至到]\s*\d{1,2}\s*月|上年同期|去年同期|同比|环比|下一步|明年"
)
_TARGET_BEFORE = re.compile(r"目标|控制在|力争|确保|不低于|不高于|不超过|不少于|计划|任务")
_TARGET_AFTER = re.compile(r"^[^，。；,;]{0,6}?(以上|以下|以内|之内|目标|任务)")
_BOUND_WORDS = ("以上", "以下", "以内", "之内")
_QUOTED_TARGET = re.compile(r"\s*的?\s*(?:年度|全年|考核|约束性|阶段性)?\s*(?:目标|任务)")
_QUOTES = {"“": "”", "‘": "’", "「": "」", "《": "》", "『": "』"}

# signs of a direction word, for the checker: +1 up, −1 down, 0 flat
DIRECTION_SIGNS = {
    **dict.fromkeys(("上升", "提高", "增长", "增加", "升高", "回升", "上涨", "增幅", "涨幅"), 1),
    **dict.fromkeys(("升至", "增至", "提升", "多"), 1),
    **dict.fromkeys(("下降", "降低", "减少", "下滑", "降幅", "降至", "减至", "降为"), -1),
    **dict.fromkeys(("减为", "少"), -1),
    "持平": 0,
}


def direction_sign(word: str | None) -> int | None:
    """+1 for 上升-like words, −1 for 下降-like, 0 for 持平, None for 改善/恶化 or no word."""
    return DIRECTION_SIGNS.get(word or "")


# --- numerals --------------------------------------------------------------------------------


def chinese_to_decimal(text: str) -> Decimal | None:
    """一百二十 → 120, 十五 → 15, 两千 → 2000, 一万二千 → 12000, 三点五 → 3.5, 二〇二四 → 2024."""
    whole, _, fraction = text.partition("点")
    if any(ch not in _CN_NUM for ch in whole) or not whole:
        return None
    if all(ch in _CN_DIGIT for ch in whole) and len(whole) > 1:
        value = int("".join(str(_CN_DIGIT[ch]) for ch in whole))
    else:
        value = _chinese_integer(whole)
    if fraction:
        if any(ch not in _CN_DIGIT for ch in fraction):
            return None
        return Decimal(f"{value}.{''.join(str(_CN_DIGIT[ch]) for ch in fraction)}")
    return Decimal(value)


def _chinese_integer(text: str) -> int:
    """Integer value of a Chinese numeral with 十百千 inside 万 and 亿 sections."""
    for big in ("亿", "万"):
        if big in text:
            high, _, low = text.partition(big)
            return _chinese_integer(high or "一") * _CN_BIG[big] + _chinese_integer(low)
    value = digit = 0
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        else:
            value += (digit or 1) * _CN_SMALL[ch]
            digit = 0
    return value + digit


def _number_value(text: str) -> Decimal | None:
    if re.fullmatch(r"[\d.,]+", text):
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return chinese_to_decimal(text.replace(".", "点"))


def _unit_pattern() -> re.Pattern[str]:
    return _pack_unit_pattern(domain.current())


@cache
def _pack_unit_pattern(pack: domain.Domain) -> re.Pattern[str]:
    """Every unit spelling of the core table and ``pack``, longest first."""
    spellings = set(unit_spellings())
    for spelling in list(spellings):  # m3 → m³, m2 → m²
        spellings.add(spelling.replace("m3", "m³").replace("m2", "m²"))
    spellings |= {"μg/m³", "µg/m³", "µg/m3", "ug/m³", "个百分点", "百分点"}
    spellings -= {"百分比", "日"}
    ordered = sorted(spellings, key=len, reverse=True)
    ascii_units = "|".join(re.escape(s) for s in ordered if s.isascii())
    other_units = "|".join(re.escape(s) for s in ordered if not s.isascii())
    return re.compile(
        rf"\s?(?:(?P<a>{ascii_units})(?![A-Za-z0-9])|(?P<c>{other_units}))", re.IGNORECASE
    )


# --- scanning --------------------------------------------------------------------------------


@dataclass
class _Found:
    start: int
    end: int
    number_text: str
    value: Decimal | None
    form: str
    unit_written: str | None = None
    places: int = 0
    high: Decimal | None = None
    terms: tuple[Decimal, Decimal] | None = None
    category: str | None = None
    approx: str | None = None
    bound: str | None = None  # ≥ ≤ > < written before the number: a bound, so a target


def _blocked(folded: str) -> list[tuple[int, int]]:
    return [m.span() for m in _not_quantities(domain.current()).finditer(folded)]


def _inside(spans: list[tuple[int, int]], position: int) -> int | None:
    """The end of the blocked span covering ``position``, if any."""
    for start, end in spans:
        if start <= position < end:
            return end
    return None


def _read_number(folded: str, position: int, chinese: bool) -> re.Match[str] | None:
    pattern = _CN_TOKEN if chinese else _ARABIC_TOKEN
    return pattern.match(folded, position)


_ARABIC_TOKEN = re.compile(r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?")
_CN_TOKEN = re.compile(
    r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+)?"
)
_CN_UNITS_EXCLUDED = {"年", "类", "分", "天", "米", "周", "口", "头", "部", "支", "只", "期"}


def _unit_after(folded: str, position: int, chinese: bool) -> tuple[str | None, int]:
    """The unit written at ``position`` (with a 万/亿 prefix), and where it ends."""
    match = _unit_pattern().match(folded, position)
    if match is None:
        return None, position
    unit = (match.group("a") or match.group("c")).strip()
    if chinese and unit in _CN_UNITS_EXCLUDED:
        return None, position
    return unit, match.end()


def _measure(folded: str, found: _Found, chinese: bool) -> _Found | None:
    """Attach approx words, 万/亿 and the unit after the number; None if it is time, not a count."""
    position = found.end
    approx = None
    multiplier = ""
    if folded.startswith(("余", "多"), position):
        approx, position = folded[position], position + 1
    big = re.compile(r"千万|百万|万|亿").match(folded, position)
    if big and not chinese:
        multiplier, position = big.group(), big.end()
        if folded.startswith(("余", "多"), position) and approx is None:
            approx, position = folded[position], position + 1
    days = not multiplier and _days(folded, found, position)
    if _NOT_A_UNIT_AFTER.match(folded, position) and not multiplier and not days:
        return None
    unit, unit_end = ("日", position + 1) if days else _unit_after(folded, position, chinese)
    if unit is None and re.match(r"\s?[A-Za-z]", folded[position : position + 2]):
        return None  # 5G, 3D: a name, not a quantity
    if unit is not None and multiplier:
        unit = multiplier + unit
        if normalise_unit(unit) is None:
            unit = None
    if unit is None and multiplier:
        found.value = found.value * _MULTIPLIERS[multiplier]
        found.number_text += multiplier
        unit_end = position
    if unit is None and chinese:
        return None  # a Chinese numeral without a measure word is a word, not a figure
    found.unit_written = unit
    found.end = unit_end if unit is not None or multiplier else found.end
    if approx is not None and unit is None and not multiplier:
        found.end = position
    after = _APPROX_AFTER.match(folded, found.end)
    if after and unit is not None:
        approx, found.end = after.group(1), after.end()
    found.approx = approx
    return found


_DAY_COUNT_BEFORE = re.compile(
    r"(?:天数|共|共计|累计|合计|达|达到|历时|持续|连续|为期|用时|仅|只有|增加|减少|多|少|延长|缩短)"
    r"\s*(?:了|为|有)?\s*$"
)
_DAY_COUNT_AFTER = re.compile(r"\s*(?:[,，]?\s*(?:同比|较|比)|以上|以内|之内|左右)")


def _days(folded: str, found: _Found, position: int) -> bool:
    """Whether N日 is a number of days (日 = 天) rather than a date. 6月30日 is always a
    date; above 31 it is days (181日); at most 31 the words decide: a count's words before it
    (优良天数共25日, 减少3日, 为期5日) or a comparison after it (12日，同比…) make days,
    anything else (于15日召开, 15日起) leaves the date."""
    if not folded.startswith("日", position) or found.value is None:
        return False
    if re.search(r"月\s*$", folded[max(0, found.start - 2) : found.start]):
        return False
    if found.value > 31:
        return True
    return _counted_days(folded, found.start, position)


def _counted_days(folded: str, start: int, day: int) -> bool:
    """Do the words around N日 (the number at ``start``, 日 at ``day``) count days?"""
    before = folded[max(0, start - 8) : start]
    return bool(_DAY_COUNT_BEFORE.search(before) or _DAY_COUNT_AFTER.match(folded, day + 1))


def _day_count(folded: str, token: re.Match[str]) -> bool:
    """An Arabic N日 of at most 31 whose words count days (共25日), not a date (于15日)."""
    day = re.compile(r"\s*日").match(folded, token.end())
    if token.lastgroup != "arabic" or day is None:
        return False
    if re.search(r"月\s*$", folded[max(0, token.start() - 2) : token.start()]):
        return False
    return _counted_days(folded, token.start(), day.end() - 1)


def _chinese_unit_split(text: str) -> tuple[str, str]:
    """三千万 before 元 → ("三千", "万"): a trailing 万/亿 belongs to the unit."""
    if len(text) > 1 and text[-1] in "万亿":
        return text[:-1], text[-1]
    return text, ""


def _scan(folded: str) -> list[_Found]:
    blocked = _blocked(folded)
    found_all: list[_Found] = []
    position = 0
    while (token := _TOKEN.search(folded, position)) is not None:
        start = token.start()
        blocked_end = _inside(blocked, start)
        if blocked_end is not None and (_ranked(folded, start) or _day_count(folded, token)):
            blocked_end = None  # 排名全市第一, 共25日: a rank, a number of days — not 第一, 15日
        if blocked_end is not None:
            position = max(blocked_end, start + 1)
            continue
        found = _token_quantity(folded, token)
        position = max(token.end(), found.end if found else 0)
        if found is not None:
            found_all.append(found)
    return found_all


def _token_quantity(folded: str, token: re.Match[str]) -> _Found | None:
    if folded[token.start() - 1 : token.start()] == "第" and token.start() > 0:
        return _ordinal(folded, token)
    kind = token.lastgroup
    if kind in ("cnpct", "frac", "cls", "masked"):
        return _special_token(folded, token)
    chinese = kind == "cn"
    read = _chinese_token(folded, token) if chinese else _arabic_token(folded, token)
    if read is None:
        return None
    found, finished = read
    if finished:
        return found
    return _range_and_unit(folded, found, chinese)


_ORDINAL = re.compile(r"第\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?P<rank>名|位)?")
# The words that make a following 第N a rank: 排名第3, 全市排名第二, 排名全省第四, 位列第一,
# 居全省第一, 在15个区县中排名第10位.
_RANK_BEFORE = re.compile(
    r"(?:排名|排位|位列|位居|名列|排在|列|居)(?:全[国省市区县州]|[^，。；,;：:\d第]{0,10}?中)?\s*$"
)


def _ranked(folded: str, start: int) -> bool:
    """Is the number at ``start`` the N of 第N after words that rank (排名, 位列, 居…)?"""
    if start < 1 or folded[start - 1] != "第":
        return False
    return bool(_RANK_BEFORE.search(folded, max(0, start - 17), start - 1))


def _ordinal(folded: str, token: re.Match[str]) -> _Found | None:
    """A rank (第二名, 第2位, 排名全市第一) is a figure in 名, its text from 第; any other 第N
    (第一, 第3季度) is not a quantity."""
    match = _ORDINAL.match(folded, token.start() - 1)
    if match is None or not (match.group("rank") or _ranked(folded, token.start())):
        return None
    value = _number_value(match.group("n")) or chinese_to_decimal(match.group("n"))
    if value is None:
        return None
    start = match.start()
    return _Found(start, match.end(), folded[start : match.end()], value, "rank", "名")


def _special_token(folded: str, token: re.Match[str]) -> _Found | None:
    """百分之五, a fraction (三分之二), a water class (Ⅲ类), a masked number (xx.x%)."""
    kind = token.lastgroup
    start, end = token.span()
    text = token.group()
    if kind == "cnpct":
        value = chinese_to_decimal(token.group("pct"))
        if value is None:
            return None
        return _finish(
            folded, _Found(start, end, text, value, "number", "%", places_of(str(value)))
        )
    if kind == "frac":
        numerator, denominator = (_number_value(token.group(g)) for g in ("num", "den"))
        if not numerator or not denominator:
            return None
        terms = (numerator, denominator)
        return _finish(
            folded, _Found(start, end, text, _ratio(terms), "fraction", None, 4, terms=terms)
        )
    if kind == "cls":
        roman = token.group("roman")
        numeral = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}.get(roman, roman)
        if folded[max(0, start - 1) : start] == "优" or re.match(
            r"类(?:[\u4e00-\u9fff]{2})?(?:及以上)?(?:数|比例|比率|占比)", folded[end:]
        ):
            return None  # 优Ⅲ类比例: part of a metric's name
        category = f"劣{numeral}" if token.group("worse") else numeral
        return _Found(start, end + 1, text, None, "category", "类", category=category)
    found = _Found(start, end, text, None, "masked")
    unit, unit_end = _unit_after(folded, end, chinese=False)
    if unit is not None and unit != "年":
        found.unit_written, found.end = unit, unit_end
    return found


def _chinese_token(folded: str, token: re.Match[str]) -> tuple[_Found, bool] | None:
    """A Chinese-numeral number, and whether it is finished (三万吨: its 万 joined its unit)."""
    start, end = token.span()
    text = token.group()
    if folded[start - 1 : start] in _WORD_BEFORE_CN and start > 0:
        return None
    digits, big = _chinese_unit_split(text)
    value = chinese_to_decimal(digits)
    if value is None:
        return None
    found = _Found(start, start + len(digits), digits, value, "number")
    if big:
        unit, unit_end = _unit_after(folded, start + len(text), chinese=False)
        if unit is None or normalise_unit(big + unit) is None:
            found = _Found(start, end, text, chinese_to_decimal(text), "number")
        else:
            found.unit_written, found.end = big + unit, unit_end
            return _finish(folded, found), True
    return found, False


def _arabic_token(folded: str, token: re.Match[str]) -> tuple[_Found, bool] | None:
    """An Arabic-digit number with its sign, and whether it is finished (a ratio 3:1 is)."""
    start, end = token.span()
    text = token.group()
    if start > 0 and re.match(r"[A-Za-z]", folded[start - 1]):
        return None
    value = _number_value(text)
    if value is None:
        return None
    found = _Found(start, end, text, value, "number", places=places_of(text))
    sign = folded[start - 1 : start]
    before_sign = folded[start - 2] if start >= 2 else ""
    if sign and sign in "+-" and not re.match(r"[\dA-Za-z]", before_sign):
        found.start -= 1
        found.number_text = sign + text
        found.value = -value if sign == "-" else value
    ratio = re.compile(r"\s*:\s*(\d+(?:\.\d+)?)").match(folded, end)
    if not ratio:
        return found, False
    terms = (value, Decimal(ratio.group(1)))
    if terms[1] == 0:
        return None
    whole = _Found(
        found.start,
        ratio.end(),
        folded[found.start : ratio.end()],
        _ratio(terms),
        "ratio",
        places=4,
        terms=terms,
    )
    return _finish(folded, whole), True


def _range_and_unit(folded: str, found: _Found, chinese: bool) -> _Found | None:
    """A range (3至5个, 3-5个, 10%-15%, 三至五家) when one follows, then the unit."""
    first_unit, after_first = _unit_after(folded, found.end, chinese)
    dash = re.compile(_DASH).match(folded, after_first if first_unit else found.end)
    if dash and not re.search(r"[\t\n]", dash.group()):  # "3\t-33.3%": two table cells
        second = _read_number(folded, dash.end(), chinese)
        second_unit = second and _unit_after(folded, second.end(), chinese)[0]
        units_agree = not first_unit or second_unit in (None, first_unit)
        if second is not None and units_agree and not (first_unit and second_unit is None):
            high = _number_value(second.group())
            if high is not None and high > found.value:
                found.form = "range"
                found.high = high
                found.number_text = folded[found.start : second.end()]
                found.end = second.end()
                found.places = max(found.places, places_of(second.group()))
    measured = _measure(folded, found, chinese)
    if measured is None:
        return None
    if measured.form == "range" and measured.unit_written is None and first_unit:
        measured.unit_written = first_unit
    return _finish(folded, measured)


_BOUND_BEFORE = re.compile(r"(≥|≤|>=|<=|＞|＜|>|<)\s*$")


def _finish(folded: str, found: _Found) -> _Found:
    """The hedge or bound written right before the number joins it (约4.2亿元, 近3万人次,
    ≥95%): the quantity's text is the number as written, qualifier and all."""
    window_start = max(0, found.start - 6)
    before = _APPROX_BEFORE.search(folded[window_start : found.start])
    if before and found.approx is None:
        found.approx = before.group(1)
        if before.end(1) + window_start == found.start:  # 约4.2 joins; 约为4.2 does not
            found.start = before.start(1) + window_start
    bound = _BOUND_BEFORE.search(folded[window_start : found.start])
    if bound and found.approx is None:
        found.bound = bound.group(1)
        found.start = bound.start(1) + window_start
    return found


def _ratio(terms: tuple[Decimal, Decimal]) -> Decimal:
    return (terms[0] / terms[1]).quantize(Decimal("0.0001"))


# --- context ---------------------------------------------------------------------------------


def _quoted_name(text: str, start: int, end: int, quantity_text: str, has_unit: bool) -> bool:
    """Inside “…” the number is a name (“532”发展战略, “6个百分百”) unless the quote is exactly
    a quantity with its unit (未达到“34微克/立方米”的目标); inside 《…》 always a name."""
    for opening, closing in _QUOTES.items():
        left = text.rfind(opening, 0, start)
        if left < 0 or text.rfind(closing, left, start) >= 0:
            continue
        right = text.find(closing, end)
        if right < 0 or right - left > 40 or text.find(opening, end, right) >= 0:
            continue
        if opening == "《":
            return True
        inner = text[left + 1 : right].strip()
        name = inner[: len(inner) - len(quantity_text.strip())]
        if (
            has_unit
            and inner.endswith(quantity_text.strip())
            and not re.search(r"[个项\d零〇一二两三四五六七八九十]\s*$", name)
            and _QUOTED_TARGET.match(text, right + 1)
        ):
            return False  # 未达到“优良率80%”年度目标: a target, named and quoted
        return inner != quantity_text.strip() or not has_unit
    return False


def span_bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """The stretch of text around start..end that no stop character interrupts."""
    left = max((text.rfind(ch, 0, start) for ch in stops), default=-1) + 1
    rights = [i for ch in stops if (i := text.find(ch, end)) >= 0]
    return left, min(rights, default=len(text))


def _context(text: str, folded: str, found: _Found, previous: Quantity | None) -> Quantity:
    start, end = found.start, found.end
    sentence_start = span_bounds(folded, start, end, _SENTENCE_END)[0]
    clause_start, clause_end = span_bounds(folded, start, end, _CLAUSE_END)
    period_bounds = span_bounds(folded, start, end, _PERIOD_END)
    same_sentence = previous is not None and previous.end > sentence_start
    window_start = max(clause_start, previous.end if same_sentence and previous else 0)
    window = folded[window_start:start]
    approx_before = _APPROX_BEFORE.search(window)
    if approx_before:
        window = window[: approx_before.start()]

    direction = comparison = None
    is_change = False
    moves = list(_DIRECTION.finditer(window))
    if moves:
        last = moves[-1]
        direction = last.group(2)
        gap = window[last.end() :].strip()
        is_change = bool(_CHANGE_GAP.match(gap)) and not direction.endswith(("至", "为"))
    else:
        more_less = _MORE_LESS.search(window)
        if more_less:
            direction, is_change = more_less.group(1), True
    compares = list(_COMPARE.finditer(window))
    if compares:
        comparison = compares[-1].group()

    metric = find_metric(text[clause_start:start])
    if metric is None and (is_change or comparison) and same_sentence and previous:
        inherited = previous.metric
    else:
        inherited = None
    if metric is None and inherited is None:
        between_start = previous.end if same_sentence and previous else sentence_start
        metric = find_metric(text[between_start:start]) or find_metric(text[end:clause_end])

    target = None
    target_before = list(_TARGET_BEFORE.finditer(folded, clause_start, start))
    if target_before:
        target = target_before[-1].group()
    target_after = _TARGET_AFTER.match(folded[end:clause_end])
    if target_after and (target is None or target_after.group(1) in _BOUND_WORDS):
        target = target_after.group(1)
    if found.bound:
        target = found.bound
    if target is None and _goes_on_with_targets(
        folded, previous, clause_start, start, same_sentence
    ):
        target = previous.target  # type: ignore[union-attr]

    unit = normalise_unit(found.unit_written)
    return Quantity(
        value=found.value,
        text=text[start:end],
        start=start,
        end=end,
        number_text=found.number_text,
        form=found.form,  # type: ignore[arg-type]
        unit=unit.canonical if unit else found.unit_written,
        unit_written=text[end - len(found.unit_written) : end]
        if found.unit_written and folded[end - len(found.unit_written) : end] == found.unit_written
        else found.unit_written,
        places=found.places,
        high=found.high,
        terms=found.terms,
        category=found.category,
        approx=found.approx,
        metric=metric.name if metric else inherited,
        context=text[clause_start:start],
        period=tuple(m.group() for m in _PERIOD.finditer(folded, *period_bounds)),
        comparison=comparison,
        direction=direction,
        is_change=is_change,
        target=target,
    )


_LIST_TARGETS = ("目标", "力争", "确保", "控制在")
_NOT_A_TARGET = re.compile(r"实际|完成|达到了|已|同比|较|比上年|比去年|目前|现状")


def _goes_on_with_targets(
    folded: str, previous: Quantity | None, clause_start: int, start: int, same_sentence: bool
) -> bool:
    """A list of targets goes on in the next clause without its word (改善目标为PM2.5 39微克/
    立方米，优良天数比例为82.7%): the clause right after a target, with no actual-value word."""
    if previous is None or not same_sentence or previous.target not in _LIST_TARGETS:
        return False
    between = folded[previous.end : clause_start]
    return bool(re.fullmatch(r"\s*[,，;；]\s*", between)) and not _NOT_A_TARGET.search(
        folded[clause_start:start]
    )


def extract_numbers(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order, with spans into ``text`` itself."""
    folded = text.translate(_FOLD)
    quantities: list[Quantity] = []
    for found in _scan(folded):
        quantity_text = text[found.start : found.end]
        if _quoted_name(text, found.start, found.end, quantity_text, bool(found.unit_written)):
            continue
        quantities.append(_context(text, folded, found, quantities[-1] if quantities else None))
    return quantities
