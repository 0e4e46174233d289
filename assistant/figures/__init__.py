"""Load a period's figures file (CSV, XLSX, YAML) with provenance, validate it, derive from it.

Loading is all or nothing: every problem in the file is collected and reported in one
InputError naming file, row and column, and no FigureSet exists until the file is clean.

Rules, as implemented here:

- A value of 〔待补〕 (or 待补, 〔待补：…〕) or an empty cell is "missing": allowed; the draft
  shows 〔待补：指标名〕. Any other value must be a plain number (thousands separators allowed);
  "约40" or "12件" are errors.
- Water classes are categories: unit 类 (or a name the dictionary knows as a class), value
  written "Ⅱ", "II", "Ⅱ类", "劣Ⅴ" or the class number 1–5. The figure keeps ``category``
  "Ⅱ" (U+2160 numerals), ``value`` None, and is compared by rank (Ⅰ=1 … Ⅴ=5, 劣Ⅴ=6); no
  同比 arithmetic. A target class ("Ⅲ") is met when the class is at least as good.
- 同比 (``change_mode``): a rate or ratio (unit %, or a metric of kind rate) changes in
  个百分点 = current − previous; anything else (amounts, counts, concentrations) in % =
  (current − previous) / previous × 100. Categories have no 同比.
- Rounding is half-up (ROUND_HALF_UP), as in official statistics. Derived percentages (同比 %,
  完成率) have 1 decimal place; a 个百分点 difference keeps the finer written precision of its
  two inputs; a 小数位 (decimals) column overrides both for that row.
- Direction: 持平 when the two values are equal, or when the change rounded to its places is
  zero (so it would be written 0.0); otherwise 上升/下降. Improved/worsened follow the
  figure's better direction: its 方向 column first, else the metric dictionary.
- Targets: met when value ≤ target for lower-is-better figures, value ≥ target otherwise (a
  target with no known direction is a level to reach). 完成率 = value / target × 100 for
  amounts and counts to reach (investment, kilometres of pipe), not for concentrations, rates
  or lower-is-better counts.
- 合计 (sum) lists ids joined by +; the value is computed from the parts (converted to the
  sum's unit) and, when the file also gives one, must agree with it.
"""

from .arithmetic import (
    DEFAULT_PERCENT_PLACES,
    PerFigure,
    change_mode,
    changes_of,
    check_target,
    class_rank,
    compute_change,
    format_change,
    format_decimal,
    format_value,
    is_plain,
    round_half_up,
    target_met,
)
from .load import figure_set_to_dict, load_figures
from .tables import COLUMNS, HEADER_SCAN_ROWS

__all__ = [
    "COLUMNS",
    "DEFAULT_PERCENT_PLACES",
    "HEADER_SCAN_ROWS",
    "PerFigure",
    "change_mode",
    "changes_of",
    "check_target",
    "class_rank",
    "compute_change",
    "figure_set_to_dict",
    "format_change",
    "format_decimal",
    "format_value",
    "is_plain",
    "load_figures",
    "round_half_up",
    "target_met",
]
