"""Save a document so that the target path only ever holds a complete .docx."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from docx.document import Document as DocumentObject

from ..errors import InputError


def save_atomically(document: DocumentObject, path: Path) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path``.

    A crash mid-write leaves the old file (or nothing) at ``path``, never half a zip; the rename
    stays on one filesystem because the temporary file sits in the same folder.
    """
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise unwritable(path, exc) from exc
    os.close(handle)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a draft is not
        document.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def unwritable(path: Path, exc: OSError) -> InputError:
    """A file that cannot be written, said once in plain words (no traceback)."""
    return InputError(
        f"无法写入（{exc.strerror or exc}）",
        path=str(path),
        hint="换一个存在且可写的文件夹或文件名",
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
