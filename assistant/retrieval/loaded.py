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

    def __init__(self, storage: SourceStorage) -> None:
        self.storage = storage
        """Where the vectors live (chunk and sentence search, stored sentence vectors)."""
        self.refresh()

    def refresh(self) -> None:
        """Load the chunk catalogue and build BM25 and the lookups (again, after the index changed)."""
        chunks = sorted(self.storage.load_chunks(), key=lambda c: (c.meta.source_id, c.index))
        self.lexical = LexicalIndex(chunks)
        self.by_id = {c.id: c for c in chunks}
        self.documents: dict[str, DocumentMeta] = {}
        """Metadata of every indexed document, by source id."""
        for c in chunks:
            self.documents.setdefault(c.meta.source_id, c.meta)
        self.sources = SourceCatalog(chunks, self.documents)
        """Copies, repeats and speakers of the indexed documents."""
        self.chunks_of: dict[str, list[Chunk]] = {}
        for c in chunks:
            self.chunks_of.setdefault(c.meta.source_id, []).append(c)
        self.official_names = sorted(
            {m.outlet for m in self.documents.values() if m.outlet and m.kind in VOICE_KINDS["official"]}
        )
        """Outlets of the official sources: a question naming one asks for the official voice."""
        self.authors = sorted({m.author for m in self.documents.values() if m.author})
        """Authors of the documents: a question naming one may be answered from the author's bio."""
        outlets = {m.outlet for m in self.documents.values() if m.outlet}
        self.source_names = [set(content_stems(name)) for name in sorted(outlets | set(self.authors))]
        self._chunk_stems = {c.id: set(content_stems(c.text)) for c in chunks}
        self.chunk_of_sentence: dict[str, str] = {}
        for c in chunks:
            for span in c.spans:
                if span.quotable:
                    self.chunk_of_sentence.setdefault(sentence_id(c.meta.source_id, span), c.id)
        # What a passage is about: its own words plus its document's title, outlet and author.
        self._about = {
            c.meta.source_id: set(content_stems(" ".join(filter(None, [c.meta.title, c.meta.outlet, c.meta.author]))))
            for c in chunks
        }
        self._document_stems: dict[str, set[str]] = {}
        for c in chunks:
            self._document_stems.setdefault(c.meta.source_id, set(self._about[c.meta.source_id])).update(
                self._chunk_stems[c.id]
            )

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
