"""Writers by name.

A writer is found by its name in the ``assistant.writers`` entry-point group: our own two are
declared in pyproject.toml (``[project.entry-points."assistant.writers"]``), and a package that
declares ``mywriter = "mypackage.module:MyWriter"`` in its own pyproject.toml adds one without a
change here — the way llm finds its model plugins. The entry point names a factory that takes
the Settings and returns a Writer (assistant.writers.Writer). A factory can also be registered
in-process (tests, an application embedding the assistant); it wins over an entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .settings import Settings
    from .writers import Writer

GROUP = "assistant.writers"
WriterFactory = Callable[["Settings"], "Writer"]

_in_process: dict[str, WriterFactory] = {}


@cache
def _declared() -> dict[str, EntryPoint]:
    """The installed packages' writers (read once: metadata changes only on reinstall)."""
    return {point.name: point for point in entry_points(group=GROUP)}


def register_writer(name: str, factory: WriterFactory) -> None:
    """Make ``factory`` the writer called ``name`` in this process."""
    _in_process[name] = factory


def unregister_writer(name: str) -> None:
    _in_process.pop(name, None)


def writer_names() -> list[str]:
    """Every writer that can be asked for, in alphabetical order."""
    return sorted(set(_declared()) | set(_in_process))


def unknown_writer(name: str) -> ConfigError:
    names = writer_names()
    hint = f"可选: {'、'.join(names)}" if names else "没有已安装的起草方式：运行 make install"
    return ConfigError(f"未知的起草方式 “{name}”", hint=hint)


def make_writer(name: str, settings: Settings) -> Writer:
    """The writer called ``name``; ConfigError naming the registered ones if there is none."""
    factory = _in_process.get(name)
    if factory is None:
        point = _declared().get(name)
        if point is None:
            raise unknown_writer(name)
        try:
            factory = point.load()
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                f"起草方式 “{name}” 无法加载（{point.value}：{exc}）",
                hint="检查提供它的软件包是否完整安装",
            ) from exc
    return factory(settings)
