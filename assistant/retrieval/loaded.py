"""The index as opened for answering: the documents, BM25, the sources catalogue and the lookups
built from them, with chunks read on demand. One per assistant; retrieval, answering, the briefing
and the API read it, and :meth:`LoadedIndex.refresh` reopens it after an ingest."""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from assistant.answer.question import Question, dates_in
from assistant.backends.store import SourceStorage
from assistant.provenance.sources import SourceCatalog
from assistant.retrieval.catalogue import VERSION, Catalogue, about_stems
from assistant.retrieval.lexical import LexicalIndex, Term, content_stems
from assistant.types import VOICE_KINDS, Chunk, DocumentMeta, Evidence, Filters

log = logging.getLogger(__name__)


class LoadedIndex:
    """What is indexed, for answering: documents, BM25, copies and speakers, with chunks read on demand.

    The catalogue behind it is worked out once per index generation and kept in ``folder``
    (in memory without one), so a start reads documents and vocabulary, not every chunk.
    """

    documents: dict[str, DocumentMeta]
    """Metadata of every indexed document, by source id."""
    sources: SourceCatalog
    """Copies, repeats and speakers of the indexed documents."""
    official_names: list[str]
    """Outlets of the official sources: a question naming one asks for the official voice."""
    authors: list[str]
    """Authors of the documents: a question naming one may be answered from the author's bio."""
    source_names: list[set[str]]
    _catalogue: Catalogue
    _about: dict[str, set[str]]
    _chunk_documents: np.ndarray
    _order: list[str]

    def __init__(self, storage: SourceStorage, folder: Path | None = None, exact_sentences: int = 0) -> None:
        self.storage = storage
        """Where the vectors live (chunk and sentence search, stored sentence vectors)."""
        self.folder = folder
        """Where catalogues are kept, one sub-folder per index generation; None keeps it in memory."""
        self.exact_sentences = exact_sentences
        """Up to this many stored sentences, the catalogue keeps their vectors and searches them exactly."""
        self.refresh()

    def refresh(self) -> None:
        """Open the catalogue of the store's current generation, working it out first if it is missing
        or damaged (again, after the index changed).

        Everything is opened first and swapped in at the end, so answers running meanwhile read
        the previous catalogue, whole.
        """
        self.__dict__.update(_lookups(self._open()))

    def _open(self) -> Catalogue:
        if self.folder is None:
            return self._build(None)
        target = self.folder / self._folder_name()
        try:
            return Catalogue.open(target)
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001 - sqlite3, JSON and numpy each raise their own on a damaged file
            log.warning("the catalogue in %s is damaged (%s); working it out again", target, exc)
            shutil.rmtree(target, ignore_errors=True)
        building = self.folder / f".building-{uuid.uuid4().hex}"
        try:
            built = self._build(building)
        except OSError as exc:  # a full or unwritable folder: answer from a catalogue held in memory
            log.warning("cannot keep the catalogue in %s (%s); holding it in memory", self.folder, exc)
            shutil.rmtree(building, ignore_errors=True)
            return self._build(None)
        # Renaming onto a folder that exists fails: another process that worked out the same
        # generation first wins, and both then read the same files.
        with contextlib.suppress(OSError):
            building.rename(target)
        shutil.rmtree(building, ignore_errors=True)
        for old in self.folder.iterdir():  # a process still reading an old one keeps its open files
            if old != target and (not old.name.startswith(".") or time.time() - old.stat().st_mtime > 3600):
                shutil.rmtree(old, ignore_errors=True)  # a half-built one an hour old was left by a crash
        try:
            return Catalogue.open(target)  # memory-mapped, where the one just built holds BM25 in memory
        except Exception:  # noqa: BLE001 - whatever happened to the shared copy, ours is whole
            return built

    def _build(self, folder: Path | None) -> Catalogue:
        return Catalogue.build(self.storage.iter_chunks(), folder, self.storage.sentence_vectors, self.exact_sentences)

    def _folder_name(self) -> str:
        """The catalogue folder of the store's current generation."""
        generation = self.storage.generation() or "new"
        return f"v{VERSION}-{generation}-{self.storage.count()}-e{self.exact_sentences}"

    @property
    def lexical(self) -> LexicalIndex:
        """BM25 and term counts over the chunks."""
        return self._catalogue.lexical

    @property
    def chunk_count(self) -> int:
        """How many chunks are indexed."""
        return self.lexical.size

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The indexed chunk with this id, or None."""
        return self._catalogue.chunk(chunk_id)

    def chunk_ids(self, positions: Sequence[int]) -> list[str]:
        """Ids of the chunks at these lexical-index positions."""
        return self._catalogue.chunk_ids(positions)

    def chunks_of(self, source_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        return self._catalogue.chunks_of(source_id)

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every chunk, by document and position, read a batch at a time."""
        return self._catalogue.iter_chunks()

    def owner(self, sid: str) -> str | None:
        """The chunk carrying the stored sentence ``sid``, or None when it is not indexed."""
        return self._catalogue.owner(sid)

    def nearest_sentences(self, vector: np.ndarray, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        """The ``k`` stored sentences nearest ``vector`` (id, cosine): exact where the catalogue keeps
        the vectors, else the store's approximate search."""
        matrix = self._catalogue.sentences_matrix
        if matrix is None:
            return self.storage.retrieve_sentences(vector, k, filters)
        return matrix.search(vector, k, self._passing(filters))

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these sentence ids, from the catalogue's copy where it keeps one."""
        matrix = self._catalogue.sentences_matrix
        return matrix.get(ids) if matrix is not None else self.storage.sentence_vectors(ids)

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Which chunk positions pass ``filters`` (None: all of them)."""
        passing = self._passing(filters)
        return None if passing is None else passing[self._chunk_documents]

    def _passing(self, filters: Filters | None) -> np.ndarray | None:
        """Which documents (by number) pass ``filters`` (None: all of them)."""
        if filters is None or filters.empty:
            return None
        passing = (filters.matches(self.documents[s]) for s in self._order)
        return np.fromiter(passing, dtype=bool, count=len(self._order))

    def about(self, source_id: str) -> set[str]:
        """Stems of a document's title, outlet and author: what its passages are about besides their words."""
        return self._about[source_id]

    def chunk_stems(self, chunk_id: str) -> frozenset[str]:
        """Content stems of one chunk."""
        return self._catalogue.chunk_stems(chunk_id)

    def document_stems(self, source_id: str) -> frozenset[str]:
        """Content stems of a whole document, its metadata included."""
        return self._catalogue.document_stems(source_id)

    def document_named(self, question: Question) -> str | None:
        """The document a question names by its title, outlet, author or date, if one clearly stands out."""
        weigh = self.lexical.weigh([t for t in question.terms if not t.temporal])
        days = {f"{y}-{m:02d}-{d:02d}" for y, m, d in dates_in(question.text)}
        scored = sorted(
            ((weigh(self._about[s]) + 0.5 * ((meta.date or "") in days), s) for s, meta in self.documents.items()),
            reverse=True,
        )
        if not scored or scored[0][0] < 0.5 or (len(scored) > 1 and scored[1][0] >= scored[0][0]):
            return None
        return scored[0][1]

    def absent_names(self, terms: Sequence[Term], filters: Filters) -> float:
        """Share of ``terms`` no document passing ``filters`` uses (with filters, those documents are the corpus)."""
        if not terms:
            return 0.0
        mask = self._passing(filters)
        allowed = None if mask is None else mask[self._chunk_documents]
        passing = self._order if mask is None else [s for s, ok in zip(self._order, mask, strict=True) if ok]

        def used(term: Term) -> bool:
            if any(self.lexical.matched(term, self._about[s]) for s in passing):
                return True
            scores = self.lexical.scores(self.lexical.variants(term.stem))
            return scores is not None and bool(np.any(scores > 0 if allowed is None else (scores > 0) & allowed))

        return sum(not used(t) for t in terms) / len(terms)

    def document_sentences(self, source_id: str) -> list[Evidence]:
        """A document's story sentences (no headings, credits or bio), unscored, in reading order."""
        seen: set[int] = set()
        out: list[Evidence] = []
        for chunk in self.chunks_of(source_id):
            for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
                if span.story and span.start not in seen:
                    seen.add(span.start)
                    out.append(Evidence(meta=chunk.meta, span=span, text=text, chunk_id=chunk.id))
        return sorted(out, key=lambda e: e.span.start)

    def sentence(self, sid: str) -> Evidence | None:
        """The stored sentence with id ``sid`` (unscored), or None when it is not indexed."""
        chunk = self.chunk(self.owner(sid) or "")
        if chunk is None:
            return None
        start = int(sid.rsplit("::", 1)[1])
        for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
            if span.start == start:
                return Evidence(meta=chunk.meta, span=span, text=text, chunk_id=chunk.id)
        return None


def _lookups(catalogue: Catalogue) -> dict[str, object]:
    """Every in-memory lookup of a :class:`LoadedIndex` over ``catalogue``, by attribute name."""
    rows = catalogue.documents()
    documents = {meta.source_id: meta for meta, _ in rows}
    authors = sorted({m.author for m in documents.values() if m.author})
    outlets = {m.outlet for m in documents.values() if m.outlet}
    # What a passage is about: its own words plus its document's title, outlet and author.
    about = {s: about_stems(m) for s, m in documents.items()}
    group_of = {meta.source_id: root or meta.source_id for meta, root in rows}
    return {
        "_catalogue": catalogue,
        "_order": list(documents),
        "_chunk_documents": np.asarray(catalogue.chunk_documents(), dtype=np.int32),
        "documents": documents,
        "sources": SourceCatalog(documents, group_of, catalogue),
        "official_names": sorted(
            {m.outlet for m in documents.values() if m.outlet and m.kind in VOICE_KINDS["official"]}
        ),
        "authors": authors,
        "source_names": [set(content_stems(name)) for name in sorted(outlets | set(authors))],
        "_about": about,
    }
