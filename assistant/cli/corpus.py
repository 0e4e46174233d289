"""Commands over the corpus: ingest past documents, search them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    ChromaUrlOption,
    DataDirOption,
    DomainOption,
    JsonOption,
    _progress_lines,
    app,
    emit_json,
    err,
    out,
    settings_for,
)

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
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """读取往年总结，切分、标注并存入向量库 (只嵌入新的或改过的段落)。"""
    from dataclasses import asdict

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from ..ingest import ingest

    settings = settings_for(data_dir, chroma_url=chroma_url, domain=domain_name)
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
    query: Annotated[str, typer.Argument(help="检索内容：要找的说法或指标名")],
    part: Annotated[str | None, typer.Option("--part", help="部分: 总结|问题|计划|其他")] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="主题（领域包 topics.yaml 中的主题名）")
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
    domain_name: DomainOption = None,
    as_json: JsonOption = False,
) -> None:
    """在往年总结中检索表述 (向量 + BM25 混合检索，可按部分、主题、期间、年份筛选)。"""
    from rich.table import Table

    from ..retrieve import search

    settings = settings_for(data_dir, chroma_url=chroma_url, domain=domain_name)
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
