"""Answer: decide whether the evidence answers the question, and compose the answer.

An answer backend implements :class:`Answerer`, one method. The default
:class:`ExtractiveAnswerer` never writes a word of its own: the answer is a handful
of verbatim sentences from the sources, each followed by its citation marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from assistant.lexical import Term, stem_set
from assistant.settings import AnswerSettings
from assistant.types import VOICE_KINDS, Evidence, Passage

REFUSAL = "The corpus does not answer this question."

EXPLANATION = re.compile(
    r"\b(because|since|due to|reason|therefore|thus|so that|in order to|to (prevent|ensure|keep)|as long as|"
    r"fundamental|cornerstone|forbidden|not (include|allowed|permitted)|no provision|unwilling|compromised)\b",
    re.IGNORECASE,
)
"""Cue words of sentences that give reasons."""
WHY_BONUS = 0.08
VOICE_BONUS = 0.08
"""For sentences from the kind of source the question asks to hear (official statements, or others)."""
DATE_BONUS = 0.06
"""For sentences dated in, or naming, a year the question names."""
UPDATE = re.compile(
    r"\b(later|since then|subsequently|no longer|dropped|lifted|reversed|ended|softened|eased|scrapped|abandoned|"
    r"rescinded|restored|reinstated|quietly|overturn\w*|replaced)\b",
    re.IGNORECASE,
)
"""Cue words of sentences that report a later change."""
UPDATE_MIN_DAYS = 180
_OFFICIAL_ASK = re.compile(
    r"\b(what|how) (did|does|do|has|have) (interpol|the general secretariat|interpol officials|the organi[sz]ation)"
    r"\b.*\b(say|said|state|claim|announce|respond|explain|justify|argue)",
    re.IGNORECASE,
)
_CRITICS_ASK = re.compile(r"\b(critics?|criticism|critici[sz]e[sd]?|opponents?|campaigners?|advocates?)\b", re.I)


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

    @cached_property
    def voice(self) -> str | None:
        """ "official" when the question asks what the institution says, "others" when it asks its critics."""
        if _CRITICS_ASK.search(self.text):
            return "others"
        if _OFFICIAL_ASK.search(self.text):
            return "official"
        return None

    @cached_property
    def years(self) -> set[str]:
        """Years the question names ("in 2018")."""
        return set(re.findall(r"\b(?:19|20)\d\d\b", self.text))

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
        if question.voice:  # the voice asked for speaks first; the other side still gets the remaining seats
            order.sort(key=lambda e: not _in_voice(question.voice, e))
        chosen: list[Evidence] = []
        for e in order:
            if len(chosen) >= self.settings.max_sentences:
                break
            if not any(_near_duplicate(e.text, c.text) for c in chosen):
                chosen.append(e)
        notices: list[str] = []
        top = self.rank_score(question, ranked[0])
        update = later_development(chosen, ranked, lambda e: self.rank_score(question, e) >= 0.5 * top)
        if update is not None:
            if update not in chosen:
                chosen = [*chosen[: self.settings.max_sentences - 1], update]
            older = min((e for e in chosen if e.meta.date), key=lambda e: e.meta.date or "")
            notices.append(
                f"Update: {update.meta.outlet or update.meta.title} ({update.meta.date}) reports a later development "
                f"than {older.meta.outlet or older.meta.title} ({older.meta.date}); both are quoted."
            )
        claims = [Claim(text=e.text, evidence=[e]) for e in reading_order(chosen)]
        return Draft(claims=claims, refused=False, notices=notices)

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        return None

    def rank_score(self, question: Question, e: Evidence) -> float:
        """Evidence score, nudged towards explanations for "why" questions, the voice and the years asked for."""
        score = e.score
        if question.asks_why and EXPLANATION.search(e.text):
            score += WHY_BONUS
        if _in_voice(question.voice, e):
            score += VOICE_BONUS
        years = question.years
        if years and ((e.meta.date or "")[:4] in years or any(y in e.text for y in years)):
            score += DATE_BONUS
        return score

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


def _in_voice(voice: str | None, e: Evidence) -> bool:
    official = e.meta.kind in VOICE_KINDS["official"]
    return (voice == "official" and official) or (voice == "others" and not official)


def later_development(
    chosen: Sequence[Evidence],
    ranked: Sequence[Evidence],
    relevant: Callable[[Evidence], bool],
) -> Evidence | None:
    """A relevant sentence from a clearly newer document that reports a change, if the answer quotes older ones."""
    dated = [e.meta.date_ordinal for e in chosen if e.meta.date_ordinal]
    if not dated:
        return None
    oldest = min(dated)
    for e in ranked:
        newer = e.meta.date_ordinal
        if newer and _days(oldest, newer) >= UPDATE_MIN_DAYS and UPDATE.search(e.text) and relevant(e):
            return e
    return None


def _days(a: int, b: int) -> int:
    """Approximate days from ordinal date ``a`` (YYYYMMDD) to ``b``."""
    return (b // 10000 - a // 10000) * 365 + (b // 100 % 100 - a // 100 % 100) * 30 + (b % 100 - a % 100)


def _near_duplicate(a: str, b: str) -> bool:
    """Same sentence in two copies of a statement (spelling variants included)."""
    sa, sb = stem_set(a), stem_set(b)
    if not sa or not sb:
        return a.strip() == b.strip()
    return len(sa & sb) / len(sa | sb) >= 0.8


def reading_order(quotes: Sequence[Evidence]) -> list[Evidence]:
    """Group quotes by document (best document first), in document order within each."""
    best_by_doc: dict[str, float] = {}
    for q in quotes:
        best_by_doc[q.meta.source_id] = max(best_by_doc.get(q.meta.source_id, 0.0), q.score)
    return sorted(quotes, key=lambda q: (-best_by_doc[q.meta.source_id], q.meta.source_id, q.span.start))
