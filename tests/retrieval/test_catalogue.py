"""The catalogue kept beside the index: worked out once per generation, reopened on the next start,
worked out again when damaged, and answering exactly as one held in memory."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.backends.store import MemoryStorage, sentence_id
from assistant.retrieval.catalogue import Catalogue
from assistant.retrieval.lexical import Term
from assistant.retrieval.loaded import LoadedIndex
from assistant.types import Filters

QUERIES = ["Why did Interpol not suspend Russia?", "diffusions NCB Moscow", "election of the president", "zzzz"]


@pytest.fixture
def storage(light_seed_assistant: Assistant) -> MemoryStorage:
    """A store of its own holding the seed chunks (their vectors do not matter here)."""
    chunks = list(light_seed_assistant.indexer.storage.iter_chunks())
    own = MemoryStorage()
    own.store(chunks, np.zeros((len(chunks), 4), dtype=np.float32), [], np.zeros((0, 4), dtype=np.float32))
    return own


def _view(index: LoadedIndex) -> dict[str, object]:
    """What answering reads from an index, in comparable form."""
    sources = index.sources
    sids = [sentence_id(c.meta.source_id, s) for c in index.iter_chunks() for s in c.spans if s.quotable]
    first = next(iter(index.documents))
    return {
        "documents": index.documents,
        "chunks": [c.id for c in index.iter_chunks()],
        "groups": sources.group_of,
        "repeats": {s: sources.repeats(s) for s in index.documents},
        "owners": {sid: index.owner(sid) for sid in sids},
        "copies": [sources.copies(first, e.text) for e in index.document_sentences(first)],
        "search": [_search(index, q, None) for q in QUERIES],
        "stems": {s: index.document_stems(s) for s in index.documents},
    }


def _search(index: LoadedIndex, query: str, allowed: np.ndarray | None) -> list[tuple[str, float]]:
    hits = index.lexical.search(query, 10, allowed)
    return list(zip(index.chunk_ids([i for i, _ in hits]), [s for _, s in hits], strict=True))


def test_a_saved_catalogue_reads_like_one_in_memory(storage: MemoryStorage, tmp_path: Path) -> None:
    saved = LoadedIndex(storage, tmp_path / "catalogue")
    assert _view(saved) == _view(LoadedIndex(storage))
    assert saved.chunk_count == storage.count()
    assert [p.name for p in (tmp_path / "catalogue").iterdir()] == [saved._folder_name()]


def test_a_second_start_opens_the_saved_catalogue(
    storage: MemoryStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = LoadedIndex(storage, tmp_path)
    monkeypatch.setattr(Catalogue, "build", lambda *a: pytest.fail("the saved catalogue was worked out again"))
    assert _view(LoadedIndex(storage, tmp_path)) == _view(first)


@pytest.mark.parametrize(
    "damage", ["catalogue.sqlite", "lexical/terms.json", "lexical/bm25/data.csc.index.npy", "sentences.npy"]
)
def test_a_damaged_catalogue_is_worked_out_again(
    with_vectors: MemoryStorage, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = LoadedIndex(with_vectors, tmp_path, exact_sentences=10_000)
    expected = _view(first)
    target = tmp_path / first._folder_name() / damage
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 3])
    with caplog.at_level(logging.WARNING):
        again = LoadedIndex(with_vectors, tmp_path, exact_sentences=10_000)
    assert "damaged" in caplog.text
    assert _view(again) == expected
    assert again._catalogue.sentences_matrix is not None


def test_a_changed_index_gets_a_new_catalogue_and_the_old_one_goes(storage: MemoryStorage, tmp_path: Path) -> None:
    index = LoadedIndex(storage, tmp_path)
    before, documents = index._folder_name(), len(index.documents)
    dropped = next(iter(index.documents))
    storage.delete(dropped)
    storage.mark_changed()
    index.refresh()
    assert index._folder_name() != before
    assert [p.name for p in tmp_path.iterdir()] == [index._folder_name()]
    assert dropped not in index.documents
    assert len(index.documents) == documents - 1
    assert index.chunks_of(dropped) == []
    assert index.sources.group(dropped) == [dropped]


def test_when_another_process_saved_the_same_generation_first_both_read_it(
    storage: MemoryStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = LoadedIndex(storage, tmp_path)
    opened = Catalogue.open.__func__  # type: ignore[attr-defined]
    calls: list[Path] = []

    def late(cls: type[Catalogue], folder: Path) -> Catalogue:
        calls.append(folder)
        if len(calls) == 1:  # not there yet when this process looked
            raise FileNotFoundError(folder)
        return opened(cls, folder)

    monkeypatch.setattr(Catalogue, "open", classmethod(late))
    second = LoadedIndex(storage, tmp_path)
    assert calls == [tmp_path / first._folder_name()] * 2
    assert [p.name for p in tmp_path.iterdir()] == [first._folder_name()]
    assert _view(second) == _view(first)


def test_where_the_catalogue_cannot_be_kept_it_is_held_in_memory(
    storage: MemoryStorage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "catalogue"
    blocked.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        index = LoadedIndex(storage, blocked)
    assert "holding it in memory" in caplog.text
    assert _view(index) == _view(LoadedIndex(storage))
    assert blocked.read_text() == "a file where the folder should be"


def test_filters_reach_lexical_search_and_absent_names(storage: MemoryStorage, tmp_path: Path) -> None:
    index = LoadedIndex(storage, tmp_path)
    op_ed = next(s for s in index.documents if s.startswith("003_"))
    others = Filters(source_ids=[s for s in index.documents if s != op_ed])
    only = Filters(source_ids=[op_ed])
    allowed = index.allowed(only)
    assert allowed is not None
    assert allowed.sum() == len(index.chunks_of(op_ed))
    hits = _search(index, "Interpol president vote", allowed)
    assert hits
    assert {cid.rsplit("#", 1)[0] for cid, _ in hits} == {op_ed}
    # A word only the op-ed uses is absent from the other documents, and present in the op-ed.
    own = sorted(index.document_stems(op_ed) - set().union(*(index.document_stems(s) for s in others.source_ids)))
    term = Term(stem=own[0], surface=own[0], entity=True)
    assert index.absent_names([term], others) == 1.0
    assert index.absent_names([term], only) == 0.0
    assert index.absent_names([term], Filters()) == 0.0


def test_many_threads_read_one_catalogue(storage: MemoryStorage, tmp_path: Path) -> None:
    index = LoadedIndex(storage, tmp_path)
    ids = [c.id for c in index.iter_chunks()]

    def read(i: int) -> str:
        index._catalogue.chunk.cache_clear()
        chunk = index.chunk(ids[i % len(ids)])
        assert chunk is not None
        return chunk.id

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, range(400))) == [ids[i % len(ids)] for i in range(400)]


@pytest.fixture
def with_vectors(light_seed_assistant: Assistant) -> MemoryStorage:
    """The seed chunks with a random unit vector per quotable sentence (one left without a vector)."""
    chunks = list(light_seed_assistant.indexer.storage.iter_chunks())
    sids = sorted({sentence_id(c.meta.source_id, s) for c in chunks for s in c.spans if s.quotable})
    vectors = np.random.default_rng(7).normal(size=(len(sids), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    own = MemoryStorage()
    own.store(chunks, np.zeros((len(chunks), 16), dtype=np.float32), sids[1:], vectors[1:])
    return own


@pytest.mark.parametrize("saved", [False, True])
def test_exact_sentence_search_matches_a_full_scan(with_vectors: MemoryStorage, tmp_path: Path, saved: bool) -> None:
    index = LoadedIndex(with_vectors, tmp_path if saved else None, exact_sentences=10_000)
    assert index._catalogue.sentences_matrix is not None
    op_ed = next(s for s in index.documents if s.startswith("003_"))
    for seed in range(5):
        query = np.random.default_rng(seed).normal(size=16).astype(np.float32)
        query /= np.linalg.norm(query)
        for filters in (None, Filters(source_ids=[op_ed])):
            found = index.nearest_sentences(query, 12, filters)
            expected = with_vectors.retrieve_sentences(query, 12, filters)
            assert [sid for sid, _ in found] == [sid for sid, _ in expected]
            assert np.allclose([s for _, s in found], [s for _, s in expected], atol=1e-5)
            assert filters is None or all(sid.startswith(op_ed) for sid, _ in found)
    some = [sid for sid, _ in with_vectors.retrieve_sentences(query, 30, None)]
    got, stored = index.sentence_vectors(some), with_vectors.sentence_vectors(some)
    assert got.keys() == stored.keys()
    assert all(np.array_equal(got[s], stored[s]) for s in got)


def test_above_the_exact_size_the_store_searches(with_vectors: MemoryStorage, tmp_path: Path) -> None:
    index = LoadedIndex(with_vectors, tmp_path, exact_sentences=10)
    assert index._catalogue.sentences_matrix is None
    assert not list(tmp_path.glob("*/sentences.npy"))
    query = np.ones(16, dtype=np.float32) / 4
    assert index.nearest_sentences(query, 5, None) == with_vectors.retrieve_sentences(query, 5, None)
