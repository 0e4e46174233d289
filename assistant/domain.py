"""The domain pack: everything specific to one kind of office, kept as data, and the one place
the rest of the code asks about it.

A pack is a folder of YAML files — assistant/data/domains/<name>/, or any folder the ``domain``
setting names by path — holding the office's topics (order, keywords, chat words, section
titles, stock sentences), metrics and extra units, the retrieval thesaurus, how its name is
written, its phrase patterns and revision phrases. Each file is validated by a pydantic model
(assistant/domain_files.py) when the pack is loaded; a bad pack is one ConfigError naming the
file and the key, so a typo never surfaces later as a wrong draft. Packs are loaded once and
cached by name.

The core (figures, rendering, the checker's arithmetic, retrieval, Word output, the chat
engine) names no domain word: it calls the functions below, which answer for the active pack
(``use`` sets it; by default the ``domain`` setting).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .domain_files import (
    FILES,
    OPTIONAL,
    ChatFile,
    Examples,
    MetricHintsFile,
    MetricsFile,
    PackInfo,
    PatternsFile,
    PhrasesFile,
    ShapeFile,
    ThesaurusFile,
    TopicsFile,
    UnitSpec,
)
from .errors import ConfigError
from .reading import normalise_for_matching
from .types import Metric

PACKS_DIR = Path(__file__).resolve().parent / "data" / "domains"
DEFAULT_DOMAIN = "生态环境"
HEADING_KINDS = ("neutral", "summary", "plan", "problem")
# --- loading ---------------------------------------------------------------------------------


def _pack_error(folder: Path, file: str, key: str, message: str) -> ConfigError:
    where = f"{folder / file}" + (f" 的 {key}" if key else "")
    return ConfigError(
        f"领域包有误：{where}：{message}",
        hint=f"修改 {file} 后重试（格式见 {PACKS_DIR / DEFAULT_DOMAIN / file}）",
    )


def _read(folder: Path, file: str) -> Any:
    path = folder / file
    if file in OPTIONAL and not path.exists():
        return {}
    if not path.is_file():
        raise _pack_error(folder, file, "", "缺少这个文件")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _pack_error(folder, file, "", f"无法解析: {exc}") from exc
    if not isinstance(data, dict):
        raise _pack_error(folder, file, "", "内容应为一个映射（键: 值）")
    return data


def _validated(folder: Path, file: str) -> Any:
    model = FILES[file]
    try:
        return model.model_validate(_read(folder, file))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        more = f"（另有 {exc.error_count() - 1} 处）" if exc.error_count() > 1 else ""
        raise _pack_error(folder, file, key, f"{first['msg']}{more}") from exc


def pack_folder(name: str | Path) -> Path:
    """The folder of a pack given by name (under PACKS_DIR) or by path."""
    as_path = Path(name)
    if as_path.is_dir() and (as_path / "domain.yaml").is_file():
        return as_path.resolve()
    folder = PACKS_DIR / str(name)
    if not folder.is_dir():
        known = "、".join(available())
        raise ConfigError(
            f"找不到领域包“{name}”", hint=f"可用的领域: {known}；或给出领域包文件夹的路径"
        )
    return folder


def available() -> tuple[str, ...]:
    """The packs shipped with the assistant."""
    return tuple(sorted(p.name for p in PACKS_DIR.iterdir() if (p / "domain.yaml").is_file()))


@cache
def load(name: str) -> Domain:
    """The pack named ``name`` (or at that path), validated; loaded once per name."""
    folder = pack_folder(name)
    domain = Domain(folder, {file: _validated(folder, file) for file in FILES})
    domain.check()
    return domain


_M = TypeVar("_M", bound=BaseModel)
_active: Domain | None = None


def use(name: str | Path | None) -> Domain:
    """Make the pack ``name`` the active one (None: the ``domain`` setting's)."""
    global _active
    if name is None:
        from .settings import load_settings

        name = load_settings().domain
    _active = load(str(name))
    return _active


def current() -> Domain:
    """The active pack (the ``domain`` setting's until ``use`` names another)."""
    return _active if _active is not None else use(None)


def reset() -> None:
    """Forget the active pack, so the next question reads the setting again (tests)."""
    global _active
    _active = None


# --- the pack --------------------------------------------------------------------------------


# Full-width ASCII (！…～) and subscript digits fold to their ASCII twins, as NFKC does for them.
_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x2080 + i: 0x30 + i for i in range(10)}
_WIDE = re.compile("[\uff01-\uff5e\u2080-\u2089]")


def alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern for literal words, where at any place the first listed word that fits wins
    (as in a|b|c), but grouped by first character so only one group is tried there: a few
    hundred aliases searched in a name on every row of a large figures file."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return re.compile(
        "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})" for first, rest in groups.items())
    )


def match_key(text: str) -> str:
    """Fold width and case so PM₂.₅ / ＰＭ2.5 / pm2.5 meet; keeps Roman numerals and Chinese.
    (NFKC on just those characters, as one table: a large figures file asks this per row.)"""
    if _WIDE.search(text):
        text = text.translate(_WIDTH)
    return text.lower().replace("（", "(").replace("）", ")")


@dataclass(frozen=True, eq=False)
class Domain:
    """One loaded pack; derived tables (regexes, metric index) are built on first use."""

    folder: Path
    files: Mapping[str, BaseModel]  # file name → its validated model

    def _file(self, name: str, model: type[_M]) -> _M:
        value = self.files[name]
        if not isinstance(value, model):
            raise TypeError(f"{name} holds {type(value).__name__}")
        return value

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def info(self) -> PackInfo:
        return self._file("domain.yaml", PackInfo)

    @property
    def topics(self) -> TopicsFile:
        return self._file("topics.yaml", TopicsFile)

    @property
    def metrics(self) -> MetricsFile:
        return self._file("metrics.yaml", MetricsFile)

    @property
    def thesaurus(self) -> ThesaurusFile:
        return self._file("thesaurus.yaml", ThesaurusFile)

    @property
    def chat(self) -> ChatFile:
        return self._file("chat.yaml", ChatFile)

    @property
    def patterns(self) -> PatternsFile:
        return self._file("patterns.yaml", PatternsFile)

    @property
    def phrases(self) -> PhrasesFile:
        return self._file("revise_phrases.yaml", PhrasesFile)

    def check(self) -> None:
        """What no single file's model can see: names that must agree across files."""
        names = self.topic_names
        if self.topics.default not in names:
            raise _pack_error(
                self.folder, "topics.yaml", "default", f"“{self.topics.default}”不是主题"
            )
        from .metrics import normalise_unit  # the unit table includes this pack's units

        for index, spec in enumerate(self.metrics.metrics):
            key = f"metrics.{index}"
            if spec.topic not in names:
                problem = f"{spec.name} 的主题“{spec.topic}”不在 topics.yaml 中"
                raise _pack_error(self.folder, "metrics.yaml", f"{key}.topic", problem)
            if spec.period_words is not None and spec.period_words not in self.metrics.period_words:
                problem = f"period_words“{spec.period_words}”未在 period_words 中定义"
                raise _pack_error(self.folder, "metrics.yaml", f"{key}.period_words", problem)
            for unit in (spec.unit, *spec.units):
                if unit and normalise_unit(unit, self) is None:
                    problem = f"{spec.name} 的单位“{unit}”未知（在 units 中定义它）"
                    raise _pack_error(self.folder, "metrics.yaml", f"{key}.unit", problem)
        hints = self._file("metric_hints.yaml", MetricHintsFile)
        shape = self._file("shape.yaml", ShapeFile)
        wanted = [("metric_hints.yaml", f"words.{t}", t) for t in hints.words]
        for kind, groups in shape.kinds.items():
            wanted += [("shape.yaml", f"kinds.{kind}", t) for g in groups.values() for t in g]
        for file, key, topic in wanted:
            if topic not in names:
                problem = f"“{topic}”不是 topics.yaml 中的主题"
                raise _pack_error(self.folder, file, key, problem)

    @cached_property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(self.topics.topics)

    @cached_property
    def metric_list(self) -> tuple[Metric, ...]:
        words = self.metrics.period_words
        return tuple(
            Metric(
                spec.name,
                spec.aliases,
                spec.topic,
                spec.unit,
                spec.units,
                spec.better,
                spec.kind,
                words[spec.period_words] if spec.period_words else (),
            )
            for spec in self.metrics.metrics
        )

    @cached_property
    def alias_index(self) -> tuple[re.Pattern[str], dict[str, Metric]]:
        owner: dict[str, Metric] = {}
        for metric in self.metric_list:
            for alias in metric.names:
                owner.setdefault(match_key(alias), metric)
        return alternation(sorted(owner, key=len, reverse=True)), owner

    @cached_property
    def keyword_table(self) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
        return tuple(
            (
                topic,
                tuple((normalise_for_matching(k), w) for k, w in spec.keywords.items()),
            )
            for topic, spec in self.topics.topics.items()
        )

    @cached_property
    def keyword_index(self) -> tuple[dict[str, tuple[tuple[str, str, int], ...]], tuple[str, ...]]:
        """The keywords by their first two characters, each as (topic, keyword, weight), and
        the topics in the pack's order: a text is searched only for keywords whose start it
        holds (topic_scores; most of a pack's keywords are absent from any one passage)."""
        index: dict[str, list[tuple[str, str, int]]] = {}
        for topic, keywords in self.keyword_table:
            for keyword, weight in keywords:
                index.setdefault(keyword[:2], []).append((topic, keyword, weight))
        return {k: tuple(v) for k, v in index.items()}, tuple(t for t, _ in self.keyword_table)

    @cached_property
    def office_pattern(self) -> re.Pattern[str]:
        return re.compile(rf"[\u4e00-\u9fffxX×]{{0,16}}?(?:{self.info.office_names})")

    @cached_property
    def bare_level(self) -> re.Pattern[str]:
        stems = "|".join(re.escape(s) for s in self.info.office_stems) or "(?!)"
        return re.compile(rf"^[省市区县州旗](?:{stems})")


# --- the questions the code asks (of the active pack) ----------------------------------------


def topics() -> tuple[str, ...]:
    """The topics, in the order a document takes them."""
    return current().topic_names


def default_topic() -> str:
    """The topic of a text no keyword scores (the overview/综合 topic)."""
    return current().topics.default


def topic_scores(heading_path: Iterable[str], text: str) -> dict[str, int]:
    """Weighted keyword hits: the deepest heading counts ×3, other headings ×2, the text ×1."""
    headings = tuple(heading_path)
    weighted = [(normalise_for_matching(text), 1)]
    weighted += [(normalise_for_matching(h), 2) for h in headings[:-1]]
    weighted += [(normalise_for_matching(h), 3) for h in headings[-1:]]
    index, order = current().keyword_index
    totals: dict[str, int] = {}
    for folded, factor in weighted:
        starts = {folded[i : i + 2] for i in range(len(folded))} | set(folded)  # 1-char keywords
        for start in starts & index.keys():
            for topic, keyword, weight in index[start]:
                hits = folded.count(keyword)
                if hits:
                    totals[topic] = totals.get(topic, 0) + weight * factor * hits
    return {topic: totals[topic] for topic in order if totals.get(topic)}


def classify_topic(heading_path: Iterable[str], text: str) -> str:
    """The topic with the most weighted keyword hits; the default topic when none scores 3."""
    scores = topic_scores(heading_path, text)
    if not scores:
        return default_topic()
    best = max(scores, key=lambda topic: scores[topic])  # the pack's order breaks ties
    return best if scores[best] >= 3 else default_topic()


def chat_words(topic: str) -> tuple[str, ...]:
    """Words users type for ``topic`` that its keywords do not weigh on their own."""
    spec = current().topics.topics.get(topic)
    return spec.chat_words if spec else ()


def all_chat_words() -> Mapping[str, tuple[str, ...]]:
    return {topic: spec.chat_words for topic, spec in current().topics.topics.items()}


def section_name(topic: str) -> str:
    """What a request for ``topic`` is drafted as (the section a chat request names)."""
    spec = current().topics.topics.get(topic)
    return spec.section if spec else topic


def topic_heading(topic: str, kind: str) -> str:
    """A section title for ``topic`` (kind: neutral, summary, plan or problem) when no past
    document gives one."""
    if kind not in HEADING_KINDS:
        raise ValueError(f"heading kind {kind!r}")
    spec = current().topics.topics.get(topic)
    if spec is not None and spec.headings is not None:
        return str(getattr(spec.headings, kind))
    return str(getattr(current().topics.generic, kind)).format(topic=topic)


def topic_sentences(topic: str, key: Literal["measures", "plans"]) -> tuple[str, ...]:
    """The topic's stock measure or plan sentences (the generic ones where it has none)."""
    spec = current().topics.topics.get(topic)
    if spec is not None and spec.headings is not None:
        return spec.measures if key == "measures" else spec.plans
    generic = current().topics.generic
    return generic.measures if key == "measures" else generic.plans


def topic_words(topic: str) -> tuple[str, ...]:
    """The words that speak of ``topic`` (its keywords of positive weight)."""
    spec = current().topics.topics.get(topic)
    return tuple(w for w, weight in spec.keywords.items() if weight > 0) if spec else ()


def metrics() -> tuple[Metric, ...]:
    """The metric dictionary."""
    return current().metric_list


def find_metric(text: str) -> Metric | None:
    """The metric named in ``text``, or None.

    Longest alias wins where aliases overlap (a rate's name over the count it contains); among
    separate mentions the one ending last wins, because the words nearest a following number
    are what it measures.
    """
    return _metric_in(current(), text) if text else None


@lru_cache(maxsize=8192)
def _metric_in(pack: Domain, text: str) -> Metric | None:
    """Cached by text: a large figures file repeats its metric names (one row per station)."""
    return metric_in(pack, text)


def metric_in(pack: Domain, text: str) -> Metric | None:
    """find_metric in ``pack``, uncached."""
    return metrics_in(pack, (text,))[0]


def metrics_in(pack: Domain, texts: Sequence[str]) -> list[Metric | None]:
    """find_metric in ``pack`` for each of ``texts``, searched in one go (a figures file of a
    hundred thousand names)."""
    pattern, owner = pack.alias_index
    best: list[tuple[int, int, Metric] | None] = [None] * len(texts)
    for index, found in places(pattern, texts, match_key):
        candidate = (found.end(), found.end() - found.start(), owner[found.group()])
        chosen = best[index]
        if chosen is None or candidate[:2] > chosen[:2]:
            best[index] = candidate
    return [chosen[2] if chosen else None for chosen in best]


def places(
    pattern: re.Pattern[str], texts: Sequence[str], fold: Callable[[str], str]
) -> Iterator[tuple[int, re.Match[str]]]:
    """(index of the text, match) for each place in each of ``texts``, folded, where a word of
    ``pattern`` begins, as a search from each place in turn finds it: one search over all the
    texts joined by line breaks (no word of ``pattern`` holds one), so many short texts cost
    about what one long text does. A match's positions are in the joined text."""
    joined = "\n".join(texts)
    folded = fold(joined)
    if len(folded) != len(joined):  # a letter folds to two (ß → SS): fold each on its own
        texts = [fold(text) for text in texts]
        folded = "\n".join(texts)
    starts: list[int] = []  # where each text begins, worked out at the first match
    start = 0
    while (found := pattern.search(folded, start)) is not None:
        starts = starts or list(accumulate((len(text) + 1 for text in texts), initial=0))
        yield bisect_right(starts, found.start()) - 1, found
        start = found.start() + 1


def metric_by_name(name: str) -> Metric | None:
    """A metric by its canonical name or any alias, matched exactly (after width folding)."""
    _pattern, owner = current().alias_index
    return owner.get(match_key(name.strip()))


def metric_topic(name: str) -> str | None:
    """The topic of the metric ``name`` names, if the dictionary knows it."""
    metric = find_metric(name)
    return metric.topic if metric else None


def extra_units() -> Mapping[str, UnitSpec]:
    """The units this pack measures in beyond the core table."""
    return current().metrics.units


def thesaurus() -> tuple[tuple[str, str], ...]:
    """(how people ask: a pattern, how the office writes: space-separated terms)."""
    return tuple((entry.asked, entry.written) for entry in current().thesaurus.entries)


def patterns() -> dict[str, Any]:
    """The phrase patterns file as a plain mapping (the writers format its strings)."""
    return data("patterns.yaml")


def data(file: str) -> dict[str, Any]:
    """One file of the active pack as a plain mapping (validated; keys as written in the file)."""
    return file_data(current(), file)


@cache
def file_data(pack: Domain, file: str) -> dict[str, Any]:
    """One file of ``pack`` as a plain mapping."""
    if file not in pack.files:
        raise KeyError(f"{file} is not a domain pack file ({', '.join(FILES)})")
    return pack.files[file].model_dump(by_alias=True)


def revise_phrases() -> PhrasesFile:
    return current().phrases


def info() -> PackInfo:
    """What office the pack is for, its collection, name patterns and examples."""
    return current().info


def examples() -> Examples:
    return current().info.examples


def office_matches(text: str) -> Iterable[re.Match[str]]:
    """Every span of ``text`` that ends in the office's name, with up to 16 characters before."""
    return current().office_pattern.finditer(text)


def names_no_place(unit: str) -> bool:
    """True when a matched office name has no place before it: it starts with the office's own
    stem, or with a bare level (区/市/县) then the stem — a level of government, not a unit."""
    domain = current()
    return unit.startswith(domain.info.office_stems) or bool(domain.bare_level.match(unit))
