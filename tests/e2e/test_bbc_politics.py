"""Running prose about donations is news, not page furniture: the BBC politics articles, read in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Assistant
from tests.conftest import SHARED

POLITICS = SHARED / "corpora" / "bbc" / "politics"
pytestmark = pytest.mark.e2e


def test_a_donation_story_is_indexed_and_answers(tmp_path: Path, make_assistant: Callable[..., Assistant]) -> None:
    if not POLITICS.is_dir():
        pytest.fail("../shared/corpora/bbc is not beside this checkout")
    corpus = tmp_path / "politics"
    corpus.mkdir()
    for f in sorted(POLITICS.glob("*.txt"))[-80:]:  # the last 80 articles, 413.txt among them
        (corpus / f.name).write_bytes(f.read_bytes())
    assistant = make_assistant(corpus)
    report = assistant.ingest(progress=False)
    assert report.skipped == []
    assert "413.txt" in report.added
    assert report.furniture == {}, "plain news text has no page furniture"
    answer = assistant.ask("Who gave Labour £2m for its election fund?")
    assert not answer.refused
    assert "413.txt" in {c.source_id for c in answer.citations}
    assert "Sainsbury" in answer.answer
