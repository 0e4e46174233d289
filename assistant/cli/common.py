"""What every command shares: the typer app, the consoles, common options, settings, and
the one-JSON-document rule for --json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .. import __version__, domain
from ..progress import ProgressLines
from ..settings import Settings, load_settings

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
DomainOption = Annotated[
    str | None,
    typer.Option(
        "--domain", help="领域包: 名称 (生态环境、应急管理…) 或领域包文件夹 (ASSISTANT_DOMAIN)"
    ),
]
ItemsOption = Annotated[
    Path | None,
    typer.Option(
        "--items",
        help="科室材料: 文件夹或文件 (.docx/.txt/.md 笔记、.csv/.xlsx 事项表；ASSISTANT_ITEMS)",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="只输出一个 JSON 文档 (供脚本使用)")]
WriterOption = Annotated[
    str | None, typer.Option("--writer", help="写法: template (离线) | openai | 其他已登记的写法")
]
ModelOption = Annotated[str | None, typer.Option("--model", help="模型名称 (openai)")]
BaseUrlOption = Annotated[str | None, typer.Option("--base-url", help="OpenAI 兼容接口地址 (…/v1)")]


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    """The run's settings; their domain pack becomes the active one (a bad pack fails here)."""
    settings = load_settings(data_dir=data_dir, **overrides)
    domain.use(settings.domain)
    return settings


_json_emitted = False  # one document per run: main() adds an error document only if none went out


def start_run() -> None:
    """A new run: no JSON document has gone out yet."""
    global _json_emitted
    _json_emitted = False


def emit_json(document: Any) -> None:
    """Print exactly one JSON document on stdout."""
    global _json_emitted
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    _json_emitted = True


def error_document(
    kind: str,
    message: str,
    *,
    path: str | None = None,
    row: int | None = None,
    column: str | None = None,
    hint: str | None = None,
) -> dict[str, Any]:
    """The --json form of a failure."""
    fields = {"path": path, "row": row, "column": column, "hint": hint}
    return {"error": {"kind": kind, "message": message, **fields}}


def _fail_json(as_json: bool, kind: str, message: str, **fields: Any) -> None:
    if as_json and not _json_emitted:
        emit_json(error_document(kind, message, **fields))


def _progress_lines(label: str, settings: Settings) -> ProgressLines | None:
    """Plain progress lines where rich would hide its bar (stderr not a terminal: logs, CI)."""
    return None if err.is_terminal else ProgressLines(label, settings.progress_every)


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
    """起草助手 — 政府部门工作总结/计划起草（主题、指标和措辞来自领域包）。"""


ChromaUrlOption = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Chroma 服务地址 (http://host:port)，默认用本地库"),
]
