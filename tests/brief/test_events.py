"""Timeline events: headings drawn from the quote, one entry per event."""

from __future__ import annotations

from assistant.brief.actors import Sentence
from assistant.brief.events import event_heading, timeline
from assistant.types import DocumentMeta, Span


def _sentences(*texts: str, source: str = "a.txt") -> list[Sentence]:
    meta = DocumentMeta(source_id=source, path=source, title=source, date="2022-03-12")
    out, at = [], 0
    for text in texts:
        out.append(Sentence(meta, Span(start=at, end=at + len(text)), text))
        at += len(text) + 1
    return out


def test_the_heading_is_the_clause_that_says_what_happened() -> None:
    text = "Following orders from the president, the army invaded the country Feb. 24, 2022."
    assert event_heading(text, "Feb. 24, 2022") == "the army invaded the country"
    text = "In November 2016, Anna Smith, a lawyer from the capital, was elected president of the body."
    assert event_heading(text, "November 2016") == "Anna Smith … was elected president of the body"
    assert event_heading("In 2017, for example.", "In 2017") is None, "no verb, no event"


def test_a_clause_about_another_year_does_not_head_the_event() -> None:
    text = "Growth was 1.1% in 2004, down from 2% in 2003."
    assert event_heading(text, "in 2003") is None


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
