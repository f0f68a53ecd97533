from __future__ import annotations

import pytest
from langchain_core.runnables import Runnable

from assistant import Assistant
from assistant.answer.chain import AskRequest, clean_question, keeps_subject, leans_on_history, parse_history
from assistant.types import Turn


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_questions_are_rejected(question: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        clean_question(question, 100)


def test_non_text_question_is_rejected() -> None:
    with pytest.raises(ValueError, match="text"):
        clean_question(42, 100)


def test_long_question_is_truncated_with_notice() -> None:
    text, notices = clean_question("word " * 30_000, 2000)
    assert len(text) <= 2000
    assert "150,000 characters" in notices[0] or "149,999" in notices[0]


@pytest.mark.parametrize(
    "history",
    [
        [{"question": "What is a diffusion?", "answer": "A notice."}],
        [{"role": "user", "content": "What is a diffusion?"}, {"role": "assistant", "content": "A notice."}],
        [{"role": "user", "content": [{"type": "text", "text": "What is a diffusion?"}]}],
        ["What is a diffusion?"],
        [Turn(question="What is a diffusion?")],
    ],
)
def test_history_formats(history: list[object]) -> None:
    assert parse_history(history)[0].question == "What is a diffusion?"


def test_bad_history_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="History"):
        parse_history([{"nope": 1}])


def test_follow_up_borrows_the_previous_question(light_seed_assistant: Assistant) -> None:
    history = [Turn(question="What is a diffusion?")]
    assert leans_on_history("Who can no longer send them directly?", history)
    assert not leans_on_history("Who is Bruno Min?", history)
    state = light_seed_assistant.pipeline.prepare(AskRequest("Who can no longer send them directly?", history))
    assert "diffusion" in state.question.search_query
    assert "diffus" in {t.stem for t in state.question.terms}
    standalone = light_seed_assistant.pipeline.prepare(AskRequest("Who is Bruno Min?", history))
    assert standalone.question.search_query == "Who is Bruno Min?"


@pytest.mark.parametrize(
    ("rewrite", "kept"),
    [
        ("What did the Five Eyes urge Interpol to do about Russia?", True),
        ("What did Fair Trials say about INTERPOL?", False),  # the subject is lost
        ("What did they urge?", False),
    ],
)
def test_a_model_rewrite_must_keep_the_conversation_subject(rewrite: str, kept: bool) -> None:
    assert keeps_subject(rewrite, "Who are the Five Eyes?") is kept


def test_chain_is_a_langchain_runnable(light_seed_assistant: Assistant) -> None:
    assert isinstance(light_seed_assistant.chain, Runnable)
    answer = light_seed_assistant.chain.invoke({"question": "What is a diffusion?", "id": "q1"})
    assert answer.id == "q1"
    assert set(answer.timings_ms) >= {"condense", "retrieve", "answer", "total"}


def test_huge_question_is_answered_with_notice(light_seed_assistant: Assistant) -> None:
    question = "Why didn't Interpol suspend Russia? " + "padding " * 13_000
    answer = light_seed_assistant.ask(question)
    assert len(question) > 100_000
    assert any("characters long" in n for n in answer.notices)


def test_follow_up_end_to_end(light_seed_assistant: Assistant) -> None:
    answer = light_seed_assistant.ask("Who can no longer send them directly?", history=["What is a diffusion?"])
    assert "NCB Moscow" in answer.answer
