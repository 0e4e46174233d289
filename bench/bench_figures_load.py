"""Loading a large figures file: how long load_figures takes for 10,000 … 100,000 rows of one
period (a real sheet has tens of rows; a big one pasted from a database export has thousands).

    .venv/bin/python bench/bench_figures_load.py [--rows 10000 30000 100000]

The file is written to a temporary folder (CSV, UTF-8, the sample's columns); each size is
loaded once. Target: 100,000 rows in under 2 s (the loader is linear in the rows). The CPU
time of the loading thread and the machine's load average are printed too: on a shared
machine the wall time says more about the other processes than about the loader. A figure
set works out its 同比 changes and target checks when they are asked for (a draft asks for the
few dozen it writes); the time to ask for every one of them after the load is printed apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.figures import load_figures  # noqa: E402

HEADER = "id,指标,数值,单位,期间,上年同期,目标,范围,来源,备注\n"


def write_rows(path: Path, rows: int) -> int:
    """A figures CSV of ``rows`` distinct figures of 2025年上半年; its size in bytes."""
    lines = [HEADER]
    for index in range(rows):
        lines.append(
            f"m{index},监测点位{index}浓度,{30 + index % 17}.{index % 10},微克/立方米,"
            f"2025年上半年,{31 + index % 13}.{index % 7},,全区,区环境监测站月报,\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    args = parser.parse_args()
    timings = {}
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as folder:
        for rows in args.rows:
            path = Path(folder) / f"figures-{rows}.csv"
            size = write_rows(path, rows)
            started, cpu = time.perf_counter(), time.thread_time()
            figure_set = load_figures(path)
            timings[rows] = time.perf_counter() - started
            cpu = time.thread_time() - cpu
            asked = time.perf_counter()
            changes = len(figure_set.changes) + len(figure_set.targets)
            print(
                f"{rows:>7} rows  {size / 1024 / 1024:5.1f} MB  "
                f"{len(figure_set):>7} figures  {timings[rows]:6.2f} s  "
                f"(CPU {cpu:5.2f} s, load average {os.getloadavg()[0]:.1f}); "
                f"then all {changes} changes and target checks {time.perf_counter() - asked:.2f} s"
            )
            del figure_set  # the next size loads without this one in memory
    if 100_000 in timings:
        met = timings[100_000] < 2.0
        print("target (100,000 rows < 2 s): " + ("met" if met else "NOT met"))


if __name__ == "__main__":
    main()
