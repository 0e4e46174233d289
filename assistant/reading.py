"""Read a past summary (.docx, .txt, .md) into cleaned text blocks, the original wording kept.

Past summaries arrive copied from web pages, converted from PDF or saved by old Windows tools, so
reading also detects the encoding, drops web-page debris and re-joins lines a PDF broke. What is
kept is the original text: matching (BM25, dedup) uses ``normalise_for_matching`` on top of it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

from .errors import InputError
from .types import Block, BlockStyle, Document
from .word import read_blocks

SUPPORTED_SUFFIXES = (".docx", ".txt", ".md")

_FIGURES_FILE = re.compile(r"figures-.*\.(csv|xlsx|ya?ml)", re.IGNORECASE)
_SIDECAR = re.compile(r".*\.meta\.(ya?ml|json)", re.IGNORECASE)


def is_corpus_file(name: str) -> bool:
    """Files inside a folder that are not past summaries: hidden files, helper scripts, figures
    files, READMEs and metadata sidecars. (A file named explicitly is always read.)"""
    return not (
        name.startswith(".")
        or (name.startswith("_") and name.endswith(".py"))
        or _FIGURES_FILE.fullmatch(name)
        or name.lower() == "readme.md"
        or _SIDECAR.fullmatch(name)
    )


# --- the heading ladder: 一、 → （一） → 1. → （1） -------------------------------------------

_CN_NUMERAL = "一二三四五六七八九十百零〇"
_NUMBERING = (
    (1, re.compile(rf"^[{_CN_NUMERAL}]+\s*[、.．]")),
    (2, re.compile(rf"^[（(]\s*[{_CN_NUMERAL}]+\s*[）)]")),
    (3, re.compile(r"^\d{1,2}\s*(?:、|[.．](?!\d))")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")),
    # Web copies strip Arabic digits ("先后次到"), leaving "、开展…" where "1、开展…" stood.
    (3, re.compile(r"^、")),
)


def numbering(text: str) -> tuple[int, str] | None:
    """The heading-ladder level (1-4) of a line's leading number and the number itself, if any."""
    for level, pattern in _NUMBERING:
        found = pattern.match(text)
        if found:
            return level, found.group(0)
    return None


_SENTENCE_END = "。！？!?；;：:…"
_CLOSERS = "”’」』）)"


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (closing quotes/brackets after the stop count too)."""
    text = text.rstrip()
    while text and text[-1] in _CLOSERS:
        if len(text) >= 2 and text[-2] in _SENTENCE_END:
            return True
        text = text[:-1]
    return bool(text) and text[-1] in _SENTENCE_END


def is_short_heading(text: str) -> bool:
    """A numbered line short enough to be a heading on its own line (no full sentence inside)."""
    if numbering(text) is None or len(text) > 40:
        return False
    body = text.rstrip("。")
    return "。" not in body


_DOC_WORDS = re.compile(r"总结|计划|安排|打算|报告|工作")
_YEAR_OR_PERIOD = re.compile(
    r"20\d\d|20[xX×]{2}|202[xX×]|季度|半年|全年|年度|1\s*[-—–至~]\s*\d{1,2}\s*月"
)


def is_title_like(text: str) -> bool:
    """A document title: names the kind of document and a year or period, and is not a sentence."""
    text = text.strip()
    if not 4 <= len(text) <= 60 or numbering(text) or "。" in text or ends_sentence(text):
        return False
    if re.search("[，,；;]", text):  # a clause of a sentence a PDF broke, not a title
        return False
    if not _DOC_WORDS.search(text):
        return False
    return bool(_YEAR_OR_PERIOD.search(text)) or (
        len(text) <= 40 and re.search(r"总结|计划", text) is not None
    )


_TITLE_DATE_SUFFIX = re.compile(r"\s*[（(]\s*\d{6,8}\s*[）)]\s*$")


def clean_title(text: str) -> str:
    """A title as shown: without the page date a web copy appends, e.g. "…总结(20240412)"."""
    return _TITLE_DATE_SUFFIX.sub("", text.strip())


# --- matching form ---------------------------------------------------------------------------

_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
_ASCII_ROMAN_CLASS = re.compile(r"(?<![A-Za-z])(III|II|IV|V|I)(?=\s*类)|(?<=优)(III|II|I)")
_FOLD = str.maketrans(
    {"—": "-", "–": "-", "－": "-", "―": "-", "〜": "~", "～": "~"}
    | {chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}  # ASCII only: Ⅱ stays Ⅱ
    | {chr(c): chr(c - 16) for c in range(0x2170, 0x2180)}  # small roman ⅱ → Ⅱ
)
_SPACES = re.compile(r"\s+")


def normalise_for_matching(text: str) -> str:
    """The form used for BM25 tokens, keyword rules and dedup — never shown to users.

    NFKC folds full-width letters, digits and punctuation to half-width (（）→(), ，→",", ：→":",
    ％→%, ２０２４→2024) and subscripts (PM₂.₅→PM2.5), because real files mix both widths.
    ASCII letters are lower-cased (PM2.5/pm2.5). 。、“” stay as they are: they have no
    half-width twin. Water-class Roman numerals are kept as Ⅰ..Ⅴ (NFKC would spell them "II"),
    and ASCII numerals before 类 ("III类", "优III") become Ⅰ..Ⅴ too, so all spellings meet.
    Dashes (—, –, －) become "-" so "1—3月" matches "1-3月"; runs of whitespace become one space.
    """
    folded = "".join(
        char if "\u2160" <= char <= "\u217f" else unicodedata.normalize("NFKC", char)
        for char in text
    )
    folded = _ASCII_ROMAN_CLASS.sub(lambda m: _ROMAN[m.group(1) or m.group(2)], folded)
    folded = folded.translate(_FOLD)
    return _SPACES.sub(" ", folded).strip()


# --- decoding --------------------------------------------------------------------------------


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text file as UTF-8 (with or without BOM) or GB18030 (covers GBK/GB2312).

    Binary files (NUL bytes, or mostly undecodable) are refused rather than indexed as garbage.
    """
    if b"\x00" in data[:8192]:
        raise _not_text(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        if _mostly_control(text):
            raise _not_text(path)
        return text, encoding
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 50) or _mostly_control(text):
        raise _not_text(path)
    return text, "gb18030"


def _mostly_control(text: str) -> bool:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\r\n\t\f")
    return controls > max(3, len(text) // 50)


def _not_text(path: Path) -> InputError:
    return InputError(
        "不是文本文件 (含有二进制内容，可能是改了扩展名的其他文件)",
        path=str(path),
        hint="导入 .docx、.txt (UTF-8 或 GBK) 或 .md 文件",
    )


# --- web-page debris -------------------------------------------------------------------------

# Everything from one of these lines on is the web page around the document, not the document.
_END_MARKERS = re.compile(
    r"^(相关阅读|相关推荐|相关文章|推荐阅读|猜你喜欢|热门推荐|最近更新|热门文章|预览阅读已结束)"
)
_DEBRIS_ANYWHERE = re.compile(
    r"申明敬告|声明敬告|版权所有|copyright|©|https?://|www\.|\.com\b|\.cn\b|"
    r"联系老师|代笔|代写|免费下载|返回顶部|打印本页|关闭窗口|上一篇|下一篇|"
    r"发布(时间|日期)[:：]\s*\d{4}|浏览(次数)?[:：]?\s*\d+\s*次|网友投稿",
    re.IGNORECASE,
)
# A menu: three or more short items between bars ("登录 | 注册 | 会员中心 | 投稿").
_MENU = re.compile(r"^[^|｜]{1,8}(\s*[|｜]\s*[^|｜]{1,8}){2,}$")
_DEBRIS_SHORT = re.compile(
    r"站点导航|网站导航|网站首页|首页|当前位置|您的位置|下载|点击|^广告|责任编辑|浏览次数|"
    r"阅读次数|阅读量|分享到|来源[:：]|字号|扫码|扫一扫|关注公众号"
)
_BYLINE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(\s+\S{0,20})?$")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9\uff10-\uff19\uff21-\uff5a\u2160-\u217f]")


def is_debris(line: str) -> bool:
    """A line of the web page around the text: navigation, bylines, ads, links, rules."""
    if _DEBRIS_ANYWHERE.search(line):
        return True
    if len(line) <= 30 and not ends_sentence(line) and _DEBRIS_SHORT.search(line):
        return True
    if _BYLINE.match(line) or _MENU.match(line.strip()):
        return True
    return len(_WORDLIKE.findall(line)) < 0.3 * len(line)


def strip_debris(lines: list[str]) -> list[str]:
    """Debris lines blanked and everything from an end marker such as 相关阅读 on dropped."""
    kept: list[str] = []
    for line in lines:
        if _END_MARKERS.match(line):
            break
        kept.append("" if line and is_debris(line) else line)
    return kept


# --- site notices, page numbers, PDF spacing, flattened headings ----------------------------

# 【仅供学习参考。…】, 查看更多, 文档介绍: a document site's notices inside the text;
# （此件主动公开）: a government site's publication mark above it
_NOTICE = re.compile(
    r"【[^】\n]{0,30}?(?:仅供|参考|下载|会员|复制|版权|VIP)[^】\n]{0,30}?(?:】|(?=[。\n])。?|$)"
    r"|查看更多|文档介绍|展开全文|全文阅读|阅读全文|收起全文"
    r"|[（(]此件[^）)\n]{0,6}公开[^）)\n]{0,4}[）)]。?"
)
_PAGE_NUMBER = re.compile(r"[—–-]\s*\d{1,3}\s*[—–-](?!\d)")  # — 2 — from a PDF's pages
_SPACE = r"[ \u3000\xa0]+"
_PDF_SPACING = re.compile(
    rf"(?<=[\u4e00-\u9fff，。；：、“”（）《》])({_SPACE})(?=[\u4e00-\u9fff\d“（《])"
    rf"|(?<=[\d%])({_SPACE})(?=[\u4e00-\u9fff])"
)


def tidy(line: str) -> str:
    """A line without site notices and page numbers, and without the spaces a PDF copy puts
    inside Chinese text (执法权 责 → 执法权责, 2023 年 → 2023年, 为 97.2% → 为97.2%)."""
    line = _PAGE_NUMBER.sub("", _NOTICE.sub("", line))
    return _PDF_SPACING.sub("", line).strip()


_LADDER = r"(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
_AFTER_SENTENCE = re.compile(rf"(?<=[。！？；])\s*(?={_LADDER})")
_SECOND_LEVEL = re.compile(r"[（(][一二三四五六七八九十]+[）)]")
_TITLE_RUN_IN = re.compile(
    r"^[^，,。；]{4,50}?(?:工作总结|工作计划|工作安排|工作思路|汇报材料|工作汇报|工作要点)(?=20\d\d年)"
)


def split_flattened(paragraphs: list[str]) -> list[str]:
    """A flattened document's paragraph cut where its headings run inline: before 一、 or （一）
    right after a sentence's end, and between a 一、 heading and the （一） that follows it."""
    out: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        title = _TITLE_RUN_IN.match(paragraph) if index < 3 else None
        if title:  # 2023年…工作总结及2024年工作安排2023年是… : the title ran into the text
            out.append(title.group(0))
            paragraph = paragraph[title.end() :]
        for piece in _AFTER_SENTENCE.split(paragraph):
            if not piece.strip():
                continue
            inner = _SECOND_LEVEL.search(piece, 2)
            if re.match(r"[一二三四五六七八九十]+、", piece) and inner and inner.start() <= 40:
                head = piece[: inner.start()]
                if not re.search(r"[。！？；，]", head):
                    out += [head, piece[inner.start() :]]
                    continue
            out.append(piece)
    return out


def once(paragraphs: list[str]) -> list[str]:
    """A title a web page repeats (the page's heading, then the document's) kept once."""
    seen: set[str] = set()
    kept = []
    for paragraph in paragraphs:
        key = re.sub(r"\s", "", paragraph)
        if is_title_like(paragraph) and key in seen:
            continue
        seen.add(key)
        kept.append(paragraph)
    return kept


# --- broken lines ----------------------------------------------------------------------------


def _stands_alone(line: str) -> bool:
    """Lines that are whole by themselves: titles, short headings, short unpunctuated labels."""
    if is_title_like(line) or is_short_heading(line):
        return True
    return len(line) <= 40 and not re.search(r"[，,、；;：:。]", line)


# A line that stops inside a unit (微克/立方 | 米, 吨/平方公里· | 月) is never whole, however short.
_INSIDE_UNIT = re.compile(r"(?:[/／·]|/\s*(?:立方|平方|平方公|立|平))\s*$")


def _inside_unit(line: str) -> bool:
    return bool(_INSIDE_UNIT.search(line))


def join_broken_lines(lines: list[str]) -> list[str]:
    """Re-join paragraphs a PDF or web copy broke mid-sentence, even across a blank line.

    A line is continued by the next non-blank line when it does not end a sentence, is not a
    title, heading or short label, and the next line does not start a heading or 一是-style item;
    a line broken inside a unit (微克/立方 | 米) is always continued.
    """
    paragraphs: list[str] = []
    open_paragraph = False
    for line in lines:
        if not line:
            continue
        starts_new = (
            numbering(line) is not None
            or is_title_like(line)
            or bool(re.match(rf"^[{_CN_NUMERAL}]是", line))
        )
        if open_paragraph and not starts_new:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        current = paragraphs[-1]
        open_paragraph = _inside_unit(current) or (
            not ends_sentence(current) and not _stands_alone(current)
        )
    return paragraphs


# --- markdown --------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s*([-*_]\s*){3,}$")
_MD_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"<[^>]+>"), ""),
)


def _strip_inline_markdown(text: str) -> str:
    """Markup out, then entities back to text (our .md writes &lt; for a < in the text)."""
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return html.unescape(text).strip()


def _markdown_line(line: str) -> tuple[str, BlockStyle] | None:
    """One markdown line as (text, style); None for rules and table separators."""
    if _MD_RULE.match(line) or _MD_TABLE_SEPARATOR.match(line):
        return None
    heading = _MD_HEADING.match(line)
    if heading:
        level = min(len(heading.group(1)), 4)
        return _strip_inline_markdown(heading.group(2)), f"h{level}"  # type: ignore[return-value]
    if line.startswith("|") and line.endswith("|"):
        cells = [_strip_inline_markdown(cell) for cell in line.strip("|").split("|")]
        return "\t".join(cells), "table"
    line = re.sub(r"^(>\s*)+", "", line)
    line = re.sub(r"^[-*+]\s+", "", line)  # bullets; "1." is the heading ladder, so it stays
    return _strip_inline_markdown(line), "body"


# --- reading ---------------------------------------------------------------------------------


def _plain_lines(text: str) -> list[str]:
    return [line.strip().strip("\u3000").strip() for line in text.splitlines()]


def _text_blocks(text: str) -> list[Block]:
    lines = [tidy(line) for line in _plain_lines(text)]
    paragraphs = join_broken_lines(strip_debris(lines))
    return [Block(text=p) for p in once(split_flattened(paragraphs))]


def _markdown_blocks(text: str) -> list[Block]:
    """Markdown: markup removed (before debris, so links are not taken for web junk); # headings
    keep a heading style; body paragraphs are re-joined like plain text."""
    parsed = [_markdown_line(line) if line else ("", "body") for line in _plain_lines(text)]
    lines = [p for p in parsed if p is not None]
    texts = strip_debris([line for line, _ in lines])
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        blocks.extend(Block(text=p) for p in join_broken_lines(pending))
        pending.clear()

    for line, (_, style) in zip(texts, lines, strict=False):
        if style == "body":
            pending.append(line)
            continue
        flush()
        if line.strip():
            blocks.append(Block(text=line, style=style))
    flush()
    return blocks


def _docx_blocks(path: Path) -> list[Block]:
    """Non-empty .docx paragraphs and table rows, debris dropped; Word keeps paragraphs whole."""
    blocks = []
    for block in read_blocks(path):
        text = block.text.strip().strip("\u3000").strip()
        if not text.replace("\t", ""):
            continue
        if block.style != "table" and is_debris(text):
            continue
        blocks.append(Block(text=text, style=block.style))
    return blocks


def _find_title(blocks: list[Block]) -> str:
    """The title: a docx/markdown title style, else the first title-like line near the top —
    or a later one that spells it out in full: a web page's own heading often shortens the
    document's title ("区生态环境局…" above "示例区生态环境局…")."""
    title = ""
    for block in blocks[:8]:
        if block.style == "title":
            return clean_title(block.text)
        if is_title_like(block.text):
            found = clean_title(block.text)
            if not title or (len(found) > len(title) and found.endswith(title)):
                title = found
    return title


def read_document(path: Path) -> Document:
    """Read and clean one past summary; raises InputError for anything that cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"不支持的文件类型 “{path.suffix or '(无扩展名)'}”",
            path=str(path),
            hint="支持 .docx、.txt、.md；.doc 和 .pdf 请先在 Word 中另存为 .docx",
        )
    if not path.is_file():
        raise InputError("文件不存在", path=str(path))
    encoding: str | None = None
    if suffix == ".docx":
        blocks = _docx_blocks(path)
    else:
        data = path.read_bytes()
        if not data.strip():
            raise InputError("文件为空", path=str(path))
        text, encoding = decode_text(data, path)
        if not text.strip():
            raise InputError("文件为空", path=str(path))
        blocks = _markdown_blocks(text) if suffix == ".md" else _text_blocks(text)
    if not blocks:
        raise InputError(
            "文件为空 (去掉网页导航、广告等杂项后没有正文)",
            path=str(path),
            hint="确认文件里是工作总结的正文",
        )
    return Document(path=path, title=_find_title(blocks), encoding=encoding, blocks=blocks)
