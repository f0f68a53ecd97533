"""One contract, every storage backend."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
import pytest

from assistant.backends.embed import HashingEmbedder
from assistant.backends.store import ChromaStorage, MemoryStorage, SourceStorage, sentence_id
from assistant.types import Chunk, DocumentMeta, Filters, Span


def _meta(source: str, kind: str, date: str) -> DocumentMeta:
    return DocumentMeta(
        source_id=source, path=source, title=source.upper(), outlet=f"{source} outlet", kind=kind, date=date
    )  # type: ignore[arg-type]


def _chunk(meta: DocumentMeta, index: int, text: str) -> Chunk:
    return Chunk(
        id=f"{meta.source_id}#{index}",
        meta=meta,
        index=index,
        text=text,
        spans=[Span(start=index * 100, end=index * 100 + len(text))],
    )


@pytest.fixture
def hashing() -> HashingEmbedder:
    """Vectors for the contract: any deterministic embedder will do, so the model-free one."""
    return HashingEmbedder()


@pytest.fixture(params=["memory", "chroma", pytest.param("chroma-server", marks=pytest.mark.integration)])
def storage(request: pytest.FixtureRequest, tmp_path: Path, hashing: HashingEmbedder) -> SourceStorage:
    if request.param == "memory":
        return MemoryStorage()
    if request.param == "chroma-server":
        url = request.getfixturevalue("chroma_server")
        return ChromaStorage(hashing, url=url, name=f"t{uuid.uuid4().hex[:12]}")
    return ChromaStorage(hashing, path=tmp_path / "chroma")


def _fill(storage: SourceStorage, hashing: HashingEmbedder) -> None:
    docs = {
        "a.txt": (_meta("a.txt", "news", "2022-03-12"), ["Interpol refused to suspend Russia.", "Neutrality is key."]),
        "b.txt": (
            _meta("b.txt", "op_ed", "2018-11"),
            ["Russia wants the Interpol presidency.", "The vote is Wednesday."],
        ),
    }
    for meta, texts in docs.values():
        chunks = [_chunk(meta, i, t) for i, t in enumerate(texts)]
        vectors = hashing.embed(texts)
        ids = [sentence_id(meta.source_id, c.spans[0]) for c in chunks]
        storage.store(chunks, vectors, ids, vectors)


def test_store_retrieve_delete(storage: SourceStorage, hashing: HashingEmbedder) -> None:
    _fill(storage, hashing)
    assert storage.count() == 4
    query = hashing.embed(["Did Interpol suspend Russia?"])[0]  # shares the most words with a.txt#0
    hits = storage.retrieve(query, 2)
    assert hits[0][0] == "a.txt#0"
    assert hits[0][1] >= hits[1][1]
    assert -1.0 <= hits[0][1] <= 1.0
    sentence_hits = storage.retrieve_sentences(query, 1)
    assert sentence_hits[0][0] == "a.txt::0"
    loaded = {c.id: c for c in storage.iter_chunks()}
    assert loaded["b.txt#1"].text == "The vote is Wednesday."
    assert loaded["b.txt#1"].meta.date == "2018-11"
    assert loaded["b.txt#1"].spans == [Span(start=100, end=122)]
    vectors = storage.sentence_vectors(["a.txt::0", "missing::1"])
    assert set(vectors) == {"a.txt::0"}
    assert np.isclose(np.linalg.norm(vectors["a.txt::0"]), 1.0, atol=1e-4)

    storage.delete("a.txt")
    assert storage.count() == 2
    assert all(cid.startswith("b.txt") for cid, _ in storage.retrieve(query, 5))
    assert storage.sentence_vectors(["a.txt::0"]) == {}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(source_ids=["b.txt"]), {"b.txt"}),
        (Filters(kinds=["news"]), {"a.txt"}),
        (Filters(outlets=["b.txt outlet"]), {"b.txt"}),
        (Filters(date_from=dt.date(2020, 1, 1)), {"a.txt"}),
        (Filters(date_to=dt.date(2019, 1, 1)), {"b.txt"}),
        (Filters(kinds=["news"], date_to=dt.date(2019, 1, 1)), set()),
    ],
)
def test_filters(storage: SourceStorage, hashing: HashingEmbedder, filters: Filters, expected: set[str]) -> None:
    _fill(storage, hashing)
    query = hashing.embed(["Interpol and Russia"])[0]
    for search in (storage.retrieve, storage.retrieve_sentences):
        found = {cid.split("#")[0].split("::")[0] for cid, _ in search(query, 10, filters)}
        assert found == expected


def test_reset(storage: SourceStorage, hashing: HashingEmbedder) -> None:
    _fill(storage, hashing)
    storage.reset()
    assert storage.count() == 0
    assert list(storage.iter_chunks()) == []


def test_chroma_never_uses_its_default_embedding_function(tmp_path: Path, hashing: HashingEmbedder) -> None:
    storage = ChromaStorage(hashing, path=tmp_path / "chroma")
    for collection in (storage._chunks, storage._sentences):
        assert collection.configuration_json["embedding_function"]["name"] == "research-assistant-local"


def test_chroma_bad_path_is_a_clear_error(tmp_path: Path, hashing: HashingEmbedder) -> None:
    from assistant.backends.store import StorageError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises((StorageError, OSError)):
        ChromaStorage(hashing, path=blocker / "chroma")


def test_generation_changes_when_marked_and_reopening_keeps_everything(
    storage: SourceStorage, hashing: HashingEmbedder
) -> None:
    _fill(storage, hashing)
    before = storage.generation()
    storage.mark_changed()
    after = storage.generation()
    assert after != before
    storage.reopen()
    assert storage.generation() == after
    assert storage.count() == 4
    assert storage.retrieve(hashing.embed(["Neutrality is key."])[0], k=1)[0][0] == "a.txt#1"
