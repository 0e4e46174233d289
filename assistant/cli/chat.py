"""Commands for conversation: the terminal chat and the web server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import AssistantError
from .common import (
    BaseUrlOption,
    DataDirOption,
    DomainOption,
    ModelOption,
    WriterOption,
    app,
    err,
    out,
    settings_for,
)
from .documents import print_diff

CHAT_HELP = (
    "命令: /save [目录] 保存当前版本 · /check [版本] 核对数字 · /versions 版本列表 · "
    "/diff A B 比较两版 · /figures 文件 换数据文件 · /items 文件或文件夹… 科室材料 · /help · /quit"
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
    domain_name: DomainOption = None,
) -> None:
    """在终端里对话起草和修改 (与网页版同一套会话，保存在数据目录中)。"""
    from ..chat import ChatEngine, terminal_client

    settings = settings_for(
        data_dir, writer=writer, model=model, base_url=base_url, domain=domain_name
    )
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
    from ..chat import segments

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


def _files(path: Path) -> list[Path]:
    """A folder's material files (not its sub-folders'), or the file itself."""
    from ..uploads import ITEMS_SUFFIXES

    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ITEMS_SUFFIXES)


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
    elif name == "/items":
        from ..chat.items import items_note

        if not args:
            raise AssistantError("用法: /items 科室材料文件或文件夹（可写多个）")
        paths = [p for a in args for p in _files(Path(a))]
        out.print(items_note(engine.set_items(client, session, paths)), highlight=False)
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
    domain_name: DomainOption = None,
) -> None:
    """启动网页版对话起草 (数据文件放在 数据目录/figures/ 下供选择，也可在网页上传)。"""
    from ..web import serve

    settings = settings_for(
        data_dir, writer=writer, model=model, base_url=base_url, domain=domain_name
    )
    serve(settings, host=host, port=port, token=token, announce=lambda text: err.print(text))
