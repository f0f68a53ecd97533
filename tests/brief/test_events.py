"""Timeline: one entry per event, ranked by the learned models, as many as the expected F1 wants."""

from __future__ import annotations

import numpy as np

from assistant.brief.actors import Sentence
from assistant.brief.events import TIMELINE_FLOOR, TIMELINE_LINES, expected_length, rank, timeline
from assistant.brief.model import brief_model
from assistant.types import DocumentMeta, Span


def _sentences(*texts: str, source: str = "a.txt") -> list[Sentence]:
    meta = DocumentMeta(source_id=source, path=source, title=source, date="2022-03-12")
    out, at = [], 0
    for text in texts:
        out.append(Sentence(meta, Span(start=at, end=at + len(text)), text))
        at += len(text) + 1
    return out


def test_one_entry_per_event_but_the_day_alone_does_not_make_two_events_one() -> None:
    sentences = _sentences(
        "On March 10, 2022, the council closed the old bridge over the river.",
        "On March 10, 2022, the museum opened a new wing for modern art.",
        "So far in 2022, nearly 60,000 checks were made by the agency, officials said.",
        "So far in 2022, nearly 60,000 checks have been made by member countries.",
    )
    rows = timeline(sentences, lambda s: s, {})
    headings = [h for h, d, _ in rows if d.text != "published"]
    assert len([h for h in headings if "bridge" in h or "museum" in h]) == 2
    assert len([h for h in headings if "60,000" in h]) == 1
    assert [d.text for _, d, _ in rows].count("published") == 1, "the document's publication is an entry"


def test_the_best_of_each_date_comes_before_a_second_one_of_it() -> None:
    assert rank([0.9, 0.8, 0.1, 0.5], ["2004", "2004", "2005", "2003"]) == [0, 3, 2, 1]


def test_the_timeline_stops_where_the_expected_f1_peaks() -> None:
    in_key = np.asarray([0.95, 0.9, 0.9, 0.2, 0.1, 0.1, 0.1, 0.1])
    must = np.asarray([0.9, 0.8, 0.8, 0.02, 0.01, 0.01, 0.01, 0.01])
    assert expected_length(in_key, must, float(must.sum()), floor=1) == 3
    assert expected_length(in_key, must, float(must.sum()), floor=5) == 5, "the floor holds"
    assert expected_length(in_key, must, float(must.sum()), floor=1, limit=2) == 2, "and so does the limit"
    flat = np.full(8, 0.5)
    assert expected_length(flat, flat, 4.0, floor=1) == 8, "equally likely events: all of them"
    assert expected_length(np.zeros(0), np.zeros(0), 0.0) == 0


def test_a_small_corpus_keeps_its_floor_and_a_large_one_its_limit() -> None:
    events = brief_model().events
    unlikely = events.model_copy(
        update={name: getattr(events, name).model_copy(update={"intercept": -30.0}) for name in ("key", "must")}
    )
    sentences = _sentences(*(f"The council built bridge number {k + 1} in {1960 + k}." for k in range(40)))
    shown = [r for r in timeline(sentences, lambda s: s, {}, model=unlikely) if r[1].text != "published"]
    assert len(shown) >= TIMELINE_FLOOR
    shown = [r for r in timeline(sentences, lambda s: s, {}) if r[1].text != "published"]
    assert TIMELINE_FLOOR <= len(shown) <= TIMELINE_LINES
