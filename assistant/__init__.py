"""A source-grounded research assistant: every answer is built from verbatim, cited quotes."""

from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from assistant.types import Answer, Citation, Document, DocumentMeta, Filters, IngestReport, Passage, Turn
from assistant.wiring import build_assistant

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
__version__ = "0.1.0"
