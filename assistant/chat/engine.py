"""The engine: one user message in, a reply (and maybe a new checked version) out."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import domain
from ..errors import AssistantError, InputError
from ..settings import Settings
from ..types import Block, CheckReport, Draft, FigureSet, ItemSet
from .intent import EDIT_IN_WORD, help_text, parse_intent, period_problem, target
from .store import ChatStore, Message, SessionInfo, Version, _now


@dataclass
class Turn:
    """One exchange: the user's message, the reply, and the version the reply made (if any)."""

    user: Message
    reply: Message
    version: Version | None = None
    draft: Draft | None = None
    report: CheckReport | None = None
    streamed: bool = False
    notes: list[str] = field(default_factory=list)


def terminal_client() -> str:
    """The client id of the terminal chat: one per operating-system user."""
    import getpass

    return f"terminal:{getpass.getuser()}"


def draft_text(draft: Draft) -> str:
    return "\n".join(block.text for block in draft.blocks)


class ChatEngine:
    """Conversations over the drafting, revision, check and diff functions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        domain.use(settings.domain)  # the topics and words requests are read with
        self.root = Path(settings.data_dir) / "chat"
        self.store = ChatStore(Path(settings.data_dir) / "chat.sqlite3")
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._loaded: dict[tuple[str, int, int], FigureSet] = {}  # by path, mtime, size

    def _lock(self, session: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(session, threading.Lock())

    # sessions and figures

    def create_session(
        self, client: str, *, figures: Path | None = None, unit: str | None = None
    ) -> SessionInfo:
        session = self.store.create(client, unit=unit)
        if figures is not None:
            self.set_figures(client, session, figures)
        return self.store.info(client, session)

    def set_figures(
        self, client: str, session: str, path: Path, *, pace: Callable[[], None] | None = None
    ) -> FigureSet:
        """Validate a figures file and keep a copy in the session's folder (the session keeps
        working when the original moves). A bad file raises InputError and changes nothing.
        ``pace`` goes to the loader (a web server's way to let short requests go first)."""
        from ..figures import load_figures
        from ..uploads import FIGURES_SUFFIXES, check_upload

        self.store.info(client, session)
        path = Path(path)
        if not path.is_file():
            raise InputError("数据文件不存在", path=str(path))
        check_upload(path, allowed=FIGURES_SUFFIXES)
        with self._locks_guard:  # a file another session chose as it is now: read already
            figure_set = self._loaded.get(_file_key(path))
        if figure_set is None or len(figure_set) > self.settings.figures_max_rows:
            figure_set = load_figures(path, max_rows=self.settings.figures_max_rows, pace=pace)
            self._remember(path, figure_set)
        folder = self.root / session / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / path.name
        if path.resolve() != kept.resolve():
            shutil.copyfile(path, kept)
        self.store.update(client, session, figures=str(kept))
        unit = figure_set.organisation
        if unit and not self.store.info(client, session).unit:
            self.store.update(client, session, unit=unit)
        return self._remember(kept, replace(figure_set, path=kept))

    def figures(self, client: str, session: str) -> FigureSet | None:
        """The session's figures, read once per version of the file (every message needs them,
        and reading a file of thousands of rows again for each would cost seconds)."""
        from ..figures import load_figures

        info = self.store.info(client, session)
        if not info.figures:
            return None
        path = Path(info.figures)
        with self._locks_guard:
            known = self._loaded.get(_file_key(path))
        return known or self._remember(path, load_figures(path))

    def _remember(self, path: Path, figure_set: FigureSet) -> FigureSet:
        with self._locks_guard:
            if len(self._loaded) >= _REMEMBERED:
                self._loaded.pop(next(iter(self._loaded)))
            self._loaded[_file_key(path)] = figure_set
        return figure_set

    # 科室 material

    def set_items(self, client: str, session: str, paths: list[Path]) -> ItemSet:
        """One or several files of 科室 material for the session, read with its figures; a bad
        file raises InputError and changes nothing."""
        from .items import keep_material

        self.store.info(client, session)
        folder = self.root / session / "items"
        return keep_material(paths, folder, self.figures(client, session))

    def items(self, client: str, session: str) -> ItemSet | None:
        """The session's 科室 material, read against its current figures (None: none given)."""
        from .items import read_session_items

        self.store.info(client, session)
        return read_session_items(self.root / session / "items", self.figures(client, session))

    def _material(self, client: str, session: str, action: str) -> str:
        """The reply to "用这些科室材料" (the items listed) or "不用科室材料"."""
        from .items import DROPPED, NO_MATERIAL, items_note

        if action == "no-items":
            shutil.rmtree(self.root / session / "items", ignore_errors=True)
            return DROPPED
        item_set = self.items(client, session)
        return NO_MATERIAL if item_set is None else items_note(item_set)

    # versions

    def versions(self, client: str, session: str) -> list[Version]:
        return self.store.versions(client, session)

    def version(self, client: str, session: str, number: int | None = None) -> Version:
        versions = self.store.versions(client, session)
        if not versions:
            raise InputError("这个会话还没有草稿", hint="先让我起草一部分，例如“写整篇”")
        if number is None:
            return versions[-1]
        found = next((v for v in versions if v.number == number), None)
        if found is None:
            raise InputError(
                f"没有第 {number} 版",
                hint=f"现有版本: {', '.join(str(v.number) for v in versions)}",
            )
        return found

    def load(self, client: str, session: str, number: int | None = None) -> Draft:
        from ..provenance import load_sidecar

        return load_sidecar(self.version(client, session, number).file("json"))

    def diff(self, client: str, session: str, a: int, b: int):  # -> DocumentDiff
        from ..diff import diff_texts, from_citations

        old, new = self.load(client, session, a), self.load(client, session, b)
        return diff_texts(
            [x.text for x in old.blocks],
            [x.text for x in new.blocks],
            from_citations(old.citations),
            from_citations(new.citations),
            a_name=f"第{a}版",
            b_name=f"第{b}版",
        )

    def check(self, client: str, session: str, number: int | None = None) -> CheckReport:
        from ..check import check_blocks
        from ..check.report import with_material

        draft = self.load(client, session, number)
        figure_set = self.figures(client, session)
        if figure_set is None:
            raise InputError("这个会话还没有数据文件", hint="用 /figures 文件 或上传数据文件")
        figure_set = with_material(figure_set, draft)  # the 科室 material it was written from
        return check_blocks([b.text for b in draft.blocks], figure_set, draft.citations)

    def export(
        self, client: str, session: str, folder: Path, number: int | None = None
    ) -> dict[str, Path]:
        """Copy a version's .docx, clean .docx, .md and .json into ``folder`` (default: the
        latest version)."""
        from ..word import clean_path

        version = self.version(client, session, number)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        saved = {}
        for fmt in ("docx", "md", "json", "clean"):
            target = folder / f"草稿-{session[:8]}-v{version.number}.{fmt}"
            if fmt == "clean":
                target = clean_path(folder / f"草稿-{session[:8]}-v{version.number}.docx")
            shutil.copyfile(self.version_file(client, session, version.number, fmt), target)
            saved[fmt] = target
        return saved

    def version_file(self, client: str, session: str, number: int, fmt: str) -> Path:
        """A version's file: docx (with comments), clean (清稿, made from the .docx on its first
        request: a draft's version is saved without it), md or json."""
        from ..word import clean_path, write_clean_copy

        version = self.version(client, session, number)
        if fmt != "clean":
            return version.file(fmt)
        annotated = version.file("docx")
        clean = clean_path(annotated)
        return clean if clean.exists() else write_clean_copy(annotated, clean)

    def import_docx(self, client: str, session: str, path: Path) -> Turn:
        """An editor's .docx (e.g. the downloaded version, edited in Word) becomes the next
        version; numbers keep their sources where our comments still sit on them."""
        from ..diff import sourced_numbers
        from ..render import find_placeholders
        from ..types import Citation
        from ..uploads import DRAFT_SUFFIXES, check_upload
        from ..word import read_blocks

        info = self.store.info(client, session)
        check_upload(Path(path), allowed=DRAFT_SUFFIXES)
        blocks = read_blocks(Path(path))
        if not any(block.text.strip() for block in blocks):
            raise InputError("文档没有文字内容", path=Path(path).name)
        citations = [
            Citation(
                n.block, n.start, n.end, n.text, n.figure_id, n.field or "value", n.source or ""
            )
            for n in sourced_numbers(Path(path))
            if n.figure_id and n.end > n.start
        ]
        figure_set = self.figures(client, session)
        draft = Draft(
            title=blocks[0].text,
            unit=info.unit or "",
            period=str(figure_set.period) if figure_set and figure_set.period else "",
            kind="section",
            blocks=blocks,
            citations=citations,
            placeholders=[p for i, b in enumerate(blocks) for p in find_placeholders(b.text, i)],
            writer="editor",
            figures_file=str(figure_set.path) if figure_set else "",
            figures_sha256=figure_set.sha256 if figure_set else "",
            created=_now(),
        )
        user = Message(0, "user", Path(path).name, None, _now(), "upload")
        with self._lock(session):
            return self._keep(
                client,
                session,
                user,
                draft,
                f"导入：{Path(path).name}"[:40],
                figure_set,
                None,
                [],
                False,
                report=None,
            )

    # messages

    def history(self, client: str, session: str) -> list[Message]:
        return self.store.messages(client, session)

    def send(
        self,
        client: str,
        session: str,
        text: str,
        *,
        on_token: Callable[[str], None] | None = None,
        replay: bool = True,
    ) -> Turn:
        """Handle one user message. Errors become an assistant message of kind "error" (the
        conversation goes on); only a session that is not this client's raises.

        ``on_token`` gets the writer's text as it streams; with ``replay`` a writer that does not
        stream (the template writer) has its finished text passed on line by line instead.
        """
        info = self.store.info(client, session)
        with self._lock(session):
            user = self.store.add_message(session, "user", text)
            if not info.title:
                self.store.update(client, session, title=text.strip()[:30])
            try:
                turn = self._respond(client, session, text, user, on_token, replay)
            except AssistantError as exc:
                reply = self.store.add_message(session, "assistant", str(exc), kind="error")
                return Turn(user, reply)
        return turn

    def _respond(
        self,
        client: str,
        session: str,
        text: str,
        user: Message,
        on_token: Callable[[str], None] | None,
        replay: bool,
    ) -> Turn:
        info = self.store.info(client, session)
        has_draft = bool(self.store.versions(client, session))
        intent = parse_intent(text, has_draft=has_draft)
        if intent.unit and intent.unit != info.unit:
            self.store.update(client, session, unit=intent.unit)
            info = self.store.info(client, session)

        def ask(question: str, kind: str = "question") -> Turn:
            return Turn(user, self.store.add_message(session, "assistant", question, kind=kind))

        if intent.action == "ask":
            return ask(intent.question or help_text())
        if intent.action == "decline":
            return ask(intent.question or help_text(), kind="notice")
        if intent.action == "unit":
            return ask(f"好的，单位设为“{info.unit}”。", kind="notice")
        if intent.action in ("items", "no-items"):
            return ask(self._material(client, session, intent.action), kind="notice")
        figure_set = self.figures(client, session)
        if figure_set is None:
            return ask("请先选择或上传本期的数据文件（CSV/XLSX/YAML），再让我起草。")
        if intent.action == "revise":
            return self._revise(client, session, intent, user, figure_set, info, on_token, replay)
        if not info.unit:
            return ask(f"请告诉我单位名称，例如：单位是{domain.examples().unit}。")
        problem = period_problem(intent.period_word, figure_set.period)
        if problem:
            return ask(problem)
        if not figure_set.period:
            return ask("数据文件没有注明期间（期间列），请补上后重新上传。")
        return self._draft(client, session, intent, user, figure_set, info, on_token, replay)

    def _draft(self, client, session, intent, user, figure_set, info, on_token, replay) -> Turn:
        from ..draft import DraftRequest, compose

        streamed = []

        def token(piece: str) -> None:
            streamed.append(piece)
            if on_token is not None:
                on_token(piece)

        request = DraftRequest(
            figures=figure_set,  # loaded once for this message; compose does not read it again
            unit=info.unit,
            period=str(figure_set.period),
            section=intent.section,
            part=intent.part,  # type: ignore[arg-type]
            items=self.items(client, session),
        )
        result = compose(request, self.settings, on_token=token)
        label = f"{intent.section or '全文'}·{intent.part}"
        turn = self._keep(
            client,
            session,
            user,
            result.draft,
            label,
            figure_set,
            on_token,
            streamed,
            replay,
            report=result.report,
        )
        turn.notes = [n for n in result.notes if n.startswith("科室材料")]
        return turn

    def _revise(self, client, session, intent, user, figure_set, info, on_token, replay) -> Turn:
        from ..render import StreamRenderer
        from ..revise import revise_blocks

        current = self.load(client, session)
        scope, where = None, ""
        if intent.topic or intent.part != "全部":
            aimed = target(current.blocks, intent)
            if aimed.reply:
                reply = self.store.add_message(session, "assistant", aimed.reply, kind=aimed.kind)
                return Turn(user, reply)
            scope = [i for p in aimed.passages for i in p.blocks]
            last = re.sub(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)", "",
                          aimed.passages[0].name.split(" › ")[-1])  # fmt: skip
            where = (
                last
                if len(aimed.passages) == 1
                else f"{intent.topic or intent.part}·{len(aimed.passages)}处"
            )
        streamed = []
        stream = StreamRenderer(figure_set)  # the model streams {{id}}: show numbers instead

        def token(piece: str) -> None:
            text = stream.feed(piece)
            streamed.append(piece)
            if on_token is not None and text:
                on_token(text)

        revision = revise_blocks(
            current.blocks,
            current.citations,
            intent.instruction or "",
            figure_set,
            self.settings,
            section=scope,
            unit=info.unit or current.unit,
            on_token=token,
        )
        if on_token is not None and (tail := stream.flush()):
            on_token(tail)
        if not revision.changed:
            note = "；".join(revision.notes) or "没有需要修改的内容"
            note += "。" + EDIT_IN_WORD
            return Turn(user, self.store.add_message(session, "assistant", note, kind="notice"))
        draft = replace(
            current,
            blocks=[Block(t, s) for t, s in zip(revision.texts, revision.styles, strict=True)],  # type: ignore[arg-type]
            citations=revision.citations,
            placeholders=revision.placeholders,
            prompts={**current.prompts, **revision.prompts},
            writer=revision.writer,
            model=revision.model or current.model,
            created=_now(),
        )
        turn = self._keep(
            client,
            session,
            user,
            draft,
            f"修改（{where}）：{intent.instruction}"[:40]
            if where
            else f"修改：{intent.instruction}"[:40],
            figure_set,
            on_token,
            streamed,
            replay,
            report=revision.report,
        )
        turn.notes = revision.notes
        if scope is not None:
            changed = [p.name for p in aimed.passages if set(p.blocks) & set(revision.changed)]
            turn.notes = [f"只改了：{'；'.join(changed)}", *revision.notes]
        return turn

    def _keep(
        self, client, session, user, draft, label, figure_set, on_token, streamed, replay, *, report
    ) -> Turn:
        """Save the draft as the next version and reply with its text. ``report`` is the check
        drafting or revising already made of exactly this text; only an imported file (None) is
        checked here."""
        from ..check import check_blocks
        from ..draft import save_draft

        number = len(self.store.versions(client, session)) + 1
        folder = self.root / session / f"v{number}"
        # the clean copy is made on its first download (version_file): most are never asked for
        save_draft(draft, figure_set, folder, "draft", author=self.settings.author, clean=False)
        version = self.store.add_version(session, label, folder, "draft")
        text = draft_text(draft)
        if on_token is not None and not streamed and replay:
            for line in text.splitlines(keepends=False):
                on_token(line + "\n")
        if report is None and figure_set is not None:
            report = check_blocks([b.text for b in draft.blocks], figure_set, draft.citations)
        reply = self.store.add_message(
            session, "assistant", text, version=version.number, kind="draft"
        )
        return Turn(user, reply, version, draft, report, streamed=bool(streamed))


_REMEMBERED = 16  # figures files kept read at once (one per recently active session)


def _file_key(path: Path) -> tuple[str, int, int]:
    """A file as it is now: a changed or replaced file is read again."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)
