"""Source storage: where chunk and sentence vectors live.

A backend implements :class:`SourceStorage`. :class:`ChromaStorage` is the real one
(embedded ``PersistentClient`` or a Chroma server); :class:`MemoryStorage` keeps
everything in numpy arrays and serves tests and throwaway corpora. One contract test
(``tests/backends/test_store.py``) runs against every backend.
"""

from __future__ import annotations

import contextlib
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from assistant.backends.embed import Embedder, Vectors
from assistant.common.dates import ordinal
from assistant.types import Chunk, DocumentMeta, Filters, Span


class StorageError(RuntimeError):
    """The index cannot be opened or read."""


class StorageUnavailable(StorageError):
    """The index server cannot be reached. Nothing is lost: answers resume when it is back."""


class StorageWriteError(StorageError):
    """The index folder cannot be written: a full disk, a read-only folder, no permission."""


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _reachable(method: _Method) -> _Method:
    """A Chroma call whose storage failure says what to do: a server that cannot be reached is named,
    and a full, read-only or forbidden index folder is named with the fix."""

    @functools.wraps(method)
    def call(self: ChromaStorage, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if self.url is not None and _unreachable(exc):
                raise StorageUnavailable(_unavailable(self.server)) from exc
            problem = _write_problem(exc) if self.url is None else None
            if problem is None:
                raise
            raise StorageWriteError(f"The index folder {self.path} {problem}.") from exc

    return call  # type: ignore[return-value]


def _unavailable(server: str) -> str:
    return (
        f"The index server at {server} is not reachable; start it or check ASSISTANT_CHROMA_URL "
        "(or --chroma-url). Answers resume by themselves once it is back."
    )


_WRITE_PROBLEMS = {
    "disk is full": "is on a full disk: free some space there (or set ASSISTANT_INDEX_DIR) and run ingest again",
    "no space left": "is on a full disk: free some space there (or set ASSISTANT_INDEX_DIR) and run ingest again",
    "readonly": "is read-only: make it writable, or set ASSISTANT_INDEX_DIR to a writable folder",
    "read-only": "is read-only: make it writable, or set ASSISTANT_INDEX_DIR to a writable folder",
    "permission denied": "cannot be written (permission denied): fix its permissions or set ASSISTANT_INDEX_DIR",
}


def _write_problem(exc: BaseException) -> str | None:
    """What is wrong with the index folder, when ``exc`` says it cannot be written."""
    text = str(exc).lower()
    return next((fix for cue, fix in _WRITE_PROBLEMS.items() if cue in text), None)


def _unreachable(exc: BaseException | None) -> bool:
    """Whether a connection failure (refused, reset, timed out) lies anywhere in the exception's chain."""
    import httpx

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class SourceStorage(Protocol):
    """Stores chunks with their vectors, and finds the nearest ones to a query vector."""

    def store(
        self, chunks: Sequence[Chunk], chunk_vectors: Vectors, sentence_ids: Sequence[str], sentence_vectors: Vectors
    ) -> None:
        """Add chunks and the vectors of their sentences (ids from :func:`sentence_id`)."""
        ...

    def delete(self, source_id: str) -> None:
        """Remove every chunk and sentence of one document."""
        ...

    def retrieve(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` (chunk id, cosine similarity) pairs, best first."""
        ...

    def retrieve_sentences(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` (sentence id, cosine similarity) pairs, best first."""
        ...

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every stored chunk, a batch at a time, for the lexical index and the catalogue."""
        ...

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        """Vectors of the given sentences; unknown ids are left out."""
        ...

    def count(self) -> int:
        """Number of stored chunks."""
        ...

    def reset(self) -> None:
        """Drop everything."""
        ...

    def generation(self) -> str:
        """A stamp that changes whenever :meth:`mark_changed` is called, seen by every process using the store."""
        ...

    def mark_changed(self) -> None:
        """Record that the stored index changed (the indexer calls it once an ingest has written)."""
        ...

    def reopen(self) -> None:
        """Open the store again, to see what another process wrote."""
        ...


def sentence_id(source_id: str, span: Span) -> str:
    """The id under which a sentence's vector is stored."""
    return f"{source_id}::{span.start}"


class MemoryStorage:
    """Keeps vectors in memory: the demo backend, and the reference for the contract test."""

    def __init__(self) -> None:
        self._chunks: dict[str, tuple[Chunk, Vectors]] = {}
        self._sentences: dict[str, Vectors] = {}
        self._sentence_meta: dict[str, DocumentMeta] = {}
        self._generation = 0

    def store(
        self, chunks: Sequence[Chunk], chunk_vectors: Vectors, sentence_ids: Sequence[str], sentence_vectors: Vectors
    ) -> None:
        for chunk, vector in zip(chunks, chunk_vectors, strict=True):
            self._chunks[chunk.id] = (chunk, vector)
        self._sentences.update(zip(sentence_ids, sentence_vectors, strict=True))
        metas = {c.meta.source_id: c.meta for c in chunks}
        self._sentence_meta.update({sid: metas[sid.rsplit("::", 1)[0]] for sid in sentence_ids})

    def delete(self, source_id: str) -> None:
        self._chunks = {k: v for k, v in self._chunks.items() if v[0].meta.source_id != source_id}
        prefix = f"{source_id}::"
        self._sentences = {k: v for k, v in self._sentences.items() if not k.startswith(prefix)}
        self._sentence_meta = {k: v for k, v in self._sentence_meta.items() if not k.startswith(prefix)}

    def retrieve(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        rows = [(cid, v) for cid, (c, v) in self._chunks.items() if filters is None or filters.matches(c.meta)]
        return _nearest(rows, vector, k)

    def retrieve_sentences(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        rows = [
            (sid, v)
            for sid, v in self._sentences.items()
            if filters is None or filters.matches(self._sentence_meta[sid])
        ]
        return _nearest(rows, vector, k)

    def iter_chunks(self) -> Iterator[Chunk]:
        return iter([c for c, _ in self._chunks.values()])

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        return {i: self._sentences[i] for i in ids if i in self._sentences}

    def count(self) -> int:
        return len(self._chunks)

    def reset(self) -> None:
        self._chunks.clear()
        self._sentences.clear()
        self._sentence_meta.clear()

    def generation(self) -> str:
        return str(self._generation)

    def mark_changed(self) -> None:
        self._generation += 1

    def reopen(self) -> None:
        """Nothing to do: one process holds the whole store."""


def _nearest(rows: list[tuple[str, Vectors]], vector: Vectors, k: int) -> list[tuple[str, float]]:
    if not rows:
        return []
    sims = np.stack([v for _, v in rows]) @ np.asarray(vector, dtype=np.float32)
    order = np.argsort(-sims)[:k]
    return [(rows[i][0], float(sims[i])) for i in order]


class ChromaStorage:
    """Chroma collections ``<name>_chunks`` and ``<name>_sentences``, embedded or on a server.

    Vectors are computed by our :class:`~assistant.backends.embed.Embedder` and passed in; the
    collections are also bound to it so that Chroma never falls back to its default
    embedding function, which would download a model.
    """

    def __init__(self, embedder: Embedder, path: Path | None = None, url: str | None = None, name: str = "corpus"):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        from assistant.backends.chroma_ef import AssistantEmbeddingFunction

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        self.url = url
        """The Chroma server's URL, or None for the embedded index."""
        self.path = path
        """The embedded index's folder, or None on a server."""
        host, _, port = (url or "").removeprefix("http://").removeprefix("https://").rstrip("/").partition(":")
        self.server = f"{host}:{port or 8000}"
        try:
            if url:
                self._client: Any = chromadb.HttpClient(
                    host=host, port=int(port or 8000), ssl=url.startswith("https"), settings=chroma_settings
                )
            else:
                if path is None:
                    raise StorageError("ChromaStorage needs a path or a url")
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self._settings = chroma_settings
            self._ef = AssistantEmbeddingFunction(embedder)
            self._name = name
            self._open()
        except StorageError:
            raise
        except Exception as exc:  # chromadb raises many types for a bad store or an unreachable server
            if url and _unreachable(exc):
                raise StorageUnavailable(_unavailable(self.server)) from exc
            raise StorageError(f"Cannot open the Chroma index at {url or path}: {exc}") from exc
        self._batch = int(getattr(self._client, "get_max_batch_size", lambda: 5000)())

    def _open(self) -> None:
        config: Any = {"hnsw": {"space": "cosine"}}
        self._chunks = self._client.get_or_create_collection(
            f"{self._name}_chunks", embedding_function=self._ef, configuration=config
        )
        self._sentences = self._client.get_or_create_collection(
            f"{self._name}_sentences", embedding_function=self._ef, configuration=config
        )

    @_reachable
    def store(
        self, chunks: Sequence[Chunk], chunk_vectors: Vectors, sentence_ids: Sequence[str], sentence_vectors: Vectors
    ) -> None:
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=chunk_vectors[i : i + self._batch],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
            )
        # Sentences carry their document's filterable fields, so sentence search honours filters.
        doc_meta = {c.meta.source_id: _document_metadata(c) for c in chunks}
        for i in range(0, len(sentence_ids), self._batch):
            ids = list(sentence_ids[i : i + self._batch])
            self._sentences.upsert(
                ids=ids,
                embeddings=sentence_vectors[i : i + self._batch],
                metadatas=[doc_meta[sid.rsplit("::", 1)[0]] for sid in ids],
            )

    @_reachable
    def delete(self, source_id: str) -> None:
        self._chunks.delete(where={"source_id": source_id})
        self._sentences.delete(where={"source_id": source_id})

    @_reachable
    def retrieve(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        return self._query(self._chunks, vector, k, filters)

    @_reachable
    def retrieve_sentences(self, vector: Vectors, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        return self._query(self._sentences, vector, k, filters)

    @staticmethod
    def _query(collection: Any, vector: Vectors, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        # Chroma returns fewer rows when the collection holds fewer than k; asking count() first costs a round trip.
        result = collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=_where(filters),
            include=["distances"],
        )
        distances = (result["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], distances, strict=True)]

    def iter_chunks(self) -> Iterator[Chunk]:
        # A page at a time, each behind the reachability check: a generator runs after any decorator returned.
        for offset in range(0, self.count(), self._batch):
            yield from self._page(offset)

    @_reachable
    def _page(self, offset: int) -> list[Chunk]:
        got = self._chunks.get(limit=self._batch, offset=offset, include=["documents", "metadatas"])
        return [
            _chunk_from_record(cid, text, dict(meta))
            for cid, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        ]

    @_reachable
    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        if not ids:
            return {}
        got = self._sentences.get(ids=list(ids), include=["embeddings"])
        embeddings = got["embeddings"] if got["embeddings"] is not None else []
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], embeddings, strict=True)}

    @_reachable
    def count(self) -> int:
        return int(self._chunks.count())

    @_reachable
    def reset(self) -> None:
        for name in (f"{self._name}_chunks", f"{self._name}_sentences"):
            with contextlib.suppress(Exception):  # absent already is fine
                self._client.delete_collection(name)
        self._open()

    @_reachable
    def generation(self) -> str:
        collection = self._client.get_collection(f"{self._name}_chunks", embedding_function=self._ef)
        return str((collection.metadata or {}).get("generation", ""))

    @_reachable
    def mark_changed(self) -> None:
        self._chunks.modify(metadata={"generation": uuid.uuid4().hex})

    @_reachable
    def reopen(self) -> None:
        """Fresh collection handles; an embedded index also gets a fresh client, because each process
        caches the vector index it opened and would not see another process's writes."""
        if self.url is None:
            import chromadb
            from chromadb.api.client import Client

            Client.clear_system_cache()  # handles already in use keep working
            self._client = chromadb.PersistentClient(path=str(self.path), settings=self._settings)
        self._open()


def _where(filters: Filters | None) -> dict[str, Any] | None:
    if filters is None or filters.empty:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.source_ids:
        clauses.append({"source_id": {"$in": list(filters.source_ids)}})
    if filters.outlets:
        clauses.append({"outlet": {"$in": list(filters.outlets)}})
    if filters.kinds:
        clauses.append({"kind": {"$in": list(filters.kinds)}})
    if filters.date_from:
        clauses.append({"date_ord": {"$gte": ordinal(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_ord": {"$lte": ordinal(filters.date_to)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


_META_FIELDS = ("source_id", "path", "title", "outlet", "author", "date", "kind", "url")


def _document_metadata(chunk: Chunk) -> dict[str, str | int]:
    meta: dict[str, str | int] = {f: v for f in _META_FIELDS if (v := getattr(chunk.meta, f)) is not None}
    if (ordinal := chunk.meta.date_ordinal) is not None:
        meta["date_ord"] = ordinal
    return meta


def _chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    meta = _document_metadata(chunk)
    meta["chunk_index"] = chunk.index
    meta["spans"] = json.dumps([[s.start, s.end, s.kind] for s in chunk.spans])
    return meta


def _chunk_from_record(cid: str, text: str, meta: dict[str, Any]) -> Chunk:
    spans = [Span(start=s, end=e, kind=k) for s, e, k in json.loads(meta["spans"])]
    doc_meta = DocumentMeta(**{f: meta[f] for f in _META_FIELDS if f in meta})
    return Chunk(id=cid, meta=doc_meta, index=int(meta["chunk_index"]), text=text, spans=spans)
