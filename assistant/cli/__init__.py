"""The command line: each command parses, calls one library function, prints.

Results go to stdout (a rich table, or exactly one JSON document with --json); progress and
errors go to stderr, so `--json` output can be piped straight into other tools.
"""

from __future__ import annotations

import sys

import typer

from ..errors import AssistantError
from .common import _fail_json, app, err, start_run

# Each module registers its commands on import; --help lists them in this order.
# isort: off
from . import corpus, documents, items, chat, check, draft  # noqa: F401
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: AssistantError becomes one clear message and a non-zero exit, no traceback.

    With --json a failure is also one JSON document on stdout ({"error": {...}}), so a script
    reading stdout always gets a document; the message for people still goes to stderr.
    """
    start_run()
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
