"""Retrieve: hybrid dense + BM25 search over chunks, then sentence-level evidence.

Dense hits come from the :class:`~assistant.backends.store.SourceStorage`, lexical hits from
BM25 (:mod:`assistant.retrieval.lexical`); the two rankings are fused with reciprocal rank
fusion. Inside the best chunks every quotable sentence is scored against the question
by its own embedding and by its share of the question's key terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answer.question import Question
from assistant.backends.embed import Embedder, QueryBatcher, Vectors
from assistant.backends.store import sentence_id
from assistant.retrieval.lexical import content_stems, stem
from assistant.retrieval.loaded import LoadedIndex
from assistant.retrieval.signals import Signals
from assistant.settings import RetrievalSettings
from assistant.types import Evidence, Filters, Passage

LEXICAL_SEATS = 2
"""Best BM25 chunks that join the passages whatever their fused rank (exact names, numbers)."""
DENSE_SEATS = 8
"""Best dense chunks (by their best sentence) that join the passages whatever their fused rank."""


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

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.index = index
        self.storage = index.storage
        self.embedder = embedder
        self.queries = QueryBatcher(embedder)
        self.settings = settings

    def topic_of(self, query: str) -> str:
        """The query without the full names of outlets and authors it mentions ("What did <outlet> say about X?").

        Those names say where to look, not what about; left in, they pull the query's vector
        towards everything the source wrote. Only a whole name counts (a corpus about an
        organisation that publishes statements keeps the organisation's name in the query).
        Returns the query unchanged when little would be left.
        """
        stems = set(content_stems(query))
        named = set().union(*(name for name in self.index.source_names if name and name <= stems))
        if not named:
            return query
        topic = "".join(w for w in re.split(r"(\W+)", query) if not (w.isalnum() and stem(w) in named))
        return topic if len(content_stems(topic)) >= 2 else query

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
        found = self.index.lexical.search(query, n, self.index.allowed(filters))
        lexical = list(zip(self.index.chunk_ids([i for i, _ in found]), [s for _, s in found], strict=True))
        dense = self._dense(vector, n, filters)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in lexical]], self.settings.rrf_k)
        picked = diversify(fused, k, lambda cid: cid.rsplit("#", 1)[0])
        # Each ranking's best hits join even when fusion disagrees: exact names and numbers
        # (lexical), and a sentence that answers in other words (dense).
        scores = dict(fused)
        for c in [c for c, _ in lexical[:LEXICAL_SEATS]] + [c for c, _ in dense[:DENSE_SEATS]]:
            if c not in {p for p, _ in picked}:
                picked.append((c, scores[c]))
        # A chunk stored after the catalogue was opened waits for the next refresh.
        chunks = {cid: chunk for cid, _ in picked if (chunk := self.index.chunk(cid)) is not None}
        return [
            Passage(
                chunk=chunks[cid],
                rank=rank,
                score=score,
                dense=dense_scores.get(cid),
                lexical=lexical_scores.get(cid),
            )
            for rank, (cid, score) in enumerate(picked)
            if cid in chunks
        ]

    def _dense(self, vector: Vectors, n: int, filters: Filters | None) -> list[tuple[str, float]]:
        """Chunks ranked by the better of their own cosine and their best sentence's.

        Sentence hits find a chunk whose one relevant sentence is diluted by the rest.
        """
        best = dict(self.storage.retrieve(vector, n, filters))
        for sid, sim in self.index.nearest_sentences(vector, n, filters):
            owner = self.index.owner(sid)
            if owner is not None and sim > best.get(owner, -1.0):
                best[owner] = sim
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))

    def evidence(self, question: Question, vector: Vectors, passages: Sequence[Passage]) -> list[Evidence]:
        """Every quotable sentence of the passages with the signals it is scored on, in retrieval order.

        An author's bio is a candidate only when the question is about the author.
        """
        seen: set[tuple[str, int]] = set()
        candidates: list[tuple[Passage, int, str]] = []
        for passage in passages:
            for i, (span, text) in enumerate(zip(passage.chunk.spans, passage.chunk.span_texts(), strict=True)):
                key = (passage.chunk.meta.source_id, span.start)
                if span.quotable and key not in seen and (span.story or question.about_author):
                    seen.add(key)
                    candidates.append((passage, i, text))
        # Neighbours in the chunk too: an answer often continues the sentence that matches the question.
        wanted = {
            sentence_id(p.chunk.meta.source_id, s)
            for p, i, _ in candidates
            for s in p.chunk.spans[max(0, i - 1) : i + 2]
            if s.quotable
        }
        vectors = self.index.sentence_vectors(sorted(wanted))
        signals = Signals(self.index, question, vector, vectors, passages)
        out = []
        for passage, i, text in candidates:
            measured = signals.of(passage, i, text)
            chunk = passage.chunk
            out.append(Evidence.model_construct(meta=chunk.meta, span=chunk.spans[i], text=text, chunk_id=chunk.id,
                                                score=0.0, dense=measured["dense"], signals=measured))  # fmt: skip
        return out


__all__ = ["HybridSearcher", "reciprocal_rank_fusion"]
