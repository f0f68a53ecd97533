from __future__ import annotations

import hashlib
import itertools
import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.client import Client

from assistant import Assistant, Settings, build_assistant
from assistant.backends.embed import HashingEmbedder
from assistant.backends.store import sentence_id
from assistant.ingest.corpus import build_document, load_corpus
from assistant.ingest.index import IngestError, chunk_document
from assistant.settings import ChunkSettings

ROOT = Path(__file__).resolve().parents[2]


def _docs() -> list:
    files, metadata, _ = load_corpus(ROOT / "corpus")
    return [build_document(f, metadata.get(f.rel)) for f in files]


@pytest.mark.parametrize("max_chars", [200, 700, 2000])
def test_chunks_cover_every_quotable_sentence_with_exact_offsets(max_chars: int) -> None:
    for doc in _docs():
        chunks = chunk_document(doc, ChunkSettings(max_chars=max_chars, overlap_spans=1))
        covered = {s for c in chunks for s in c.spans}
        assert {s for s in doc.spans if s.quotable} <= covered
        for chunk in chunks:
            assert chunk.text == " ".join(doc.text[s.start : s.end] for s in chunk.spans)
            assert chunk.span_texts() == [doc.text[s.start : s.end] for s in chunk.spans]
            assert any(s.quotable for s in chunk.spans)
            assert all(s.kind != "label" for s in chunk.spans)


def test_chunks_respect_the_size_bound_and_overlap() -> None:
    doc = _docs()[2]
    chunks = chunk_document(doc, ChunkSettings(max_chars=400, overlap_spans=1))
    assert len(chunks) > 3
    for a, b in itertools.pairwise(chunks):
        assert a.spans[-1] in b.spans or a.spans[-1].kind == "heading"
    longest_sentence = max(s.end - s.start for s in doc.spans)
    assert all(len(c.text) <= 400 + longest_sentence + 1 for c in chunks)


def _counts(report) -> tuple[int, int, int, int]:
    return len(report.added), len(report.updated), len(report.removed), len(report.unchanged)


@pytest.fixture(params=["memory", "embedded", pytest.param("server", marks=pytest.mark.integration)])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings for the memory store, Chroma embedded on disk, or a real ``chroma run`` server."""
    if request.param == "server":
        return {"storage": "chroma", "chroma_url": request.getfixturevalue("chroma_server")}
    return {"storage": "chroma" if request.param == "embedded" else "memory"}


def test_incremental_ingest(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant], backend: dict[str, str]
) -> None:
    assistant = make_light_assistant(seed_copy, **backend)
    first = assistant.ingest(progress=False)
    assert _counts(first) == (5, 0, 0, 0)
    assert first.embedded_chunks > 0

    again = assistant.ingest(progress=False)
    assert _counts(again) == (0, 0, 0, 5)
    assert again.embedded_chunks == again.embedded_sentences == 0
    assert not assistant.indexer.is_stale()

    target = seed_copy / "003_843109544dbca18f.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nThe assembly chose Kim Jong-yang instead.\n")
    assert assistant.indexer.is_stale()
    changed = assistant.ingest(progress=False)
    assert _counts(changed) == (0, 1, 0, 4)
    per_doc = assistant.indexer.load_manifest().files["003_843109544dbca18f.txt"]  # type: ignore[union-attr]
    assert changed.embedded_chunks == per_doc.chunks
    answer = assistant.ask("Whom did the assembly choose instead?")
    assert "Kim Jong-yang" in answer.answer

    (seed_copy / "004_6c588545a29af66f.txt").unlink()
    removed = assistant.ingest(progress=False)
    assert _counts(removed) == (0, 0, 1, 4)
    assert removed.embedded_chunks == 0
    assert "004_6c588545a29af66f.txt" not in {m.source_id for m in assistant.sources()}
    assert all(c.source_id != "004_6c588545a29af66f.txt" for c in assistant.ask("Who is Bruno Min?").citations)


def test_metadata_change_reindexes_only_that_file(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    assistant = make_light_assistant(seed_copy)
    assistant.ingest(progress=False)
    meta = seed_copy / "metadata.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("outlet: Fair Trials", "outlet: Fair Trials International")
    )
    report = assistant.ingest(progress=False)
    assert report.updated == ["004_6c588545a29af66f.txt"]
    assert {m.outlet for m in assistant.sources()} >= {"Fair Trials International"}


def test_index_survives_a_restart(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    make_light_assistant(seed_copy, tmp_path / "idx", collection="restart", storage="chroma").ingest(progress=False)
    reopened = make_light_assistant(seed_copy, tmp_path / "idx", collection="restart", storage="chroma")
    assert not reopened.indexer.is_stale()
    assert reopened.stats()["documents"] == 5
    assert reopened.ensure_index(progress=False) is None


def test_bad_files_are_skipped_with_named_warnings(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (seed_copy / "garbage.txt").write_bytes(bytes(range(128, 256)) * 50)
    report = make_light_assistant(seed_copy).ingest(progress=False)
    warnings = "\n".join(report.skipped)
    for name, reason in [("empty.txt", "empty"), ("image.txt", "binary"), ("garbage.txt", "UTF-8")]:
        assert name in warnings
        assert reason in warnings
    assert len(report.added) == 5


def test_manifest_corruption_triggers_a_rebuild(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    assistant = make_light_assistant(seed_copy)
    assistant.ingest(progress=False)
    (assistant.indexer.index_dir / "manifest.json").write_text("{not json")
    assert assistant.indexer.is_stale()
    report = assistant.ingest(progress=False)
    assert len(report.added) == 5
    assert assistant.stats()["documents"] == 5


def test_empty_corpus_is_a_clear_error(tmp_path: Path, make_light_assistant: Callable[..., Assistant]) -> None:
    corpus = tmp_path / "empty-corpus"
    corpus.mkdir()
    with pytest.raises(IngestError, match="no documents to index"):
        make_light_assistant(corpus).ingest(progress=False)


def test_ingest_paths_copies_documents_into_the_corpus(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "new.txt").write_text("Interpol Notes\n\nThe Commission for the Control of Files met on 5 May 2023.\n")
    (extra / "skip.pdf").write_bytes(b"%PDF-1.4")
    assistant = make_light_assistant(seed_copy)
    report = assistant.ingest([extra / "new.txt", extra / "skip.pdf"], progress=False)
    assert (seed_copy / "new.txt").read_bytes() == (extra / "new.txt").read_bytes()
    assert "new.txt" in report.added
    assert any("skip.pdf" in w for w in report.skipped)


def test_concurrent_ingest_is_refused_with_a_message(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    import fcntl

    assistant = make_light_assistant(seed_copy)
    index_dir = assistant.indexer.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".ingest.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(IngestError, match="Another ingest is running"):
            assistant.ingest(progress=False)


def test_interrupted_batch_is_cleared_on_the_next_run(
    seed_copy: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    """A run killed between writing chunks and recording them leaves no stale or duplicate chunks."""
    assistant = make_light_assistant(seed_copy, storage="chroma")
    assistant.ingest(progress=False)
    manifest = assistant.indexer.load_manifest()
    assert manifest is not None
    # Simulate the kill: a document is marked pending and dropped from the manifest after its write.
    manifest.pending = ["003_843109544dbca18f.txt"]
    del manifest.files["003_843109544dbca18f.txt"]
    assistant.indexer._save(manifest)
    before = assistant.indexer.storage.count()
    report = assistant.ingest(progress=False)
    assert report.added == ["003_843109544dbca18f.txt"]
    assert assistant.indexer.storage.count() == before
    assert assistant.indexer.load_manifest().pending == []  # type: ignore[union-attr]
    ids = [c.id for c in assistant.indexer.storage.iter_chunks()]
    assert len(ids) == len(set(ids))


def test_killed_ingest_resumes_without_re_embedding(tmp_path: Path, make_assistant: Callable[..., Assistant]) -> None:
    """kill -9 an ingest of real BBC articles mid-run; the next run embeds only what was not finished."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import SHARED

    bbc = SHARED / "corpora" / "bbc" / "business"
    if not bbc.is_dir():
        pytest.fail("../shared/corpora/bbc is not beside this checkout")
    corpus = tmp_path / "bbc"
    corpus.mkdir()
    for f in sorted(bbc.glob("*.txt"))[:160]:
        (corpus / f.name).write_bytes(f.read_bytes())
    index = tmp_path / "index"
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(index),
           "ASSISTANT_COLLECTION": "killed"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "assistant", "ingest"], env=env, stderr=subprocess.DEVNULL)
    manifest = index / "manifest.json"
    deadline = time.monotonic() + 240
    finished: dict[str, object] = {}
    while time.monotonic() < deadline and process.poll() is None:
        if manifest.exists():
            try:
                finished = json.loads(manifest.read_text())["files"]
            except ValueError:
                finished = {}
            if finished:
                break
        time.sleep(0.05)
    assert finished, "the first batch was committed before the kill"
    process.send_signal(signal.SIGKILL)
    process.wait()

    resumed = make_assistant(corpus, index, collection="killed")
    done_before = set(resumed.indexer.load_manifest().files)  # type: ignore[union-attr]
    report = resumed.ingest(progress=False)
    assert done_before, "some documents were finished before the kill"
    assert not set(report.added) & done_before, "finished documents are not embedded again"
    assert set(report.added) | set(report.unchanged) == {f.name for f in corpus.iterdir()}
    ids = [c.id for c in resumed.indexer.storage.iter_chunks()]
    assert len(ids) == len(set(ids)), "no chunk is duplicated"
    for chunk in list(resumed.indexer.storage.iter_chunks())[:200]:
        text = (corpus / chunk.meta.source_id).read_bytes().decode("utf-8", errors="replace")
        assert chunk.span_texts()[0] == text[chunk.spans[0].start : chunk.spans[0].end]


def test_repeated_sentences_are_encoded_once(
    seed_copy: Path, tmp_path: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    alone = make_light_assistant(corpus_dir=seed_copy).ingest(progress=False)
    statement = next(seed_copy.glob("002_*"))
    reposted = tmp_path / "reposted"
    shutil.copytree(seed_copy, reposted)
    (reposted / "repost.txt").write_bytes(statement.read_bytes())
    assistant = make_light_assistant(corpus_dir=reposted, index_dir=tmp_path / "index-reposted")
    report = assistant.ingest(progress=False)
    assert len(report.added) == 6
    # The repost's sentences are stored under its own name, with the original's vectors...
    repost, original = _sentence_vectors(assistant, "repost.txt"), _sentence_vectors(assistant, statement.name)
    assert len(repost) == len(original) > 5
    assert report.embedded_sentences == alone.embedded_sentences + len(repost)
    for a, b in zip(repost.values(), original.values(), strict=True):
        assert float(a @ b) > 0.9999
    # ...and none of them went through the model a second time.
    assert report.encoded_texts == alone.encoded_texts


def _sentence_vectors(assistant: Assistant, source_id: str) -> dict[str, Any]:
    spans = sorted(
        {s.start: s for c in assistant.index.chunks_of(source_id) for s in c.spans if s.quotable}.values(),
        key=lambda s: s.start,
    )
    found = assistant.searcher.storage.sentence_vectors([sentence_id(source_id, s) for s in spans])
    return {sentence_id(source_id, s): found[sentence_id(source_id, s)] for s in spans}


class _OtherModel:
    """A different embedding model: 16-dimensional vectors from a hash of the text."""

    name = "other-model-16"
    dimension = 16

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) for t in texts
        ]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), 16) + 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_damaged_index_is_set_aside_and_rebuilt(
    seed_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(corpus_dir=seed_copy, index_dir=tmp_path / "index")
    embedder = HashingEmbedder()
    build_assistant(settings, embedder=embedder).ingest(progress=False)
    sqlite = tmp_path / "index" / "chroma" / "chroma.sqlite3"
    with sqlite.open("r+b") as f:
        f.truncate(sqlite.stat().st_size // 3)
    Client.clear_system_cache()  # as a fresh process would
    with caplog.at_level(logging.WARNING):
        assistant = build_assistant(settings, embedder=embedder)
    assert "could not be read" in caplog.text
    assert list((tmp_path / "index").glob("chroma.damaged-*"))  # kept for inspection, never deleted
    assert assistant.ensure_index(progress=False) is not None
    answer = assistant.ask("What is a diffusion?")
    assert answer.citations
    assert not answer.refused


def test_emptied_collections_are_rebuilt(seed_copy: Path, make_light_assistant: Callable[..., Assistant]) -> None:
    assistant = make_light_assistant(corpus_dir=seed_copy, storage="chroma")
    assistant.ingest(progress=False)
    assistant.searcher.storage.reset()  # the collections are deleted behind the manifest's back
    assert assistant.indexer.is_stale()
    report = assistant.ensure_index(progress=False)
    assert report is not None
    assert len(report.added) == 5
    assert assistant.ask("What is a diffusion?").citations


def test_index_built_with_another_model_is_rebuilt(seed_copy: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    index = tmp_path / "index"
    other = build_assistant(Settings(corpus_dir=seed_copy, index_dir=index), embedder=_OtherModel())
    other.ingest(progress=False)
    assert other.searcher.storage.count() > 0
    assistant = build_assistant(Settings(corpus_dir=seed_copy, index_dir=index), embedder=embedder)
    assert assistant.indexer.is_stale()
    report = assistant.ensure_index(progress=False)
    assert report is not None
    assert len(report.added) == 5
    answer = assistant.ask("Why didn't Interpol suspend Russia?")
    assert answer.citations
    assert not answer.refused


def test_corpus_faults_are_skipped_by_name_and_the_rest_is_answerable(
    seed_copy: Path, tmp_path: Path, make_light_assistant: Callable[..., Assistant], monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.ingest.index as index_module

    (seed_copy / "zero.txt").write_bytes(b"")
    (seed_copy / "blob.txt").write_bytes(b"\x00\x01\x02\x03" * 1000)
    (seed_copy / "huge.txt").write_bytes(b"The zebra sentence repeats. " * (50 * 1024 * 1024 // 28 + 1))
    (seed_copy / "broken.txt").write_bytes(bytes(range(128, 256)) * 40)
    (seed_copy / "latin1.txt").write_bytes("Caf\xe9 owners in Lyon met the zebra council on Monday.\n".encode("cp1252"))
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret zebra plans outside the corpus.\n")
    (seed_copy / "link.txt").symlink_to(outside)
    statement = next(seed_copy.glob("002_*"))
    (seed_copy / "twin.txt").write_bytes(statement.read_bytes())
    changing = seed_copy / "changing.txt"
    changing.write_text("Giraffes in Ghent were counted in May.\n")
    real_build = index_module.build_document

    def build_then_edit(source: Any, fields: Any) -> Any:  # the file is rewritten while it is being indexed
        doc = real_build(source, fields)
        if source.rel == "changing.txt":
            changing.write_text("Giraffes in Ghent were counted again in June, and there were twelve.\n")
        return doc

    monkeypatch.setattr(index_module, "build_document", build_then_edit)
    assistant = make_light_assistant(seed_copy)
    report = assistant.ingest(progress=False)
    warnings = "\n".join(report.skipped)
    for name, reason in [("zero.txt", "empty"), ("blob.txt", "binary"), ("huge.txt", "byte limit"),
                         ("broken.txt", "UTF-8"), ("link.txt", "outside the corpus")]:  # fmt: skip
        assert f"{name}: skipped" in warnings
        assert reason in warnings
    assert {"latin1.txt", "twin.txt", "changing.txt"} <= set(report.added)
    assert "Café" in assistant.ask("Who met the zebra council in Lyon?").answer
    twin = assistant.ask("What did Interpol say about neutrality?")
    assert any(c.copies for c in twin.citations)  # the identical file is one source in two copies
    # The changed file was indexed as it was read; the index knows it is stale and the next ingest catches up.
    assert assistant.indexer.is_stale()
    monkeypatch.setattr(index_module, "build_document", real_build)
    assert assistant.ingest(progress=False).updated == ["changing.txt"]
    answer = assistant.ask("When were the giraffes in Ghent counted again?")
    assert "June" in answer.answer
    for c in answer.citations:
        assert assistant.document_text(c.source_id)[c.start : c.end] == c.quote
