"""Files that come from outside (web uploads, editors' .docx) are checked before any parser sees
them: empty, too big, the wrong kind behind a familiar extension, or a zip that would expand into
gigabytes. Each refusal is an InputError a person can act on.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import time
import unicodedata
import zipfile
from pathlib import Path

from .errors import InputError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a figures file or a draft is a few hundred kB at most
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a real .docx/.xlsx expands to tens of MB at most
MAX_RATIO = 200  # XML compresses ~10×; a bomb compresses thousands of times
MAX_MEMBERS = 5000
FIGURES_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".yaml", ".yml")
DRAFT_SUFFIXES = (".docx",)
ITEMS_SUFFIXES = (".docx", ".txt", ".md", ".csv", ".xlsx")  # 科室 notes and 事项 tables
# The part every real file of that kind holds, so a renamed zip is told apart from the real thing.
_REQUIRED_PART = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".xlsm": "xl/workbook.xml",
}
_KIND_NAMES = {".docx": "Word 文档", ".xlsx": "Excel 表格", ".xlsm": "Excel 表格"}
MAX_NAME_BYTES = 120  # well under the 255-byte limit of every file system, with room for a suffix
DISPLAY_CHARS = 60
LEFTOVER_PREFIX = "upload-"
STALE_SECONDS = 3600  # an upload folder untouched this long is a leftover, whoever made it
_UNSAFE = set('<>:"/\\|?*')


def _printable(name: str) -> str:
    """The name without control/format characters (a newline, NUL, RTL override …)."""
    return "".join(c for c in name if unicodedata.category(c)[0] != "C")


def _split_suffix(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix.isascii() and suffix.isalnum() and len(suffix) <= 5:
        return stem, "." + suffix.lower()
    return name, ""


def stored_name(original: str | None) -> str:
    """A name that is safe to create on disk for whatever name a client sent (.., ., empty,
    300 bytes, control characters, path separators): readable where it can be, never a path."""
    name = _printable((original or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join("_" if c in _UNSAFE else c for c in name).strip(" .")
    stem, suffix = _split_suffix(name)
    stem = stem.strip(" .")
    room = MAX_NAME_BYTES - len(suffix)
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    return (stem or "upload") + suffix


def display_name(original: str | None) -> str:
    """The client's name as a person should read it: no path, no control characters, a long
    name shortened in the middle with its suffix kept."""
    name = _printable((original or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name:
        return "（无文件名）"
    if len(name) <= DISPLAY_CHARS:
        return name
    stem, suffix = _split_suffix(name)
    keep = DISPLAY_CHARS - len(suffix) - 1
    return stem[: keep - keep // 3] + "…" + stem[len(stem) - keep // 3 :] + suffix


def upload_prefix() -> str:
    """The prefix of this server's upload folders: upload-<pid>-<host>-, so a server starting
    on a data folder it shares with others removes only what a dead server left behind."""
    return f"{LEFTOVER_PREFIX}{os.getpid()}-{_host_tag()}-"


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


_OWNED = re.compile(rf"{LEFTOVER_PREFIX}(\d+)-([0-9a-f]{{8}})-")


def _running(pid: int) -> bool:
    """Whether a process of this machine with that id still runs (elsewhere than POSIX we
    cannot ask without harm, so it counts as running)."""
    if os.name != "posix" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours to signal
        return True
    return True


def _last_touched(folder: Path) -> float:
    times = [folder.stat().st_mtime]
    times += [entry.stat().st_mtime for entry in folder.iterdir()]
    return max(times)


def clean_leftovers(folder: Path, *, now: float | None = None) -> int:
    """Remove upload folders a crashed or killed server left behind; how many were removed.

    Several servers may share one data folder, so a folder is removed only when the server
    that made it is gone (its process, on this machine, no longer runs) or when nothing in it
    changed for STALE_SECONDS (a folder of another machine or of an older version); an upload
    in flight takes seconds."""
    now = time.time() if now is None else now
    removed = 0
    for leftover in Path(folder).glob(LEFTOVER_PREFIX + "*"):
        try:
            if not leftover.is_dir():
                continue
            owner = _OWNED.match(leftover.name)
            dead = owner is not None and owner[2] == _host_tag() and not _running(int(owner[1]))
            if not dead and now - _last_touched(leftover) < STALE_SECONDS:
                continue
        except OSError:  # removed meanwhile by its own server
            continue
        shutil.rmtree(leftover, ignore_errors=True)
        removed += 1
    return removed


def check_zip(path: Path, *, kind: str | None = None) -> None:
    """Refuse a zip-based file that is not a zip, lacks its main part, or would expand too far.

    The sizes come from the zip's central directory (nothing is decompressed), and each member is
    then read in bounded pieces, so a directory that lies about sizes is caught too.
    """
    path = Path(path)
    suffix = kind or path.suffix.lower()
    name = _KIND_NAMES.get(suffix, "压缩文件")
    hint = f"用 Office/WPS 打开后另存为 {suffix} 再上传"
    if not zipfile.is_zipfile(path):
        raise InputError(
            f"不是有效的{name}（可能是改了扩展名的其他文件，或文件已损坏）",
            path=str(path),
            hint=hint,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise InputError(
                    f"压缩包内文件过多（{len(members)} 个）", path=str(path), hint=hint
                )
            names = {member.filename for member in members}
            required = _REQUIRED_PART.get(suffix)
            if required and required not in names:
                raise InputError(f"不是有效的{name}（缺少 {required}）", path=str(path), hint=hint)
            _check_expansion(archive, members, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise InputError(f"{name}已损坏，无法解压: {exc}", path=str(path), hint=hint) from exc


def _check_expansion(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], path: Path) -> None:
    bomb = InputError(
        "文件解压后异常巨大（疑似压缩炸弹），已拒绝",
        path=str(path),
        hint="上传正常保存的 Office 文件",
    )
    declared = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if declared > MAX_UNZIPPED_BYTES or (declared / packed > MAX_RATIO and declared > 1_000_000):
        raise bomb
    total = 0
    for member in members:
        with archive.open(member) as handle:
            while piece := handle.read(1 << 20):
                total += len(piece)
                if total > MAX_UNZIPPED_BYTES:
                    raise bomb


def check_upload(path: Path, *, allowed: tuple[str, ...], max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Check a file someone handed us; return its lower-case suffix when it may be parsed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"不支持的文件类型“{suffix or '无扩展名'}”",
            path=path.name,
            hint=f"可上传: {'、'.join(allowed)}",
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError("文件是空的（0 字节）", path=path.name, hint="检查是否选错了文件")
    if size > max_bytes:
        raise InputError(
            f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB）",
            path=path.name,
            hint="数据文件只需包含本期指标；草稿请去掉嵌入的图片后再上传",
        )
    if suffix in _REQUIRED_PART:
        check_zip(path)
    elif b"\x00" in path.read_bytes()[:4096]:
        raise InputError(
            f"不是文本格式的 {suffix} 文件（含二进制内容）",
            path=path.name,
            hint="CSV/YAML 须为 UTF-8 或 GBK 文本；Excel 文件请用 .xlsx 扩展名",
        )
    return suffix
