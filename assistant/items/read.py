"""Reading 科室 material into entries: notes (.docx/.txt/.md, one file per 科室) and 事项 tables
(.csv/.xlsx, or a sheet named 事项 in the figures workbook).

An entry is a paragraph of a note or a row of a table, as written, with where it stands (file,
row or paragraph), the headings above it and what the file says about it (科室, 主题, 完成情况,
时间, 来源). Cutting entries into one-fact items is assistant.items.split's work. Notes are read
by assistant.reading (so .docx goes through assistant.word, encodings and web debris as for past
summaries); tables by the figures file's own grid readers.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import domain
from ..errors import InputError
from ..figures.tables import HEADER_SCAN_ROWS, csv_records, sheet_grid
from ..reading import (
    is_corpus_file,
    is_short_heading,
    is_title_like,
    numbering,
    read_document,
)
from ..types import Block

NOTE_SUFFIXES = (".docx", ".txt", ".md")
TABLE_SUFFIXES = (".csv", ".xlsx")
ITEMS_SHEET = "事项"  # the sheet of a figures workbook (or of an items table) that holds items

# field → accepted header spellings of an items table
COLUMNS: dict[str, tuple[str, ...]] = {
    "office": ("科室", "部门", "处室", "科室名称"),
    "topic": ("主题", "类别"),
    "text": ("事项", "工作事项", "工作内容", "内容"),
    "status": ("完成情况", "进展情况", "进展", "状态"),
    "time": ("时间", "完成时间", "日期"),
    "source": ("来源", "出处", "依据"),
}
_HEADER_LOOKUP = {spelling: key for key, names in COLUMNS.items() for spelling in names}
TABLE_HINT = "表头写：科室,主题,事项,完成情况,时间,来源（至少要有“事项”列）"


@dataclass(frozen=True)
class Entry:
    """A paragraph of a note or a row of a table, before it is cut into items."""

    office: str
    text: str
    file: str
    headings: tuple[str, ...] = ()
    row: int | None = None  # a table's row as a person sees it
    line: int | None = None  # a note's paragraph, 1-based
    topic: str | None = None
    status: str | None = None
    time: str | None = None
    source: str | None = None
    sheet: str | None = None


# --- which files ------------------------------------------------------------------------------


def material_files(path: Path) -> list[Path]:
    """The files of a folder of material (notes and tables, sorted; hidden files, READMEs and
    figures files left out), or the one file given."""
    path = Path(path)
    if not path.exists():
        raise InputError("科室材料路径不存在", path=str(path), hint="检查 --items 路径拼写")
    if path.is_file():
        return [path]
    suffixes = NOTE_SUFFIXES + TABLE_SUFFIXES
    return [
        p
        for p in sorted(path.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in suffixes
        and is_corpus_file(p.name)
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]


def material_sha256(path: Path) -> str:
    """A fingerprint of the material at ``path``: each file's name (within the folder) and
    bytes, so a draft's check knows the material is still what it was drafted from."""
    path = Path(path)
    digest = hashlib.sha256()
    for file in material_files(path):
        name = file.name if path.is_file() else file.relative_to(path).as_posix()
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


# --- the 科室 ----------------------------------------------------------------------------------


@cache
def _office_pattern(pack: domain.Domain) -> re.Pattern[str]:
    return re.compile(domain.file_data(pack, "items.yaml")["office_names"])


# Words a file name or title holds besides the 科室: the period, the kind of material.
_NOT_OFFICE = re.compile(
    r"[^\u4e00-\u9fff]+|年|季度|半年|全年|工作|材料|总结|小结|情况|汇报|报告|计划|事项|清单|台账"
)
_OFFICE_LINE = re.compile(r"^\s*(?:科室|部门|处室)\s*[:：]\s*(?P<office>\S.*?)\s*$")


def office_in(name: str) -> str | None:
    """The 科室 a file name or title names (大气科, 执法大队), the period and kind words aside."""
    pattern = _office_pattern(domain.current())
    return next((p for p in _NOT_OFFICE.split(name) if p and pattern.fullmatch(p)), None)


def office_line(text: str) -> str | None:
    """The 科室 a line 科室：… declares."""
    found = _OFFICE_LINE.match(text)
    return found.group("office") if found else None


# --- notes ------------------------------------------------------------------------------------


def _heading(block: Block) -> str | None:
    """A heading of a note: a heading style, a short numbered line with no sentence in it
    (一、上半年工作情况), or a short line that ends in a colon (下半年打算：). A numbered line that
    is one sentence (1.完成…。) is an item, not a heading."""
    text = block.text.strip()
    if block.style in ("h1", "h2", "h3", "h4"):
        return text
    if is_short_heading(text) and not text.endswith("。"):
        return text
    if len(text) <= 20 and text.endswith(("：", ":")) and "。" not in text:
        return text.rstrip("：:")
    return None


def read_note(path: Path) -> list[Entry]:
    """A note's body paragraphs with the headings above them; the 科室 from a first line
    科室：…, else the file name, else the title."""
    document = read_document(path)
    office = None
    stack: list[tuple[int, str]] = []
    entries: list[Entry] = []
    for index, block in enumerate(document.blocks, start=1):
        text = block.text.strip()
        declared = office_line(text)
        if declared is not None:
            office = office or declared
            continue
        if block.style == "title" or (not entries and not stack and is_title_like(text)):
            continue
        heading = _heading(block)
        if heading is not None:
            numbered = numbering(heading)
            level = numbered[0] if numbered else _style_level(block)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
            continue
        entries.append(Entry("", text, str(path), tuple(h for _, h in stack), line=index))
    office = office or office_in(path.stem) or office_in(document.title) or path.stem
    return [Entry(office, e.text, e.file, e.headings, line=e.line) for e in entries]


def _style_level(block: Block) -> int:
    return {"h1": 1, "h2": 2, "h3": 3, "h4": 4}.get(block.style, 5)


# --- tables -----------------------------------------------------------------------------------


def _header(cells: Sequence[str]) -> dict[int, str] | None:
    fields: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(cell.strip())
        if key is not None and key not in fields.values():
            fields[index] = key
    return fields if "text" in fields.values() else None


def entries_from_grid(
    grid: Iterable[tuple[int, list[str]]], path: Path, sheet: str | None = None
) -> list[Entry] | None:
    """The rows under an items table's header (the first row with an 事项 column, within the
    first rows), or None when there is no such header. A row without a 科室 takes the file's."""
    fields: dict[int, str] | None = None
    entries: list[Entry] = []
    fallback = office_in(path.stem) or ""
    for number, cells in grid:
        if fields is None:
            fields = _header(cells)
            if fields is None and number >= HEADER_SCAN_ROWS:
                return None
            continue
        row = {key: (cells[i].strip() if i < len(cells) else "") for i, key in fields.items()}
        if not row.get("text"):
            continue
        entries.append(
            Entry(
                office=row.get("office") or fallback,
                text=row["text"],
                file=str(path),
                row=number,
                topic=row.get("topic") or None,
                status=row.get("status") or None,
                time=row.get("time") or None,
                source=row.get("source") or None,
                sheet=sheet,
            )
        )
    return None if fields is None else entries


def read_table(path: Path) -> list[Entry]:
    """An items table (.csv, or .xlsx: its 事项 sheet, else the first sheet with the header)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        records = csv_records(data)
        if records is None:
            raise InputError("文件既不是 UTF-8 也不是 GBK 编码", path=str(path), hint=TABLE_HINT)
        found = entries_from_grid(enumerate(records, start=1), path)
    else:
        found = _workbook_entries(path, data, required=True)
    if found is None:
        raise InputError("找不到事项表的表头（需要“事项”列）", path=str(path), hint=TABLE_HINT)
    return found


def workbook_items(path: Path) -> list[Entry]:
    """The items of a figures workbook's sheet named 事项 ([] when it has none, or is no .xlsx)."""
    if Path(path).suffix.lower() != ".xlsx" or not Path(path).is_file():
        return []
    return _workbook_entries(Path(path), Path(path).read_bytes(), required=False) or []


def _workbook_entries(path: Path, data: bytes, *, required: bool) -> list[Entry] | None:
    """The 事项 sheet's rows; for an items workbook (``required``) any sheet with the header."""
    import openpyxl  # only the workbook readers need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            f"无法作为 Excel 文件打开（{exc}）", path=str(path), hint="用 Excel 另存为 .xlsx"
        ) from exc
    try:
        sheets = sorted(workbook.worksheets, key=lambda s: s.title != ITEMS_SHEET)
        for sheet in sheets:
            if sheet.title != ITEMS_SHEET and not required:
                continue
            found = entries_from_grid(sheet_grid(sheet), path, sheet.title)
            if found is not None:
                return found
            if sheet.title == ITEMS_SHEET:
                raise InputError(
                    f"工作表“{ITEMS_SHEET}”找不到表头（需要“事项”列）",
                    path=str(path),
                    hint=TABLE_HINT,
                )
    finally:
        workbook.close()
    return None


def read_material(path: Path) -> list[Entry]:
    """Every entry of one file of material."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return read_table(path)
    if suffix in NOTE_SUFFIXES:
        return read_note(path)
    raise InputError(
        f"不支持的科室材料类型“{path.suffix}”",
        path=str(path),
        hint="支持 .docx、.txt、.md 笔记和 .csv、.xlsx 事项表",
    )
