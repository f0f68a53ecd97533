"""Timeline: what happened or was said, each at its date, with a heading drawn from the quote.

A dated sentence is an event only where the clause around its date holds a verb; the
heading is that clause with the date taken out ("Russian forces invaded Ukraine"), cut
to a dozen words. "So far in 2022, nearly 60,000 checks were made…" has no verb in its
first clause, so the next clause is the heading. The same event told twice (a copy of a
statement, or a story quoting it) is one entry: same date, and most of the shorter
sentence's words in the longer. Every dated document also gets its publication.

A large corpus has more dated sentences than anyone reads, so the timeline keeps the
events told by the most independent sources and naming the most who's who actors, then
the most precisely dated and the most central.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.brief.actors import VERB_FORMS, Sentence
from assistant.brief.entities import DateMention, Entity, dates_in
from assistant.provenance.wordlists import AUXILIARIES
from assistant.retrieval.lexical import stem_set
from assistant.types import DatePrecision

TIMELINE_LINES = 25
HEADING_WORDS = 12
_CLAUSE_BREAK = re.compile(r",\s|;|\s[—–-]\s|[()“”\"]|\.(?:\[\d+\])*\s+(?=[A-Z])|\[\d+\]")
_ADVERBIAL = re.compile(
    r"(?:in|on|at|after|following|despite|with|for|from|during|since|before|by|under|beginning|according|to)$", re.I
)
_BEFORE_DATE = re.compile(
    r"\b(?:in|on|since|by|until|from|of|during|early|late|mid-|before|after|as of|so far in)\s*$", re.I
)
_OPENERS = re.compile(r"^(?:(?:and|but|so|as|when|while|whilst|that|then|also|which|who|where)\s+)+", re.I)
_VERBS = frozenset(VERB_FORMS) | AUXILIARIES - {"to"}
_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")
_FIGURE = re.compile(r"\b(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:,\d{3})+|\d{3,})(?:\.\d+)?\b")
"""A figure of three digits or more that is not a year ("60,000", "195"): never a day of the month."""
_PRECISION: dict[DatePrecision, int] = {"day": 3, "month": 2, "year": 1}


@dataclass
class Event:
    """One thing that happened or was said, at one date, and every sentence that tells it."""

    heading: str
    date: DateMention
    sentence: Sentence
    tellings: list[Sentence] = field(default_factory=list)
    words: frozenset[str] = frozenset()


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
        if not any(w.lower().strip(".’'") in _VERBS or _past(w) for w in words):
            continue
        if words[0].lower() in _VERBS and i > home:  # "was elected…": the subject is an earlier clause
            subject = next((clauses[j] for j in range(home, i) if clauses[j][:1].isupper()), None)
            words = [*subject.split(), "…", *words] if subject else words
        if len(words) >= 3:
            cut_short = len(words) > HEADING_WORDS
            return " ".join(words[:HEADING_WORDS]).rstrip(" .,;:") + ("…" if cut_short else "")
    return None


def timeline(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    actors: Sequence[Entity] = (),
    limit: int = TIMELINE_LINES,
) -> list[tuple[str, DateMention, Sentence]]:
    """(heading, date, sentence) for the events and publications, oldest first; what ``actors`` did counts most."""
    names = sorted({a for e in actors for a in e.aliases | {e.name} if len(a) > 2}, key=len, reverse=True)
    named = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None
    events: list[Event] = []
    by_date: dict[str, list[Event]] = {}
    for s in sentences:
        for d in dates_in(s.text, s.meta.date):
            heading = event_heading(s.text, d.text)
            if heading is None:
                continue
            # Figures count, not the day or year of the date both sentences already share.
            words = frozenset(w for w in stem_set(s.text) if not w[0].isdigit()) | set(_FIGURE.findall(s.text))
            same = next((e for e in by_date.get(d.iso, []) if _same_event(e.words, words)), None)
            if same is not None:
                same.tellings.append(s)
                continue
            event = Event(heading, d, s, [s], words)
            events.append(event)
            by_date.setdefault(d.iso, []).append(event)

    def weight(e: Event) -> float:
        told_by = len({group_of(t.meta.source_id) for t in e.tellings})
        central = closeness.get((e.sentence.meta.source_id, e.sentence.span.start), 0.0)
        who = len(set(named.findall(e.sentence.text))) if named else 0
        return 2 * told_by + 3 * min(who, 2) + _PRECISION[e.date.precision] + 2 * central

    kept = sorted(events, key=weight, reverse=True)[:limit]
    rows = [(e.heading, e.date, e.sentence) for e in kept] + _publications(sentences)
    return sorted(rows, key=lambda r: (r[1].iso, r[0]))


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


def _same_event(a: frozenset[str], b: frozenset[str]) -> bool:
    """Half of the shorter sentence's words are in the other, or both give the same figure (a copy, or a
    story retelling it; both are already known to give the same date)."""
    shared = a & b
    return bool(a and b) and (len(shared) >= 0.5 * min(len(a), len(b)) or any(w[0].isdigit() for w in shared))


def _past(word: str) -> bool:
    return len(word) > 4 and word.islower() and word.endswith("ed")
