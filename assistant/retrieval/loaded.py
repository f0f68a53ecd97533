"""The index as loaded for answering: every chunk, the documents, BM25, the sources catalogue and the
lookups built from them. One per assistant; retrieval, answering, the briefing and the API read it,
and :meth:`LoadedIndex.refresh` reloads it after an ingest."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.question import Question, dates_in
from assistant.backends.store import SourceStorage, sentence_id
from assistant.provenance.sources import SourceCatalog
from assistant.retrieval.lexical import LexicalIndex, Term, content_stems
from assistant.types import VOICE_KINDS, Chunk, DocumentMeta, Evidence, Filters


class LoadedIndex:
    """What is indexed, in memory: chunks, documents, BM25, copies and speakers, and stem lookups."""

    lexical: LexicalIndex
    by_id: dict[str, Chunk]
    documents: dict[str, DocumentMeta]
    """Metadata of every indexed document, by source id."""
    sources: SourceCatalog
    """Copies, repeats and speakers of the indexed documents."""
    chunks_of: dict[str, list[Chunk]]
    official_names: list[str]
    """Outlets of the official sources: a question naming one asks for the official voice."""
    authors: list[str]
    """Authors of the documents: a question naming one may be answered from the author's bio."""
    source_names: list[set[str]]
    chunk_of_sentence: dict[str, str]
    _chunk_stems: dict[str, set[str]]
    _about: dict[str, set[str]]
    _document_stems: dict[str, set[str]]

    def __init__(self, storage: SourceStorage) -> None:
        self.storage = storage
        """Where the vectors live (chunk and sentence search, stored sentence vectors)."""
        self.refresh()

    def refresh(self) -> None:
        """Load the chunk catalogue and build BM25 and the lookups (again, after the index changed).

        Everything is built first and swapped in at the end, so answers running meanwhile read
        the previous catalogue, whole.
        """
        chunks = sorted(self.storage.load_chunks(), key=lambda c: (c.meta.source_id, c.index))
        self.__dict__.update(_catalogue(chunks))

    @property
    def chunks(self) -> list[Chunk]:
        """Every indexed chunk."""
        return self.lexical.chunks

    def about(self, source_id: str) -> set[str]:
        """Stems of a document's title, outlet and author: what its passages are about besides their words."""
        return self._about[source_id]

    def chunk_stems(self, chunk_id: str) -> set[str]:
        """Content stems of one chunk."""
        return self._chunk_stems[chunk_id]

    def document_stems(self, source_id: str) -> set[str]:
        """Content stems of a whole document, its metadata included."""
        return self._document_stems[source_id]

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
        stems = [s for source, s in self._document_stems.items() if filters.matches(self.documents[source])]
        return sum(all(not self.lexical.matched(t, d) for d in stems) for t in terms) / len(terms)

    def document_sentences(self, source_id: str) -> list[Evidence]:
        """A document's story sentences (no headings, credits or bio), unscored, in reading order."""
        seen: set[int] = set()
        out: list[Evidence] = []
        for chunk in self.chunks_of.get(source_id, []):
            for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
                if span.story and span.start not in seen:
                    seen.add(span.start)
                    out.append(Evidence(meta=chunk.meta, span=span, text=text, chunk_id=chunk.id))
        return sorted(out, key=lambda e: e.span.start)

    def sentence(self, sid: str) -> Evidence | None:
        """The stored sentence with id ``sid`` (unscored), or None when it is not indexed."""
        chunk = self.by_id.get(self.chunk_of_sentence.get(sid, ""))
        if chunk is None:
            return None
        start = int(sid.rsplit("::", 1)[1])
        for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
            if span.start == start:
                return Evidence(meta=chunk.meta, span=span, text=text, chunk_id=chunk.id)
        return None


def _catalogue(chunks: list[Chunk]) -> dict[str, object]:
    """Every lookup of a :class:`LoadedIndex` over ``chunks``, by attribute name."""
    documents: dict[str, DocumentMeta] = {}
    chunks_of: dict[str, list[Chunk]] = {}
    chunk_of_sentence: dict[str, str] = {}
    for c in chunks:
        documents.setdefault(c.meta.source_id, c.meta)
        chunks_of.setdefault(c.meta.source_id, []).append(c)
        for span in c.spans:
            if span.quotable:
                chunk_of_sentence.setdefault(sentence_id(c.meta.source_id, span), c.id)
    authors = sorted({m.author for m in documents.values() if m.author})
    outlets = {m.outlet for m in documents.values() if m.outlet}
    chunk_stems = {c.id: set(content_stems(c.text)) for c in chunks}
    # What a passage is about: its own words plus its document's title, outlet and author.
    about = {
        c.meta.source_id: set(content_stems(" ".join(filter(None, [c.meta.title, c.meta.outlet, c.meta.author]))))
        for c in chunks
    }
    document_stems: dict[str, set[str]] = {}
    for c in chunks:
        document_stems.setdefault(c.meta.source_id, set(about[c.meta.source_id])).update(chunk_stems[c.id])
    return {
        "lexical": LexicalIndex(chunks),
        "by_id": {c.id: c for c in chunks},
        "documents": documents,
        "sources": SourceCatalog(chunks, documents),
        "chunks_of": chunks_of,
        "official_names": sorted(
            {m.outlet for m in documents.values() if m.outlet and m.kind in VOICE_KINDS["official"]}
        ),
        "authors": authors,
        "source_names": [set(content_stems(name)) for name in sorted(outlets | set(authors))],
        "chunk_of_sentence": chunk_of_sentence,
        "_chunk_stems": chunk_stems,
        "_about": about,
        "_document_stems": document_stems,
    }
