"""Adding real documents: the 14 topical documents in ../shared/corpora/interpol-extra, read in place.

They are never copied into the repository; the test copies them into a temporary corpus
beside the seeds, as `python -m assistant ingest PATH` does for a user.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings, build_assistant
from assistant.backends.embed import Embedder
from assistant.types import Filters
from tests.conftest import SEED_CORPUS

EXTRA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "interpol-extra"
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not EXTRA.is_dir(), reason="../shared/corpora/interpol-extra absent")]


@pytest.fixture(scope="module")
def extra_assistant(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("extra")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in SEED_CORPUS.iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    assistant = build_assistant(Settings(corpus_dir=corpus, index_dir=root / "index"), embedder=embedder)
    report = assistant.ingest([EXTRA], progress=False)
    assert not report.skipped, report.skipped
    return assistant


def test_the_extra_documents_ingest_with_their_metadata(extra_assistant: Assistant) -> None:
    docs = {m.source_id: m for m in extra_assistant.sources()}
    extra = [s for s in docs if s.startswith("interpol-extra/") and not s.endswith("README.md")]
    assert len(extra) == 14
    bbc = docs["interpol-extra/14_bbc_repost_russia_using_interpol_wanted_list_2026.txt"]
    assert bbc.date == "2026-01-26"  # from its front matter
    assert bbc.title.startswith("Big News: Russia using Interpol")


def test_a_question_only_the_extra_documents_answer(extra_assistant: Assistant) -> None:
    answer = extra_assistant.ask("Who won the 2018 Interpol presidential election?")
    assert not answer.refused
    assert any("Kim Jong Yang" in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "seed"),
    [
        ("Why didn't Interpol suspend Russia?", ("000_", "001_", "002_")),
        ("Who was Russia's candidate to head Interpol?", ("003_",)),
        ("When did Fair Trials start campaigning on INTERPOL?", ("004_",)),
    ],
)
def test_seed_questions_still_cite_the_seeds(extra_assistant: Assistant, question: str, seed: tuple[str, ...]) -> None:
    answer = extra_assistant.ask(question)
    assert any(c.source_id.startswith(seed) for c in answer.citations), [c.source_id for c in answer.citations]


def test_newer_documents_update_older_ones(extra_assistant: Assistant) -> None:
    answer = extra_assistant.ask("What happened to the March 2022 measures against Russia later?")
    dates = sorted(c.date or "" for c in answer.citations)
    assert dates[0].startswith("2022")
    assert dates[-1].startswith("2026")
    assert any(n.startswith("Update:") for n in answer.notices)
    assert any("dropped" in c.quote for c in answer.citations)


def test_as_of_restricts_the_corpus_to_what_was_published(extra_assistant: Assistant) -> None:
    answer = extra_assistant.ask(
        "What happened to the March 2022 measures against Russia later?",
        filters=Filters(date_to="2022-12-31"),  # type: ignore[arg-type]
    )
    assert all((c.date or "") <= "2022-12-31" and c.date for c in answer.citations)
    assert not any(n.startswith("Update:") for n in answer.notices)


def test_questions_naming_a_year_prefer_that_year(extra_assistant: Assistant) -> None:
    answer = extra_assistant.ask("What did Interpol's General Assembly do in 2018?")
    assert answer.citations
    assert "2018" in answer.citations[0].quote or (answer.citations[0].date or "").startswith("2018")
