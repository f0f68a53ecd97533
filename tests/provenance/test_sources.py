"""Copies, repeats and independent sources over the seed corpus."""

from __future__ import annotations

from assistant import Assistant


def test_the_two_statement_versions_are_one_source(light_seed_assistant: Assistant) -> None:
    sources = light_seed_assistant.index.sources
    statement = [s for s in sources.documents if s.startswith(("001_", "002_"))]
    assert len({sources.group_of[s] for s in statement}) == 1
    assert sources.group(statement[0]) == sorted(statement, key=lambda s: sources.documents[s].date or "")
    others = [s for s in sources.documents if s.startswith(("000_", "003_", "004_"))]
    assert len({sources.group_of[s] for s in others}) == 3


def test_the_news_story_repeats_the_statement(light_seed_assistant: Assistant) -> None:
    sources = light_seed_assistant.index.sources
    story = next(s for s in sources.documents if s.startswith("000_"))
    assert {s[:4] for s in sources.repeats(story)} == {"001_", "002_"}
    quoting = (
        "In a prepared statement sent to Coffee or Die Magazine Thursday, March 10, Interpol officials said Secretary "
        "General Jürgen Stock ordered “heightened supervision and monitoring measures in relation to Russia,” a "
        "decision blessed by the institution’s Executive Committee."
    )
    assert sources.repeated_from(story, quoting)
    assert not sources.repeated_from(story, "Bromund previously predicted this was exactly the easy path.")


def test_independent_sources_count_copies_once_and_repeats_not_at_all(light_seed_assistant: Assistant) -> None:
    sources = light_seed_assistant.index.sources
    ids = {s[:4]: s for s in sources.documents}
    line = "Effective immediately, diffusions can no longer be sent directly by NCB Moscow to member countries."
    assert sources.independent([(ids["001_"], line), (ids["002_"], line)]) == 1
    quote = "officials said Stock ordered “heightened supervision and monitoring measures in relation to Russia,”"
    assert sources.independent([(ids["002_"], line), (ids["000_"], quote)]) == 1
    assert sources.independent([(ids["002_"], line), (ids["003_"], "Anything the op-ed says.")]) == 2


def test_answers_say_when_copies_and_repeats_are_cited(light_seed_assistant: Assistant) -> None:
    answer = light_seed_assistant.ask("What did Interpol say about suspending Russia?")
    statement = [c for c in answer.citations if c.source_id.startswith(("001_", "002_"))]
    assert statement, "the official statement answers this question"
    assert all(c.copies for c in statement)  # the same sentence is in both versions
    assert any("copies" in n for n in answer.notices)
    assert answer.independent_sources < len({c.source_id for c in answer.citations}) + 1
    assert all(c.attribution.outlet == c.outlet for c in answer.citations)
