"""Answer: decide whether the evidence answers the question, and compose the answer.

An answer backend implements :class:`Answerer`, one method. The default
:class:`ExtractiveAnswerer` never writes a word of its own: the answer is a handful of
verbatim sentences from the sources, each followed by its citation marker. Which
sentences answer, and whether the corpus answers at all, are two learned, calibrated
decisions (:mod:`assistant.answer.ranker`); :mod:`assistant.answer.compose` picks the quotes for the
kind of question asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.answer import compose
from assistant.answer.features import INJECTION, answerable_vector, evidence_matrix, question_features
from assistant.answer.question import Question
from assistant.answer.ranker import AnswerModel
from assistant.backends.store import sentence_id
from assistant.settings import AnswerSettings
from assistant.types import Evidence, Found

if TYPE_CHECKING:
    from assistant.retrieval.loaded import LoadedIndex

REFUSAL = "The corpus does not answer this question."
CLOSEST = 3
"""Nearest sentences shown with a refusal (the best of each of the nearest documents)."""


@dataclass
class Claim:
    """One sentence of an answer and the quotes that back it."""

    text: str
    evidence: list[Evidence]
    supported: bool = True
    reason: str = ""
    """Why a written claim passed its check, or which check failed (empty for verbatim quotes)."""


@dataclass
class Draft:
    """An answer before citations are numbered: claims in reading order, or a refusal."""

    claims: list[Claim]
    refused: bool
    reason: str = ""
    verbatim: bool = True
    """Claims are the quotes themselves (extractive), not text written by a model."""
    notices: list[str] = field(default_factory=list)
    mode: str = "extractive"
    closest: list[Evidence] = field(default_factory=list)
    """For a refusal: the nearest sentences, which do not answer the question."""
    confidence: float | None = None
    """The calibrated probability that the corpus answers the question."""


class Answerer(Protocol):
    """Turns retrieved evidence into an answer."""

    mode: str

    def answer(self, question: Question, found: Found, on_token: Callable[[str], None] | None = None) -> Draft:
        """Pick what to say, or refuse; modes that write may stream text to ``on_token``."""
        ...

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        """A standalone form of a follow-up question, or None to keep the rule-based one."""
        ...


class ExtractiveAnswerer:
    """Answers with verbatim sentences from the sources, or refuses."""

    mode = "extractive"

    def __init__(self, settings: AnswerSettings, model: AnswerModel, index: LoadedIndex) -> None:
        self.settings = settings
        self.model = model
        self.index = index

    def score(self, question: Question, evidence: Sequence[Evidence]) -> tuple[list[Evidence], float]:
        """Each sentence's learned probability of answering (set as its score), best first, and the
        calibrated probability that the corpus answers the question at all."""
        matrix = evidence_matrix(question, evidence)
        probs = self.model.evidence.predict(matrix)
        for e, p in zip(evidence, probs, strict=True):
            e.score = float(p)
        row = answerable_vector(question_features(question), matrix, probs)
        confidence = float(self.model.answerable.predict(row)[0])
        return sorted(evidence, key=lambda e: -e.score), confidence

    def answer(self, question: Question, found: Found, on_token: Callable[[str], None] | None = None) -> Draft:
        ranked, confidence = self.score(question, found.evidence)
        if not ranked:
            return Draft(claims=[], refused=True, reason="no passage matched the question", confidence=0.0)
        reason = None
        if INJECTION.search(question.text):
            # Answers come from the sources only: a request to set them aside cannot be met.
            reason = "the question asks to answer without the sources"
        elif confidence < self.model.threshold:
            reason = self._refusal_reason(question, ranked, confidence)
        if reason is not None:
            closest = compose.distinct(compose.firsts(ranked), CLOSEST)
            return Draft(claims=[], refused=True, reason=reason, closest=closest, confidence=confidence)
        chosen, notices = self._compose(question, ranked)
        claims = [Claim(text=e.text, evidence=[e]) for e in compose.reading_order(chosen, question.voice)]
        return Draft(claims=claims, refused=False, notices=notices, confidence=confidence)

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        return None

    def _compose(self, question: Question, ranked: list[Evidence]) -> tuple[list[Evidence], list[str]]:
        most, share = self.settings.max_sentences, self.settings.keep_share
        notices: list[str] = []
        if question.kind == "summary" and (
            target := self.index.document_named(question) or compose.summary_target(ranked)
        ):
            sentences = self.index.document_sentences(target)
            ids = [sentence_id(e.meta.source_id, e.span) for e in sentences]
            return compose.summarise(sentences, self.index.sentence_vectors(ids), ids), notices
        if question.kind == "versions" and (versions := self._versions(question, ranked)):
            return versions
        if question.kind in ("comparison", "versions"):
            chosen = compose.side_by_side(question, ranked, share, most)
        else:
            chosen = compose.pick(question, ranked, share, most)
        if figures := compose.figures_differ(chosen):
            notices.append(figures)
        top = ranked[0].score
        update = compose.later_development(chosen, ranked, lambda e: e.score >= 0.5 * top)
        if update is not None:
            if update not in chosen:
                chosen = [*chosen[: most - 1], update]
            older = min((e for e in chosen if e.meta.date), key=lambda e: e.meta.date or "")
            notices.append(
                f"Update: {compose.label(update)} reports a later development than {compose.label(older)}; "
                "both are quoted."
            )
        return chosen, notices

    def _versions(self, question: Question, ranked: list[Evidence]) -> tuple[list[Evidence], list[str]] | None:
        """What two versions of the best-matching document say differently, or None when it has no versions."""
        group = self.index.sources.group(ranked[0].meta.source_id)
        if len(group) < 2:
            return None
        first, second = group[0], group[-1]
        only_first, only_second = compose.differences(
            self.index.document_sentences(first), self.index.document_sentences(second), ranked,
            self.settings.max_sentences,
        )  # fmt: skip
        a, b = self.index.documents[first], self.index.documents[second]
        if not only_first and not only_second:
            return compose.pick(question, ranked, self.settings.keep_share, self.settings.max_sentences), [
                f"The versions {a.path} and {b.path} carry the same sentences."
            ]
        notice = (
            f"The versions differ: {len(only_first)} quoted sentence(s) appear only in {a.path} "
            f"({a.date or 'undated'}), {len(only_second)} only in {b.path} ({b.date or 'undated'})."
        )
        return only_first + only_second, [notice]

    def _refusal_reason(self, question: Question, ranked: Sequence[Evidence], confidence: float) -> str:
        names = [t.surface for t in question.entities if not t.temporal and not self.index.lexical.known(t.stem)]
        if names:
            return f"the corpus never mentions {', '.join(names)}"
        if question.entities and max(e.signals.get("entity_passage", 0.0) for e in ranked) < 1.0:
            wanted = ", ".join(t.surface for t in question.entities)
            return f"no retrieved passage mentions all of: {wanted}"
        return f"the closest passages do not answer it (confidence {confidence:.2f})"


def merge_parts(parts: Sequence[tuple[str, Draft]], most: int) -> Draft:
    """One draft from the drafts of a multi-part question's parts.

    Every answered part is quoted; each unanswered part gets a notice naming it.
    """
    answered = [(text, d) for text, d in parts if not d.refused]
    if not answered:
        first = parts[0][1]
        return Draft(claims=[], refused=True, reason=first.reason, closest=first.closest,
                     confidence=max((d.confidence or 0.0) for _, d in parts))  # fmt: skip
    share = max(1, most // len(answered))
    claims: list[Claim] = []
    for _, draft in answered:
        fresh = [c for c in draft.claims if not any(compose.near_duplicate(c.text, o.text) for o in claims)]
        claims += fresh[:share]
    notices = [n for _, d in answered for n in d.notices]
    notices += [f"The corpus does not answer this part of the question: “{text}”." for text, d in parts if d.refused]
    return Draft(claims=claims, refused=False, notices=list(dict.fromkeys(notices)),
                 confidence=min((d.confidence or 0.0) for _, d in answered))  # fmt: skip
