"""Answer: decide whether the evidence answers the question, and compose the answer.

An answer backend implements :class:`Answerer`, one method. The default
:class:`ExtractiveAnswerer` never writes a word of its own: the answer is a handful
of verbatim sentences from the sources, each followed by its citation marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.lexical import Term, content_stems
from assistant.settings import AnswerSettings
from assistant.types import Evidence, Passage

REFUSAL = "The corpus does not answer this question."

EXPLANATION = re.compile(
    r"\b(because|since|due to|reason|therefore|thus|so that|in order to|to (prevent|ensure|keep)|as long as|"
    r"fundamental|cornerstone|forbidden|not (include|allowed|permitted)|no provision|unwilling|compromised)\b",
    re.IGNORECASE,
)
"""Cue words of sentences that give reasons."""
WHY_BONUS = 0.08


@dataclass
class Question:
    """A question made ready for retrieval and answering."""

    text: str
    """The question as the user asked it (after truncation)."""
    search_query: str
    """What is searched: the question, plus the earlier question for a follow-up."""
    terms: list[Term]
    """Key terms the evidence should contain."""
    entities: list[Term]
    """Names and numbers from the question itself: the evidence must contain each."""
    notices: list[str] = field(default_factory=list)

    @property
    def asks_why(self) -> bool:
        """Whether the question asks for a reason."""
        return bool(re.match(r"\s*(why|how come|for what reason|what (was|is) the reason)\b", self.text, re.I))


@dataclass
class Claim:
    """One sentence of an answer and the quotes that back it."""

    text: str
    evidence: list[Evidence]
    supported: bool = True


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


class Answerer(Protocol):
    """Turns retrieved evidence into an answer."""

    mode: str

    def answer(
        self,
        question: Question,
        passages: Sequence[Passage],
        evidence: Sequence[Evidence],
        on_token: Callable[[str], None] | None = None,
    ) -> Draft:
        """Pick what to say, or refuse; modes that write may stream text to ``on_token``."""
        ...

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        """A standalone form of a follow-up question, or None to keep the rule-based one."""
        ...


class ExtractiveAnswerer:
    """Answers with verbatim sentences from the sources, or refuses."""

    mode = "extractive"

    def __init__(self, settings: AnswerSettings) -> None:
        self.settings = settings

    def answer(
        self,
        question: Question,
        passages: Sequence[Passage],
        evidence: Sequence[Evidence],
        on_token: Callable[[str], None] | None = None,
    ) -> Draft:
        supported = [e for e in evidence if self.supports(question, e)]
        if not supported:
            return Draft(claims=[], refused=True, reason=self._refusal_reason(question, evidence))
        ranked = sorted(supported, key=lambda e: -self.rank_score(question, e))
        share = self.settings.why_relative_score if question.asks_why else self.settings.min_relative_score
        floor = share * self.rank_score(question, ranked[0])
        eligible = [e for e in ranked if self.rank_score(question, e) >= floor]
        # Each document's best sentence first, so agreeing and differing sources both speak.
        firsts = {e.meta.source_id: e for e in reversed(eligible)}
        order = sorted(firsts.values(), key=lambda e: -self.rank_score(question, e))
        order += [e for e in eligible if e not in order]
        chosen: list[Evidence] = []
        for e in order:
            if len(chosen) >= self.settings.max_sentences:
                break
            if not any(_near_duplicate(e.text, c.text) for c in chosen):
                chosen.append(e)
        return Draft(claims=[Claim(text=e.text, evidence=[e]) for e in reading_order(chosen)], refused=False)

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        return None

    def rank_score(self, question: Question, e: Evidence) -> float:
        """Evidence score, nudged towards explanations for "why" questions."""
        if question.asks_why and EXPLANATION.search(e.text):
            return e.score + WHY_BONUS
        return e.score

    def supports(self, question: Question, e: Evidence) -> bool:
        """Whether one sentence, read in its passage, bears on the question.

        Cosine similarity alone cannot tell "suspend Russia" from "suspend China", so a
        sentence must also carry the question's key terms (its own, or its passage's),
        among them enough of what the question asks about (not only whom), and its
        passage every name or number the question mentions (or its document, when the
        sentence alone carries most of what is asked). A very close paraphrase
        (``strong_dense``) needs only some of what the question asks about.
        """
        if e.dense < self.settings.min_dense:
            return False
        # A name may sit a few sentences away ("Additional measures may be taken" about Russia),
        # but only when the sentence itself says what the question asks.
        if not (
            e.entities_in_passage
            or (e.entities_in_document and e.sentence_predicate_coverage >= self.settings.strong_predicate_coverage)
        ):
            return False
        if e.dense >= self.settings.strong_dense and e.predicate_coverage > 0:
            return True
        if e.predicate_coverage < self.settings.min_predicate_coverage:
            return False
        return max(e.coverage, 0.8 * e.context_coverage) >= self.settings.min_coverage

    def _refusal_reason(self, question: Question, evidence: Sequence[Evidence]) -> str:
        if not evidence:
            return "no passage matched the question"
        if question.entities and not any(e.entities_in_document for e in evidence):
            names = ", ".join(t.surface for t in question.entities)
            return f"no retrieved source mentions all of: {names}"
        return "the closest passages do not address the question's key terms"


def _near_duplicate(a: str, b: str) -> bool:
    """Same sentence in two copies of a statement (spelling variants included)."""
    sa, sb = set(content_stems(a)), set(content_stems(b))
    if not sa or not sb:
        return a.strip() == b.strip()
    return len(sa & sb) / len(sa | sb) >= 0.8


def reading_order(quotes: Sequence[Evidence]) -> list[Evidence]:
    """Group quotes by document (best document first), in document order within each."""
    best_by_doc: dict[str, float] = {}
    for q in quotes:
        best_by_doc[q.meta.source_id] = max(best_by_doc.get(q.meta.source_id, 0.0), q.score)
    return sorted(quotes, key=lambda q: (-best_by_doc[q.meta.source_id], q.meta.source_id, q.span.start))
