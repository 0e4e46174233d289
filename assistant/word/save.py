"""Save a document so that the target path only ever holds a complete .docx."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from docx.document import Document as DocumentObject


def save_atomically(document: DocumentObject, path: Path) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path``.

    A crash mid-write leaves the old file (or nothing) at ``path``, never half a zip; the rename
    stays on one filesystem because the temporary file sits in the same folder.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a draft is not
        document.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
