"""The naive anchor: what the assistant is measured against.

The three sentences nearest the question by MiniLM cosine, quoted verbatim; a refusal when
the nearest is below one cosine threshold (chosen on the dev split by ``make train``). No
key terms, no fusion, no learned scoring: any figure the assistant reports means something
only next to this one, measured in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from assistant.answer.chain import clean_question, parse_history
from assistant.answer.extractive import REFUSAL
from assistant.provenance.cite import citation, markers
from assistant.retrieval.retrieve import HybridSearcher
from assistant.types import Answer, Filters, Retrieved, Turn

TOP = 3


class NaiveAnchor:
    """Top-3 sentences by cosine; refuses below ``threshold``."""

    def __init__(self, searcher: HybridSearcher, threshold: float, max_question_chars: int = 2000) -> None:
        self.searcher = searcher
        self.threshold = threshold
        self.max_question_chars = max_question_chars

    def ask(
        self, question: str, history: Sequence[Turn | dict[str, object] | str] | None = None,
        filters: Filters | None = None,
    ) -> Answer:  # fmt: skip
        """Answer like the plainest retrieval-augmented baseline would."""
        started = time.perf_counter()
        text, notices = clean_question(question, self.max_question_chars)
        turns = parse_history(history)
        query = f"{turns[-1].question} {text}" if turns else text
        hits = self.searcher.storage.retrieve_sentences(self.searcher.embed_query(query), TOP, filters)
        found = [(s, sim) for sid, sim in hits if (s := self.searcher.index.sentence(sid)) is not None]
        retrieved = [Retrieved(source_id=s.meta.source_id, chunk_id=s.chunk_id, score=sim) for s, sim in found]
        elapsed = {"total": round((time.perf_counter() - started) * 1000, 2)}
        if not found or found[0][1] < self.threshold:
            return Answer(question=text, answer=REFUSAL, refused=True, mode="anchor", notices=notices,
                          retrieved=retrieved, timings_ms=elapsed)  # fmt: skip
        citations = [citation(n, s.meta, s.span, s.text) for n, (s, _) in enumerate(found, start=1)]
        body = " ".join(f"{c.quote} {markers([c.n])}" for c in citations)
        return Answer(question=text, answer=body, refused=False, mode="anchor", citations=citations,
                      notices=notices, retrieved=retrieved, timings_ms=elapsed)  # fmt: skip
