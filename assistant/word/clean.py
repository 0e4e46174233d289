"""The clean copy (清稿): the same document with every tracked change accepted, no comments and
no highlights — the version an office sends on, next to the annotated one it checks."""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from .read import open_docx
from .save import save_atomically
from .spans import COMMENT_END, COMMENT_REFERENCE, COMMENT_START, DELETED, INSERTED

CLEAN_SUFFIX = "-清稿"
_CHANGE_NAMES = ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange")
_CHANGE_MARKS = tuple(qn(f"w:{name}") for name in (*_CHANGE_NAMES, "tcPrChange"))
_MARKERS = (COMMENT_START, COMMENT_END, qn("w:highlight"), *_CHANGE_MARKS)


def clean_path(path: Path) -> Path:
    """Where the clean copy of ``path`` goes: 草稿.docx → 草稿-清稿.docx."""
    path = Path(path)
    return path.with_name(f"{path.stem}{CLEAN_SUFFIX}{path.suffix}")


def write_clean_copy(src: Path, dst: Path | None = None) -> Path:
    """Write the clean copy of ``src`` (default: next to it, see clean_path); returns its path."""
    dst = Path(dst) if dst is not None else clean_path(Path(src))
    document = open_docx(Path(src))
    clean_document(document)
    save_atomically(document, dst)
    return dst


def clean_document(document: DocumentObject) -> None:
    """Make ``document`` (in memory) its own clean copy: changes accepted, comments and
    highlights gone. The writer calls it on the document it has just saved, which gives the
    same file as reading that file back would, without parsing it again."""
    for part in _story_parts(document):
        _clean(part.element)
    comments_part = next(
        (rel for rel in document.part.rels.values() if rel.reltype == RT.COMMENTS), None
    )
    if comments_part is not None:
        document.part.drop_rel(comments_part.rId)
    for element in document.core_properties._element:  # as read back: <dc:title/>, not
        if element.text == "":  # <dc:title></dc:title>, so both ways give the same bytes
            element.text = None


def _story_parts(document):
    """The body and every header and footer: where text, changes and highlights can be."""
    yield document.part
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            yield rel.target_part


def _clean(root: etree._Element) -> None:
    for element in list(root.iter(*DELETED)):  # deleted text goes
        element.getparent().remove(element)
    for element in list(root.iter(*INSERTED)):  # inserted text stays as ordinary runs
        _unwrap(element)
    for element in list(root.iter(*_MARKERS)):
        element.getparent().remove(element)
    for reference in list(root.iter(COMMENT_REFERENCE)):
        run = reference.getparent()
        run.remove(reference)
        if all(child.tag == qn("w:rPr") for child in run):  # the balloon's anchor run
            run.getparent().remove(run)


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)
