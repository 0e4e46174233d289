"""Prompt files under prompts/: versioned Markdown templates, loaded by name and checked strictly.

A prompt file starts with a YAML front-matter block (id, version, description, placeholders)
followed by the template body. Drafts record each prompt's id and version, so a change in wording
is a new version, never a silent edit.

Brace scheme (chosen so the body reads exactly as the model will see it):

- ``{name}`` — single braces around a snake_case name — is a placeholder filled by ``render``.
- ``{{anything}}`` — double braces — is literal text and reaches the model unchanged; this is how
  the prompts show the ``{{figure_id}}`` references the model must write.
- Any other ``{`` or ``}`` is an error, so a typo such as ``{figures table}`` cannot slip through
  as literal text.

Values are substituted in one pass and never re-read, so braces inside a value (an exemplar, a
user's instruction) stay data and cannot open new placeholders. The prompts fence such data
between 【…开始】 and 【…结束】 markers; a marker inside a value is turned into 〖…〗 so a past
summary or an upload cannot close its fence early and speak as the instructions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import PromptError
from .settings import Settings

PROMPT_NAME = re.compile(r"[a-z][a-z0-9-]*")
PLACEHOLDER_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Order matters: a literal {{...}} run is consumed before a single-brace placeholder is tried.
BODY_TOKEN = re.compile(r"\{\{[^{}]*\}\}|\{([a-z][a-z0-9_]*)\}|[{}]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FENCE_MARKER = re.compile(r"【([^【】\n]{0,20}(?:开始|结束))】")
FRONT_MATTER_KEYS = {"id", "version", "description", "placeholders"}


@dataclass(frozen=True)
class Prompt:
    """One loaded prompt file; ``render`` fills it, ``ref`` names it in provenance records."""

    id: str
    version: int
    description: str
    placeholders: tuple[str, ...]
    body: str
    path: Path

    @property
    def ref(self) -> str:
        return f"{self.id}@v{self.version}"

    def render(self, **values: object) -> str:
        """Fill every declared placeholder; a missing, extra or None value is a PromptError."""
        declared = set(self.placeholders)
        missing = sorted(declared - values.keys())
        extra = sorted(values.keys() - declared)
        empty = sorted(name for name, value in values.items() if value is None)
        problems = [
            f"缺少 {', '.join(missing)}" if missing else "",
            f"多余 {', '.join(extra)}" if extra else "",
            f"值为 None: {', '.join(empty)}" if empty else "",
        ]
        if any(problems):
            raise PromptError(
                f"提示词 {self.ref} ({self.path}) 的占位符取值不对: "
                + "; ".join(p for p in problems if p),
                hint=f"需要且只需要这些占位符: {', '.join(self.placeholders) or '(无)'}",
            )

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return FENCE_MARKER.sub(r"〖\1〗", str(values[name])) if name else match.group(0)

        return BODY_TOKEN.sub(fill, self.body)


def prompt_path(name: str, settings: Settings) -> Path:
    if not PROMPT_NAME.fullmatch(name):
        raise PromptError(
            f"提示词名称“{name}”无效", hint="名称只含小写字母、数字和连字符，例如 section-summary"
        )
    return Path(settings.prompts_dir) / f"{name}.md"


def list_prompts(settings: Settings) -> list[str]:
    """Names of the prompt files in settings.prompts_dir, sorted."""
    folder = Path(settings.prompts_dir)
    return sorted(path.stem for path in folder.glob("*.md")) if folder.is_dir() else []


def load_prompt(name: str, settings: Settings) -> Prompt:
    """Read prompts_dir/NAME.md and check its front matter against its body."""
    path = prompt_path(name, settings)
    if not path.is_file():
        available = ", ".join(list_prompts(settings)) or "(无)"
        raise PromptError(
            f"找不到提示词文件 {path}",
            hint=f"{settings.prompts_dir} 中现有: {available}",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"无法读取提示词文件 {path}: {exc}", hint="文件须为 UTF-8 文本") from exc
    return parse_prompt(text, path)


def parse_prompt(text: str, path: Path) -> Prompt:
    """Build a Prompt from a file's text; every inconsistency is a PromptError naming ``path``."""

    def fail(problem: str, hint: str | None = None) -> PromptError:
        return PromptError(f"提示词文件 {path}: {problem}", hint=hint)

    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise fail(
            "缺少开头的 front matter",
            hint="文件须以 ---、id/version/description/placeholders 几行、--- 开头",
        )
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise fail(f"front matter 不是有效的 YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise fail("front matter 须为 键: 值 形式")
    unknown = sorted(str(key) for key in meta.keys() - FRONT_MATTER_KEYS)
    if unknown:
        raise fail(
            f"front matter 中有未知的键 {', '.join(unknown)}",
            hint=f"只允许 {', '.join(sorted(FRONT_MATTER_KEYS))}",
        )

    prompt_id = meta.get("id")
    if not isinstance(prompt_id, str) or not prompt_id:
        raise fail("front matter 缺少 id")
    if prompt_id != path.stem:
        raise fail(f"id “{prompt_id}” 与文件名 “{path.stem}” 不一致", hint="id 须等于文件名")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail("front matter 缺少 version 或不是正整数", hint="例如 version: 1")
    description = meta.get("description", "")
    if not isinstance(description, str):
        raise fail("description 须为一行文字")
    placeholders = meta.get("placeholders") or []
    if not isinstance(placeholders, list) or not all(isinstance(p, str) for p in placeholders):
        raise fail("placeholders 须为名称列表", hint="例如 placeholders: [unit, period]")
    bad_names = [p for p in placeholders if not PLACEHOLDER_NAME.fullmatch(p)]
    if bad_names:
        raise fail(f"占位符名称无效: {', '.join(bad_names)}", hint="名称只含小写字母、数字和下划线")
    if len(set(placeholders)) != len(placeholders):
        raise fail("placeholders 中有重复的名称")

    text = text.lstrip("\ufeff")
    body = text[match.end() :]
    used = _placeholders_in(body, first_line=text.count("\n", 0, match.end()) + 1, fail=fail)
    undeclared = sorted(used - set(placeholders))
    if undeclared:
        raise fail(
            f"正文使用了未声明的占位符 {', '.join('{' + n + '}' for n in undeclared)}",
            hint="检查拼写，或把它加入 placeholders",
        )
    unused = [p for p in placeholders if p not in used]
    if unused:
        raise fail(
            f"声明的占位符没有在正文中使用: {', '.join(unused)}",
            hint="在正文中使用它，或从 placeholders 中删去",
        )
    return Prompt(
        id=prompt_id,
        version=version,
        description=description.strip(),
        placeholders=tuple(placeholders),
        body=body,
        path=path,
    )


def _placeholders_in(body: str, *, first_line: int, fail: Callable[..., PromptError]) -> set[str]:
    used: set[str] = set()
    for token in BODY_TOKEN.finditer(body):
        if token.group(1):
            used.add(token.group(1))
        elif token.group(0) in "{}":
            line = first_line + body.count("\n", 0, token.start())
            raise fail(
                f"第{line}行有单独的花括号“{token.group(0)}”",
                hint="占位符写作 {name}（小写、下划线）；要原样给模型看的花括号写成 {{…}}",
            )
    return used
