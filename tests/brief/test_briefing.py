"""The newcomer briefing over the real seed corpus, with the hashing embedder and with the real model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.brief.briefing import briefing_markdown, section_markdown, sections
from assistant.ingest.corpus import decode
from assistant.types import Briefing, Filters

ROOT = Path(__file__).resolve().parents[2]
WHO = [  # the actors a reader of the five documents would name
    "Jürgen Stock",  # the Secretary General
    "Ted R. Bromund",  # the Heritage Foundation scholar
    "Alexander Prokopchuk",  # Russia's 2018 candidate
    "Bill Browder",  # the two Kremlin critics
    "Mikhail Khodorkovsky",
    "Meng Hongwei",  # the detained former president
    "Bruno Min",  # the Fair Trials officer
    "Executive Committee",
    "NCB Moscow",
    "Five Eyes",
    "Fair Trials",
    "Freedom House",
]
NOISE = [
    "Combat Infantryman Badge",
    "Marine Corps",
    "Investigative Reporters",
    "Foreign Affairs",
    "Soviet Union",
    "Lyon",
]
TIMELINE = [  # (date, precision, a word of the event's quote)
    ("2022-02-24", "day", "invaded"),
    ("2022-03-10", "day", "supervision"),
    ("2018-11", "month", "Presidency"),
    ("2017-12-19", "day", "Fair Trials"),
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


def test_whos_who_names_the_actors_of_the_story(briefed: tuple[Assistant, Briefing]) -> None:
    assistant, briefing = briefed
    headings = [line.heading for line in briefing.who]
    missing = [name for name in WHO if not any(name in h for h in headings)]
    # Closeness to the corpus centre is part of the rank, and the hashing embedder's is coarse: with it the
    # last places may differ; with the real model every one of them is there.
    allowed = 0 if assistant.settings.embedding.backend != "hashing" else 2
    assert len(missing) <= allowed, (missing, headings)


def test_whos_who_is_short_has_no_noise_and_each_quote_names_its_entry(briefing: Briefing) -> None:
    headings = [line.heading for line in briefing.who]
    assert len(headings) <= 15
    assert not [h for h in headings if any(noise in h for noise in NOISE)], headings
    for line in briefing.who:
        names = [line.heading, *re.findall(r"\(([^)]+)\)", line.heading), re.sub(r"\s*\(.*\)", "", line.heading)]
        surname = line.heading.split()[-1]
        assert any(n in line.citation.quote for n in [*names, surname]), (line.heading, line.citation.quote)
    assert not any("served in" in line.citation.quote for line in briefing.who), "an author's biography"


@pytest.mark.parametrize(("date", "precision", "word"), TIMELINE)
def test_timeline_has_the_events_at_their_dates(briefing: Briefing, date: str, precision: str, word: str) -> None:
    matches = [line for line in briefing.timeline if line.date == date and line.precision == precision]
    assert any(word in line.citation.quote or word in line.heading for line in matches), [
        (line.date, line.heading) for line in briefing.timeline
    ]
    dates = [line.date or "" for line in briefing.timeline]
    assert dates == sorted(dates)


def test_timeline_headings_say_what_happened(briefing: Briefing) -> None:
    for line in briefing.timeline:
        assert len(line.heading.split()) >= 3, line.heading
        assert line.heading.strip().lower() != (line.date_text or "").lower()
        assert line.date_text == "published" or line.date_text not in line.heading, line.heading
    quotes = [line.citation.quote for line in briefing.timeline if "60,000" in line.citation.quote]
    assert len(quotes) == 1, "one entry for one event, however many sources tell it"


def test_the_story_and_the_open_questions(briefing: Briefing) -> None:
    steps = [line.heading.split(" (")[0] for line in briefing.about]
    assert steps == ["What is at stake", "Who asked for what", "What was decided", "What critics say"][: len(steps)]
    assert len(steps) >= 3
    assert len({line.citation.quote for line in briefing.about}) == len(steps)
    figures = [line.heading for line in briefing.open_questions if line.heading.startswith("Figures differ")]
    assert figures, [line.heading for line in briefing.open_questions]
    assert "195" in figures[0]
    assert "193" in figures[0]


def test_every_line_is_a_verbatim_quote_with_offsets(briefing: Briefing) -> None:
    lines = _lines(briefing)
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


def test_a_year_less_date_reads_as_the_source_gives_it(briefing: Briefing) -> None:
    line = briefing.timeline[0].model_copy(update={"date": "--05-05", "precision": "day-no-year", "date_text": "5 May"})
    assert section_markdown([line]).startswith("- 5 May (no year given) — **")
