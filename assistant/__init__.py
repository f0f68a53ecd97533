"""A source-grounded research assistant: every answer is built from verbatim, cited quotes."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import Settings, get_settings
    from assistant.types import Answer, Citation, Document, DocumentMeta, Filters, IngestReport, Passage, Turn
    from assistant.wiring import build_assistant

# Names load on first use: `python -m assistant ingest` with nothing changed must not import the
# answer pipeline (langchain, Chroma) just because it lives in this package.
__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "Document",
    "DocumentMeta",
    "Filters",
    "IngestReport",
    "Passage",
    "Settings",
    "Turn",
    "build_assistant",
    "get_settings",
]
_HOMES = {
    "Assistant": "assistant.service",
    "Settings": "assistant.settings",
    "get_settings": "assistant.settings",
    "build_assistant": "assistant.wiring",
}
"""Where each name lives; the rest are the data types of ``assistant.types``."""
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES.get(name, "assistant.types")), name)
