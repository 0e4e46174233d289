"""The domain pack: it loads, a broken pack is one clear error naming file and key, a new topic
is one YAML edit, and no module outside assistant/domain.py names a word of the domain."""

from __future__ import annotations

import io
import re
import shutil
import tokenize
from pathlib import Path

import pytest
import yaml

from assistant import domain
from assistant.chat import find_topics, parse_intent
from assistant.errors import ConfigError
from assistant.figures import load_figures
from assistant.numbers import extract_numbers
from assistant.outline import derive_outline, parse_period, section_topics
from assistant.retrieve import expand_query
from assistant.splitting import classify_topic, detect_unit

PACK = domain.PACKS_DIR / domain.DEFAULT_DOMAIN
ASSISTANT = Path(domain.__file__).resolve().parent


def test_default_pack_loads_and_answers() -> None:
    pack = domain.current()
    assert pack.name == "生态环境"
    assert domain.topics()[:3] == ("大气", "水", "土壤")
    assert domain.default_topic() == "综合"
    assert domain.find_metric("上半年PM2.5浓度为38.4").name == "PM2.5平均浓度"  # type: ignore[union-attr]
    assert domain.metric_topic("断面水质") == "水"
    assert domain.section_name("大气") == "大气污染防治"
    assert domain.topic_heading("大气", "summary").startswith("深入打好蓝天保卫战")
    assert domain.topic_heading("党建", "plan") == "持续加强党的建设"
    assert domain.topic_heading("人防", "plan") == "持续抓好人防工作"  # the generic titles
    assert "蓝天" in domain.chat_words("大气")
    assert any("空气" in asked for asked, _written in domain.thesaurus())
    assert domain.patterns()["parts"]["problems"] == "存在的问题"
    assert detect_unit("示例区生态环境局2025年上半年工作总结") == "示例区生态环境局"
    assert detect_unit("区生态环境局工作总结") is None  # a level, not a unit
    assert domain.load("生态环境") is pack  # cached by name


def _copy_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    return folder


def _edit(folder: Path, file: str, change: object) -> None:
    path = folder / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "change", "key", "words"),
    [
        (
            "topics.yaml",
            lambda d: d["topics"]["大气"]["keywords"].update({"pm2.5": "三"}),
            "topics.大气.keywords.pm2.5",
            "integer",
        ),
        (
            "topics.yaml",
            lambda d: d["topics"]["水"].update({"chat_wrods": ["水"]}),
            "topics.水.chat_wrods",
            "Extra inputs",
        ),
        (
            "metrics.yaml",
            lambda d: d["metrics"][0].update({"topic": "海洋"}),
            "metrics.0.topic",
            "海洋",
        ),
        (
            "metrics.yaml",
            lambda d: d["metrics"][1].update({"kind": "speed"}),
            "metrics.1.kind",
            "concentration",
        ),
        (
            "metrics.yaml",
            lambda d: d["metrics"][0].update({"unit": "光年"}),
            "metrics.0.unit",
            "光年",
        ),
        (
            "thesaurus.yaml",
            lambda d: d["entries"][0].update({"asked": "空气("}),
            "entries.0.asked",
            "正则",
        ),
        ("domain.yaml", lambda d: d.update({"collection": "环境"}), "collection", "pattern"),
        ("patterns.yaml", lambda d: d.pop("opening"), "opening", "required"),
        (
            "metric_hints.yaml",
            lambda d: d["words"].update({"海洋": ["海域"]}),
            "words.海洋",
            "海洋",
        ),
        (
            "dated.yaml",
            lambda d: d["phrases"][0].update({"until": "去年"}),
            "phrases.0.until",
            "int",
        ),
    ],
)
def test_broken_pack_is_one_error_naming_file_and_key(
    tmp_path: Path, file: str, change: object, key: str, words: str
) -> None:
    folder = _copy_pack(tmp_path)
    _edit(folder, file, change)
    with pytest.raises(ConfigError) as caught:
        domain.load(str(folder))
    message = str(caught.value)
    assert file in message and key in message and words in message, message


def test_missing_file_or_unknown_pack_says_so(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    (folder / "thesaurus.yaml").unlink()
    with pytest.raises(ConfigError, match=r"thesaurus\.yaml.*缺少这个文件"):
        domain.load(str(folder))
    with pytest.raises(ConfigError, match="找不到领域包“教育”") as caught:
        domain.load("教育")
    assert "生态环境" in str(caught.value)


_SEA = {
    "section": "海洋生态环境保护",
    "chat_words": ["海洋", "近海"],
    "keywords": {"海洋": 3, "近岸海域": 3, "海湾": 3, "入海河流": 2, "海漂垃圾": 2},
    "headings": {
        "neutral": "持续推进美丽海湾建设",
        "summary": "持续推进美丽海湾建设，近岸海域水质稳中向好",
        "plan": "深入推进美丽海湾建设",
        "problem": "近岸海域水质稳定达标基础仍不牢固",
    },
    "measures": ["深化入海河流总氮治理", "开展海漂垃圾常态化清理"],
    "plans": ["推进美丽海湾示范建设，巩固近岸海域水质"],
}


def test_adding_a_topic_is_one_yaml_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack copy with 海洋 added to topics.yaml (nothing else) and chosen by the setting:
    classification, the outline's section title and the chat words all pick it up."""
    folder = _copy_pack(tmp_path)
    _edit(folder, "topics.yaml", lambda d: d["topics"].update({"海洋": _SEA}))
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "id,指标,数值,单位,期间,上年同期,来源,主题\n"
        "sea_good,近岸海域水质优良比例,92.5,%,2025年上半年,90.1,区海洋监测站,海洋\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASSISTANT_DOMAIN", str(folder))
    domain.reset()  # the next question reads the setting

    assert domain.current().folder == folder.resolve()
    assert domain.topics()[-1] == "海洋"
    assert classify_topic(("（五）持续推进美丽海湾建设",), "开展入海河流排查") == "海洋"
    assert section_topics("海洋生态环境保护") == ("海洋",)
    assert find_topics("近海那块写一下") == ["海洋"]  # a chat word, not a keyword
    intent = parse_intent("帮我起草上半年海洋部分", has_draft=False)
    assert (intent.action, intent.topic, intent.section) == ("draft", "海洋", "海洋生态环境保护")
    outline = derive_outline(
        load_figures(figures), parse_period("2025年上半年"), "示例区生态环境局", None
    )
    headings = [s.heading for s in outline.sections if s.heading]
    # the genre's expected sections (shape.yaml) come first; 海洋 has its own after them
    assert any(h.endswith("）持续推进美丽海湾建设，近岸海域水质稳中向好") for h in headings)
    assert any(h.endswith("）深入推进美丽海湾建设") for h in headings)  # its plan section

    domain.use(domain.DEFAULT_DOMAIN)  # the shipped pack knows no 海洋
    assert "海洋" not in domain.topics() and find_topics("近海那块写一下") == []
    assert classify_topic(("（五）持续推进美丽海湾建设",), "开展入海河流排查") != "海洋"


def test_a_new_metric_is_one_yaml_edit(tmp_path: Path) -> None:
    folder = _copy_pack(tmp_path)
    metric = {"name": "近岸海域水质优良比例", "aliases": ["近岸海域优良比例"], "topic": "综合"}
    metric |= {"unit": "%", "units": ["%"], "better": "higher", "kind": "rate"}
    _edit(folder, "metrics.yaml", lambda d: d["metrics"].append(metric))
    domain.use(folder)
    found = domain.find_metric("近岸海域优良比例达92.5%")
    assert found is not None and found.name == "近岸海域水质优良比例"
    assert "近岸海域水质优良比例" in expand_query("近岸海域优良比例怎么样")


# --- no domain word outside the pack ---------------------------------------------------------

# Words only a 生态环境局 document uses; none may appear in a string a module outside
# assistant/domain.py uses as code (docstrings and comments may still give examples).
DOMAIN_WORDS = (
    "大气", "PM2.5", "PM10", "优良天数", "断面", "生态环境局", "环保局", "蓝天", "碧水", "净土",
    "土壤", "固废", "危废", "危险废物", "臭氧", "水质", "环评", "污染", "降尘", "扬尘", "河长",
    "秸秆", "VOCs", "排污", "水环境", "空气质量", "微克",
)  # fmt: skip
# Modules allowed to keep a domain word, each with the reason (none today).
ALLOWED: dict[str, str] = {}


# Python 3.12 splits an f-string into parts; 3.11 gives one STRING token.
_STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    found = []
    skip = {tokenize.NL, tokenize.COMMENT}
    for index, token in enumerate(tokens):
        if token.type not in _STRING_TOKENS:
            continue
        before = [t for t in tokens[:index] if t.type not in skip]
        after = next((t for t in tokens[index + 1 :] if t.type not in skip), None)
        starts = not before or before[-1].type in (tokenize.INDENT, tokenize.NEWLINE)
        if starts and after is not None and after.type == tokenize.NEWLINE:
            continue  # a docstring (or a bare string statement)
        found.append((token.start[0], token.string))
    return found


def test_no_module_outside_the_pack_names_a_domain_word() -> None:
    pattern = re.compile("|".join(re.escape(w) for w in DOMAIN_WORDS), re.IGNORECASE)
    offending = []
    for path in sorted(ASSISTANT.rglob("*.py")):
        relative = path.relative_to(ASSISTANT).as_posix()
        if relative == "domain.py" or relative in ALLOWED:
            continue
        for line, text in _code_strings(path):
            for word in pattern.findall(text):
                offending.append(f"assistant/{relative}:{line}: {word}")
    assert not offending, "domain words outside the pack:\n" + "\n".join(offending)


def test_the_word_test_can_fail(tmp_path: Path) -> None:
    """The scan sees code strings (also f-strings) and skips docstrings."""
    sample = tmp_path / "m.py"
    sample.write_text('"""大气 in a docstring."""\nX = "水质"\nY = f"{X}臭氧"\n', encoding="utf-8")
    strings = [text for _line, text in _code_strings(sample)]
    assert any("水质" in s for s in strings) and any("臭氧" in s for s in strings)
    assert not any("大气" in s for s in strings)


def test_switching_packs_switches_every_table() -> None:
    """Tables derived from a pack (unit spellings, thesaurus, …) follow the active pack: a
    first use under another pack leaves nothing behind."""
    domain.use("应急管理")
    assert extract_numbers("PM2.5浓度20微克/立方米")[0].unit != "微克/立方米"
    assert domain.find_metric("发生生产安全事故4起").name == "生产安全事故起数"  # type: ignore[union-attr]
    domain.use(domain.DEFAULT_DOMAIN)
    assert extract_numbers("PM2.5浓度20微克/立方米")[0].unit == "微克/立方米"
    assert domain.find_metric("发生生产安全事故4起") is None
