"""The sentence gate: every paragraph a writer or a revision hands over leaves whole.

Reused sentences lose clauses (an old number, a foreign name) and model replies come with
half-width punctuation; what is left must still read as an office's text. ``problems`` names
what is wrong, ``mend`` repairs what can be repaired mechanically (full-width punctuation, spaces
inside Chinese text, a leading comma or connective, empty brackets, a heading run into the body)
and drops a sentence that cannot be (words left dangling where a number or a name was cut,
unbalanced quotes or brackets). Figure references (``{{id}}``) count as numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import domain
from .render import ITEM_MARK, REFERENCE

_PUA = 0xE000  # references are swapped for private-use characters while the gate looks
HAN = r"\u4e00-\u9fff"
NUM = r"\d\ue000-\uf8ff"  # a digit or a protected reference
_OPEN_CLOSE = (("“", "”"), ("（", "）"), ("《", "》"), ("【", "】"), ("〔", "〕"), ("‘", "’"))
_SENTENCE = re.compile(r"[^。！？]*(?:[。！？]+[”’）]?|$)")
_LEADING_PUNCT = re.compile(r"^[，。、；：！？,.;:!?）)】》”’\s]+")
_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+是|\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十\d]+[）)])"
)
_HEADING_LINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?!\d))"
)
# a heading marker right after a sentence's end: the next heading ran into this paragraph
INLINE_HEADING = re.compile(
    r"(?<=[。；！？])\s*(?=[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
)
_EMPTY_PAIR = re.compile(r"“\s*”|（\s*）|\(\s*\)|《\s*》|【\s*】|\[\s*\]|〔\s*〕")
_SPACE_IN_HAN = re.compile(
    rf"(?<=[{HAN}{NUM}%，。；：、“”（）《》])[ \t\u3000\xa0]+(?=[{HAN}])|"
    rf"(?<=[{HAN}，。；：、“”（）《》])[ \t\u3000\xa0]+(?=[{NUM}])"
)
_HALF = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT = re.compile(
    rf"(?<=[{HAN}”）》%\ue000-\uf8ff])\s*([,;:?!])|([,;:?!])\s*(?=[{HAN}“（《])|(?<=\d)([,;])(?=[A-Za-z])"
)
_HALF_PAREN = re.compile(rf"\(([^()]*[{HAN}][^()]*)\)")

# Words a cut number or name leaves behind (力争年建成, 为。, 同比，, 检查余次, 先后次到).
_DANGLING = [
    (re.compile(r"(?:力争|截止|截至|预计|计划|争取|于|在)年(?![底初内中末度份])"), "“年”前缺年份"),
    (
        re.compile(rf"(?<![{NUM}一二三四五六七八九十本每上下当次去今明同前])月(?:[{NUM}]*日|份)"),
        "“月”前缺月份",
    ),
    (
        re.compile(
            r"(?:(?<![认以作成因称视行有无所更广])为|(?<![下传表送抵到发通直转])达到?"
            r"|(?<![制节签契公条简预])约|(?<![公总])共计?|合计|累计)(?=[。，；、）])"
        ),
        "“为/达/共”后缺数值",
    ),
    (re.compile(r"同比(?=[。，；、）])"), "“同比”后缺变化"),
    (
        re.compile(
            rf"(?<![{NUM}一二三四五六七八九十百千万其剩多])余(?:次|家|人次|件|起|万|份|个|吨|亩|名|篇|条|批)"
        ),
        "“余”前缺数值",
    ),
    (re.compile(rf"(?<![{NUM}一二三四五六七八九十百千万余多几])人次"), "“人次”前缺数值"),
    (re.compile(rf"(?<![{NUM}.])[%％]"), "“%”前缺数值"),
    (re.compile(rf"(?<![{NUM}一二三四五六七八九十几])个百分点"), "“个百分点”前缺数值"),
    (re.compile(r"先后次|共计?对个|对(?:个|家)(?=[建项企重])|[^人]员人次"), "量词前缺数值"),
    (
        re.compile(
            r"(?:共|计|达|有|验收|审批|受理|检查|查处)(?:家|件|起|个|份|批|封|项)(?=[，。；、])"
        ),
        "量词前缺数值",
    ),
    (re.compile(rf"[{HAN}][，、](?:[，、；。])"), "连续标点"),
]


@dataclass(frozen=True)
class Problem:
    rule: str
    text: str  # the sentence (or paragraph) it was found in

    def __str__(self) -> str:
        excerpt = self.text if len(self.text) <= 40 else self.text[:38] + "…"
        return f"{self.rule}：{excerpt}"


def connectives() -> tuple[str, ...]:
    """Connectives that need a sentence before them (domain pack data), longest first."""
    return _connectives(domain.current())


@cache
def _connectives(pack: domain.Domain) -> tuple[str, ...]:
    words = domain.file_data(pack, "connectives.yaml")["leading"]
    return tuple(sorted(words, key=len, reverse=True))


# what the gate leaves whole: figure references and item marks (each stands in as one character)
_PROTECTED = re.compile(f"{REFERENCE.pattern}|{ITEM_MARK.pattern}")


def _protect(text: str) -> tuple[str, list[str]]:
    refs: list[str] = []

    def swap(match: re.Match[str]) -> str:
        refs.append(match.group(0))
        return chr(_PUA + len(refs) - 1)

    return _PROTECTED.sub(swap, text), refs


def _restore(text: str, refs: list[str]) -> str:
    return re.sub(r"[\ue000-\uf8ff]", lambda m: refs[ord(m.group(0)) - _PUA], text)


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.findall(paragraph) if s.strip()]


def is_heading(line: str) -> bool:
    """A heading line: it opens with a ladder marker and is short with no sentence inside."""
    line = line.strip()
    return bool(_HEADING_LINE.match(line)) and len(line) <= 40 and "。" not in line.rstrip("。")


def _balanced(sentence: str) -> bool:
    for opening, closing in _OPEN_CLOSE:
        depth = 0
        for char in sentence:
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return sentence.count('"') % 2 == 0


def _leading_connective(sentence: str) -> str | None:
    body = _ITEM.sub("", sentence, count=1)
    for word in connectives():
        if body.startswith(word):
            return word
    return None


def sentence_problems(sentence: str, first: bool) -> list[str]:
    """Rules for one sentence (references already protected); ``first`` of its paragraph."""
    found = []
    if _LEADING_PUNCT.match(sentence):
        found.append("以标点开头")
    if not _balanced(sentence):
        found.append("引号或括号不成对")
    if first and _leading_connective(sentence):
        found.append("开头的连接词没有前文")
    for pattern, rule in _DANGLING:
        if pattern.search(sentence):
            found.append(rule)
    if _HALF_PUNCT.search(sentence) or _HALF_PAREN.search(sentence):
        found.append("半角标点")
    if _SPACE_IN_HAN.search(sentence):
        found.append("中文或数字间有空格")
    if _EMPTY_PAIR.search(sentence):
        found.append("空的引号或括号")
    return found


def problems(text: str) -> list[str]:
    """Every sentence-gate failure in a text (one paragraph a line), as readable lines."""
    found: list[Problem] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or is_heading(line):
            continue
        protected, refs = _protect(line)
        if INLINE_HEADING.search(protected) or (
            _HEADING_LINE.match(protected)
            and (re.match(r"^[^。]{2,40}?[（(][一二三四五六七八九十]+[）)]", protected))
        ):
            found.append(Problem("标题混入正文", line))
        for index, sentence in enumerate(split_sentences(protected)):
            for rule in sentence_problems(sentence, index == 0):
                found.append(Problem(rule, _restore(sentence, refs)))
    return [str(p) for p in found]


def _normalise(paragraph: str) -> str:
    paragraph = _SPACE_IN_HAN.sub("", paragraph)
    paragraph = _HALF_PUNCT.sub(lambda m: _HALF[m.group(1) or m.group(2) or m.group(3)], paragraph)
    paragraph = _HALF_PAREN.sub(r"（\1）", paragraph)
    paragraph = _EMPTY_PAIR.sub("", paragraph)
    return re.sub(r"([，；、])[，；、]+", r"\1", paragraph)


def _mend_sentence(sentence: str, first: bool) -> str:
    item = _ITEM.match(sentence)
    prefix = item.group(0) if item else ""
    body = _LEADING_PUNCT.sub("", sentence[len(prefix) :])
    if first or prefix:
        word = _leading_connective(body)
        while word:
            body = _LEADING_PUNCT.sub("", body[len(word) :])
            word = _leading_connective(body)
    return prefix + body if body.strip("。！？ ") else ""


def mend_paragraph(paragraph: str) -> list[str]:
    """One paragraph mended: possibly split where a heading ran in, possibly empty."""
    protected, refs = _protect(paragraph.strip())
    pieces = [p for p in INLINE_HEADING.split(_normalise(protected)) if p.strip()]
    out = []
    for piece in pieces:
        kept: list[str] = []
        for sentence in split_sentences(piece):
            sentence = _mend_sentence(sentence, first=not kept)
            if sentence and not sentence_problems(sentence, first=not kept):
                kept.append(sentence)
        text = "".join(kept).strip()
        if text:
            out.append(_restore(text, refs))
    return out


def mend(text: str) -> str:
    """The text with every paragraph mended (headings kept as they are), one paragraph a line."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#") or is_heading(stripped):
            lines.append(stripped)
            continue
        lines.extend(mend_paragraph(stripped))
    return "\n".join(lines)
