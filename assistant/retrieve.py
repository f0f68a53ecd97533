"""Retrieve: hybrid dense + BM25 search over chunks, then sentence-level evidence.

Dense hits come from the :class:`~assistant.store.SourceStorage`, lexical hits from
BM25 (:mod:`assistant.lexical`); the two rankings are fused with reciprocal rank
fusion. Inside the best chunks every quotable sentence is scored against the question
by its own embedding and by its share of the question's key terms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embed import Embedder, QueryBatcher, Vectors
from assistant.lexical import LexicalIndex, Term, content_stems, key_terms, stem_set
from assistant.settings import RetrievalSettings
from assistant.sources import SourceCatalog
from assistant.store import SourceStorage, sentence_id
from assistant.types import Chunk, DocumentMeta, Evidence, Filters, Passage

LEXICAL_SEATS = 2
"""Best BM25 chunks that join the passages whatever their fused rank (exact names, numbers)."""
CAPTION_WEIGHT = 0.85
"""Captions describe pictures; prefer running text when both answer."""


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), best first."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def diversify(ranked: Sequence[tuple[str, float]], k: int, source_of: Callable[[str], str]) -> list[tuple[str, float]]:
    """The top ``k``, plus the best hit of each further document among the candidates (at most k // 2 more).

    A document that is never first in either ranking can still hold the sentence that
    answers the question (a statement's reasons, a critic's reply), so it gets a seat.
    """
    top = list(ranked[:k])
    sources = {source_of(c) for c, _ in top}
    for cid, score in ranked[k:]:
        if len(top) >= k + k // 2:
            break
        if source_of(cid) not in sources:
            sources.add(source_of(cid))
            top.append((cid, score))
    return top


class HybridSearcher:
    """Dense + lexical retrieval over one storage, and sentence scoring inside the hits."""

    def __init__(self, storage: SourceStorage, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.storage = storage
        self.embedder = embedder
        self.queries = QueryBatcher(embedder)
        self.settings = settings
        self.refresh()

    def refresh(self) -> None:
        """Reload the chunk catalogue and rebuild BM25 after the index changed."""
        chunks = sorted(self.storage.load_chunks(), key=lambda c: (c.meta.source_id, c.index))
        self.lexical = LexicalIndex(chunks)
        self._by_id = {c.id: c for c in chunks}
        self.documents: dict[str, DocumentMeta] = {}
        """Metadata of every indexed document, by source id."""
        for c in chunks:
            self.documents.setdefault(c.meta.source_id, c.meta)
        self.sources = SourceCatalog(chunks, self.documents)
        """Copies, repeats and speakers of the indexed documents."""
        self._chunk_stems = {c.id: set(content_stems(c.text)) for c in chunks}
        self._chunk_of_sentence: dict[str, str] = {}
        for c in chunks:
            for span in c.spans:
                if span.quotable:
                    self._chunk_of_sentence.setdefault(sentence_id(c.meta.source_id, span), c.id)
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

    def embed_query(self, query: str) -> Vectors:
        """The query's unit vector."""
        return self.queries.embed_query(query)

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None, vector: Vectors | None = None
    ) -> list[Passage]:
        """The ``k`` best chunks for ``query`` by fused dense and BM25 rank."""
        k = k or self.settings.k
        n = max(self.settings.candidates, k)
        vector = self.embed_query(query) if vector is None else vector
        lexical = [(self.chunks[i].id, s) for i, s in self.lexical.search(query, n, filters)]
        dense = self._dense(vector, n, filters)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in lexical]], self.settings.rrf_k)
        picked = diversify(fused, k, lambda cid: self._by_id[cid].meta.source_id)
        # Lexical hits can be missed by fusion when dense retrieval disagrees; keep the very best.
        chosen = {c for c, _ in picked}
        scores = dict(fused)
        picked += [(c, scores[c]) for c, _ in lexical[:LEXICAL_SEATS] if c not in chosen]
        return [
            Passage(
                chunk=self._by_id[cid],
                rank=rank,
                score=score,
                dense=dense_scores.get(cid),
                lexical=lexical_scores.get(cid),
            )
            for rank, (cid, score) in enumerate(picked)
        ]

    def _dense(self, vector: Vectors, n: int, filters: Filters | None) -> list[tuple[str, float]]:
        """Chunks ranked by the better of their own cosine and their best sentence's.

        Sentence hits find a chunk whose one relevant sentence is diluted by the rest.
        """
        best = dict(self.storage.retrieve(vector, n, filters))
        for sid, sim in self.storage.retrieve_sentences(vector, n, filters):
            owner = self._chunk_of_sentence.get(sid)
            if owner is not None and sim > best.get(owner, -1.0):
                best[owner] = sim
        return sorted(((c, s) for c, s in best.items() if c in self._by_id), key=lambda kv: (-kv[1], kv[0]))

    def evidence(self, terms: Sequence[Term], vector: Vectors, passages: Sequence[Passage]) -> list[Evidence]:
        """Every quotable sentence of the passages, scored against the question, best first."""
        seen: set[tuple[str, int]] = set()
        candidates: list[tuple[Passage, int, str]] = []
        for passage in passages:
            texts = passage.chunk.span_texts()
            for i, span in enumerate(passage.chunk.spans):
                key = (passage.chunk.meta.source_id, span.start)
                if span.quotable and key not in seen:
                    seen.add(key)
                    candidates.append((passage, i, texts[i]))
        ids = [sentence_id(p.chunk.meta.source_id, p.chunk.spans[i]) for p, i, _ in candidates]
        vectors = self.storage.sentence_vectors(ids)
        terms = [t for t in terms if not t.temporal]
        entities = [t for t in terms if t.entity]
        predicates = [t for t in terms if not t.entity]
        in_passage = {
            p.chunk.id: all(
                self.lexical.matched(t, self._chunk_stems[p.chunk.id] | self._about[p.chunk.meta.source_id])
                for t in entities
            )
            for p, _, _ in candidates
        }
        in_document = {
            source: all(self.lexical.matched(t, self._document_stems[source]) for t in entities)
            for source in {p.chunk.meta.source_id for p, _, _ in candidates}
        }
        all_terms, predicate_terms = self.lexical.weigh(terms), self.lexical.weigh(predicates)
        out: list[Evidence] = []
        for (passage, i, text), sid in zip(candidates, ids, strict=True):
            chunk, span = passage.chunk, passage.chunk.spans[i]
            context = self._chunk_stems.get(chunk.id, set())
            dense = float(np.dot(vectors[sid], vector)) if sid in vectors else 0.0
            stems = stem_set(text)
            coverage = all_terms(stems)
            score = 0.6 * dense + 0.4 * coverage + 0.05 / (1 + passage.rank)
            if span.kind == "caption":
                score *= CAPTION_WEIGHT
            out.append(
                Evidence(
                    meta=chunk.meta,
                    span=span,
                    text=text,
                    chunk_id=chunk.id,
                    score=score,
                    dense=dense,
                    coverage=coverage,
                    context_coverage=all_terms(context),
                    predicate_coverage=predicate_terms(context | stems) if predicates else 1.0,
                    sentence_predicate_coverage=predicate_terms(stems) if predicates else 1.0,
                    entities_in_passage=in_passage[chunk.id],
                    entities_in_document=in_document[chunk.meta.source_id],
                )
            )
        return sorted(out, key=lambda e: -e.score)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search: chunks as ``Document`` objects.

    Metadata carries the source, the chunk's offsets in the original file and the
    fusion scores, so LangChain users can compose it in their own chains.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        passages = self.searcher.search(query, k=self.k, filters=self.filters)
        return [passage_to_document(p) for p in passages]


def passage_to_document(passage: Passage) -> LCDocument:
    """A retrieved passage as a LangChain document."""
    chunk = passage.chunk
    return LCDocument(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            **chunk.meta.model_dump(exclude_none=True),
            "chunk_id": chunk.id,
            "start": chunk.start,
            "end": chunk.end,
            "rank": passage.rank,
            "score": passage.score,
            "dense": passage.dense,
            "lexical": passage.lexical,
        },
    )


__all__ = ["HybridRetriever", "HybridSearcher", "key_terms", "reciprocal_rank_fusion"]
