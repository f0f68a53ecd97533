"""Index: chunk documents, embed chunks and sentences, store them, and keep a manifest.

Ingest is incremental. ``manifest.json`` in the index folder records a fingerprint of
every indexed file (its bytes and its metadata entry): unchanged files are not
embedded again, changed files are replaced and deleted files are removed. The
manifest is rewritten after every batch of documents, so an interrupted ingest
resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError
from tqdm import tqdm

from assistant.backends.embed import Embedder, Vectors
from assistant.backends.store import SourceStorage, StorageError, sentence_id
from assistant.ingest.clean import CLEANING_VERSION
from assistant.ingest.corpus import SourceFile, build_document, fingerprint, load_corpus
from assistant.settings import ChunkSettings
from assistant.types import Chunk, Document, IngestReport, Span

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
EMBED_BATCH_TEXTS = 1024
"""Documents are embedded and committed in groups of about this many texts."""
VECTOR_CACHE_TEXTS = 100_000
"""Vectors kept per ingest run so that a sentence repeated across documents is encoded once."""


class IngestError(RuntimeError):
    """The index cannot be built (empty corpus, concurrent ingest...)."""


class FileEntry(BaseModel):
    """What the manifest remembers of one indexed file."""

    fingerprint: str = Field(description="Hash of the file bytes and its metadata entry.")
    chunks: int = Field(description="Chunks stored for it.")
    sentences: int = Field(description="Sentence vectors stored for it.")


class Manifest(BaseModel):
    """The record of what the index holds."""

    pipeline: str = Field(description="Hash of everything that shapes stored vectors; a change rebuilds all.")
    files: dict[str, FileEntry] = Field(default_factory=dict, description="Indexed files by source id.")
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Fingerprints of files that could not be ingested, so they are not retried."
    )
    pending: list[str] = Field(
        default_factory=list, description="Documents being written; an interrupted run leaves them to be cleared."
    )


def chunk_document(doc: Document, settings: ChunkSettings) -> list[Chunk]:
    """Group a document's spans into chunks of whole sentences, about ``max_chars`` long."""
    spans = [s for s in doc.spans if s.indexed]
    groups: list[list[Span]] = []
    current: list[Span] = []
    size = 0
    for span in spans:
        length = span.end - span.start
        if current and size + length > settings.max_chars and any(s.quotable for s in current):
            groups.append(current)
            keep = [s for s in current if s.quotable][-settings.overlap_spans :] if settings.overlap_spans else []
            current, size = list(keep), sum(s.end - s.start + 1 for s in keep)
        current.append(span)
        size += length + 1
    if current and (any(s.quotable for s in current) or not groups):
        groups.append(current)
    return [
        Chunk(
            id=f"{doc.meta.source_id}#{i}",
            meta=doc.meta,
            index=i,
            text=" ".join(doc.text[s.start : s.end] for s in group),
            spans=group,
        )
        for i, group in enumerate(groups)
        if any(s.quotable for s in group)
    ]


def pipeline_key(embedder: Embedder, chunking: ChunkSettings) -> str:
    """Hash of everything that shapes stored vectors: the model, the cleaning and the chunking."""
    shape = [embedder.name, embedder.dimension, CLEANING_VERSION, chunking.model_dump()]
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def corpus_fingerprints(corpus_dir: Path, metadata_file: str) -> tuple[dict[str, str], list[str]]:
    """Each corpus file's fingerprint (its bytes and metadata entry) by source id, and the scan's warnings."""
    files, metadata, warnings = load_corpus(corpus_dir, metadata_file)
    return {f.rel: fingerprint(f, metadata.get(f.rel)) for f in files}, warnings


def unchanged_files(corpus_dir: Path, index_dir: Path, pipeline: str, metadata_file: str) -> list[str] | None:
    """The indexed files when the corpus is exactly what the manifest records (same bytes, same metadata,
    nothing pending, skipped or unreadable); None when an ingest has something to do or must look closer.
    Reads the corpus and the manifest only: no model, no store."""
    try:
        manifest = Manifest.model_validate_json((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a missing or damaged manifest is the full ingest's to report
        return None
    if manifest.pipeline != pipeline or manifest.pending or manifest.skipped or not manifest.files:
        return None
    current, warnings = corpus_fingerprints(corpus_dir, metadata_file)
    if warnings or current != {sid: entry.fingerprint for sid, entry in manifest.files.items()}:
        return None
    return sorted(current)


class Indexer:
    """Keeps a :class:`SourceStorage` in step with the corpus folder."""

    def __init__(
        self,
        corpus_dir: Path,
        index_dir: Path,
        storage: SourceStorage,
        embedder: Embedder,
        chunking: ChunkSettings,
        metadata_file: str = "metadata.yaml",
    ) -> None:
        self.corpus_dir = corpus_dir
        self.index_dir = index_dir
        self.storage = storage
        self.embedder = embedder
        self.chunking = chunking
        self.metadata_file = metadata_file
        self._seen: dict[str, Vectors] = {}
        self.pipeline = pipeline_key(embedder, chunking)

    # -- manifest -----------------------------------------------------------------

    def load_manifest(self) -> Manifest | None:
        """The manifest, or None when it is missing, unreadable or from another pipeline."""
        path = self.index_dir / MANIFEST
        try:
            manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValidationError, ValueError, OSError) as exc:
            log.warning("Index manifest %s is unreadable (%s); the index will be rebuilt.", path, exc)
            return None
        if manifest.pipeline != self.pipeline:
            log.warning("The index was built by another model or settings; it will be rebuilt.")
            return None
        if manifest.files and self.storage.count() == 0:
            log.warning("The index's collections are empty or gone while its manifest lists documents; rebuilding.")
            return None
        return manifest

    def _save(self, manifest: Manifest) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.index_dir / f".{MANIFEST}.tmp"
        tmp.write_text(manifest.model_dump_json(indent=1), encoding="utf-8")
        os.replace(tmp, self.index_dir / MANIFEST)

    def is_stale(self) -> bool:
        """True when the corpus differs from what the index holds (or there is no index)."""
        manifest = self.load_manifest()
        if manifest is None:
            return True
        current, _ = corpus_fingerprints(self.corpus_dir, self.metadata_file)
        known = {sid: e.fingerprint for sid, e in manifest.files.items()} | manifest.skipped
        return current != known

    # -- ingest ---------------------------------------------------------------------

    def sync(self, progress: bool = True) -> IngestReport:
        """Bring the index in line with the corpus folder; return what changed."""
        started = time.perf_counter()
        report = IngestReport()
        try:
            with self._lock():
                self._sync(progress, report)
        finally:
            if report.changed:  # also after a run that stopped part way: what it wrote is in the index
                with contextlib.suppress(StorageError):
                    self.storage.mark_changed()
        report.seconds = time.perf_counter() - started
        return report

    def _sync(self, progress: bool, report: IngestReport) -> None:
        files, metadata, warnings = load_corpus(self.corpus_dir, self.metadata_file)
        report.skipped.extend(warnings)
        self._seen.clear()
        manifest = self.load_manifest()
        if manifest is None:
            self.storage.reset()
            manifest = Manifest(pipeline=self.pipeline)
        # Chunks of a batch that was being written when a run was killed.
        for sid in manifest.pending:
            self.storage.delete(sid)
        manifest.pending = []
        present = {f.rel for f in files}
        for sid in sorted(set(manifest.files) - present):
            self.storage.delete(sid)
            del manifest.files[sid]
            report.removed.append(sid)
        self._save(manifest)

        todo: list[SourceFile] = []
        for f in files:
            entry = manifest.files.get(f.rel)
            if entry and entry.fingerprint == fingerprint(f, metadata.get(f.rel)):
                report.unchanged.append(f.rel)
            else:
                todo.append(f)
        skipped: set[str] = set()
        if todo:  # the model loads (or is exported, once) before the bar starts, not inside its first step
            self.embedder.embed(["load"])
        bar = tqdm(total=len(todo), desc="Indexing", unit="doc", disable=not progress or not todo)
        try:
            for group in self._groups(todo, metadata, report, skipped):
                self._commit(group, manifest, report)
                bar.update(len(group))
            bar.update(len(skipped))
        except StorageError as exc:
            done = len(report.added) + len(report.updated)
            raise IngestError(
                f"{exc} {done} of {len(todo)} documents were indexed before it stopped (those are kept); "
                "the next ingest does the rest."
            ) from exc
        finally:
            bar.close()
        # A file that was indexed before but cannot be read now must not keep stale chunks.
        for sid in sorted(skipped & set(manifest.files)):
            self.storage.delete(sid)
            del manifest.files[sid]
            report.removed.append(sid)
        manifest.skipped = {f.rel: fingerprint(f, metadata.get(f.rel)) for f in todo if f.rel in skipped}
        self._save(manifest)
        if not manifest.files:
            hint = f"Add .txt, .md, .html or .pdf files to {self.corpus_dir} (or `python -m assistant ingest PATH`)."
            detail = f" Skipped: {'; '.join(report.skipped)}." if report.skipped else ""
            raise IngestError(f"The corpus at {self.corpus_dir} has no documents to index.{detail} {hint}")

    def _groups(
        self,
        todo: Sequence[SourceFile],
        metadata: dict[str, dict[str, object]],
        report: IngestReport,
        skipped: set[str],
    ) -> Iterator[list[tuple[Document, list[Chunk]]]]:
        group: list[tuple[Document, list[Chunk]]] = []
        texts = 0
        for f in todo:
            try:
                doc = build_document(f, metadata.get(f.rel))
            except ValueError as exc:
                message = f"{f.rel}: skipped, {exc}"
                log.info(message)  # the report carries it; callers show it
                report.skipped.append(message)
                skipped.add(f.rel)
                continue
            left_out = sum(1 for s in doc.spans if s.kind == "furniture")
            if left_out:
                report.furniture[f.rel] = left_out
            chunks = chunk_document(doc, self.chunking)
            group.append((doc, chunks))
            texts += len(chunks) + len(doc.spans)
            if texts >= EMBED_BATCH_TEXTS:
                yield group
                group, texts = [], 0
        if group:
            yield group

    def _vectors(self, group: list[tuple[Document, list[Chunk]]]) -> tuple[Vectors, Vectors, int]:
        """Chunk vectors and quotable-sentence vectors for a group; also how many texts were encoded.

        With ``chunk_vectors="mean"`` only sentences and headings are encoded and a chunk's
        vector is the normalised mean of its spans' vectors: about half the encoding work.
        """
        quotable = [(doc, s) for doc, _ in group for s in doc.spans if s.quotable]
        if self.chunking.chunk_vectors == "encode":
            chunk_texts = [c.text for _, chunks in group for c in chunks]
            vectors, encoded = self._encode(chunk_texts + [doc.text[s.start : s.end] for doc, s in quotable])
            return vectors[: len(chunk_texts)], vectors[len(chunk_texts) :], encoded
        spans = [(doc, s) for doc, _ in group for s in doc.spans if s.indexed]
        vectors, encoded = self._encode([doc.text[s.start : s.end] for doc, s in spans])
        row = {(doc.meta.source_id, s.start): i for i, (doc, s) in enumerate(spans)}
        means = np.stack(
            [
                vectors[[row[(doc.meta.source_id, s.start)] for s in chunk.spans]].mean(axis=0)
                for doc, chunks in group
                for chunk in chunks
            ]
        )
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        sentence_rows = [row[(doc.meta.source_id, s.start)] for doc, s in quotable]
        return means.astype(np.float32), vectors[sentence_rows], encoded

    def _encode(self, texts: list[str]) -> tuple[Vectors, int]:
        """Vectors for ``texts``, running each distinct text through the model once per ingest run.

        Statements reposted in full, syndicated stories and boilerplate repeat whole
        sentences; their vectors are identical, so only the first copy is encoded.
        """
        seen = self._seen
        todo = list(dict.fromkeys(t for t in texts if t not in seen))
        fresh = dict(zip(todo, self.embedder.embed(todo), strict=True)) if todo else {}
        if not texts:
            return np.zeros((0, self.embedder.dimension), np.float32), 0
        vectors = np.stack([fresh[t] if t in fresh else seen[t] for t in texts]).astype(np.float32, copy=False)
        if len(seen) + len(fresh) > VECTOR_CACHE_TEXTS:
            seen.clear()
        seen.update(fresh)
        return vectors, len(todo)

    def _commit(self, group: list[tuple[Document, list[Chunk]]], manifest: Manifest, report: IngestReport) -> None:
        chunk_vectors, sentence_vectors, encoded = self._vectors(group)
        sids = [doc.meta.source_id for doc, _ in group]
        # Mark the batch before writing, so a killed run's partial writes are cleared next time.
        manifest.pending = sids
        self._save(manifest)
        for sid in sids:
            if sid in manifest.files:
                self.storage.delete(sid)
        chunks = [c for _, doc_chunks in group for c in doc_chunks]
        sentence_ids = [sentence_id(doc.meta.source_id, s) for doc, _ in group for s in doc.spans if s.quotable]
        self.storage.store(chunks, chunk_vectors, sentence_ids, np.asarray(sentence_vectors))
        for doc, doc_chunks in group:
            sid = doc.meta.source_id
            (report.updated if sid in manifest.files else report.added).append(sid)
            n_sentences = sum(1 for s in doc.spans if s.quotable)
            manifest.files[sid] = FileEntry(fingerprint=doc.fingerprint, chunks=len(doc_chunks), sentences=n_sentences)
        report.embedded_chunks += len(chunk_vectors)
        report.embedded_sentences += len(sentence_vectors)
        report.encoded_texts += encoded
        manifest.pending = []
        self._save(manifest)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".ingest.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IngestError(f"Another ingest is running on {self.index_dir}; try again when it ends.") from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
