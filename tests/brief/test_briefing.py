"""The newcomer briefing over the real seed corpus, with the hashing embedder and with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.brief.briefing import briefing_markdown, sections
from assistant.ingest.corpus import decode
from assistant.types import Briefing, Filters

ROOT = Path(__file__).resolve().parents[2]
WHO = [
    "INTERPOL",
    "General Secretariat",
    "NCB Moscow",
    "Jürgen Stock",
    "Alexander Prokopchuk",
    "Meng Hongwei",
    "Bill Browder",
    "Bromund",
    "Fair Trials",
    "Bruno Min",
    "CCF",
]
TIMELINE = [
    ("2012", "year"),
    ("2017-12", None),
    ("2018-11", "month"),
    ("2021", "year"),
    ("2022-02-24", "day"),
    ("2022-03-10", "day"),
    ("2022-03-12", "day"),
]


@pytest.fixture(scope="module", params=["hashing", pytest.param("model", marks=pytest.mark.integration)])
def briefed(request: pytest.FixtureRequest) -> tuple[Assistant, Briefing]:
    """The model-free pipeline, and (an integration test) the real embedding model, with their briefings."""
    name = "light_seed_assistant" if request.param == "hashing" else "seed_assistant"
    assistant: Assistant = request.getfixturevalue(name)
    return assistant, assistant.brief()


@pytest.fixture(scope="module")
def briefing(briefed: tuple[Assistant, Briefing]) -> Briefing:
    return briefed[1]


def _lines(briefing: Briefing) -> list:
    return [*briefing.about, *briefing.who, *briefing.timeline, *briefing.open_questions] + [
        line for side in briefing.positions.values() for line in side
    ]


@pytest.mark.parametrize("name", WHO)
def test_whos_who_names_the_key_people_and_organisations(briefing: Briefing, name: str) -> None:
    assert any(name in line.heading for line in briefing.who), [line.heading for line in briefing.who]


@pytest.mark.parametrize(("date", "precision"), TIMELINE)
def test_timeline_has_the_dated_events_with_their_precision(briefing: Briefing, date: str, precision: str) -> None:
    matches = [line for line in briefing.timeline if line.date and line.date.startswith(date)]
    assert matches, f"no event dated {date}"
    if precision:
        assert any(line.precision == precision for line in matches)
    dates = [line.date or "" for line in briefing.timeline]
    assert dates == sorted(dates)


def test_every_line_is_a_verbatim_quote_with_offsets(briefing: Briefing) -> None:
    lines = _lines(briefing)
    assert len(briefing.about) >= 3
    for line in lines:
        c = line.citation
        assert decode((ROOT / "corpus" / c.path).read_bytes())[c.start : c.end] == c.quote


def test_sections_positions_and_open_questions(briefing: Briefing) -> None:
    assert briefing.documents == 5
    assert briefing.independent_sources == 4  # the two statement versions are one source
    assert all(line.citation.kind == "official_statement" for line in briefing.positions["official"])
    assert all(line.citation.kind != "official_statement" for line in briefing.positions["critics"])
    assert any("couldn’t independently verify" in line.citation.quote for line in briefing.open_questions)
    outlets = {line.citation.outlet for line in briefing.positions["official"]}
    assert any(f"What {outlet} says" in [title for title, _ in sections(briefing)] for outlet in outlets)
    speakers = {line.citation.attribution.speaker for line in briefing.who}
    assert "Ted R. Bromund, Heritage Foundation" in speakers


def test_briefing_is_deterministic_and_renders(briefed: tuple[Assistant, Briefing]) -> None:
    assistant, briefing = briefed
    again = assistant.brief()
    assert again.model_dump(exclude={"generated_at"}) == briefing.model_dump(exclude={"generated_at"})
    markdown = briefing_markdown(briefing)
    assert "## Who's who" in markdown
    assert "## Timeline" in markdown
    assert "characters" in markdown


def test_filtered_briefing_uses_only_matching_documents(light_seed_assistant: Assistant) -> None:
    official = light_seed_assistant.brief(Filters(kinds=["official_statement"]))
    assert official.documents == 2
    assert {line.citation.kind for line in _lines(official)} == {"official_statement"}
    empty = light_seed_assistant.brief(Filters(source_ids=["no-such-file.txt"]))
    assert empty.documents == 0
    assert empty.notices
