"""The question-to-answer path as a LangChain runnable: condense → retrieve → answer → cite.

``build_chain(...).invoke({"question": ..., "history": [...], "filters": {...}})``
returns an :class:`~assistant.types.Answer`. Each step is a named ``RunnableLambda``,
so another answer backend (an LLM) plugs in as a different ``answer`` step and
LangChain users can compose the chain or its retriever in their own pipelines.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant.answer import REFUSAL, Answerer, Draft, Question
from assistant.cite import annotate, compose
from assistant.lexical import key_terms, words
from assistant.retrieve import HybridSearcher
from assistant.settings import AnswerSettings
from assistant.types import Answer, Evidence, Filters, Passage, Retrieved, Turn

FOLLOW_UP_WORDS = frozenset(
    "it its they them their theirs this that these those he him his she her hers such there one ones".split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclasses.dataclass
class AskState:
    """What flows between the steps of the chain."""

    question: Question
    filters: Filters | None
    id: Any = None
    mode: str = "extractive"
    passages: list[Passage] = dataclasses.field(default_factory=list)
    evidence: list[Evidence] = dataclasses.field(default_factory=list)
    draft: Draft | None = None
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    started: float = dataclasses.field(default_factory=time.perf_counter)


def clean_question(question: object, max_chars: int) -> tuple[str, list[str]]:
    """Validate and normalise a question; return it with any notices. Raises ``ValueError``."""
    if not isinstance(question, str):
        raise ValueError(f"The question must be text, not {type(question).__name__}.")
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise ValueError("The question is empty. Ask something about the corpus.")
    notices = []
    if len(text) > max_chars:
        notices.append(f"The question was {len(text):,} characters long; only the first {max_chars:,} were used.")
        text = text[:max_chars].rstrip()
    return text, notices


def parse_history(history: Sequence[object] | None) -> list[Turn]:
    """Accept turns as ``Turn``, ``{"question", "answer"}``, chat messages ``{"role", "content"}`` or strings."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, str):
            turns.append(Turn(question=item))
        elif isinstance(item, dict) and "question" in item:
            turns.append(Turn(question=str(item["question"]), answer=str(item.get("answer") or "")))
        elif isinstance(item, dict) and item.get("role") == "user":
            turns.append(Turn(question=_content_text(item.get("content"))))
        elif isinstance(item, dict) and item.get("role") == "assistant" and turns:
            turns[-1] = Turn(question=turns[-1].question, answer=_content_text(item.get("content")))
        else:
            raise ValueError(f"History entries need a 'question' (or a chat 'role' and 'content'); got {item!r:.80}.")
    return [t for t in turns if t.question.strip()]


def _content_text(content: object) -> str:
    """Text of a chat message's content: a string, or a list of parts such as {"type": "text", "text": ...}."""
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return "" if content is None else str(content)


def condense(text: str, history: Sequence[Turn]) -> Question:
    """Make a follow-up searchable: add the previous question's terms when this one leans on it."""
    terms = key_terms(text)
    entities = [t for t in terms if t.entity]
    lowered = {w.lower() for w in words(text)}
    if history and (lowered & FOLLOW_UP_WORDS or len(terms) <= 1):
        previous = history[-1].question
        known = {t.stem for t in terms}
        inherited = [dataclasses.replace(t, entity=False) for t in key_terms(previous) if t.stem not in known]
        return Question(text=text, search_query=f"{previous} {text}", terms=terms + inherited, entities=entities)
    return Question(text=text, search_query=text, terms=terms, entities=entities)


def build_chain(
    searcher: HybridSearcher, answerers: dict[str, Answerer], default_mode: str, settings: AnswerSettings
) -> Runnable[Any, Answer]:
    """The runnable chain from a question (dict) to a cited :class:`Answer`.

    The request may name a ``mode`` among ``answerers``; ``on_token`` in the config's
    ``configurable`` receives streamed text from answer modes that write.
    """

    def prepare(request: dict[str, Any]) -> AskState:
        text, notices = clean_question(request.get("question"), settings.max_question_chars)
        mode = request.get("mode") or default_mode
        if mode not in answerers:
            raise ValueError(f"Mode {mode!r} is not available; choose from {', '.join(sorted(answerers))}.")
        history = parse_history(request.get("history"))
        question = condense(text, history)
        if question.search_query != text:
            standalone = answerers[mode].condense(text, [t.question for t in history])
            if standalone:
                question.search_query = standalone
                known = {t.stem for t in question.terms}
                question.terms += [t for t in key_terms(standalone) if t.stem not in known]
        question.notices.extend(notices)
        filters = request.get("filters")
        if isinstance(filters, dict):
            filters = Filters.model_validate(filters)
        return AskState(question=question, filters=filters, id=request.get("id"), mode=mode)

    def retrieve(state: AskState) -> AskState:
        vector = searcher.embed_query(state.question.search_query)
        state.passages = searcher.search(state.question.search_query, filters=state.filters, vector=vector)
        state.evidence = searcher.evidence(state.question.terms, vector, state.passages)
        return state

    def answer(state: AskState, config: RunnableConfig) -> AskState:
        on_token = (config.get("configurable") or {}).get("on_token")
        state.draft = answerers[state.mode].answer(state.question, state.passages, state.evidence, on_token=on_token)
        return state

    def cite(state: AskState) -> Answer:
        draft = state.draft
        assert draft is not None
        text, citations, sentences = (REFUSAL, [], []) if draft.refused else compose(draft)
        independent, source_notes = annotate(citations, searcher.sources)
        notices = list(state.question.notices) + draft.notices + source_notes
        if draft.refused and draft.reason:
            notices.append(f"Why: {draft.reason}.")
        if draft.refused and state.passages:
            titles = list(dict.fromkeys(p.chunk.meta.title for p in state.passages))[:3]
            notices.append("Closest documents: " + "; ".join(titles) + ".")
        state.timings["total"] = round((time.perf_counter() - state.started) * 1000, 2)
        return Answer(
            id=state.id,
            question=state.question.text,
            answer=text,
            refused=draft.refused,
            mode=draft.mode,
            citations=citations,
            independent_sources=independent,
            sentences=sentences,
            retrieved=[
                Retrieved(source_id=p.chunk.meta.source_id, chunk_id=p.chunk.id, score=p.score) for p in state.passages
            ],
            notices=notices,
            timings_ms=state.timings,
        )

    return (
        _timed("condense", prepare)
        | _timed("retrieve", retrieve)
        | _timed("answer", answer)
        | RunnableLambda(cite, name="cite")
    )


def _timed(name: str, step: Callable[..., AskState]) -> Runnable[Any, AskState]:
    takes_config = "config" in inspect.signature(step).parameters

    def run(value: Any, config: RunnableConfig) -> AskState:
        started = time.perf_counter()
        state = step(value, config) if takes_config else step(value)
        state.timings[name] = round((time.perf_counter() - started) * 1000, 2)
        return state

    return RunnableLambda(run, name=name)
