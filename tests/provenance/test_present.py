"""How citations read: the provenance line, the paragraph around a quote, the fact-check memo."""

from __future__ import annotations

import datetime as dt

from assistant.provenance.present import export_markdown, label, paragraph_around
from assistant.types import Answer, Attribution, Citation


def test_label() -> None:
    c = Citation(
        n=1,
        source_id="a",
        path="a",
        title="T",
        outlet="O",
        author="W",
        date="2022",
        kind="news",
        quote="q",
        start=0,
        end=1,
        caption=True,
    )
    assert label(c) == "O, W, 2022, “T” (photo caption)"


def test_paragraph_around_stops_at_the_paragraph_and_the_limit() -> None:
    text = "First paragraph.\nBefore the quote. The quote. After it.\nNext paragraph."
    start = text.index("The quote.")
    before, quote, after = paragraph_around(text, start, start + len("The quote."))
    assert (before, quote, after) == ("Before the quote. ", "The quote.", " After it.")
    assert paragraph_around(text, start, start + 10, limit=4)[0] == "te. "


def test_memo_gives_a_checker_every_citation_with_its_offsets_and_copies() -> None:
    cited = Citation(
        n=1, source_id="a.txt", path="a.txt", title="T", outlet="O", date="2022-03-10", kind="news",
        quote="Nearly 9,000 checks.", start=10, end=30, url="https://example.org/a", copies=["b.txt"],
        attribution=Attribution(speaker="The agency", basis="reported"),
    )  # fmt: skip
    answer = Answer(question="How many checks?", answer="Nearly 9,000 checks. [1]", refused=False,
                    mode="extractive", citations=[cited], independent_sources=1)  # fmt: skip
    memo = export_markdown(answer, exported_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert memo.startswith("# Fact-check memo\n\nExported: 2026-01-02T00:00:00+00:00")
    expected = ["### [1] “Nearly 9,000 checks.”", "- Speaker: The agency (reported)", "- URL: https://example.org/a",
                "- File: `a.txt`, characters 10–30", "- Same sentence also in: `b.txt`"]  # fmt: skip
    assert [line for line in expected if line not in memo] == []
