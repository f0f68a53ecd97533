"""What the commands share: the errors a user can fix, the settings of this invocation, one assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from assistant.answer.prompts import PromptError
from assistant.answer.ranker import ModelError
from assistant.backends.embed import EmbeddingError
from assistant.backends.store import StorageError
from assistant.ingest.corpus import CorpusError
from assistant.ingest.index import IngestError
from assistant.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.service import Assistant

USER_ERRORS = (ValueError, CorpusError, IngestError, StorageError, EmbeddingError, PromptError, ModelError, OSError)
"""Errors the user can fix: one ``error:`` line, never a traceback. Exit code 1 for the machine
(storage, the file system), 2 for what was asked (see :func:`exit_code`)."""


def fail(message: str | BaseException, code: int | None = None) -> typer.Exit:
    """Print ``error: message`` to stderr; raise what this returns. An exception chooses its own exit code."""
    if isinstance(message, BaseException):
        code = exit_code(message) if code is None else code
        message = describe(message)
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2 if code is None else code)


def exit_code(exc: BaseException) -> int:
    """1 when the machine failed (storage, disk, permissions, a server), 2 when the request was wrong."""
    stopped_ingest = isinstance(exc, IngestError) and isinstance(exc.__cause__, StorageError)
    return 1 if stopped_ingest or isinstance(exc, (StorageError, OSError)) else 2


def describe(exc: BaseException) -> str:
    """One line for an error: an ``OSError`` names its file and what went wrong."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror.lower()}; check that the folder exists, is writable and has space"
    return " ".join(str(exc).split())


MODES = ("extractive", "llm")


def check_mode(mode: str | None) -> None:
    """Exit with a message (code 2) for an answer mode that does not exist; None is the default mode."""
    if mode is not None and mode not in MODES:
        raise fail(f"unknown mode {mode!r}; use {' or '.join(MODES)}")


def settings_of(ctx: typer.Context, **overrides: Any) -> Settings:
    """The settings for this invocation: the environment, then the global options, then ``overrides``."""
    given = {k: v for k, v in {**(ctx.obj or {}), **overrides}.items() if v is not None}
    return get_settings(**given)


def open_assistant(ctx: typer.Context, progress: bool = True, **overrides: Any) -> Assistant:
    """The assistant, its index brought up to date (skipped files reported on stderr)."""
    from assistant.wiring import build_assistant

    assistant = build_assistant(settings_of(ctx, **overrides))
    report = assistant.ensure_index(progress=progress)
    if report is not None:
        print_skipped(report.skipped)
    return assistant


def print_skipped(warnings: list[str]) -> None:
    """Each file ingest skipped, and why, on stderr."""
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
