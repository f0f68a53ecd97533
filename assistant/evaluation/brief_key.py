"""Scoring a briefing against a key written from the documents: who's who and timeline.

A key (``evals/briefing/*.yaml``) names its corpus like an eval file, then lists the
actors and dated events a newcomer must meet (``must: true``) and others a good briefing
may show. Recall counts the ``must`` items the briefing has; precision counts the
briefing's entries that are in the key at all.

- A who's who entry is an actor when one of the actor's aliases is its heading, or
  stands in its heading as whole words.
- A timeline entry is an event when its date lies within the event's (2022-03-10 is
  within 2022-03) and its quote holds every one of the event's word stems; a
  publication entry is the publication of its document at the key's date for it.
- An event's ``date_stated`` says how the documents date it. Where they give a day or
  month but no year ("on 5 May"), a year-less entry (``--05-05``) tells it. Where they
  give no date at all, no timeline can date it, so it does not count for recall.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from assistant.evaluation.cases import CorpusSpec
from assistant.types import Briefing, BriefLine


class KeyActor(BaseModel):
    """A person or organisation the briefing should name."""

    name: str = Field(description="The actor's name.")
    aliases: list[str] = Field(default_factory=list, description="Every spelling a heading may use.")
    must: bool = Field(default=False, description="Counts for recall: a newcomer must meet this actor.")
    note: str | None = Field(default=None, description="Why the actor matters.")


class KeyEvent(BaseModel):
    """A dated event the timeline should hold."""

    date: str = Field(description="ISO date at the precision a source gives.")
    what: str = Field(description="The event in the key writer's words.")
    words: list[str] = Field(default_factory=list, description="Lower-case stems every telling of it holds.")
    date_stated: Literal["full", "no-year", "none"] = Field(
        default="full",
        description="How the documents give the date: with its year, by day or month alone (the key writer "
        "inferred the year), or not at all (only relative words, or nothing).",
    )
    document: str | None = Field(default=None, description="For a publication: the document published.")
    must: bool = Field(default=False, description="Counts for recall.")


class BriefKey(BaseModel):
    """What a briefing on one corpus should hold."""

    corpus: CorpusSpec = Field(description="The corpus, assembled like an eval file's.")
    actors: list[KeyActor] = Field(description="Actors, must and acceptable.")
    events: list[KeyEvent] = Field(description="Events, must and acceptable.")
    published: dict[str, str | None] = Field(default_factory=dict, description="Each document's own date.")


class SectionScore(BaseModel):
    """Recall and precision of one section, with what was missed and what is not in the key."""

    recall: float = Field(description="Share of the key's must items the section has.")
    precision: float = Field(description="Share of the section's entries that are in the key.")
    entries: int = Field(description="Entries in the section.")
    missed: list[str] = Field(description="Must items the section lacks.")
    unkeyed: list[str] = Field(description="Entries the key does not list.")


class BriefScore(BaseModel):
    """A briefing scored against its key."""

    key: str = Field(description="The key file.")
    who: SectionScore = Field(description="Who's who.")
    timeline: SectionScore = Field(description="Timeline.")


def load_key(path: Path) -> BriefKey:
    """Read a briefing key."""
    return BriefKey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def score(briefing: Briefing, key: BriefKey, name: str = "") -> BriefScore:
    """Recall and precision of the briefing's who's who and timeline against ``key``."""
    who = [(row.heading, [a for a in key.actors if _names(row.heading, a)]) for row in briefing.who]
    found = {a.name for _, actors in who for a in actors}
    timeline = [(row, [e for e in key.events if _tells(row, e)]) for row in briefing.timeline]
    told = {(e.date, e.what) for _, events in timeline for e in events}
    return BriefScore(
        key=name,
        who=_section(
            [a.name for a in key.actors if a.must],
            found,
            [(heading, bool(actors)) for heading, actors in who],
        ),
        timeline=_section(
            [f"{e.date} {e.what}" for e in key.events if e.must and e.date_stated != "none"],
            {f"{date} {what}" for date, what in told},
            [(f"{row.date} {row.heading}", bool(events) or _published(row, key)) for row, events in timeline],
        ),
    )


def _section(must: list[str], found: set[str], entries: list[tuple[str, bool]]) -> SectionScore:
    missed = [m for m in must if m not in found]
    return SectionScore(
        recall=round(1 - len(missed) / len(must), 3) if must else 1.0,
        precision=round(sum(ok for _, ok in entries) / len(entries), 3) if entries else 0.0,
        entries=len(entries),
        missed=missed,
        unkeyed=[text for text, ok in entries if not ok],
    )


def _normal(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())


def _names(heading: str, actor: KeyActor) -> bool:
    head = _normal(heading)
    return any(
        _normal(alias) == head or re.search(rf"(?<!\w){re.escape(_normal(alias))}(?!\w)", head)
        for alias in [actor.name, *actor.aliases]
    )


def _tells(row: BriefLine, event: KeyEvent) -> bool:
    if not row.date:
        return False
    if event.document is not None:
        return (
            _within(row.date, event) and row.date_text == "published" and Path(row.citation.path).name == event.document
        )
    return tells(row.date, f"{row.citation.quote} {row.heading}", event)


def tells(date: str, text: str, event: KeyEvent) -> bool:
    """An entry at ``date`` whose quote and heading are ``text`` tells the (non-publication) event."""
    normal = _normal(text)
    return _within(date, event) and bool(event.words) and all(word in normal for word in event.words)


def _within(date: str, event: KeyEvent) -> bool:
    """The entry's date lies within the event's: "2022-03-10" within "2022-03"; a year-less "--12-05"
    within "2004-12" only where the documents give that event no year either."""
    if date.startswith("--"):
        return event.date_stated == "no-year" and date[1:].startswith(event.date[4:])
    return date.startswith(event.date)


def _published(row: BriefLine, key: BriefKey) -> bool:
    """A publication entry at the date the key gives for its document."""
    return row.date_text == "published" and key.published.get(Path(row.citation.path).name) == row.date
