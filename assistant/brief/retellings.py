"""Retellings: every sentence that tells one event, grouped into that event.

The same event told twice (a copy of a statement, or a story quoting it) is one event: same
date, and most of the shorter sentence's words in the longer; or the same figure; or, for one
day, two words in common; or two of the stems right beside the date ("since Labour came to
power in 1997", "when Labour won power in 1997"). Where the sentence vectors are known, events
of one date whose tellings mean the same (every pair at cosine ≥ ``SAME_MEANING``) are one, and
a year-less "17 March" joins the dated "17 March 2003" it retells. Each event is shown by the
telling with the best heading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assistant.backends.store import sentence_id
from assistant.brief.actors import Sentence
from assistant.brief.entities import DateMention, dates_in
from assistant.brief.headings import PRONOUNS, event_heading, near_words
from assistant.retrieval.lexical import stem_set

Vectors = Mapping[str, npt.NDArray[np.float32]]
SAME_MEANING = 0.6
"""Two sentences at this cosine or more (MiniLM) say the same thing."""
_FIGURE = re.compile(r"\b(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:,\d{3})+|\d{3,})(?:\.\d+)?\b")
"""A figure of three digits or more that is not a year ("60,000", "195"): never a day of the month."""


@dataclass
class Event:
    """One thing that happened or was said, at one date, and every sentence that tells it."""

    heading: str
    date: DateMention
    sentence: Sentence
    tellings: list[Sentence] = field(default_factory=list)
    words: frozenset[str] = frozenset()
    told: list[tuple[str, Sentence, frozenset[str]]] = field(default_factory=list)
    """Each telling's heading, sentence and words, to choose the one that says what most of them say."""
    near: frozenset[str] = frozenset()
    """The stems right beside the date in its clause: "since Labour came to power in 1997"."""


def group_events(
    sentences: Sequence[Sentence], vectors: Vectors | None = None, named: re.Pattern[str] | None = None
) -> dict[str, list[Event]]:
    """Every event the sentences date, by date; a retelling joins the event it retells. Each is shown by its
    :func:`typical` telling (``named`` matches the actors of the who's who)."""
    by_date: dict[str, list[Event]] = {}
    for s in sentences:
        for d in dates_in(s.text, s.meta.date):
            heading = event_heading(s.text, d.text)
            if heading is None:
                continue
            # Figures count, not the day or year of the date both sentences already share.
            words = frozenset(w for w in stem_set(s.text) if not w[0].isdigit()) | set(_FIGURE.findall(s.text))
            words -= stem_set(d.text)  # "May" in "5 May" says the date, not the event
            near = near_words(s.text, d.text)
            same = next(
                (e for e in by_date.get(d.iso, []) if _same_event(e.words, words, _day(d)) or len(e.near & near) >= 2),
                None,
            )
            if same is not None:
                same.tellings.append(s)
                same.told.append((heading, s, words))
                continue
            by_date.setdefault(d.iso, []).append(Event(heading, d, s, [s], words, [(heading, s, words)], near))
    if vectors:
        by_date = {iso: _merge_alike(day, vectors) for iso, day in by_date.items()}
        _merge_year_less(by_date, vectors)
    for day in by_date.values():
        for e in day:
            e.heading, e.sentence, _ = typical(e.told, named)
    return by_date


def _merge_alike(day: list[Event], vectors: Vectors) -> list[Event]:
    """Events of one date whose tellings mean the same are one: each pair of them at cosine ≥
    ``SAME_MEANING`` (all pairs, so that a run of loosely related sentences never chains into one)."""
    merged: list[tuple[Event, list[npt.NDArray[np.float32]]]] = []
    for e in day:
        centre = _centre(e, vectors)
        into = None
        if centre is not None:
            into = next((m for m in merged if m[1] and all(_close(c, centre) for c in m[1])), None)
        if into is None or centre is None:
            merged.append((e, [] if centre is None else [centre]))
        else:
            _absorb(into[0], e)
            into[1].append(centre)
    return [e for e, _ in merged]


def _merge_year_less(by_date: dict[str, list[Event]], vectors: Vectors) -> None:
    """A year-less "17 March" that tells what a dated "17 March 2003" tells is that event, not another one."""
    for iso in [d for d in by_date if d.startswith("--")]:
        dated = [(e, _centre(e, vectors)) for d, day in by_date.items() if not d.startswith("-") and d[4:] == iso[1:]
                 for e in day]  # fmt: skip
        kept = []
        for e in by_date[iso]:
            centre = _centre(e, vectors)
            into = next((m for m, c in dated if _close(c, centre)), None)
            if into is None:
                kept.append(e)
            else:
                _absorb(into, e)
        by_date[iso] = kept
        if not kept:
            del by_date[iso]


def _absorb(into: Event, e: Event) -> None:
    into.tellings += e.tellings
    into.told += e.told
    into.words |= e.words


def _close(a: npt.NDArray[np.float32] | None, b: npt.NDArray[np.float32] | None) -> bool:
    """Two unit vectors that mean the same: cosine ≥ ``SAME_MEANING``."""
    return a is not None and b is not None and float(a @ b) >= SAME_MEANING


def vector_of(s: Sentence, vectors: Vectors) -> npt.NDArray[np.float32] | None:
    """The sentence's vector, where the index has it."""
    return vectors.get(sentence_id(s.meta.source_id, s.span))


def _centre(e: Event, vectors: Vectors) -> npt.NDArray[np.float32] | None:
    own = [v for t in e.tellings if (v := vector_of(t, vectors)) is not None]
    if not own:
        return None
    centre = np.sum(own, axis=0)
    norm = float(np.linalg.norm(centre))
    return centre / norm if norm else None


def _day(date: DateMention) -> bool:
    """A date to the day: two tellings of one day that share two words are one event."""
    return date.precision in ("day", "day-no-year")


def typical(
    told: list[tuple[str, Sentence, frozenset[str]]], named: re.Pattern[str] | None = None
) -> tuple[str, Sentence, frozenset[str]]:
    """The telling with the best heading: a whole clause ("The election is expected", not "widely expected to
    be held") that names its subject rather than opening on a pronoun ("He had then changed his mind"), then
    one that names an actor of the who's who, then the one whose words the other tellings share most: the
    event most of them tell."""
    return max(
        told,
        key=lambda t: (
            t[0][:1].isupper(),
            t[0].split()[0].lower() not in PRONOUNS,
            bool(named.search(t[1].text)) if named else False,
            sum(len(t[2] & other[2]) / (len(t[2]) or 1) for other in told if other is not t) if len(told) > 2 else 0,
        ),
    )


def _same_event(a: frozenset[str], b: frozenset[str], day: bool = False) -> bool:
    """Half of the shorter sentence's words are in the other, or both give the same figure (a copy, or a
    story retelling it; both are already known to give the same date); of one day, two words in common
    ("the election, widely expected on 5 May" and "the poll is expected on 5 May") are enough."""
    shared = a & b
    return bool(a and b) and (
        len(shared) >= 0.5 * min(len(a), len(b)) or any(w[0].isdigit() for w in shared) or (day and len(shared) >= 2)
    )
