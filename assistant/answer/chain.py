"""The question-to-answer path: typed steps, prepare → retrieve → answer → cite.

:meth:`AskPipeline.run` calls the steps in order; it is what ``Assistant.ask`` does.
:func:`build_chain` wraps the same steps as a LangChain runnable, an adapter for
LangChain users: ``chain.invoke({"question": ..., "history": [...], "filters": {...}})``
returns an :class:`~assistant.types.Answer`, with each step a named ``RunnableLambda``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assistant.answer.extractive import REFUSAL, Answerer, Draft, merge_parts
from assistant.answer.question import Question, analyse
from assistant.provenance.cite import annotate, compose, make_citation
from assistant.retrieval.lexical import key_terms, words
from assistant.retrieval.retrieve import HybridSearcher
from assistant.settings import AnswerSettings
from assistant.types import Answer, Filters, Found, Retrieved, Turn

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable, RunnableConfig

FOLLOW_UP_WORDS = frozenset(
    "it its they them their theirs this that these those he him his she her hers such there one ones".split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclasses.dataclass
class AskRequest:
    """One question as a caller asks it; :meth:`AskPipeline.prepare` validates every field."""

    question: object
    history: Sequence[object] | None = None
    filters: Filters | dict[str, Any] | None = None
    id: Any = None
    mode: str | None = None

    @classmethod
    def of(cls, request: object) -> AskRequest:
        """The request from the runnable chain's input: a dict with a ``question`` (or the question itself)."""
        if isinstance(request, AskRequest):
            return request
        if not isinstance(request, dict):
            return cls(question=request)
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in request.items() if k in fields})


@dataclasses.dataclass
class AskState:
    """What flows between the steps of the chain."""

    question: Question
    filters: Filters | None
    id: Any = None
    mode: str = "extractive"
    found: Found = dataclasses.field(default_factory=lambda: Found([], []))
    draft: Draft | None = None
    parts: list[Question] = dataclasses.field(default_factory=list)
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


def leans_on_history(text: str, history: Sequence[Turn]) -> bool:
    """Whether a question only makes sense after the earlier turns ("Who can no longer send them?")."""
    lowered = {w.lower() for w in words(text)}
    return bool(history) and bool(lowered & FOLLOW_UP_WORDS or len(key_terms(text)) <= 1)


def keeps_subject(rewrite: str, previous: str) -> bool:
    """Whether a model's standalone rewrite of a follow-up stays on what the conversation was about.

    It must keep a name (or, without names, a key term) of the earlier question: a small
    model's rewrite can otherwise send a follow-up about one thing to another document.
    """
    before = key_terms(previous)
    subject = {t.stem for t in before if t.entity} or {t.stem for t in before if not t.temporal}
    return bool(subject & {t.stem for t in key_terms(rewrite)})


class AskPipeline:
    """The steps from a question to a cited answer, callable one by one (training and tests use the seams).

    ``prepare`` reads the request, ``retrieve`` finds passages and candidate sentences,
    ``answer`` drafts, ``cite`` numbers the quotes and attaches provenance.
    """

    def __init__(
        self, searcher: HybridSearcher, answerers: dict[str, Answerer], default_mode: str, settings: AnswerSettings
    ) -> None:
        self.searcher = searcher
        self.answerers = answerers
        self.default_mode = default_mode
        self.settings = settings

    def read(self, text: str, previous: str | None = None) -> Question:
        """A question analysed against the index's vocabulary."""
        s = self.searcher.index
        return analyse(text, s.lexical, previous, s.official_names, s.authors)

    def prepare(self, request: AskRequest) -> AskState:
        """Validate the request and analyse the question (a follow-up takes the earlier question's terms).

        Raises ``ValueError`` for an empty question or bad history, filters or mode.
        """
        text, notices = clean_question(request.question, self.settings.max_question_chars)
        mode = request.mode or self.default_mode
        if mode not in self.answerers:
            raise ValueError(f"Mode {mode!r} is not available; choose from {', '.join(sorted(self.answerers))}.")
        analysed = self._analyse(text, parse_history(request.history), mode)
        analysed.notices.extend(notices)
        filters = request.filters
        if isinstance(filters, dict):
            filters = Filters.model_validate(filters)
        parts = [self.read(p, analysed.parts[0] if i else None) for i, p in enumerate(analysed.parts)]
        if filters is not None and not filters.empty:
            for q in [analysed, *parts]:
                names = [t for t in q.entities if not t.temporal]
                q.unknown_entities = max(q.unknown_entities, self.searcher.index.absent_names(names, filters))
        return AskState(question=analysed, filters=filters, id=request.id, mode=mode, parts=parts)

    def _analyse(self, text: str, history: Sequence[Turn], mode: str) -> Question:
        """The question read on its own, or, for a follow-up, with the earlier question's terms."""
        previous = history[-1].question if leans_on_history(text, history) else None
        question = self.read(text, previous)
        if previous is not None:
            standalone = self.answerers[mode].condense(text, [t.question for t in history])
            if standalone and keeps_subject(standalone, previous):
                rewritten = self.read(standalone)
                known = {t.stem for t in question.terms}
                question.search_query = rewritten.search_query
                question.terms += [t for t in rewritten.terms if t.stem not in known]
        return question

    def find(self, question: Question, filters: Filters | None) -> Found:
        """Passages for the question and every candidate sentence in them, with its signals."""
        vector = self.searcher.embed_query(self.searcher.topic_of(question.search_query))
        passages = self.searcher.search(question.search_query, filters=filters, vector=vector)
        return Found(passages, self.searcher.evidence(question, vector, passages))

    def retrieve(self, state: AskState) -> AskState:
        state.found = self.find(state.question, state.filters)
        return state

    def answer(self, state: AskState, on_token: Callable[[str], None] | None = None) -> AskState:
        """Draft the answer; a multi-part question is answered part by part (extractive mode)."""
        answerer = self.answerers[state.mode]
        if state.parts and state.mode == "extractive":
            drafts = []
            drafts = [(part.text, answerer.answer(part, self.find(part, state.filters))) for part in state.parts]
            state.draft = merge_parts(drafts, self.settings.max_sentences)
        else:
            state.draft = answerer.answer(state.question, state.found, on_token=on_token)
        return state

    def cite(self, state: AskState) -> Answer:
        """Number the quotes, attach provenance and notices: the final :class:`Answer`."""
        draft, found = state.draft, state.found.passages
        assert draft is not None
        sources = self.searcher.index.sources
        text, citations, sentences = (REFUSAL, [], []) if draft.refused else compose(draft)
        independent, source_notes = annotate(citations, sources)
        notices = list(state.question.notices) + draft.notices + source_notes
        if state.question.corrections:
            read_as = ", ".join(f"“{w}” as “{c}”" for w, c in state.question.corrections.items())
            notices.append(f"Read {read_as}: the corpus does not use the words as written.")
        closest = [make_citation(n, e) for n, e in enumerate(draft.closest, start=1)] if draft.refused else []
        annotate(closest, sources)
        if draft.refused and draft.reason:
            notices.append(f"Why: {draft.reason}.")
        if closest:
            notices.append("The closest passages are listed under 'closest'; they do not answer the question.")
        state.timings["total"] = round((time.perf_counter() - state.started) * 1000, 2)
        return Answer(
            id=state.id,
            question=state.question.text,
            answer=text,
            refused=draft.refused,
            mode=draft.mode,
            confidence=None if draft.confidence is None else round(draft.confidence, 4),
            citations=citations,
            closest=closest,
            independent_sources=independent,
            sentences=sentences,
            retrieved=[Retrieved(source_id=p.chunk.meta.source_id, chunk_id=p.chunk.id, score=p.score) for p in found],
            notices=notices,
            timings_ms=state.timings,
        )

    def run(self, request: AskRequest, on_token: Callable[[str], None] | None = None) -> Answer:
        """Every step in order, timed: what :meth:`Assistant.ask` calls (the runnable chain does the same)."""
        state = _step("condense", self.prepare, request)
        _step("retrieve", self.retrieve, state)
        _step("answer", lambda s: self.answer(s, on_token), state)
        return self.cite(state)


def _step(name: str, step: Callable[[Any], AskState], value: Any) -> AskState:
    started = time.perf_counter()
    state = step(value)
    state.timings[name] = round((time.perf_counter() - started) * 1000, 2)
    return state


def build_chain(pipeline: AskPipeline) -> Runnable[Any, Answer]:
    """The pipeline as a LangChain runnable from a request dict to a cited :class:`Answer`.

    ``on_token`` in the config's ``configurable`` receives streamed text from answer modes that write.
    """
    from langchain_core.runnables import RunnableLambda  # here: answering does not need LangChain's runnables

    def timed(name: str, step: Callable[[Any, RunnableConfig], AskState]) -> Runnable[Any, AskState]:
        return RunnableLambda(lambda value, config: _step(name, lambda v: step(v, config), value), name=name)

    def on_token(config: RunnableConfig) -> Callable[[str], None] | None:
        return (config.get("configurable") or {}).get("on_token")  # type: ignore[no-any-return]

    return (
        timed("condense", lambda request, _: pipeline.prepare(AskRequest.of(request)))
        | timed("retrieve", lambda state, _: pipeline.retrieve(state))
        | timed("answer", lambda state, config: pipeline.answer(state, on_token(config)))
        | RunnableLambda(pipeline.cite, name="cite")
    )
