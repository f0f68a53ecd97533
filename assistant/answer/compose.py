"""Composing an extractive answer for the question asked: which scored quotes, in what order.

Every strategy returns verbatim sentences only; what changes with the kind of question is
which sentences:

- most questions: the best quote, then others scoring a good share of it, each document's
  best first, near-duplicates (a statement and its copy) once;
- summaries: the central sentences of the document asked about, in its order;
- versions: what one version of a document says that the other does not;
- comparisons: each source's best sentence side by side, with a notice when their figures differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from assistant.answer.features import ASKS_FOR, answers_kind
from assistant.answer.question import Question
from assistant.backends.embed import Vectors
from assistant.common.dates import iso_day as day
from assistant.retrieval.lexical import stem, stem_set
from assistant.retrieval.signals import in_voice
from assistant.types import Evidence

UPDATE = re.compile(
    r"\b(later|since then|subsequently|no longer|dropped|lifted|reversed|ended|softened|eased|scrapped|abandoned|"
    r"rescinded|restored|reinstated|quietly|overturn\w*|replaced)\b",
    re.IGNORECASE,
)
"""Cue words of sentences that report a later change."""
UPDATE_MIN_DAYS = 180
SUMMARY_SENTENCES = 4
_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(?:per ?cent|%))?\s+([A-Za-z][\w-]*)")


def pick(question: Question, ranked: Sequence[Evidence], keep_share: float, most: int) -> list[Evidence]:
    """The best quote, then those scoring at least ``keep_share`` of it: each document's best first.

    When the question asks for a kind of thing (a reason for "why", a number for "how many",
    a date for "when", a name for "who"), the sentences that hold one come first, even where
    they share few words with the question. The voice the question asks to hear speaks
    first; a sentence that repeats a chosen one (the same sentence in a copy) is left out.
    """
    if not ranked:
        return []
    top = ranked[0].score
    eligible = [e for e in ranked if e.score >= keep_share * top]
    holding = [e for e in ranked if e.score >= keep_share**2 * top and holds_what_is_asked(question, e)]
    if holding:
        eligible = holding + [e for e in eligible if e not in holding]
    order = firsts(eligible)
    order += [e for e in eligible if e not in order]
    if question.voice:
        order.sort(key=lambda e: not in_voice(question.voice, e.meta))
    return distinct(order, most)


def holds_what_is_asked(question: Question, e: Evidence) -> bool:
    """Whether a sentence holds the kind of thing the question asks for (False when it asks for none)."""
    return any(answers_kind(e.text, question.text, cue) for cue in ASKS_FOR.get(question.kind, ()))


def firsts(quotes: Sequence[Evidence]) -> list[Evidence]:
    """The first quote of each document, in the order given."""
    seen: set[str] = set()
    out = []
    for e in quotes:
        if e.meta.source_id not in seen:
            seen.add(e.meta.source_id)
            out.append(e)
    return out


def distinct(order: Sequence[Evidence], most: int) -> list[Evidence]:
    """The first ``most`` quotes of ``order`` that do not repeat one already taken."""
    chosen: list[Evidence] = []
    for e in order:
        if len(chosen) >= most:
            break
        if not any(near_duplicate(e.text, c.text) for c in chosen):
            chosen.append(e)
    return chosen


def summary_target(ranked: Sequence[Evidence]) -> str | None:
    """The document a summary question names (its title, outlet or author), else the best candidate's."""
    if not ranked:
        return None
    named = max(ranked, key=lambda e: (e.signals.get("title", 0.0), e.score))
    return named.meta.source_id if named.signals.get("title", 0.0) >= 0.5 else ranked[0].meta.source_id


def summarise(sentences: Sequence[Evidence], vectors: dict[str, Vectors], ids: Sequence[str]) -> list[Evidence]:
    """A document's lead and the sentences nearest its centre, in reading order."""
    running = [(e, i) for e, i in zip(sentences, ids, strict=True) if e.span.kind == "body" and i in vectors]
    if not running:
        return list(sentences[:SUMMARY_SENTENCES])
    matrix = np.stack([vectors[i] for _, i in running])
    centre = matrix.mean(axis=0)
    closeness = matrix @ (centre / (np.linalg.norm(centre) or 1.0))
    order = [running[0][0]] + [running[j][0] for j in np.argsort(-closeness) if j != 0]
    chosen = distinct(order, SUMMARY_SENTENCES)
    return sorted(chosen, key=lambda e: e.span.start)


def differences(
    first: Sequence[Evidence], second: Sequence[Evidence], ranked: Sequence[Evidence], most: int
) -> tuple[list[Evidence], list[Evidence]]:
    """Sentences of each version that the other lacks, those the question bears on first."""
    relevance = {(e.meta.source_id, e.span.start): e.score for e in ranked}

    def only(a: Sequence[Evidence], b: Sequence[Evidence]) -> list[Evidence]:
        missing = [e for e in a if not any(near_duplicate(e.text, o.text) for o in b)]
        return sorted(missing, key=lambda e: -relevance.get((e.meta.source_id, e.span.start), -1.0))

    half = max(1, most // 2)
    return only(first, second)[:half], only(second, first)[:half]


def side_by_side(question: Question, ranked: Sequence[Evidence], keep_share: float, most: int) -> list[Evidence]:
    """Each source's best quote (best sources first), so a comparison hears every side."""
    if not ranked:
        return []
    eligible = [e for e in ranked if e.score >= keep_share * ranked[0].score / 2]
    return distinct(firsts(eligible), most) or pick(question, ranked, keep_share, most)


def figures_differ(quotes: Sequence[Evidence]) -> str | None:
    """A notice when two sources give different numbers for the same thing ("195 … countries" vs "193 …")."""
    seen: dict[str, tuple[str, Evidence]] = {}
    for e in quotes:
        for number, noun in _FIGURE.findall(e.text):
            key = stem(noun)
            if key in seen and seen[key][0] != number and seen[key][1].meta.source_id != e.meta.source_id:
                other_number, other = seen[key]
                return (
                    f"The sources give different figures: “{other_number} {noun}” in {label(other)} and "
                    f"“{number} {noun}” in {label(e)}."
                )
            seen.setdefault(key, (number, e))
    return None


def label(e: Evidence) -> str:
    """A source as a notice names it: outlet (date)."""
    return f"{e.meta.outlet or e.meta.title} ({e.meta.date or 'undated'})"


def later_development(
    chosen: Sequence[Evidence], ranked: Sequence[Evidence], relevant: Callable[[Evidence], bool]
) -> Evidence | None:
    """A relevant sentence from a clearly newer document that reports a change, if the answer quotes older ones."""
    dated = [d for e in chosen if (d := day(e.meta.date))]
    if not dated:
        return None
    oldest = min(dated)
    for e in ranked:
        newer = day(e.meta.date)
        if newer and (newer - oldest).days >= UPDATE_MIN_DAYS and UPDATE.search(e.text) and relevant(e):
            return e
    return None


def near_duplicate(a: str, b: str) -> bool:
    """Same sentence in two copies of a statement (spelling variants included)."""
    sa, sb = stem_set(a), stem_set(b)
    if not sa or not sb:
        return a.strip() == b.strip()
    return len(sa & sb) / len(sa | sb) >= 0.8


def reading_order(quotes: Sequence[Evidence], voice: str | None = None) -> list[Evidence]:
    """Group quotes by document (the voice asked for, then the best document first), in document order within each."""
    best_by_doc: dict[str, float] = {}
    for q in quotes:
        best_by_doc[q.meta.source_id] = max(best_by_doc.get(q.meta.source_id, 0.0), q.score)
    return sorted(
        quotes,
        key=lambda q: (
            not in_voice(voice, q.meta) if voice else False,
            -best_by_doc[q.meta.source_id],
            q.meta.source_id,
            q.span.start,
        ),
    )
