from __future__ import annotations

import gradio as gr

from assistant import Answer, Assistant
from assistant.types import Citation
from assistant.ui import build_ui, to_markdown


def test_untrusted_text_is_escaped() -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3))'
    answer = Answer(
        question=hostile,
        answer=f"{hostile} [1]",
        refused=False,
        citations=[
            Citation(
                n=1, source_id="x.txt", path="x.txt", title=hostile, kind="document", quote=hostile, start=0, end=1
            )
        ],
    )
    shown = to_markdown(answer)
    assert "<script>" not in shown
    assert "<img" not in shown
    assert "](javascript" not in shown
    assert "**[1]**" in shown


def test_refusal_is_shown_differently() -> None:
    shown = to_markdown(Answer(question="q", answer="The corpus does not answer this question.", refused=True))
    assert shown.startswith("**The corpus does not answer this question.**")


def test_ui_builds_over_the_service(seed_assistant: Assistant) -> None:
    assert isinstance(build_ui(seed_assistant), gr.Blocks)
