"""``python -m assistant chat``: a conversation in the terminal, with follow-ups and numbered sources.

Each question is asked with the conversation so far, so "and who said that?" reads against the
previous answer. ``/new`` starts over, ``/quit`` (or an end of input) leaves.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.interfaces.common import USER_ERRORS, check_mode, fail, open_assistant
from assistant.types import Turn

HELP = "Ask about the corpus. Follow-ups use the conversation; /new starts over, /quit leaves."


def chat(
    ctx: typer.Context,
    mode: Annotated[str | None, typer.Option(help="extractive, or llm (an OpenAI-compatible endpoint).")] = None,
) -> None:
    """Talk with the corpus: questions and follow-ups, each answer with its numbered sources."""
    from assistant.interfaces.text import render

    check_mode(mode)
    try:
        assistant = open_assistant(ctx, progress=True, mode=mode)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
    stats = assistant.stats()
    typer.echo(f"{stats['documents']} documents, {stats['passages']} passages indexed. {HELP}")
    history: list[Turn] = []
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            break
        if question in ("/quit", "/exit"):
            break
        if question == "/new":
            history = []
            typer.echo("New conversation.")
            continue
        if not question:
            continue
        try:
            answer = assistant.ask(question, history=history)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            continue
        typer.echo(render(answer))
        history.append(Turn(question=question, answer=answer.answer))
