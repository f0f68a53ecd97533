"""Timeline: what happened or was said, each at its date, with a heading drawn from the quote.

Every dated sentence whose clause holds a verb tells an event (:mod:`assistant.brief.headings`);
its retellings, copies and paraphrases of the same date, are one event
(:mod:`assistant.brief.retellings`). A day or month a document gives without a year stays
year-less (``--05-05``) in an undated document. Every dated document also gets its publication.

A large corpus has more dated events than anyone reads. Which the timeline keeps is learned:
``make train`` fits two logistic regressions (:mod:`assistant.brief.model`) on the dev briefing
keys, over ``EVENT_FEATURES``: the sources telling it, the actors named, the date's precision,
closeness to the corpus centre, how many sources name that date, speak of the event's rarest
words or say the same thing undated, how near its document's opening it is told, and what
the heading is like (reported speech, the future, a fragment). The timeline ranks events by
P(a newcomer must meet it), the best of each date before a second one of the same date, and
shows as many as maximise the expected F1 (:func:`expected_length`), at least
``TIMELINE_FLOOR`` and at most ``TIMELINE_LINES``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from assistant.brief.actors import Sentence
from assistant.brief.entities import DateMention, Entity, dates_in
from assistant.brief.headings import FIRST_PERSON, HEADING_WORDS
from assistant.brief.model import EVENT_FEATURES, EventModels, brief_model
from assistant.brief.retellings import SAME_MEANING, Event, Vectors, group_events, vector_of
from assistant.retrieval.lexical import stem_set
from assistant.types import DatePrecision

TIMELINE_LINES = 20
TIMELINE_FLOOR = 5
"""Events shown whatever the model says, where there are that many: a small corpus still gets its story."""

_SAID = re.compile(r"\b(?:said|says|say|told|added|argued|claimed|insisted|warned)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|would|could|might|may|should|expected|likely|plans?|due)\b")


def candidates(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity] = (),
    vectors: Vectors | None = None,
) -> tuple[list[Event], npt.NDArray[np.float64]]:
    """Every event the sentences date, and its row of :data:`EVENT_FEATURES`."""
    named = _actor_pattern(actors)
    by_date = group_events(sentences, vectors or {}, named)
    events = [e for day in by_date.values() for e in day]
    return events, event_matrix(events, by_date, group_of, closeness, named, sentences, vectors or {})


def timeline(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity] = (),
    limit: int = TIMELINE_LINES,
    model: EventModels | None = None,
    vectors: Vectors | None = None,
) -> list[tuple[str, DateMention, Sentence]]:
    """(heading, date, sentence) for the events and publications, oldest first: the events a newcomer most
    likely must meet, the best of each date before a second one of it, as many as the expected F1 wants."""
    models = model or brief_model().events
    events, x = candidates(sentences, group_of, closeness, actors, vectors)
    order = sorted(range(len(events)), key=lambda k: (events[k].date.iso, events[k].heading))  # ties, stably
    events, x = [events[k] for k in order], x[order]
    in_key, must = models.key.predict(x), models.must.predict(x)
    ranked = rank(must.tolist(), [e.date.iso for e in events])
    shown = ranked[: expected_length(in_key[ranked], must[ranked], float(must.sum()), limit=limit)]
    rows = [(events[k].heading, events[k].date, events[k].sentence) for k in shown] + _publications(sentences)
    return sorted(rows, key=lambda r: (r[1].iso.startswith("-"), r[1].iso, r[0]))  # year-less days last


def rank(p: Sequence[float], dates: Sequence[str]) -> list[int]:
    """Every event by index, the likeliest first (ties in the given order), the best of each date before a
    second one of it."""
    seen: Counter[str] = Counter()
    nth = []
    for k in sorted(range(len(p)), key=lambda k: -p[k]):
        nth.append((seen[dates[k]], k))
        seen[dates[k]] += 1
    return [k for _, k in sorted(nth, key=lambda pair: pair[0])]


def expected_length(
    in_key: npt.NDArray[np.float64],
    must: npt.NDArray[np.float64],
    must_total: float,
    floor: int = TIMELINE_FLOOR,
    limit: int = TIMELINE_LINES,
) -> int:
    """How many of the ranked events to show: the number whose expected F1 is highest, the expected recall
    the share of all ``must_total`` expected must events they hold, the expected precision their mean
    P(in the key); at least ``floor`` and at most ``limit``."""
    n = min(len(in_key), limit)
    if n == 0 or must_total <= 0:
        return min(floor, n)
    shown = np.arange(1, n + 1)
    recall = np.cumsum(must[:n]) / must_total
    precision = np.cumsum(in_key[:n]) / shown
    f1 = 2 * recall * precision / np.maximum(recall + precision, 1e-12)
    return max(int(np.argmax(f1)) + 1, min(floor, n))


def event_matrix(
    events: Sequence[Event],
    by_date: dict[str, list[Event]],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    named: re.Pattern[str] | None,
    sentences: Sequence[Sentence] = (),
    vectors: Vectors | None = None,
) -> npt.NDArray[np.float64]:
    """One row of :data:`EVENT_FEATURES` per event (``named`` matches the actors of the who's who)."""
    date_told_by = {
        iso: len({group_of(t.meta.source_id) for e in day for t in e.tellings}) for iso, day in by_date.items()
    }
    echo = _Echo([t for e in events for t in e.tellings], group_of) if events else None
    years = sorted(int(e.date.iso[:4]) for e in events for _ in e.tellings if e.date.iso[:1] != "-")
    middle = years[len(years) // 2] if years else 0
    rows = []
    for e in events:
        words = e.heading.split()
        year = int(e.date.iso[:4]) if e.date.iso[:1] != "-" else middle
        rows.append(
            [
                math.log2(1 + len({group_of(t.meta.source_id) for t in e.tellings})),
                math.log2(len(e.tellings)),
                min(len(set(named.findall(e.sentence.text))), 2) if named else 0,
                e.date.precision in ("day", "day-no-year"),
                e.date.precision in ("month", "month-no-year"),
                e.date.precision.endswith("no-year"),
                closeness.get((e.sentence.meta.source_id, e.sentence.span.start), 0.0),
                math.log2(date_told_by[e.date.iso]),
                min(len(words), HEADING_WORDS + 1),
                words[0].lower() in FIRST_PERSON,
                e.heading[:1].islower(),
                bool(re.search(r"\d|[%£$€]", e.heading)),
                len({d.iso for d in dates_in(e.sentence.text, e.sentence.meta.date)}) - 1,
                min(abs(year - middle), 30) / 10,
                math.log2(1 + echo(e.words)) if echo else 0.0,
                bool(_SAID.search(e.heading)),
                bool(_FUTURE.search(e.heading)),
            ]
        )
    own = np.asarray(rows, dtype=np.float64).reshape(len(events), len(EVENT_FEATURES) - 2)
    return np.column_stack([own, _support(events, sentences, group_of, vectors or {}), _lead(events, sentences)])


def _lead(events: Sequence[Event], sentences: Sequence[Sentence]) -> npt.NDArray[np.float64]:
    """How near its document's opening the event is told: news tells its main event first."""
    nth: dict[tuple[str, int], int] = {}
    seen: Counter[str] = Counter()
    for s in sentences:
        nth[(s.meta.source_id, s.span.start)] = seen[s.meta.source_id]
        seen[s.meta.source_id] += 1
    return np.asarray(
        [-math.log2(1 + min(nth.get((t.meta.source_id, t.span.start), 0) for t in e.tellings)) for e in events]
    )


def _support(
    events: Sequence[Event], sentences: Sequence[Sentence], group_of: Callable[[str], str], vectors: Vectors
) -> npt.NDArray[np.float64]:
    """How many other independent sources say what the event's tellings say, dated or not (a sentence at
    cosine ≥ ``SAME_MEANING``): a big story is told again and again, mostly without its date."""
    known = [(s, v) for s in sentences if (v := vector_of(s, vectors)) is not None]
    out = np.zeros(len(events))
    if not known:
        return out
    numbers: dict[str, int] = {}
    group = np.asarray([numbers.setdefault(group_of(s.meta.source_id), len(numbers)) for s, _ in known])
    matrix = np.stack([v for _, v in known])
    for start in range(0, len(events), _BATCH):  # one product per batch of events, not per event
        batch = events[start : start + _BATCH]
        own = [[v for t in e.tellings if (v := vector_of(t, vectors)) is not None] for e in batch]
        columns = np.cumsum([0] + [len(vs) for vs in own])
        flat = [v for vs in own for v in vs]
        if not flat:
            continue
        near = matrix @ np.stack(flat).T >= SAME_MEANING
        for k, e in enumerate(batch):
            hit = near[:, columns[k] : columns[k + 1]].any(axis=1)
            told = {numbers.get(group_of(t.meta.source_id)) for t in e.tellings}
            out[start + k] = math.log2(1 + len(set(group[hit].tolist()) - told))
    return out


_BATCH = 256


def _actor_pattern(actors: Sequence[Entity]) -> re.Pattern[str] | None:
    """Any name or alias of the actors, as whole words."""
    names = sorted({a for e in actors for a in e.aliases | {e.name} if len(a) > 2}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None


class _Echo:
    """How many independent sources tell of what an event is about, at its date or another: the sources
    whose dated sentences hold two of its four rarest words ("Blunkett quit… his ex-lover's nanny")."""

    def __init__(self, sentences: Sequence[Sentence], group_of: Callable[[str], str]) -> None:
        self.groups: dict[str, set[str]] = {}
        for s in sentences:
            group = group_of(s.meta.source_id)
            for w in stem_set(s.text):
                self.groups.setdefault(w, set()).add(group)

    def __call__(self, words: frozenset[str]) -> int:
        shared = [w for w in words if len(self.groups.get(w, ())) >= 2]  # a word one source alone uses echoes nothing
        rare = sorted(shared, key=lambda w: (len(self.groups[w]), w))[:4]
        return sum(n >= 2 for n in Counter(g for w in rare for g in self.groups[w]).values())


def _publications(sentences: Sequence[Sentence]) -> list[tuple[str, DateMention, Sentence]]:
    firsts: dict[str, Sentence] = {}
    for s in sentences:
        firsts.setdefault(s.meta.source_id, s)
    rows = []
    for s in firsts.values():
        if s.meta.date:
            precision: DatePrecision = {10: "day", 7: "month"}.get(len(s.meta.date), "year")  # type: ignore[assignment]
            mention = DateMention(iso=s.meta.date, precision=precision, text="published")
            heading = (
                f"{s.meta.outlet} publishes “{s.meta.title}”" if s.meta.outlet else f"“{s.meta.title}” is published"
            )
            rows.append((heading, mention, s))
    return rows
