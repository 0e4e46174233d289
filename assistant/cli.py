"""The command line: each command parses, calls one library function, prints.

Results go to stdout (a rich table, or exactly one JSON document with --json); progress and
errors go to stderr, so `--json` output can be piped straight into other tools.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from .errors import AssistantError
from .progress import ProgressLines
from .settings import Settings, load_settings
from .types import FINDING_LABELS

if TYPE_CHECKING:
    from rich.table import Table

    from .types import Finding

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
WriterOption = Annotated[str | None, typer.Option("--writer", help="template (离线) | openai")]
ModelOption = Annotated[str | None, typer.Option("--model", help="模型名称 (openai)")]
BaseUrlOption = Annotated[str | None, typer.Option("--base-url", help="OpenAI 兼容接口地址 (…/v1)")]


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    return load_settings(data_dir=data_dir, **overrides)


_json_emitted = False  # one document per run: main() adds an error document only if none went out


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
    """起草助手 — 生态环境局工作总结/计划起草。"""


ChromaUrlOption = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Chroma 服务地址 (http://host:port)，默认用本地库"),
]
_STATUS = {"new": "新增", "changed": "更新", "unchanged": "未变", "removed": "已删除"}


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="往年总结文件或文件夹 (递归读取)")],
    prune: Annotated[
        bool, typer.Option("--prune", help="删除这些路径下已不存在的文档的内容")
    ] = False,
    unit: Annotated[str | None, typer.Option("--unit", help="统一指定单位名称")] = None,
    year: Annotated[int | None, typer.Option("--year", help="统一指定年份")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="统一指定期间: 一季度|上半年|前三季度|全年")
    ] = None,
    chroma_url: ChromaUrlOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """读取往年总结，切分、标注并存入向量库 (只嵌入新的或改过的段落)。"""
    from dataclasses import asdict

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from .ingest import ingest

    settings = settings_for(data_dir, chroma_url=chroma_url)
    overrides = {
        key: value
        for key, value in (("unit", unit), ("year", year), ("period", period))
        if value is not None
    }
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("嵌入段落", total=None, visible=False)
        lines = _progress_lines("嵌入段落", settings)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=total > 0)
            if lines is not None:
                lines.update(done, total)

        report = ingest(paths, settings, prune=prune, overrides=overrides, progress=progress)
    if as_json:
        emit_json(asdict(report))
        return
    table = Table(title="入库结果")
    for column in ("文档", "状态", "段落", "新增", "删除"):
        table.add_column(column)
    for item in report.documents:
        counts = (str(item.chunks), str(item.added), str(item.removed))
        table.add_row(item.document, _STATUS[item.status], *counts)
    for skipped in report.skipped:
        table.add_row(skipped.file, f"[red]跳过[/]: {skipped.reason}", "", "", "")
    out.print(table)
    out.print(
        f"读取 {report.files} 个文件, 跳过 {len(report.skipped)} 个; 段落 新增 {report.added}, "
        f"未变 {report.unchanged}, 删除 {report.removed}; 向量库: "
        f"{settings.chroma_url or settings.store_dir}"
    )


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="检索内容，如 “PM2.5 浓度 同比”")],
    part: Annotated[str | None, typer.Option("--part", help="部分: 总结|问题|计划|其他")] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="主题: 大气|水|土壤|固废|生态|执法|信访|…")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="期间: 一季度|上半年|前三季度|全年")
    ] = None,
    year_from: Annotated[int | None, typer.Option("--year-from", help="起始年份")] = None,
    year_to: Annotated[int | None, typer.Option("--year-to", help="截止年份")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称")] = None,
    k: Annotated[int, typer.Option("-k", help="结果数")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid|dense|bm25")] = "hybrid",
    chroma_url: ChromaUrlOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """在往年总结中检索表述 (向量 + BM25 混合检索，可按部分、主题、期间、年份筛选)。"""
    from rich.table import Table

    from .retrieve import search

    settings = settings_for(data_dir, chroma_url=chroma_url)
    filters = {"part": part, "topic": topic, "period": period, "unit": unit}
    results = search(query, settings, k, year_from=year_from, year_to=year_to, mode=mode, **filters)  # type: ignore[arg-type]
    if as_json:
        emit_json(
            [
                {
                    "text": r.chunk.text,
                    "heading_path": list(r.chunk.heading_path),
                    "document": r.chunk.document,
                    "title": r.chunk.title,
                    "part": r.chunk.part,
                    "topic": r.chunk.topic,
                    "unit": r.chunk.unit,
                    "year": r.chunk.year,
                    "period": r.chunk.period,
                    "score": round(r.score, 6),
                    "id": r.chunk.id,
                }
                for r in results
            ]
        )
        return
    if not results:
        err.print("没有结果。库为空时请先运行 assistant ingest corpus/sample")
        return
    table = Table(title=f"检索: {query}", show_lines=True, expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("得分", no_wrap=True)
    table.add_column("来源 (文档 · 年份期间 · 部分/主题)", ratio=2)
    table.add_column("标题层级", ratio=2, overflow="fold")
    table.add_column("内容", ratio=5, overflow="fold")
    for rank, r in enumerate(results, start=1):
        c = r.chunk
        excerpt = c.text if len(c.text) <= 160 else c.text[:160] + "…"
        source = f"{c.document}\n{c.year or '—'} {c.period or ''}\n{c.part}/{c.topic}"
        table.add_row(str(rank), f"{r.score:.4f}", source, " > ".join(c.heading_path), excerpt)
    out.print(table)


figures_app = typer.Typer(help="本期数据文件 (CSV/XLSX/YAML): 查看、校验。", no_args_is_help=True)
app.add_typer(figures_app, name="figures")
FiguresFileArgument = Annotated[Path, typer.Argument(help="数据文件 (.csv/.xlsx/.yaml)")]


@figures_app.command("show")
def figures_show_command(path: FiguresFileArgument, as_json: JsonOption = False) -> None:
    """列出数据文件中的每个指标: 数值、同比、目标及是否完成、来源。"""
    from rich.table import Table

    from .figures import (
        figure_set_to_dict,
        format_change,
        format_decimal,
        format_value,
        load_figures,
    )

    figure_set = load_figures(path)
    if as_json:
        emit_json(figure_set_to_dict(figure_set))
        return
    table = Table(title=f"{path.name} · {figure_set.period or '期间未注明'}", expand=True)
    for column in ("id", "指标", "数值", "同比", "目标", "完成?", "来源"):
        table.add_column(column, overflow="fold")
    for figure in figure_set:
        change = figure_set.change(figure.id)
        check = figure_set.target(figure.id)
        change_text = ""
        if change is not None:
            assessment = f" ({change.assessment})" if change.assessment else ""
            change_text = format_change(change) + assessment
        met = ""
        if check is not None:
            met = "[green]是[/]" if check.met else "[red]否[/]"
            if check.completion is not None:
                met += f" 完成率{format_decimal(check.completion)}%"
        value = format_value(figure)
        table.add_row(
            figure.id,
            figure.name,
            f"[yellow]{value}[/]" if figure.missing else value,
            change_text,
            f"{figure.target_written}{figure.unit}" if figure.target_written else "",
            met,
            f"{figure.provenance.source}（第{figure.provenance.row}行）",
        )
    out.print(table)
    for warning in figure_set.warnings:
        err.print(f"[yellow]提示[/]: {warning}", highlight=False)


@figures_app.command("validate")
def figures_validate_command(path: FiguresFileArgument, as_json: JsonOption = False) -> None:
    """校验数据文件；有错误时列出每处问题 (文件、行、列、怎么改) 并以非零状态退出。"""
    from .figures import load_figures

    figure_set = load_figures(path)
    missing = [figure.id for figure in figure_set.missing]
    if as_json:
        emit_json(
            {
                "ok": True,
                "file": str(path),
                "sha256": figure_set.sha256,
                "period": figure_set.period,
                "figures": len(figure_set),
                "missing": missing,
                "warnings": list(figure_set.warnings),
            }
        )
        return
    out.print(
        f"[green]✓[/] {path.name}: {len(figure_set)} 个指标，期间 {figure_set.period or '未注明'}"
        + (f"，待补 {len(missing)} 个: {', '.join(missing)}" if missing else "")
    )
    for warning in figure_set.warnings:
        err.print(f"[yellow]提示[/]: {warning}", highlight=False)


_DIFF_KINDS = {"changed": "[yellow]修改[/]", "added": "[green]新增[/]", "removed": "[red]删除[/]"}


@app.command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(help="旧版 .docx")],
    b: Annotated[Path, typer.Argument(help="新版 .docx")],
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """逐段比较两版草稿，列出改动的段落和变化的数字及其来源。"""
    from dataclasses import asdict

    from .diff import diff_files

    result = diff_files(a, b)
    if as_json:
        emit_json({**asdict(result), "summary": result.summary})
        return
    print_diff(result, f"{a.name} → {b.name}")


def print_diff(result: Any, title: str) -> None:
    """A diff as two rich tables: changed paragraphs, then changed numbers with sources."""
    from rich.table import Table

    counts = result.summary
    if result.identical:
        out.print(f"两版相同（{counts['unchanged']} 段）")
        return
    table = Table(title=f"段落变化: {title}", show_lines=True, expand=True)
    for column, ratio in (("", None), ("旧段", None), ("新段", None), ("旧文", 4), ("新文", 4)):
        table.add_column(column, ratio=ratio, overflow="fold")
    for change in result.paragraphs:
        if change.kind == "unchanged":
            continue
        table.add_row(
            _DIFF_KINDS[change.kind],
            "" if change.a_index is None else str(change.a_index),
            "" if change.b_index is None else str(change.b_index),
            change.a_text or "",
            change.b_text or "",
        )
    out.print(table)
    if result.numbers:
        numbers = Table(title="变化的数字", expand=True)
        for column in ("", "指标", "旧值", "旧来源", "新值", "新来源"):
            numbers.add_column(column, overflow="fold")
        for n in result.numbers:
            numbers.add_row(
                _DIFF_KINDS[n.kind],
                n.metric or "",
                n.old or "",
                n.old_source or ("[red]无来源[/]" if n.old else ""),
                n.new or "",
                n.new_source or ("[red]无来源[/]" if n.new else ""),
            )
        out.print(numbers)
    out.print(
        f"未变 {counts['unchanged']} 段, 修改 {counts['changed']}, 新增 {counts['added']}, "
        f"删除 {counts['removed']}; 数字变化 {counts['numbers']} 处"
    )


@app.command("revise")
def revise_command(
    draft: Annotated[Path, typer.Argument(help="要修改的草稿 .docx")],
    instruction: Annotated[
        str, typer.Option("--instruction", "-i", help="修改意见，如 “再精简一些”")
    ],
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    output: Annotated[Path, typer.Option("--out", help="输出的 .docx (修订模式)")],
    section: Annotated[
        str | None, typer.Option("--section", help="只改这一节 (标题中的文字)")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称 (默认从标题识别)")] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """按修改意见改写草稿，以 Word 修订 (插入/删除) 写出，数字重新渲染并核对，批注保留。"""
    from rich.table import Table

    from .check import finding_to_dict
    from .revise import revise_file

    settings = settings_for(data_dir, writer=writer, model=model, base_url=base_url)
    report = revise_file(draft, instruction, figures, output, settings, section=section, unit=unit)
    revision = report.revision
    if as_json:
        emit_json(
            {
                "source": str(report.source),
                "output": str(report.output),
                "changed": [{"paragraph": i, "text": revision.texts[i]} for i in revision.changed],
                "flagged": revision.flagged,
                "notes": revision.notes,
                "added_comments": report.added_comments,
                "writer": revision.writer,
                "model": revision.model,
                "prompts": revision.prompts,
                "findings": [finding_to_dict(f) for f in revision.findings],
            }
        )
        return
    table = Table(title=f"修订: {draft.name} → {output.name}", show_lines=True, expand=True)
    table.add_column("段", no_wrap=True)
    table.add_column("修改后", overflow="fold")
    for index in revision.changed:
        table.add_row(str(index), revision.texts[index])
    out.print(table)
    for note in revision.notes:
        err.print(f"[yellow]提示[/]: {note}", highlight=False)
    if revision.flagged:
        err.print(f"[red]未能对应数据、已标〔待核〕的数字[/]: {'、'.join(revision.flagged)}")
    problems = [f for f in revision.findings if f.kind != "ok"]
    out.print(
        f"修改 {len(revision.changed)} 段，新增批注 {report.added_comments} 条；"
        f"核对: 问题 {len(problems)} 处 → {output}"
    )


CHAT_HELP = (
    "命令: /save [目录] 保存当前版本 · /check [版本] 核对数字 · /versions 版本列表 · "
    "/diff A B 比较两版 · /figures 文件 换数据文件 · /help · /quit"
)


@app.command("chat")
def chat_command(
    figures: Annotated[
        Path | None, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称")] = None,
    session: Annotated[
        str | None, typer.Option("--session", help="继续之前的会话 (会话 id)")
    ] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """在终端里对话起草和修改 (与网页版同一套会话，保存在数据目录中)。"""
    from .chat import ChatEngine, terminal_client

    settings = settings_for(data_dir, writer=writer, model=model, base_url=base_url)
    engine = ChatEngine(settings)
    client = terminal_client()
    if session is None:
        info = engine.create_session(client, figures=figures, unit=unit)
        err.print(f"新会话 {info.id}（用 --session {info.id} 继续）。{CHAT_HELP}")
    else:
        info = engine.store.info(client, session)
        if figures is not None:
            engine.set_figures(client, info.id, figures)
        if unit is not None:
            engine.store.update(client, info.id, unit=unit)
        for message in engine.history(client, info.id):
            who = "你" if message.role == "user" else "助手"
            out.print(f"[dim]{who}> {message.text}[/]", highlight=False)
    _chat_loop(engine, client, info.id)


def _chat_loop(engine: Any, client: str, session: str) -> None:
    while True:
        try:
            line = input("你> ").strip()
        except EOFError:
            break
        if not line:
            continue
        if line.startswith("/"):
            try:
                if not _chat_command(engine, client, session, line):
                    break
            except AssistantError as exc:
                err.print(f"[bold red]错误[/]: {exc}", highlight=False)
            continue
        turn = engine.send(
            client,
            session,
            line,
            on_token=lambda piece: out.print(piece, end="", markup=False, highlight=False),
            replay=False,
        )
        if turn.streamed:
            out.print("\n[dim]—— 渲染、核对后 ——[/]")
        _print_reply(turn)


def _print_reply(turn: Any) -> None:
    from .chat import segments

    reply = turn.reply
    if turn.draft is None:
        style = {"error": "red", "question": "yellow"}.get(reply.kind, "")
        text = reply.text.replace("[", r"\[")
        out.print(f"[{style}]助手> {text}[/]" if style else f"助手> {text}", highlight=False)
        return
    for block in segments(turn.draft):
        line = ""
        for piece in block["segments"]:
            text = piece["text"].replace("[", r"\[")
            if piece["kind"] == "num":
                line += f"[bold cyan]{text}[/]"
            elif piece["kind"] == "placeholder":
                line += f"[black on yellow]{text}[/]"
            else:
                line += text
        out.print(f"[bold]{line}[/]" if block["style"] != "body" else line, highlight=False)
    summary = turn.report.summary if turn.report else {}
    problems = len(turn.report.problems) if turn.report else 0
    out.print(
        f"[dim]第 {turn.version.number} 版 · 数字 {summary.get('ok', 0)} 个已核对"
        + (f"，[red]{problems} 处待处理[/]" if problems else "")
        + " · /check 看来源，/save 保存[/]"
    )
    for note in turn.notes:
        err.print(f"[yellow]提示[/]: {note}", highlight=False)


def _chat_command(engine: Any, client: str, session: str, line: str) -> bool:
    """Run one /command; False means quit."""
    from rich.table import Table

    name, _, rest = line.partition(" ")
    args = rest.split()
    if name in ("/quit", "/exit", "/q"):
        return False
    if name == "/help":
        out.print(CHAT_HELP)
    elif name == "/figures":
        if not args:
            raise AssistantError("用法: /figures 数据文件")
        figure_set = engine.set_figures(client, session, Path(rest.strip()))
        out.print(f"已载入 {len(figure_set)} 个指标，期间 {figure_set.period or '未注明'}")
    elif name == "/versions":
        table = Table(title="版本")
        for column in ("版本", "内容", "时间"):
            table.add_column(column)
        for version in engine.versions(client, session):
            table.add_row(str(version.number), version.label, version.created)
        out.print(table)
    elif name == "/diff":
        if len(args) != 2 or not all(a.isdigit() for a in args):
            raise AssistantError("用法: /diff 版本A 版本B，例如 /diff 1 2")
        a, b = int(args[0]), int(args[1])
        print_diff(engine.diff(client, session, a, b), f"第{a}版 → 第{b}版")
    elif name == "/check":
        number = int(args[0]) if args and args[0].isdigit() else None
        report = engine.check(client, session, number)
        table = Table(title="数字核对", expand=True)
        for column in ("结果", "数字", "数据", "来源 / 说明"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            ok = finding.kind == "ok"
            table.add_row(
                "[green]✓[/]" if ok else f"[red]{finding.kind}[/]",
                finding.value,
                finding.figure_id or "",
                (finding.source or "") if ok else finding.message,
            )
        out.print(table)
    elif name == "/save":
        folder = Path(rest.strip() or ".")
        saved = engine.export(client, session, folder)
        out.print("已保存: " + ", ".join(str(p) for p in saved.values()))
    else:
        raise AssistantError(f"未知命令 {name}", hint=CHAT_HELP)
    return True


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="监听地址；非本机地址须有令牌")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8765,
    token: Annotated[
        str | None,
        typer.Option("--token", help="访问令牌 (ASSISTANT_WEB_TOKEN)；非本机地址未给时自动生成"),
    ] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """启动网页版对话起草 (数据文件放在 数据目录/figures/ 下供选择，也可在网页上传)。"""
    from .web import serve

    settings = settings_for(data_dir, writer=writer, model=model, base_url=base_url)
    serve(settings, host=host, port=port, token=token, announce=lambda text: err.print(text))


_CHECK_COLOURS = {
    "ok": "green",
    "mismatch": "bold red",
    "unit": "magenta",
    "direction": "red",
    "unsourced": "yellow",
    "stale": "red",
    "placeholder": "cyan",
}
_CHECK_KINDS = {
    kind: f"[{colour}]{FINDING_LABELS[kind]}[/]" for kind, colour in _CHECK_COLOURS.items()
}


@app.command("check")
def check_command(
    draft: Annotated[Path, typer.Argument(help="草稿 (.docx/.md/.txt)")],
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    annotate: Annotated[
        Path | None, typer.Option("--annotate", help="另存一份带批注的 .docx (仅 .docx 草稿)")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="一致的数字也列出 (并在 --annotate 中加批注)")
    ] = False,
    sidecar: Annotated[
        Path | None, typer.Option("--sidecar", help="溯源 .json (默认自动找 <文件名>.json)")
    ] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """核对草稿中的每个数字: 与本期数据一致、数值/单位/方向错误、无出处、沿用上年数、待补。

    退出码: 0 全部一致; 1 有问题; 2 输入有误。
    """
    from .check import check_draft, report_to_dict

    report = check_draft(draft, figures, sidecar=sidecar, annotate=annotate, include_ok=show_all)
    if as_json:
        emit_json(report_to_dict(report))
    else:
        shown = report.findings if show_all else report.problems
        if shown:
            out.print(_check_table(shown, f"数字核对: {draft.name}", out.width))
        counts = report.summary
        parts = [f"{name} {counts[kind]}" for kind, name in FINDING_LABELS.items() if counts[kind]]
        verdict = "[green]全部一致[/]" if report.ok else "[red]有问题[/]"
        out.print(f"{verdict}: 数字 {counts['total']} 处 — " + ("，".join(parts) or "无数字"))
        if annotate is not None:
            out.print(f"批注已写入 {annotate}")
    if not report.ok:
        raise typer.Exit(code=1)


def _check_table(findings: Sequence[Finding], title: str, width: int) -> Table:
    """Readable down to 80 columns: the number, what it should be and the figure id stay whole
    on their lines; the message wraps and the context under it is cut with … to one line.
    Below WIDE_TABLE columns the expected value goes under the written one, saving a column."""
    from rich.cells import cell_len
    from rich.table import Table

    wide = width >= WIDE_TABLE
    table = Table(title=title, show_lines=True, expand=True, padding=(0, 1))
    table.add_column("结果", no_wrap=True)
    table.add_column("文中", no_wrap=True)
    if wide:
        table.add_column("应为", no_wrap=True)
    table.add_column("数据 / 段", overflow="fold", max_width=24 if wide else 14)
    table.add_column("说明 / 上下文", overflow="fold", ratio=1)
    cap = 24 if wide else 14
    columns = [
        [FINDING_LABELS[f.kind] for f in findings],
        [
            f.value if wide else max(f.value, f"→ {f.expected or ''}", key=cell_len)
            for f in findings
        ],
        [f.expected or "" for f in findings] if wide else None,
        [min(cap, max(cell_len(_figure_label(f)), 4)) * " " for f in findings],
    ]
    # each column: its text, 2 of padding, 1 of border; then the last column's own and the edge
    fixed = sum(3 + max(map(cell_len, column)) for column in columns if column) + 4
    room = max(10, width - fixed)
    for f in findings:
        number = Text(f.value)
        if f.expected and not wide:
            number.append("\n→ " + f.expected, style="bold")
        figure = _figure_label(f)
        where = f"{figure}\n第{f.block}段" if figure else f"第{f.block}段"
        about = Text(f.message)
        if f.context:
            near = _near(f.context, f.value, before=min(8, room // 3))
            about.append("\n" + _cut(near, room), style="dim")
        cells = [_CHECK_KINDS[f.kind], number]
        if wide:
            cells.append(Text(f.expected or ""))
        table.add_row(*cells, Text(where), about)
    return table


WIDE_TABLE = 110  # terminal columns from which 应为 gets a column of its own


def _figure_label(f: Finding) -> str:
    if not f.figure_id:
        return ""
    return f"{f.figure_id}{'' if f.field in (None, 'value') else '.' + f.field}"


def _near(context: str, value: str, before: int = 8) -> str:
    """The context from a few characters before the number, so a cut end still shows it."""
    at = context.find(value)
    return context if at <= before else "…" + context[at - before :]


def _cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells, ending in … when cut."""
    from rich.cells import cell_len, set_cell_size

    return text if cell_len(text) <= cells else set_cell_size(text, cells - 1) + "…"


@app.command("draft")
def draft_command(
    figures: Annotated[Path, typer.Option("--figures", help="本期数据文件 (.csv/.xlsx/.yaml)")],
    period: Annotated[
        str, typer.Option("--period", help="期间: 2025年上半年 / 2025年一季度 / 2025年 …")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="输出目录")] = Path("out"),
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="单位名称，默认取数据文件、设置 unit 或语料库中的单位"),
    ] = None,
    section: Annotated[
        str | None, typer.Option("--section", help="只起草一节，如 大气污染防治")
    ] = None,
    part: Annotated[str, typer.Option("--part", help="总结|计划|问题|全部")] = "全部",
    outline: Annotated[
        Path | None, typer.Option("--outline", help="提纲文件 (每行一个标题)")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="half-year|annual|quarter，默认由期间判断")
    ] = None,
    writer: WriterOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    stem: Annotated[str | None, typer.Option("--stem", help="输出文件名 (不含扩展名)")] = None,
    chroma_url: ChromaUrlOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """起草工作总结/计划 (全文或一节)：输出 .docx (公文格式，数字带批注)、.md 和溯源 .json。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress
    from rich.table import Table

    from .draft import DraftRequest, make_draft, summary

    settings = settings_for(
        data_dir, chroma_url=chroma_url, writer=writer, model=model, base_url=base_url
    )
    request = DraftRequest(figures, unit or "", period, kind, section, part, outline, writer)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("起草", total=None)
        lines = _progress_lines("起草", settings)
        pending: list[str] = []

        def progress(done: int, total: int, heading: str) -> None:
            bar.update(task, completed=done, total=total, description=heading or "完成")
            if lines is not None:
                lines.update(done, total, heading)
            if heading and not as_json:
                bar.console.print(f"[bold]{heading}[/]", highlight=False)

        def on_token(text: str) -> None:  # whole lines only, so the bar redraws cleanly
            pending.append(text)
            joined = "".join(pending)
            if "\n" in joined:
                lines, _, rest = joined.rpartition("\n")
                bar.console.print(lines, highlight=False, markup=False)
                pending[:] = [rest] if rest else []

        result = make_draft(
            request,
            settings,
            out_dir,
            stem=stem,
            on_token=None if as_json else on_token,
            progress=progress,
        )
    report = summary(result)
    if as_json:
        emit_json(report)
        return
    table = Table(title=report["title"])
    for column in ("部分", "段落", "引用数字", "待补/待核"):
        table.add_column(column)
    for item in report["sections"]:
        marks = str(item["placeholders"]) if item["placeholders"] else ""
        table.add_row(item["heading"], str(item["paragraphs"]), str(item["numbers"]), marks)
    out.print(table)
    check = report["check"]
    verdict = "[green]通过[/]" if check["passed"] else "[red]未通过[/]"
    out.print(
        f"核对: {verdict} (一致 {check['ok']}, 待补/待核 {check['placeholder']}, "
        f"不一致 {check['mismatch'] + check['unit'] + check['direction']}, "
        f"无出处 {check['unsourced']}, 旧数 {check['stale']}); "
        f"写法: {report['writer']}{' · ' + report['model'] if report['model'] else ''}",
        highlight=False,
    )
    for path in report["files"].values():
        out.print(f"  {path}", highlight=False)
    for note in report["notes"]:
        err.print(f"[yellow]提示[/]: {note}", highlight=False)


def main() -> None:
    """Entry point: AssistantError becomes one clear message and a non-zero exit, no traceback.

    With --json a failure is also one JSON document on stdout ({"error": {...}}), so a script
    reading stdout always gets a document; the message for people still goes to stderr.
    """
    global _json_emitted
    _json_emitted = False
    as_json = "--json" in sys.argv[1:]
    try:
        if as_json:  # without standalone mode click hands us its usage errors, unprinted
            code = app(standalone_mode=False)
            sys.exit(code if isinstance(code, int) else 0)
        app()
    except AssistantError as exc:
        err.print(f"[bold red]错误[/]: {exc}", highlight=False)
        _fail_json(
            as_json,
            type(exc).__name__,
            getattr(exc, "reason", exc.message),
            path=getattr(exc, "path", None),
            row=getattr(exc, "row", None),
            column=getattr(exc, "column", None),
            hint=exc.hint,
        )
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("已中止 (Ctrl-C)")
        _fail_json(as_json, "Interrupted", "已中止 (Ctrl-C)")
        sys.exit(130)
    except typer.TyperException as exc:  # only with --json: a bad option or argument (click's)
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err.print(str(exc), markup=False)
        format_message = getattr(exc, "format_message", None)
        message = format_message() if format_message is not None else str(exc)
        _fail_json(as_json, "UsageError", message)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        err.print("已中止 (Ctrl-C)")
        _fail_json(as_json, "Interrupted", "已中止 (Ctrl-C)")
        sys.exit(130)
    except SystemExit as exc:  # typer turns Ctrl-C into a silent exit 130
        if exc.code == 130:
            err.print("已中止 (Ctrl-C)。未写出半截文件；重新运行同一命令即可补完。")
            _fail_json(as_json, "Interrupted", "已中止 (Ctrl-C)")
        elif exc.code not in (0, None):
            _fail_json(as_json, "Failed", f"命令失败（退出码 {exc.code}），详见标准错误输出")
        raise
    except OSError as exc:  # a file we could not read or write, where no module said so
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"文件读写失败（{exc.strerror or exc}）"
        err.print(f"[bold red]错误[/]: {where}{message}", highlight=False)
        path = str(exc.filename) if exc.filename else None
        _fail_json(as_json, "FileError", message, path=path)
        sys.exit(2)
