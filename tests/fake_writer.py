"""An in-process writer for tests, beside the HTTP stub and replay servers: no socket, no model.

It writes one paragraph a section from the section's own figure ids (``{{id}}``, and
``{{id.change}}`` where the figure has a 同比), streams it in small pieces as a model would, and
records everything it was asked — contexts, repair lists, revision jobs — so a test can look at
what crossed the seam. ``slips`` scripts the slip a model makes, a number typed where its
reference belongs (figure id → the typed text): the first draft has it, a repair request gets
the clean paragraph. Registered under the name ``fake`` by the ``fake_writer`` fixture.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.writers import Context, OnToken, Revised, RevisionJob, Written

PIECE = 5  # characters per streamed piece


class FakeWriter:
    name = "fake"
    generative = True  # streams, is asked concurrently, and its references are checked strictly

    def __init__(self, settings: object = None) -> None:
        self.contexts: list[Context] = []
        self.repairs: list[list[str]] = []
        self.jobs: list[RevisionJob] = []
        self.slips: dict[str, str] = {}
        self.addition = "（已按意见修改）"  # what a revision appends to each paragraph

    def paragraph(self, context: Context) -> str:
        figure_set = context.figure_set
        clauses = []
        for figure_id in context.section.figure_ids[:4]:
            clause = f"{figure_set[figure_id].name}为{{{{{figure_id}}}}}"
            if figure_set.change(figure_id) is not None:
                clause += f"，同比{{{{{figure_id}.change}}}}"
            clauses.append(clause)
        return "；".join(clauses) + "。" if clauses else f"{context.section.title}工作有序推进。"

    def write(self, context: Context, on_token: OnToken | None = None) -> Written:
        self.contexts.append(context)
        text = self.paragraph(context)
        for figure_id, typed in self.slips.items():
            text = text.replace(f"{{{{{figure_id}}}}}", typed)
        if on_token is not None:
            for start in range(0, len(text), PIECE):
                on_token(text[start : start + PIECE])
        exemplars = [c.id for c in context.exemplars[:2]]
        return Written([text], exemplars, {"fake": 1}, "fake-model")

    def repair(
        self, context: Context, written: Written, unsourced: Sequence[str]
    ) -> Written | None:
        self.repairs.append(list(unsourced))
        clean = [self.paragraph(context)]
        return Written(clean, written.exemplar_ids, written.prompts, "fake-model")

    def revise(self, job: RevisionJob, on_token: OnToken | None = None) -> Revised:
        self.jobs.append(job)
        paragraphs = {i: text.removesuffix("。") + self.addition + "。" for i, text in
                      job.paragraphs.items()}  # fmt: skip
        return Revised(paragraphs, notes=["假写作已修改"], prompts={"fake": 1}, model="fake-model")
