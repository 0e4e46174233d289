"""Ingest past summaries: walk the given files and folders, split each file, and bring the store
up to date — embedding only what is new.

Order of writes, so that a Ctrl-C or kill at any moment leaves a store a rerun can finish:
1. new and changed documents' chunks are upserted (stable ids: writing one twice is harmless);
2. only then their old chunks are deleted;
3. only then each document is recorded as done (its content hash and chunk count).
A document whose record is missing or outdated is simply processed again; vectors already stored
for the same passage are reused, so the rerun embeds nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import domain, names, reading, splitting
from .errors import InputError
from .reading import is_corpus_file
from .retrieve import refresh_index
from .settings import Settings
from .splitting import chunks_from_file, sidecar_path
from .store import DocumentRecord, Progress, Store
from .types import Chunk, IngestedFile, IngestReport, SkippedFile


@dataclass(frozen=True)
class Source:
    path: Path
    document: str  # the key: path relative to the folder given, or the file's name
    root: str  # the folder or file given, resolved; prune works within it


def collect(paths: Iterable[Path]) -> tuple[list[Source], list[SkippedFile]]:
    """Files to read under the given paths, and name clashes between roots (skipped)."""
    sources: list[Source] = []
    skipped: list[SkippedFile] = []
    owner: dict[str, Path] = {}
    for given in paths:
        given = Path(given)
        if not given.exists():
            raise InputError("路径不存在", path=str(given), hint="检查路径拼写")
        if given.is_dir():
            found = [
                Source(path, path.relative_to(given).as_posix(), str(given.resolve()))
                for path in sorted(given.rglob("*"))
                if path.is_file()
                and is_corpus_file(path.name)
                and not any(p.startswith(".") for p in path.relative_to(given).parts)
            ]
        else:
            found = [Source(given, given.name, str(given.resolve()))]
        for source in found:
            if source.document in owner:
                skipped.append(
                    SkippedFile(
                        str(source.path),
                        f"文档名 “{source.document}” 与 {owner[source.document]} 重复, 请改名",
                    )
                )
                continue
            owner[source.document] = source.path
            sources.append(source)
    return sources, skipped


def _pipeline_version() -> bytes:
    """Reading or splitting rules changing means every file must be split again; the labels
    also come from the domain pack (topic keywords, the office's name), so its files count."""
    return _pack_pipeline(domain.current())


@cache
def _pack_pipeline(pack: domain.Domain) -> bytes:
    """The code and pack files a document's chunks depend on: reading and splitting, and the
    names and levels ingest labels each chunk with (assistant.names, names.yaml, levels.yaml)."""
    modules = (reading, splitting, names)
    code = b"".join(Path(module.__file__).read_bytes() for module in modules)
    files = ("domain.yaml", "topics.yaml", "names.yaml", "levels.yaml")
    labels = b"".join((pack.folder / name).read_bytes() for name in files)
    return code + labels


def content_hash(path: Path, overrides: Mapping[str, object] | None) -> str:
    """What a document's chunks depend on: the file, its sidecar, the overrides, the rules."""
    digest = hashlib.sha1(_pipeline_version())
    digest.update(path.read_bytes())
    sidecar = sidecar_path(path)
    if sidecar is not None:
        digest.update(sidecar.read_bytes())
    digest.update(json.dumps(dict(overrides or {}), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:20]


def ingest(
    paths: Iterable[Path],
    settings: Settings,
    prune: bool = False,
    overrides: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
) -> IngestReport:
    """Bring the store up to date with the files under ``paths``.

    Unreadable files are reported in ``skipped`` with the reason and leave their stored chunks
    alone. ``prune`` also removes documents that were ingested from these same paths before
    but are no longer there. ``progress(done, total)`` is called as chunks are embedded.
    """
    paths = list(paths)
    sources, skipped = collect(paths)
    store = store or Store(settings)
    records = store.document_records()
    report = IngestReport(skipped=skipped)
    seen: set[str] = set()
    pending: list[tuple[Source, str, list[Chunk]]] = []
    for source in sources:
        seen.add(source.document)
        try:
            doc_hash = content_hash(source.path, overrides)
            known = records.get(source.document)
            if known is not None and known.doc_hash == doc_hash:
                report.unchanged += known.chunks
                report.chunks += known.chunks
                report.files += 1
                report.documents.append(IngestedFile(source.document, "unchanged", known.chunks))
                continue
            chunks = names.labelled(chunks_from_file(source.path, source.document, overrides))
        except (InputError, OSError) as exc:
            report.skipped.append(SkippedFile(str(source.path), _reason(exc)))
            continue
        if not chunks:
            report.skipped.append(SkippedFile(str(source.path), "没有可入库的正文"))
            continue
        pending.append((source, doc_hash, chunks))

    changed = _write(store, pending, report, progress)
    if prune:
        changed |= _prune(store, records, {str(Path(p).resolve()) for p in paths}, seen, report)
    if changed:
        refresh_index(store, settings)
    return report


def _reason(exc: InputError | OSError) -> str:
    """Why a file was skipped, without its name: the report shows the file beside it."""
    if isinstance(exc, OSError):
        return f"无法读取（{exc.strerror or exc}）"
    where = "，".join(
        part
        for part in (
            f"第{exc.row}行" if exc.row is not None else "",
            f"列“{exc.column}”" if exc.column else "",
        )
        if part
    )
    reason = f"{where}: {exc.reason}" if where else exc.reason
    return f"{reason} → {exc.hint}" if exc.hint else reason


def _write(
    store: Store,
    pending: list[tuple[Source, str, list[Chunk]]],
    report: IngestReport,
    progress: Progress | None,
) -> bool:
    if not pending:
        return False
    keys = [source.document for source, _, _ in pending]
    old_ids = store.ids_by_document(keys)
    store.bump_revision()  # before any write: an interrupted run leaves the BM25 index stale
    vectors = store.vectors_by_passage(key for key in keys if key in old_ids)
    all_chunks = [chunk for _, _, chunks in pending for chunk in chunks]
    store.upsert(
        all_chunks,
        doc_hashes={source.document: doc_hash for source, doc_hash, _ in pending},
        vectors=vectors,
        progress=progress,
    )
    stale: set[str] = set()
    for source, _, chunks in pending:
        before = old_ids.get(source.document, set())
        now = {chunk.id for chunk in chunks}
        added, removed = len(now - before), len(before - now)
        stale |= before - now
        report.added += added
        report.unchanged += len(now) - added
        report.removed += removed
        report.chunks += len(chunks)
        report.files += 1
        status = "changed" if source.document in old_ids else "new"
        report.documents.append(IngestedFile(source.document, status, len(chunks), added, removed))
    store.delete(stale)
    store.record_documents(
        [
            DocumentRecord(source.document, doc_hash, len(chunks), source.root)
            for source, doc_hash, chunks in pending
        ]
    )
    return True


def _prune(
    store: Store,
    records: Mapping[str, DocumentRecord],
    roots: set[str],
    seen: set[str],
    report: IngestReport,
) -> bool:
    """Remove documents recorded under these roots but gone, and chunks of documents that an
    interrupted ingest left unrecorded and that are no longer there either."""
    gone = {key for key, record in records.items() if record.root in roots and key not in seen}
    stored = store.ids_by_document()
    gone |= {key for key in stored if key not in records and key not in seen}
    if not gone:
        return False
    store.bump_revision()
    for key in sorted(gone):
        ids = stored.get(key, set())
        store.delete(ids)
        report.removed += len(ids)
        report.documents.append(IngestedFile(key, "removed", 0, removed=len(ids)))
    store.forget_documents(gone)
    return True
