"""A Gradio chat over the Assistant service. Presentation only: all logic is in the service."""

from __future__ import annotations

import html
import re
from typing import Any

import gradio as gr

from assistant.cite import label
from assistant.service import Assistant
from assistant.types import Answer

EXAMPLES = [
    "Why didn't Interpol suspend Russia?",
    "What is a diffusion?",
    "What did Ted Bromund say about the measures?",
    "Who was Russia's candidate for the Interpol presidency?",
]
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-!|>~])")


def escape(text: str) -> str:
    """Corpus and user text is untrusted: shown as text, never as HTML or Markdown."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=True))


def to_markdown(answer: Answer) -> str:
    """The answer, its notices and its numbered sources, escaped for the chat window."""
    if answer.refused:
        parts = [f"**{escape(answer.answer)}**"]
    else:
        body = escape(answer.answer)
        parts = [re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", body)]
    parts += [f"_{escape(n)}_" for n in answer.notices]
    if answer.citations:
        parts.append("**Sources**")
        parts += [
            f"**[{c.n}]** {escape(label(c))}  \n> {escape(c.quote)}  \n`{escape(c.path)}` characters {c.start}–{c.end}"
            for c in answer.citations
        ]
    stats = f"{answer.mode} · {answer.timings_ms.get('total', 0):.0f} ms"
    parts.append(f"<sub>{stats}</sub>")
    return "\n\n".join(parts)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat page."""

    def respond(message: str, history: list[dict[str, Any]]) -> str:
        try:
            return to_markdown(assistant.ask(message, history=history))
        except ValueError as exc:
            return f"**{escape(str(exc))}**"

    stats = assistant.stats()
    return gr.ChatInterface(
        fn=respond,
        title="Research assistant",
        description=(
            f"Answers are verbatim quotes from {stats['documents']} documents "
            f"({stats['passages']} passages), each with its source. Offline, {stats['mode']} mode."
        ),
        examples=EXAMPLES,
        cache_examples=False,
    )
