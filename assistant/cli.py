"""The command line: each command parses, calls one library function, prints.

Results go to stdout (a rich table, or exactly one JSON document with --json); progress and
errors go to stderr, so `--json` output can be piped straight into other tools.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .errors import AssistantError
from .settings import Settings, load_settings

app = typer.Typer(
    name="assistant",
    help="起草助手: 依据本单位历年总结的表述和本期数据起草工作总结/计划，每个数字都有出处。",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="数据目录，默认当前目录 (ASSISTANT_DATA_DIR)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="只输出一个 JSON 文档 (供脚本使用)")]


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    return load_settings(data_dir=data_dir, **overrides)


def emit_json(document: Any) -> None:
    """Print exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


def _show_version(value: bool) -> None:
    if value:
        out.print(f"assistant {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="显示版本并退出"),
    ] = False,
) -> None:
    """起草助手 — 生态环境局工作总结/计划起草。"""


def main() -> None:
    """Entry point: AssistantError becomes one clear message and a non-zero exit, no traceback."""
    try:
        app()
    except AssistantError as exc:
        err.print(f"[bold red]错误[/]: {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("已中止 (Ctrl-C)")
        sys.exit(130)
