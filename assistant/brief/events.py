"""Timeline: what happened or was said, each at its date, with a heading drawn from the quote.

A dated sentence is an event only where the clause around its date holds a verb; the
heading is that clause with the date taken out ("Russian forces invaded Ukraine"), cut
to a dozen words, with its subject where the clause opens on its verb ("Anna Smith … was
elected"). "So far in 2022, nearly 60,000 checks were made…" has no verb in its first
clause, so the next clause is the heading. The same event told twice (a copy of a
statement, or a story quoting it) is one entry: same date, and most of the shorter
sentence's words in the longer, or, for one day, two words in common. A day or month
a document gives without a year stays year-less (``--05-05``) in an undated document.
Every dated document also gets its publication.

A large corpus has more dated sentences than anyone reads. Which events the timeline
keeps is learned: ``make train`` fits a logistic regression (:mod:`assistant.brief.model`)
on the dev briefing keys, over its ``EVENT_FEATURES`` (sources telling it, actors named,
date precision, closeness to the corpus centre, how many sources name that date or
speak of the event's rarest words, and what the heading is like: reported speech, the
future, a fragment). The timeline shows the events it rates likeliest, the best of
each date before a second one of the same date, at most ``TIMELINE_LINES``; below the
calibrated threshold only until ``TIMELINE_FLOOR`` events are shown.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assistant.brief.actors import VERB_FORMS, Sentence
from assistant.brief.entities import DateMention, Entity, dates_in
from assistant.brief.model import EVENT_FEATURES, Choice, brief_model
from assistant.provenance.wordlists import AUXILIARIES
from assistant.retrieval.lexical import stem_set
from assistant.types import DatePrecision

TIMELINE_LINES = 25
TIMELINE_FLOOR = 10
"""Events shown whatever the model says, where there are that many: a small corpus still gets its story."""
HEADING_WORDS = 12
_CLAUSE_BREAK = re.compile(r",\s|;|\s[—–-]\s|[()“”\"]|\.(?:\[\d+\])*\s+(?=[A-Z])|\[\d+\]")
_ADVERBIAL = re.compile(
    r"(?:in|on|at|after|following|despite|with|within|for|from|during|since|before|by|under|beginning|according|to|"
    r"among|amid|throughout|through|between|upon|without|via)$",
    re.I,
)
_DETERMINERS = frozenset("the a an of this that its their his her our my your".split())
_BEFORE_DATE = re.compile(
    r"\b(?:in|on|since|by|until|from|of|during|early|late|mid-|before|after|as of|so far in)\s*$", re.I
)
_OPENERS = re.compile(r"^(?:(?:and|but|so|as|when|while|whilst|that|then|also|which|who|where)\s+)+", re.I)
_VERBS = frozenset(VERB_FORMS) | AUXILIARIES - {"to"}
_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")
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


def event_heading(text: str, date_text: str) -> str | None:
    """The clause that says what happened at ``date_text``, without the date; None when no clause has a verb.

    A clause that opens on its verb takes the subject named just before it: "In November 2016, Anna
    Smith, a lawyer from X, was elected…" is headed "Anna Smith … was elected…".
    """
    at = text.find(date_text)
    if at < 0:
        return None
    marked = _BEFORE_DATE.sub("", text[:at]) + "\x00" + text[at + len(date_text) :]
    parts = _CLAUSE_BREAK.split(marked)
    home = next(i for i, c in enumerate(parts) if "\x00" in c)
    clauses = [_OPENERS.sub("", " ".join(c.replace("\x00", " ").split())) for c in parts]
    for i in (home, home + 1, home - 1, home + 2, home + 3):
        if not 0 <= i < len(clauses):
            continue
        words = clauses[i].split()
        if len(words) < 2 or _ADVERBIAL.match(words[0]):
            continue  # "In a prepared statement sent to…" sets the scene; the event is elsewhere
        if i != home and _YEAR_IN_TEXT.search(clauses[i]):
            continue  # "Growth was 1.1% in 2004, down from 2% in 2003": that clause is another year's
        if not _has_verb(words):
            continue
        if words[0].lower() in _VERBS:  # "was elected…": the subject is an earlier clause
            subject = _subject(clauses, home, i)
            if subject is None and i == home:
                continue  # "will serve in this capacity": whose service no clause says
            words = [*subject.split(), "…", *words] if subject else words
        if len(words) >= 3:
            cut_short = len(words) > HEADING_WORDS
            return " ".join(words[:HEADING_WORDS]).rstrip(" .,;:") + ("…" if cut_short else "")
    return None


_FIRST_PERSON = frozenset({"i", "we", "my", "our", "us"})
_SAID = re.compile(r"\b(?:said|says|say|told|added|argued|claimed|insisted|warned)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|would|could|might|may|should|expected|likely|plans?|due)\b")


def candidates(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity] = (),
) -> tuple[list[Event], npt.NDArray[np.float64]]:
    """Every event the sentences date, and its row of :data:`EVENT_FEATURES`."""
    by_date = _events(sentences)
    events = [e for day in by_date.values() for e in day]
    return events, event_matrix(events, by_date, group_of, closeness, actors)


def timeline(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity] = (),
    limit: int = TIMELINE_LINES,
    model: Choice | None = None,
) -> list[tuple[str, DateMention, Sentence]]:
    """(heading, date, sentence) for the events and publications, oldest first: the events the model rates
    likeliest to matter, the best of each date before a second one of the same date."""
    choice = model or brief_model().events
    events, x = candidates(sentences, group_of, closeness, actors)
    order = sorted(range(len(events)), key=lambda k: (events[k].date.iso, events[k].heading))  # ties, stably
    events, x = [events[k] for k in order], x[order]
    p = choice.model.predict(x) if events else np.zeros(0)
    kept = [events[k] for k in pick(p.tolist(), [e.date.iso for e in events], choice.threshold, limit=limit)]
    rows = [(e.heading, e.date, e.sentence) for e in kept] + _publications(sentences)
    return sorted(rows, key=lambda r: (r[1].iso.startswith("-"), r[1].iso, r[0]))  # year-less days last


def pick(
    p: Sequence[float],
    dates: Sequence[str],
    threshold: float,
    floor: int = TIMELINE_FLOOR,
    limit: int = TIMELINE_LINES,
) -> list[int]:
    """The events a timeline shows, by index: the likeliest first (ties in the given order), those below
    ``threshold`` only within the first ``floor``, the best of each date before a second one of it."""
    seen: Counter[str] = Counter()
    nth = []
    for n, k in enumerate(sorted(range(len(p)), key=lambda k: -p[k])):
        if p[k] >= threshold or n < floor:
            nth.append((seen[dates[k]], k))
            seen[dates[k]] += 1
    return [k for _, k in sorted(nth, key=lambda pair: pair[0])][:limit]


def event_matrix(
    events: Sequence[Event],
    by_date: dict[str, list[Event]],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity],
) -> npt.NDArray[np.float64]:
    """One row of :data:`EVENT_FEATURES` per event."""
    names = sorted({a for e in actors for a in e.aliases | {e.name} if len(a) > 2}, key=len, reverse=True)
    named = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None
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
                words[0].lower() in _FIRST_PERSON,
                e.heading[:1].islower(),
                bool(re.search(r"\d|[%£$€]", e.heading)),
                len({d.iso for d in dates_in(e.sentence.text, e.sentence.meta.date)}) - 1,
                min(abs(year - middle), 30) / 10,
                math.log2(1 + echo(e.words)) if echo else 0.0,
                bool(_SAID.search(e.heading)),
                bool(_FUTURE.search(e.heading)),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(events), len(EVENT_FEATURES))


def _events(sentences: Sequence[Sentence]) -> dict[str, list[Event]]:
    """Every event the sentences date, by date; a retelling joins the event it retells."""
    by_date: dict[str, list[Event]] = {}
    for s in sentences:
        for d in dates_in(s.text, s.meta.date):
            heading = event_heading(s.text, d.text)
            if heading is None:
                continue
            # Figures count, not the day or year of the date both sentences already share.
            words = frozenset(w for w in stem_set(s.text) if not w[0].isdigit()) | set(_FIGURE.findall(s.text))
            words -= stem_set(d.text)  # "May" in "5 May" says the date, not the event
            same = next((e for e in by_date.get(d.iso, []) if _same_event(e.words, words, _day(d))), None)
            if same is not None:
                same.tellings.append(s)
                same.told.append((heading, s, words))
                continue
            by_date.setdefault(d.iso, []).append(Event(heading, d, s, [s], words, [(heading, s, words)]))
    for day in by_date.values():
        for e in day:
            e.heading, e.sentence, _ = _typical(e.told)
    return by_date


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


def _day(date: DateMention) -> bool:
    """A date to the day: two tellings of one day that share two words are one event."""
    return date.precision in ("day", "day-no-year")


def _typical(told: list[tuple[str, Sentence, frozenset[str]]]) -> tuple[str, Sentence, frozenset[str]]:
    """The telling whose words the other tellings share most: the event most of them tell."""
    if len(told) < 3:
        return told[0]
    return max(told, key=lambda t: sum(len(t[2] & other[2]) / (len(t[2]) or 1) for other in told if other is not t))


def _same_event(a: frozenset[str], b: frozenset[str], day: bool = False) -> bool:
    """Half of the shorter sentence's words are in the other, or both give the same figure (a copy, or a
    story retelling it; both are already known to give the same date); of one day, two words in common
    ("the election, widely expected on 5 May" and "the poll is expected on 5 May") are enough."""
    shared = a & b
    return bool(a and b) and (
        len(shared) >= 0.5 * min(len(a), len(b)) or any(w[0].isdigit() for w in shared) or (day and len(shared) >= 2)
    )


def _has_verb(words: list[str]) -> bool:
    """A word that acts as a verb here: "the report" and "Secretary of State" are nouns, "reported" is not."""
    return any(
        (w.lower().strip(".’'") in _VERBS and w[:1].islower() and (k == 0 or words[k - 1].lower() not in _DETERMINERS))
        or _past(w)
        for k, w in enumerate(words)
    )


def _subject(clauses: list[str], home: int, verb: int) -> str | None:
    """The clause naming who did what clause ``verb`` says: after the date ("In 2016, Anna Smith, a lawyer,
    was elected"), else the nearest capitalised clause before it that does not set the scene."""
    after = (clauses[j] for j in range(home, verb) if clauses[j][:1].isupper())
    before = (
        c
        for c in reversed(clauses[:home])
        if c[:1].isupper() and not _ADVERBIAL.match(c.split()[0]) and "\x00" not in c
    )
    return next(after, None) or next(before, None)


def _past(word: str) -> bool:
    return len(word) > 4 and word.islower() and word.endswith("ed")
