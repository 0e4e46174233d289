"""Check every number of a draft against the period's figures: the promise that none is invented.

For each quantity assistant.numbers finds, the checker decides which figure and which of its
numbers (value, 同比 change, 上年同期, 目标, 完成率) the text speaks of, then compares. How:

- Provenance first. A citation (from the drafter's sidecar, or our Word comment on the span)
  names the figure and field exactly; the number there must still equal what the figure says.
- Otherwise context. The field comes from the words around the number: a direction word or
  个百分点 → change; 完成率 / 完成…计划的 → completion; 目标/控制在/以内… → target; 较上年同期的,
  or a year before the file's → 上年同期; else the value. The figure is the one the clause names
  (metric dictionary plus the figure's own name, distinctive characters weighted), with the unit
  as a tie-breaker; a change or completion with no name of its own belongs to the figure the
  sentence spoke of just before, and so does a value whose clause names nothing but that
  figure's own year or period (…64.15，2024年度提升至64.38). Only the best-named figures count:
  "35件信访" is never confirmed by an unrelated figure that happens to be 35.
- A value matches within its written precision (the figure rounded half-up to the places the
  text shows, after unit conversion: 29770万元 = 2.977亿元); 约/余/近 widen that to the written
  step. Units must measure the same thing (% is not 个百分点, 元 is not 万元).
- Direction words must agree with the change (上升 vs 下降, 改善 vs 恶化), and 完成/达到…目标 must
  agree with whether the target was met (未完成/未达到 too).
- A value equal to the figure's 上年同期 where the text speaks of the current period is stale.
- A change may be written as a difference in the figure's unit (同比减少22件); a signed number
  (a table's 同比 cell −3.5%) is a change; 分别 lists map item to number (PM2.5、PM10…分别为…和…;
  with no subject of their own, to the numbers just before).
- A number is called wrong (mismatch/stale) only when its own clause names the figure, or, for a
  change/target/completion, the sentence just spoke of it; a unit of another measure, a part
  (噪声类信访), a per-case average (案均), a gap to the target (还差…) or another period or base
  (一季度, 较一季度) is unsourced instead; a number in a figure's 范围/备注 said in the same words
  is ok, and so is a target in a plan sentence (下半年…力争…).
- Numbers with no figure context are unsourced, except a number written (with its unit) in a
  figure's 范围/备注, or a value and unit that exactly one figure has. "一个/一名/一套" in prose
  is an article, not a figure, and gives no finding; other Chinese-numeral counts (三家企业) do.
- A water class (断面水质为Ⅲ类) is checked against the category figure its context names: ok
  when equal, mismatch when the clause names the figure; standards, goals (Ⅲ类以上) and
  starting classes (由Ⅳ类…) give no finding. A class in a name (劣Ⅴ类断面数) is a count's.
- 〔待补…〕/〔待核…〕 (and an unrendered {{id}}, or a masked value such as xx.x%) are placeholders.
- Tables: a header row (指标/上年同期/同比/目标/完成率…, with units such as 数值（微克/立方米）)
  gives each column of the rows after it its field and unit; the row's name cells name the figure.
- Years: a figure's data year is its period's, unless its 备注/来源 says otherwise (EQI: 本期为2024
  年度值); a year written before a number picks value (data year) or 上年同期 (the year before).
- A wrong-looking number is called stale/mismatch only when the figure is clearly named (metric
  dictionary, or half its name by jieba word); a target claim in a plan (确保…, or under a
  下半年工作计划 heading) is no claim.
"""

from .blocks import check_blocks, summarise
from .document import CHECKED_SUFFIXES, check_file
from .judge import CANDIDATE_THRESHOLD, NAMED_OVERLAP, TIE_MARGIN, MatchedBy
from .report import (
    ANNOTATION_AUTHOR,
    annotate_report,
    annotation_text,
    check_draft,
    finding_to_dict,
    report_to_dict,
)

__all__ = [
    "ANNOTATION_AUTHOR",
    "CANDIDATE_THRESHOLD",
    "CHECKED_SUFFIXES",
    "NAMED_OVERLAP",
    "TIE_MARGIN",
    "MatchedBy",
    "annotate_report",
    "annotation_text",
    "check_blocks",
    "check_draft",
    "check_file",
    "finding_to_dict",
    "report_to_dict",
    "summarise",
]
