"""The chunk catalogue on disk: documents, chunks, sentence owners and the source tables, in SQLite.

Worked out once per index generation, when an ingest (or the first start on an index without
one) reads the chunks from the store, and then read on demand: a start loads the documents and
the vocabulary, not every chunk, so it does not grow with the corpus. With no folder (a store
held in memory) the database is held in memory too.

The sentence tables feed :class:`~assistant.provenance.sources.SourceCatalog`:

- ``owners``: the first chunk (in reading order) carrying each quotable sentence;
- ``holders``: the documents carrying each sentence key, for copies;
- ``origins``: the documents whose sentences hold a run of words some document quotes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.backends.store import sentence_id
from assistant.provenance.sources import copy_groups, holder_keys, quoted_shingles, shingles
from assistant.retrieval.lexical import LexicalBuilder, LexicalIndex, content_stems
from assistant.types import Chunk, DocumentMeta, Span

VectorSource = Callable[[Sequence[str]], dict[str, Any]]
"""Looks up stored sentence vectors by id (a store's ``sentence_vectors``)."""

VERSION = "3"
"""Bumped when the tables or what is worked out into them change: older catalogues are rebuilt."""

_SCHEMA = """
CREATE TABLE documents(doc INTEGER PRIMARY KEY, source_id TEXT UNIQUE NOT NULL, meta TEXT NOT NULL, root TEXT);
CREATE TABLE chunks(pos INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc INTEGER NOT NULL, idx INTEGER NOT NULL,
                    text TEXT NOT NULL, spans TEXT NOT NULL);
CREATE INDEX chunks_of ON chunks(doc, idx);
CREATE TABLE chunk_stems(pos INTEGER PRIMARY KEY, stems TEXT NOT NULL);
CREATE TABLE document_stems(doc INTEGER PRIMARY KEY, stems TEXT NOT NULL);
CREATE TABLE owners(sid TEXT PRIMARY KEY, chunk TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE holders(key TEXT, source_id TEXT, PRIMARY KEY(key, source_id)) WITHOUT ROWID;
CREATE TABLE origins(shingle TEXT, source_id TEXT, PRIMARY KEY(shingle, source_id)) WITHOUT ROWID;
"""
# Boilerplate carried by many documents says nothing about copies.
_SHARED_PAIRS = """
WITH keys AS (SELECT key FROM holders GROUP BY key HAVING COUNT(*) BETWEEN 2 AND 50)
SELECT a.source_id, b.source_id, COUNT(*) FROM holders a JOIN holders b ON a.key = b.key AND a.source_id < b.source_id
WHERE a.key IN keys GROUP BY a.source_id, b.source_id
"""


class Catalogue:
    """One generation of the catalogue: an SQLite database (file or memory) and the lexical index.

    Readers on many threads share one connection behind a lock; every query is short.
    """

    def __init__(self, db: sqlite3.Connection, lexical: LexicalIndex, matrix: np.ndarray | None = None) -> None:
        self._db = db
        self._lock = threading.Lock()
        rows = self._rows("SELECT source_id, meta, root FROM documents ORDER BY doc")
        self._metas = [DocumentMeta.model_validate_json(meta) for _, meta, _ in rows]
        self._roots = [root for _, _, root in rows]
        self._doc_of = {source_id: doc for doc, (source_id, _, _) in enumerate(rows, start=1)}
        self.lexical = lexical
        """BM25 and term counts over the chunks, by chunk position."""
        self.sentences_matrix = SentenceMatrix(self, matrix) if matrix is not None else None
        """Every stored sentence vector, for exact search; None above the size it is kept for."""
        self.chunk = lru_cache(maxsize=4096)(self._chunk)
        self.sentences = lru_cache(maxsize=1024)(self._sentences)
        self.chunks_of = lru_cache(maxsize=1024)(self._chunks_of)
        self.chunk_stems = lru_cache(maxsize=4096)(self._chunk_stems)
        self.document_stems = lru_cache(maxsize=4096)(self._document_stems)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls, chunks: Iterable[Chunk], folder: Path | None, vectors: VectorSource | None = None, exact_max: int = 0
    ) -> Catalogue:
        """Work out the catalogue of ``chunks``; with a ``folder``, write it there (which must not exist).

        With ``vectors`` and at most ``exact_max`` stored sentences, their vectors are copied in too.
        """
        if folder is not None:
            folder.mkdir(parents=True)
        db = _connect(folder / "catalogue.sqlite" if folder else None)
        db.executescript(_SCHEMA)
        _stage(db, chunks)
        lexical = _fill(db)
        db.commit()
        (count,) = db.execute("SELECT COUNT(*) FROM owners").fetchone()
        matrix = _copy_vectors(db, vectors) if vectors is not None and 0 < count <= exact_max else None
        if folder is not None:
            lexical.save(folder / "lexical")
            if matrix is not None:
                np.save(folder / "sentences.npy", matrix)
        return cls(db, lexical, matrix)

    @classmethod
    def open(cls, folder: Path) -> Catalogue:
        """The catalogue written in ``folder``; raises if it is missing or damaged."""
        path = folder / "catalogue.sqlite"
        if not path.is_file():
            raise FileNotFoundError(path)
        db = _connect(path, read_only=True)
        (chunks,) = db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        lexical = LexicalIndex.load(folder / "lexical")
        if lexical.size != chunks:
            raise ValueError(f"the lexical index in {folder} covers {lexical.size} chunks, the catalogue {chunks}")
        matrix = None
        if (folder / "sentences.npy").is_file():
            matrix = np.load(folder / "sentences.npy", mmap_mode="r")
            (owners,) = db.execute("SELECT COUNT(*) FROM owners").fetchone()
            if matrix.ndim != 2 or matrix.shape[0] != owners:
                raise ValueError(f"the sentence vectors in {folder} are {matrix.shape}, for {owners} sentences")
        return cls(db, lexical, matrix)

    # -- reading --------------------------------------------------------------------------

    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def documents(self) -> list[tuple[DocumentMeta, str]]:
        """Every document's metadata and copy-group root, in document order."""
        return list(zip(self._metas, self._roots, strict=True))

    def chunk_documents(self) -> list[int]:
        """The document number (0-based, in :meth:`documents` order) of every chunk, by position."""
        return [doc - 1 for (doc,) in self._rows("SELECT doc FROM chunks ORDER BY pos")]

    def chunk_ids(self, positions: Iterable[int]) -> list[str]:
        """Chunk ids at these positions (0-based), in the same order."""
        wanted = [p + 1 for p in positions]
        found = dict(self._rows(f"SELECT pos, id FROM chunks WHERE pos IN ({','.join('?' * len(wanted))})", wanted))
        return [found[p] for p in wanted]

    def _chunk(self, chunk_id: str) -> Chunk | None:
        rows = self._rows(_CHUNK + " WHERE id = ?", [chunk_id])
        return _chunk_from_row(rows[0], self._metas) if rows else None

    def _chunks_of(self, source_id: str) -> list[Chunk]:
        rows = self._rows(_CHUNK + " WHERE doc = ? ORDER BY idx", [self._doc_of.get(source_id, 0)])
        return [_chunk_from_row(r, self._metas) for r in rows]

    def iter_chunks(self, batch: int = 2000) -> Iterator[Chunk]:
        """Every chunk, by document and position, read a batch at a time."""
        last = 0
        while rows := self._rows(_CHUNK + " WHERE pos > ? ORDER BY pos LIMIT ?", [last, batch]):
            yield from (_chunk_from_row(r, self._metas) for r in rows)
            last = rows[-1][-1]

    def _chunk_stems(self, chunk_id: str) -> frozenset[str]:
        sql = "SELECT s.stems FROM chunk_stems s JOIN chunks c ON c.pos = s.pos WHERE c.id = ?"
        return frozenset(" ".join(r[0] for r in self._rows(sql, [chunk_id])).split())

    def _document_stems(self, source_id: str) -> frozenset[str]:
        rows = self._rows("SELECT stems FROM document_stems WHERE doc = ?", [self._doc_of.get(source_id, 0)])
        return frozenset(" ".join(r[0] for r in rows).split())

    def owner(self, sid: str) -> str | None:
        """The chunk that carries the quotable sentence ``sid`` first, if it is indexed."""
        rows = self._rows("SELECT chunk FROM owners WHERE sid = ?", [sid])
        return rows[0][0] if rows else None

    def _sentences(self, source_id: str) -> dict[int, tuple[Span, str]]:
        out: dict[int, tuple[Span, str]] = {}
        for chunk in self.chunks_of(source_id):
            _add_sentences(out, chunk)
        return out

    def holders(self, key: str) -> set[str]:
        """Documents carrying the sentence with this key."""
        return {s for (s,) in self._rows("SELECT source_id FROM holders WHERE key = ?", [key])}

    def origins(self, shingle: tuple[str, ...]) -> set[str]:
        """Documents whose sentences hold this quoted run of words."""
        return {s for (s,) in self._rows("SELECT source_id FROM origins WHERE shingle = ?", [" ".join(shingle)])}


class SentenceMatrix:
    """The stored sentence vectors of an index small enough to search exactly, one row per sentence id.

    Exact search finds every nearest sentence, where an approximate graph can miss some; it also
    answers vector lookups without a round trip to the store.
    """

    def __init__(self, catalogue: Catalogue, vectors: np.ndarray) -> None:
        rows = catalogue._rows("SELECT o.sid, c.doc FROM owners o JOIN chunks c ON c.id = o.chunk ORDER BY o.sid")
        self.ids = [sid for sid, _ in rows]
        self._row = {sid: i for i, sid in enumerate(self.ids)}
        self.documents = np.asarray([doc - 1 for _, doc in rows], dtype=np.int32)
        """The document number of each row, as :meth:`Catalogue.chunk_documents` numbers them."""
        self.vectors = vectors
        self._stored = np.any(vectors != 0, axis=1)  # a sentence the store had no vector for never matches

    def search(self, vector: np.ndarray, k: int, documents: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The ``k`` sentences nearest ``vector`` by cosine (vectors are unit length); ``documents`` masks
        document numbers."""
        allowed = self._stored if documents is None else self._stored & documents[self.documents]
        sims = np.where(allowed, self.vectors @ np.asarray(vector, dtype=np.float32), -np.inf)
        k = min(k, int(allowed.sum()))
        if k <= 0:
            return []
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.lexsort((top, -sims[top]))]
        return [(self.ids[i], float(sims[i])) for i in top]

    def get(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these sentence ids (ids without one are left out)."""
        rows = [(sid, r) for sid in ids if (r := self._row.get(sid)) is not None and self._stored[r]]
        return {sid: np.array(self.vectors[r], dtype=np.float32) for sid, r in rows}


def _copy_vectors(db: sqlite3.Connection, vectors: VectorSource) -> np.ndarray | None:
    """Every owned sentence's stored vector, in sentence-id order (zeros where the store has none)."""
    ids = [sid for (sid,) in db.execute("SELECT sid FROM owners ORDER BY sid")]
    matrix: np.ndarray | None = None
    for start in range(0, len(ids), 4096):
        found = vectors(ids[start : start + 4096])
        for offset, sid in enumerate(ids[start : start + 4096]):
            if (v := found.get(sid)) is not None:
                if matrix is None:
                    matrix = np.zeros((len(ids), len(v)), dtype=np.float32)
                matrix[start + offset] = v
    return matrix


def about_stems(meta: DocumentMeta) -> set[str]:
    """Stems of a document's title, outlet and author: what its passages are about besides their words."""
    return set(content_stems(" ".join(filter(None, [meta.title, meta.outlet, meta.author]))))


_CHUNK = "SELECT id, doc, idx, text, spans, pos FROM chunks"


def _chunk_from_row(row: tuple[Any, ...], metas: list[DocumentMeta]) -> Chunk:
    cid, doc, idx, text, spans, _ = row
    return Chunk(
        id=cid,
        meta=metas[doc - 1],
        index=idx,
        text=text,
        spans=[Span(start=s, end=e, kind=k) for s, e, k in json.loads(spans)],
    )


def _connect(path: Path | None, read_only: bool = False) -> sqlite3.Connection:
    if path is None:
        return sqlite3.connect(":memory:", check_same_thread=False)
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("PRAGMA journal_mode = OFF")  # a half-built catalogue is thrown away, never repaired
    db.execute("PRAGMA synchronous = OFF")
    return db


def _stage(db: sqlite3.Connection, chunks: Iterable[Chunk]) -> None:
    """Store documents and chunks, chunks numbered by document and position (the BM25 order)."""
    db.execute("CREATE TEMP TABLE staged(id TEXT, source_id TEXT, idx INTEGER, text TEXT, spans TEXT, meta TEXT)")
    db.executemany(
        "INSERT INTO staged VALUES (?, ?, ?, ?, ?, ?)",
        (
            (c.id, c.meta.source_id, c.index, c.text, json.dumps([[s.start, s.end, s.kind] for s in c.spans]),
             c.meta.model_dump_json())
            for c in chunks
        ),
    )  # fmt: skip
    db.execute("INSERT INTO documents(source_id, meta) SELECT source_id, MIN(meta) FROM staged GROUP BY source_id")
    db.execute(
        "INSERT INTO chunks(id, doc, idx, text, spans) SELECT s.id, d.doc, s.idx, s.text, s.spans "
        "FROM staged s JOIN documents d USING (source_id) ORDER BY s.source_id, s.idx"
    )
    db.execute("DROP TABLE staged")


def _fill(db: sqlite3.Connection) -> LexicalIndex:
    """Fill the sentence tables and the copy-group roots; return the lexical index over the chunks."""
    metas = [DocumentMeta.model_validate_json(m) for (m,) in db.execute("SELECT meta FROM documents ORDER BY doc")]
    builder = LexicalBuilder()
    sizes: dict[str, int] = {}
    quoting: set[str] = set()
    for source_id, sentences in _documents(db, metas, builder):
        keys = holder_keys(sentences.values())
        sizes[source_id] = len(keys)
        db.executemany("INSERT OR IGNORE INTO holders VALUES (?, ?)", ((k, source_id) for k in keys))
        for _, text in sentences.values():
            quoting.update(" ".join(s) for s in quoted_shingles(text))
    roots = copy_groups(sizes, db.execute(_SHARED_PAIRS).fetchall())
    db.executemany("UPDATE documents SET root = ? WHERE source_id = ?", ((r, s) for s, r in roots.items()))
    if quoting:
        for source_id, sentences in _documents(db, metas, None):
            found = {" ".join(s) for _, text in sentences.values() for s in shingles(text)} & quoting
            db.executemany("INSERT OR IGNORE INTO origins VALUES (?, ?)", ((s, source_id) for s in found))
    return builder.build()


def _documents(
    db: sqlite3.Connection, metas: list[DocumentMeta], builder: LexicalBuilder | None
) -> Iterator[tuple[str, dict[int, tuple[Span, str]]]]:
    """Each document's sentences by start, reading chunks in position order.

    With a ``builder`` (the counting pass), chunks are counted for BM25 and their stems, their
    document's stems and the sentences' owners are kept.
    """
    current: str | None = None
    doc = 0
    sentences: dict[int, tuple[Span, str]] = {}
    stems: set[str] = set()
    rows = db.execute(_CHUNK + " ORDER BY pos")
    while batch := rows.fetchmany(2000):
        owners, chunk_stems = [], []
        for row in batch:
            chunk = _chunk_from_row(row, metas)
            if chunk.meta.source_id != current:
                if current is not None:
                    _document_done(db, builder, doc, stems)
                    yield current, sentences
                current, doc, sentences, stems = chunk.meta.source_id, row[1], {}, about_stems(chunk.meta)
            _add_sentences(sentences, chunk)
            if builder is not None:
                own = set(builder.add(chunk.text))
                chunk_stems.append((row[-1], " ".join(sorted(own))))
                stems |= own
                owners += [(sentence_id(chunk.meta.source_id, s), chunk.id) for s in chunk.spans if s.quotable]
        if builder is not None:
            db.executemany("INSERT OR IGNORE INTO owners VALUES (?, ?)", owners)
            db.executemany("INSERT INTO chunk_stems VALUES (?, ?)", chunk_stems)
    if current is not None:
        _document_done(db, builder, doc, stems)
        yield current, sentences


def _add_sentences(sentences: dict[int, tuple[Span, str]], chunk: Chunk) -> None:
    """Add a chunk's spans to its document's sentences by start; the first chunk carrying one keeps it."""
    for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
        sentences.setdefault(span.start, (span, text))


def _document_done(db: sqlite3.Connection, builder: LexicalBuilder | None, doc: int, stems: set[str]) -> None:
    """Keep a document's stems, its metadata's among them (on the counting pass)."""
    if builder is not None:
        db.execute("INSERT INTO document_stems VALUES (?, ?)", (doc, " ".join(sorted(stems))))
