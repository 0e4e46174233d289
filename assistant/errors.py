"""One error family, so the CLI can turn any of them into one clear message and a non-zero exit.

Checker findings are data (see ``Finding``), never exceptions.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose.

    ``hint`` says what the user can do about it; the CLI prints it after the message.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class ConfigError(AssistantError):
    """Settings are missing or contradictory."""


class InputError(AssistantError):
    """A file or argument the user gave cannot be used (names file, row, column where known)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                str(path) if path else None,
                f"第{row}行" if row is not None else None,
                f"列“{column}”" if column else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.reason = message  # without the place, for --json, which gives path/row/column apart
        self.path = path
        self.row = row
        self.column = column


class BackendError(AssistantError):
    """A model, embedding or store backend failed or could not be reached."""


class PromptError(AssistantError):
    """A prompt file is malformed or uses undeclared placeholders."""
