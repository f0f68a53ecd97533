"""Timeline events: headings drawn from the quote, one entry per event."""

from __future__ import annotations

from assistant.brief.actors import Sentence
from assistant.brief.events import TIMELINE_FLOOR, event_heading, timeline
from assistant.brief.model import brief_model
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


def test_a_heading_has_a_verb_and_a_subject() -> None:
    text = "In November 2016, Anna Smith, a lawyer, was elected president, and will serve in this capacity until 2020."
    assert event_heading(text, "2020") == "Anna Smith … will serve in this capacity"
    text = "In May 2015, within the framework of the report, the Committee on Legal Affairs organized a hearing."
    assert event_heading(text, "May 2015") == "the Committee on Legal Affairs organized a hearing"
    assert event_heading("By 2021, the Attorney General and the Secretary of State.", "2021") is None, "nouns only"


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


def test_tellings_of_one_day_that_share_two_words_are_one_entry() -> None:
    sentences = _sentences(
        "The general election is widely expected on 5 May.",
        "Pundits are betting the general election falls on 5 May.",
        "The museum opened its new wing on 5 May.",
        source="undated.txt",
    )
    for s in sentences:
        s.meta.date = None
    rows = timeline(sentences, lambda s: s, {})
    assert [(d.iso, d.precision) for _, d, _ in rows] == [("--05-05", "day-no-year")] * 2
    assert sum("election" in s.text for _, _, s in rows) == 1


def test_the_model_ranks_and_a_small_corpus_keeps_its_floor() -> None:
    model = brief_model().events.model_copy(update={"threshold": 1.0})
    sentences = _sentences(
        *(f"The council built bridge number {k + 1} in {1990 + k}." for k in range(TIMELINE_FLOOR + 4))
    )
    rows = [r for r in timeline(sentences, lambda s: s, {}, model=model) if r[1].text != "published"]
    assert len(rows) == TIMELINE_FLOOR, "nothing reaches a threshold of 1, so only the floor is shown"
