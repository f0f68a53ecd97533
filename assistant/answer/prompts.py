"""Prompt templates: files in ``prompts/``, loaded and checked once at start-up.

Each template is a ``str.format`` string. A missing file, a missing placeholder or an
unknown one is an error when the assistant is built, not when a model is first called.
"""

from __future__ import annotations

import string
from pathlib import Path

REQUIRED: dict[str, frozenset[str]] = {
    "answer_system": frozenset(),
    "answer": frozenset({"question", "sources"}),
    "condense": frozenset({"history", "question"}),
    "judge_faithfulness": frozenset({"quotes", "sentence"}),
    "judge_correctness": frozenset({"question", "expected", "answer"}),
}
"""Template name → the placeholders it must use (and the only ones it may use)."""


class PromptError(ValueError):
    """A prompt template is missing or malformed."""


def load_prompts(folder: Path) -> dict[str, str]:
    """Read and check every template in :data:`REQUIRED` from ``folder/<name>.txt``."""
    prompts: dict[str, str] = {}
    for name, required in REQUIRED.items():
        path = folder / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"Prompt template {path} cannot be read: {exc}") from exc
        try:
            found = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        except ValueError as exc:
            raise PromptError(f"Prompt template {path} is malformed: {exc}") from exc
        if found != required:
            missing, unknown = sorted(required - found), sorted(found - required)
            raise PromptError(f"Prompt template {path}: missing placeholders {missing}, unknown {unknown}.")
        prompts[name] = text
    return prompts
