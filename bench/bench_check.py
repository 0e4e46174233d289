"""Mutation benchmark and speed of the number checker (prints figures; not a timed test).

    .venv/bin/python bench/bench_check.py            # mutation recall, false flags, speed
    .venv/bin/python bench/bench_check.py --show 5   # also print 5 misses/false flags per kind

Correct sentences are generated from the sample figures (CSV and YAML) by filling 公文 sentence
patterns (value, 同比 change, 上年同期, target, 完成率, two figures in one sentence; several
phrasings and name/unit variants per figure). Each sentence is checked as it is (every number
must come back ok), then with one error injected per applicable kind. Recall = mutated numbers
that get a non-ok finding; "kind right" = of those, how many got the expected kind.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.check import check_blocks, check_file  # noqa: E402
from assistant.figures import format_decimal, load_figures, round_half_up  # noqa: E402
from assistant.metrics import find_metric, metric_by_name  # noqa: E402
from assistant.render import reference_text  # noqa: E402
from assistant.types import Block, Figure, FigureSet  # noqa: E402
from tests.heldout import HELDOUT, KINDS, load_heldout, score_heldout  # noqa: E402

SAMPLES = (ROOT / "corpus/sample/figures-2025H1.csv", ROOT / "corpus/sample/figures-2025Q3.yaml")
SHORT_PERIOD = {
    "2025年上半年": ("上半年", "1-6月", "截至6月底"),
    "2025年前三季度": ("前三季度", "1-9月"),
}


@dataclass
class Num:
    """A number the generator wrote, and what it stands for."""

    text: str
    figure: Figure
    role: str


@dataclass
class Sentence:
    pieces: list[str | Num]
    pattern: str
    figure_set: FigureSet
    expected: str = "ok"  # after a mutation: the kind the mutated number should get
    mutated: tuple[int, ...] = ()  # indices of the mutated Num pieces
    mutation: str | None = None
    claim: tuple[int, int] | None = None  # span of a target claim that was flipped

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Num) else p for p in self.pieces)

    def spans(self) -> list[tuple[int, int, int]]:
        """(piece index, start, end) of each Num."""
        out, position = [], 0
        for index, piece in enumerate(self.pieces):
            text = piece.text if isinstance(piece, Num) else piece
            if isinstance(piece, Num):
                out.append((index, position, position + len(text)))
            position += len(text)
        return out


# --- generation ------------------------------------------------------------------------------


def names_for(figure: Figure, figure_set: FigureSet) -> list[str]:
    """The figure's own name, and the dictionary's name when no other figure shares it."""
    names = [re.sub(r"（.*?）", "", figure.name)]
    if (
        figure.metric
        and figure.metric not in names
        and not re.search("计划|目标|任务", figure.metric)
    ):
        sharing = [f for f in figure_set if f.metric == figure.metric]
        metric = metric_by_name(figure.metric)
        if len(sharing) == 1 and metric and find_metric(figure.metric) == metric:
            names.append(figure.metric)
    return names


def value_variants(figure: Figure) -> list[str]:
    """The value as written, and other correct ways to write it (unit conversion, rounding)."""
    written = f"{figure.written}{figure.unit}"
    variants = [written]
    value = figure.value
    assert value is not None
    if figure.unit == "亿元":
        variants.append(f"{format_decimal((value * 10000).normalize())}万元")
    if figure.unit == "万元":
        variants.append(f"{format_decimal((value * 10000).normalize())}元")
    if value >= 10000 and figure.unit in ("个", "吨", "人次"):
        variants.append(f"{format_decimal(round_half_up(value / 10000, 2))}万{figure.unit}")
    if figure.places >= 2:
        variants.append(f"{format_decimal(round_half_up(value, figure.places - 1))}{figure.unit}")
    if figure.kind == "concentration":
        variants.append(f"约{format_decimal(round_half_up(value, 0))}{figure.unit}")
    return variants


def generate(figure_set: FigureSet, rng: random.Random) -> list[Sentence]:
    period = str(figure_set.period) if figure_set.period else ""
    shorts = SHORT_PERIOD.get(period, (period,))
    out: list[Sentence] = []

    def add(pattern: str, *pieces: str | Num) -> None:
        out.append(Sentence(list(pieces), pattern, figure_set))

    usable = [f for f in figure_set if f.value is not None]
    for figure in usable:
        names = names_for(figure, figure_set)
        values = value_variants(figure)
        change = figure_set.change(figure.id)
        check = figure_set.target(figure.id)
        for n, name in enumerate(names):
            for v, value in enumerate(values):
                short = shorts[(n + v) % len(shorts)]
                num = Num(value, figure, "value")
                variant = (n + v) % 3
                if variant == 0:
                    add("value", f"{short}，全区{name}为", num, "。")
                elif variant == 1:
                    add("value", f"{name}", num, "。")
                else:
                    add("value", f"{short}，{name}达到", num, "，各项工作有序推进。")
        name = names[-1]
        value = Num(values[0], figure, "value")
        if change is not None and change.direction != "持平":
            rendered = reference_text(figure, figure_set, "change") or ""
            word, amount = rendered[:2], rendered[2:]
            add(
                "change",
                f"{shorts[0]}，{name}",
                value,
                f"，同比{word}",
                Num(amount, figure, "change"),
                "。",
            )
            add(
                "change",
                f"{name}为",
                Num(values[-1], figure, "value"),
                f"，较上年同期{word}",
                Num(amount, figure, "change"),
                "，",
                "总体保持稳定。",
            )
        if figure.previous is not None and figure.previous != figure.value:
            previous = reference_text(figure, figure_set, "previous") or ""
            add(
                "previous",
                f"{name}",
                value,
                "，上年同期为",
                Num(previous, figure, "previous"),
                "。",
            )
        if check is not None:
            target = Num(reference_text(figure, figure_set, "target") or "", figure, "target")
            if check.met:
                add("target", f"{name}", value, "，达到", target, "的年度目标。")
                add("target", f"{shorts[0]}，{name}", value, "，顺利完成年度目标任务。")
            else:
                add("target", f"{name}", value, "，未达到", target, "的年度目标。")
                add("target", f"{shorts[0]}，{name}", value, "，尚未完成年度目标任务。")
            if check.completion is not None:
                completion = reference_text(figure, figure_set, "completion") or ""
                add(
                    "completion",
                    f"{name}",
                    value,
                    "，完成年度计划的",
                    Num(completion, figure, "completion"),
                    "。",
                )
    # two figures of one topic in one sentence (for swaps)
    by_topic: dict[str, list[Figure]] = defaultdict(list)
    for figure in usable:
        by_topic[figure.topic or ""].append(figure)
    for group in by_topic.values():
        for a, b in itertools.pairwise(group):
            if a.value == b.value:
                continue
            add(
                "pair",
                f"{names_for(a, figure_set)[-1]}",
                Num(f"{a.written}{a.unit}", a, "value"),
                f"，{names_for(b, figure_set)[-1]}",
                Num(f"{b.written}{b.unit}", b, "value"),
                "。",
            )
    rng.shuffle(out)
    return out


# --- mutations -------------------------------------------------------------------------------

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _number_part(text: str) -> re.Match[str]:
    found = NUMBER.search(text)
    assert found is not None, text
    return found


def _replace_number(num: Num, new_number: str) -> Num:
    found = _number_part(num.text)
    return Num(
        num.text[: found.start()] + new_number + num.text[found.end() :], num.figure, num.role
    )


def mutate_digit(number: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(number) if c.isdigit()]
    i = rng.choice(positions)
    choices = [
        d
        for d in "0123456789"
        if d != number[i] and not (d == "0" and i == 0 and len(number) > 1 and number[1] != ".")
    ]
    return number[:i] + rng.choice(choices) + number[i + 1 :]


def shift_decimal(number: str) -> str:
    if "." in number:
        whole, fraction = number.split(".")
        if len(whole) > 1:
            return f"{whole[:-1]}.{whole[-1]}{fraction}"
        return f"{whole}{fraction[0]}" + (f".{fraction[1:]}" if fraction[1:] else "")
    if len(number) == 1:
        return f"0.{number}"
    return f"{number[:-1]}.{number[-1]}"


def mutations(sentence: Sentence, rng: random.Random) -> list[Sentence]:
    """Every applicable error kind, each as a new sentence with one error."""
    out: list[Sentence] = []
    nums = [(i, p) for i, p in enumerate(sentence.pieces) if isinstance(p, Num)]

    def variant(kind: str, expected: str, index: int, new: Num | None = None, **swap: Num) -> None:
        pieces = list(sentence.pieces)
        if new is not None:
            pieces[index] = new
        for key, value in swap.items():
            pieces[int(key[1:])] = value
        changed = (index, *(int(key[1:]) for key in swap))
        out.append(Sentence(pieces, sentence.pattern, sentence.figure_set, expected, changed, kind))

    for index, num in nums:
        number = _number_part(num.text).group()
        variant("digit", "mismatch", index, _replace_number(num, mutate_digit(number, rng)))
        if Decimal(number) != 0:  # 0 → 0.0 is the same number, not an error
            variant("decimal", "mismatch", index, _replace_number(num, shift_decimal(number)))
        if num.role == "change":
            before = sentence.pieces[index - 1]
            assert isinstance(before, str)
            flips = {"上升": "下降", "下降": "上升", "增加": "减少", "减少": "增加"}
            word = next(w for w in flips if w in before)
            flipped = before.replace(word, flips[word])
            pieces = list(sentence.pieces)
            pieces[index - 1] = flipped
            out.append(
                Sentence(
                    pieces,
                    sentence.pattern,
                    sentence.figure_set,
                    "direction",
                    (index,),
                    "direction",
                )
            )
            unit = "个百分点" if num.text.endswith("%") else "%"
            # a count's change (减少1天) written as a percentage (减少1%)
            other = re.sub(r"(%|个百分点|[^\d.]+)$", unit, num.text)
            variant("pct_points", "unit", index, Num(other, num.figure, num.role))
        if "万" in num.text:
            variant(
                "drop_wan", "unit", index, Num(num.text.replace("万", "", 1), num.figure, num.role)
            )
        figure = num.figure
        if (
            num.role == "value"
            and sentence.pattern in ("value", "change", "target", "pair")
            and figure.previous is not None
            and figure.previous_written
            and "约" not in num.text
            and round_half_up(figure.previous, figure.places) != figure.value
        ):
            stale = Num(f"{figure.previous_written}{figure.unit}", figure, "value")
            variant("last_year", "stale", index, stale)
    if sentence.pattern == "pair" and len(nums) == 2:
        (i, a), (j, b) = nums
        na, nb = _number_part(a.text).group(), _number_part(b.text).group()
        swapped_a = _replace_number(a, nb)
        swapped_b = _replace_number(b, na)
        variant("swap", "mismatch", i, swapped_a, **{f"p{j}": swapped_b})
    if sentence.pattern == "target":
        for index, piece in enumerate(sentence.pieces):
            if not isinstance(piece, str):
                continue
            for old, new in (
                ("未达到", "达到"),
                ("尚未完成", "完成"),
                ("，达到", "，未达到"),
                ("顺利完成", "未完成"),
            ):
                if old in piece:
                    pieces = list(sentence.pieces)
                    pieces[index] = piece.replace(old, new, 1)
                    value_index = next(i for i, p in enumerate(pieces) if isinstance(p, Num))
                    out.append(
                        Sentence(
                            pieces,
                            sentence.pattern,
                            sentence.figure_set,
                            "direction",
                            (value_index,),
                            "target_claim",
                        )
                    )
                    break
    return out


# --- scoring ---------------------------------------------------------------------------------


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    kind_right: Counter[str] = field(default_factory=Counter)
    untouched: int = 0
    false_flags: int = 0
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    wrong_kind: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    flags: list[str] = field(default_factory=list)


def score(sentences: list[Sentence], tally: Tally, baseline: bool) -> None:
    by_set: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        by_set[id(sentence.figure_set)].append(sentence)
    for group in by_set.values():
        report = check_blocks([s.text for s in group], group[0].figure_set)
        findings = defaultdict(list)
        for finding in report.findings:
            findings[finding.block].append(finding)
        for block, sentence in enumerate(group):
            for index, start, end in sentence.spans():
                hits = [f for f in findings[block] if f.start < end and start < f.end]
                bad = [f for f in hits if f.kind != "ok"]
                if index in sentence.mutated:
                    kind = sentence.mutation or ""
                    tally.cases[kind] += 1
                    if bad:
                        tally.detected[kind] += 1
                        if any(f.kind == sentence.expected for f in bad):
                            tally.kind_right[kind] += 1
                        else:
                            tally.wrong_kind[kind].append(
                                f"{sentence.text}  [{bad[0].kind}: {bad[0].message}]"
                            )
                    else:
                        found = hits[0].kind if hits else "no finding"
                        tally.misses[kind].append(f"{sentence.text}  [{found}]")
                    continue
                tally.untouched += 1
                if bad or not hits:
                    tally.false_flags += 1
                    what = bad[0].message if bad else "no finding"
                    tally.flags.append(f"{sentence.text}  → {sentence.pieces[index].text}: {what}")  # type: ignore[union-attr]
            for finding in findings[block]:  # numbers the generator did not write
                if not any(
                    f_start < finding.end and finding.start < f_end
                    for _, f_start, f_end in sentence.spans()
                ):
                    tally.untouched += 1
                    if finding.kind != "ok":
                        tally.false_flags += 1
                        tally.flags.append(f"{sentence.text}  → {finding.value}: {finding.message}")
    del baseline


# --- speed -----------------------------------------------------------------------------------

DISTRICTS = [f"第{i}片区" for i in range(1, 41)]


def big_figures(path: Path) -> None:
    """A 200-figure CSV: the sample's figures repeated for 40 districts (names differ)."""
    rows = ["id,指标,数值,单位,期间,上年同期,目标,来源"]
    base = [
        ("pm25", "PM2.5平均浓度", "38.4", "微克/立方米", "39.8", "35"),
        ("ratio", "优良天数比例", "74.6", "%", "76.9", "80"),
        ("cases", "立案查处环境违法案件", "32", "件", "35", ""),
        ("fines", "罚款金额", "203.4915", "万元", "218.6125", ""),
        ("pipe", "新建改造城镇污水管网", "16.8", "公里", "18.35", "35"),
    ]
    rng = random.Random(7)
    for d, district in enumerate(DISTRICTS):
        for key, name, value, unit, previous, target in base:
            jitter = Decimal(rng.randint(-30, 30)) / 10
            v = Decimal(value) + jitter if "." in value else Decimal(value) + int(jitter)
            rows.append(
                f"{key}_{d},{district}{name},{v},{unit},2025年上半年,{previous},{target},台账"
            )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def big_docx(path: Path, figure_set: FigureSet) -> tuple[int, int]:
    from assistant.word import write_document

    filler = "坚持精准治污、科学治污、依法治污，持续深入打好污染防治攻坚战，生态环境质量稳中向好。"
    blocks = [Block("2025年上半年工作总结", "title")]
    numbers = 0
    figures = list(figure_set)
    i = 0
    while numbers < 300:
        sentences = []
        for _ in range(3):
            figure = figures[i % len(figures)]
            i += 1
            change = reference_text(figure, figure_set, "change")
            text = f"{figure.name}{figure.written}{figure.unit}"
            numbers += 1
            if change and change != "持平" and numbers < 300:
                text += f"，同比{change}"
                numbers += 1
            sentences.append(text + "。")
        blocks.append(Block(filler * 2 + "".join(sentences) + filler))
    while sum(len(b.text) for b in blocks) < 20000:  # prose without numbers up to 20,000
        blocks.append(Block(filler * 4))
    write_document(path, blocks, author="bench")
    return sum(len(b.text) for b in blocks), numbers


def speed() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "figures200.csv"
        big_figures(csv_path)
        figure_set = load_figures(csv_path)
        docx_path = Path(tmp) / "draft.docx"
        chars, numbers = big_docx(docx_path, figure_set)
        check_file(docx_path, figure_set)  # warm up imports
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            report = check_file(docx_path, figure_set)
            runs.append(time.perf_counter() - started)
        runs.sort()
        print(
            f"\nspeed: {chars} characters, {numbers} numbers written, {len(figure_set)} figures: "
            f"check_file median {runs[2]:.3f} s (min {runs[0]:.3f}, max {runs[-1]:.3f}); "
            f"findings {report.summary}"
        )


# --- main ------------------------------------------------------------------------------------


def heldout(show: int) -> None:
    """Precision and recall per kind on the hand-written held-out sets (tests/data)."""
    figure_set = load_figures(SAMPLES[0])
    for name in ("check_heldout.yaml", "check_heldout_fresh.yaml", "check_heldout_third.yaml"):
        entries = load_heldout(HELDOUT.with_name(name))
        scores, outcomes = score_heldout(figure_set, entries)
        numbers = sum(len(e.numbers) for e in entries)
        print(
            f"\nheld-out {name}: {len(entries)} entries, {numbers} numbers; "
            f"entries fully right {scores.entries_right} / {scores.entries}"
        )
        print(f"{'kind':<13}{'expected':>9}{'found':>7}{'precision':>11}{'recall':>8}")
        for kind in KINDS:
            p, r = scores.precision(kind), scores.recall(kind)
            print(
                f"{kind:<13}{scores.expected[kind]:>9}{scores.predicted[kind]:>7}"
                f"{'-' if p is None else f'{p:.3f}':>11}{'-' if r is None else f'{r:.3f}':>8}"
            )
        for outcome in [o for o in outcomes if o.errors()][:show]:
            print(f"  {outcome.entry.id}: {outcome.entry.text}")
            for error in outcome.errors():
                print(f"      {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", type=int, default=0, help="print up to N misses per kind")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sentences: list[Sentence] = []
    for path in SAMPLES:
        sentences.extend(generate(load_figures(path), rng))
    mutated = [m for s in sentences for m in mutations(s, rng)]
    patterns = Counter(s.pattern for s in sentences)
    numbers = sum(len(s.spans()) for s in sentences)
    print(f"correct sentences: {len(sentences)} with {numbers} numbers; patterns {dict(patterns)}")
    print(f"mutated sentences: {len(mutated)}")

    tally = Tally()
    started = time.perf_counter()
    score(sentences, tally, baseline=True)
    score(mutated, tally, baseline=False)
    elapsed = time.perf_counter() - started

    print(f"\n{'error kind':<14}{'cases':>7}{'recall':>9}{'kind right':>12}")
    for kind in (
        "digit",
        "decimal",
        "swap",
        "direction",
        "pct_points",
        "drop_wan",
        "last_year",
        "target_claim",
    ):
        cases = tally.cases[kind]
        if not cases:
            print(f"{kind:<14}{0:>7}")
            continue
        recall = tally.detected[kind] / cases
        right = tally.kind_right[kind] / cases
        print(f"{kind:<14}{cases:>7}{recall:>9.3f}{right:>12.3f}")
    total_cases = sum(tally.cases.values())
    print(
        f"{'all':<14}{total_cases:>7}{sum(tally.detected.values()) / total_cases:>9.3f}"
        f"{sum(tally.kind_right.values()) / total_cases:>12.3f}"
    )
    rate = tally.false_flags / max(tally.untouched, 1)
    print(
        f"\nfalse flags on untouched numbers: {tally.false_flags} / {tally.untouched} = {rate:.2%}"
    )
    print(f"checking time for all sentences: {elapsed:.2f} s")
    if args.show:
        for kind, missed in tally.misses.items():
            for line in missed[: args.show]:
                print(f"  miss {kind}: {line}")
        for kind, wrong in tally.wrong_kind.items():
            for line in wrong[: args.show]:
                print(f"  other kind {kind}: {line}")
        for line in tally.flags[: args.show * 4]:
            print(f"  false flag: {line}")
    heldout(args.show)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
