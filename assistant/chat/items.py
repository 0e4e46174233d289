"""The 科室 material of a chat session: kept in the session's folder, read with its figures, and
listed in the conversation like a figures file — each item with its 科室, topic, words and
numbers, then what must be settled (out-of-period items, conflicts with the figures file,
merged duplicates) as warnings."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..items import load_items
from ..types import FigureSet, ItemSet
from ..uploads import ITEMS_SUFFIXES, check_upload

LISTED = 60  # items a reply lists before it says how many more there are
NO_MATERIAL = (
    "这个会话还没有科室材料。请点“上传科室材料”选择各科室报来的文件（.docx/.txt/.md 材料，"
    "或含“科室、事项”列的 .csv/.xlsx 事项表，可一次多选），再说“用这些科室材料”。"
)
DROPPED = "好的，不再使用科室材料，之后起草只依据数据文件。"


def read_session_items(folder: Path, figure_set: FigureSet | None) -> ItemSet | None:
    """The items of a session's material folder, checked against its figures (None: no
    material)."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return None
    return load_items(folder, figure_set, figure_set.period if figure_set else None)


def keep_material(paths: Sequence[Path], folder: Path, figure_set: FigureSet | None) -> ItemSet:
    """Check and read the uploaded files, then make them the session's material (replacing
    what it had); a bad file raises InputError and changes nothing. A zip is refused: the
    files are chosen one by one (several at once)."""
    if not paths:
        raise InputError("没有选择科室材料文件", hint="可一次选择多个文件")
    for path in paths:
        if not Path(path).is_file():
            raise InputError("科室材料文件不存在", path=str(path))
        if Path(path).suffix.lower() == ".zip":
            raise InputError(
                "压缩包不能直接作为科室材料",
                path=Path(path).name,
                hint="请先解压，再选择其中的材料文件（可一次多选）",
            )
        check_upload(Path(path), allowed=ITEMS_SUFFIXES)
    staging = folder.with_name(folder.name + "-new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for path in paths:
            shutil.copyfile(path, staging / Path(path).name)
        item_set = read_session_items(staging, figure_set)
        assert item_set is not None  # the folder has the files just copied
    except InputError as exc:  # named by the file the person chose, not the session's folder
        shutil.rmtree(staging, ignore_errors=True)
        named = (exc.path and exc.path.replace(str(staging), "").strip("/\\")) or "科室材料"
        raise InputError(
            exc.reason, path=named, row=exc.row, column=exc.column, hint=exc.hint
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return item_set


def items_note(item_set: ItemSet) -> str:
    """The items as the chat lists them: a line per item (科室 | 主题 | 事项 | 数字), then the
    warnings, then what happens next."""
    figures = {f.id: f for f in item_set.figures}
    files = "、".join(Path(f).name for f in item_set.files)
    period = f"，期间 {item_set.period}" if item_set.period else ""
    lines = [
        f"已载入科室材料（{files}{period}）：{len(item_set.items)} 条事项可用"
        + (f"，{len(item_set.held)} 条暂不使用" if item_set.held else "")
        + "。",
        "科室 | 主题 | 部分 | 事项 | 数字",
    ]
    for item in item_set.items[:LISTED]:
        numbers = "、".join(
            figures[f].written + figures[f].unit for f in item.figure_ids if f in figures
        )
        lines.append(f"{item.office} | {item.topic} | {item.part} | {item.text} | {numbers or '—'}")
    if len(item_set.items) > LISTED:
        lines.append(f"……另有 {len(item_set.items) - LISTED} 条")
    lines += [f"提示：{message}" for message in item_set.warnings]
    lines.append("起草时会用上这些事项，每句注明出自哪个科室的哪份材料；说“不用科室材料”可撤下。")
    return "\n".join(lines)
