"""What retrieval measures of each candidate sentence: the raw inputs of the learned evidence score.

:class:`Signals` is built once per question (its terms weighed and their word forms looked
up once); what depends only on a passage or a document is measured once per passage, and
each sentence adds its own measurements. Nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.question import Question
from assistant.backends.embed import Vectors
from assistant.backends.store import sentence_id
from assistant.retrieval.lexical import stem_bigrams, stem_set
from assistant.types import VOICE_KINDS, DocumentMeta, Passage, Span

if TYPE_CHECKING:
    from assistant.retrieval.loaded import LoadedIndex


def in_voice(voice: str | None, meta: DocumentMeta) -> bool:
    """Whether a document speaks in the voice a question asks to hear (official, or the others)."""
    official = meta.kind in VOICE_KINDS["official"]
    return (voice == "official" and official) or (voice == "others" and not official)


def _share(forms: Sequence[frozenset[str]], stems: Collection[str]) -> float:
    """Share of the terms (as their word forms) found in ``stems``; 1.0 when there are none."""
    return sum(not f.isdisjoint(stems) for f in forms) / len(forms) if forms else 1.0


class Signals:
    """Measures candidate sentences against one question."""

    def __init__(
        self,
        index: LoadedIndex,
        question: Question,
        vector: Vectors,
        vectors: dict[str, Vectors],
        passages: Sequence[Passage],
    ) -> None:
        self.index, self.question = index, question
        ids = list(vectors)
        # One product for every sentence: a dot per sentence cost more in Python than the arithmetic.
        products = np.stack([vectors[i] for i in ids]) @ vector if ids else np.zeros(0)
        self.cosines: dict[str, float] = dict(zip(ids, products.tolist(), strict=True))
        lexical = index.lexical
        terms = [t for t in question.terms if not t.temporal]
        self.predicates = [t for t in terms if not t.entity]
        self.all_terms, self.predicate_terms = lexical.weigh(terms), lexical.weigh(self.predicates)
        self.rarest_missing = lexical.rarest_missing(self.predicates)
        self.names = [lexical.variants(t.stem) for t in question.entities if not t.temporal]
        self.focus = [lexical.variants(t.stem) for t in question.focus]
        said = question.kind == "said"
        self.asked = [lexical.variants(t.stem) for t in terms] if said else []
        self.best_lexical = max((p.lexical or 0.0 for p in passages), default=0.0) or 1.0
        self.phrases = stem_bigrams(question.text)
        self.years = question.years
        self._passages: dict[str, dict[str, float]] = {}

    def cosine(self, source: str, span: Span | None) -> float:
        """Cosine between the question and a stored sentence (0 when it has no vector)."""
        if span is None or not span.quotable:
            return 0.0
        return self.cosines.get(sentence_id(source, span), 0.0)

    def of_passage(self, passage: Passage) -> dict[str, float]:
        """What depends on the passage and its document alone, measured once per passage."""
        found = self._passages.get(passage.chunk.id)
        if found is None:
            found = self._passages[passage.chunk.id] = self._measure_passage(passage)
        return found

    def _measure_passage(self, passage: Passage) -> dict[str, float]:
        chunk, index = passage.chunk, self.index
        source = chunk.meta.source_id
        about = index.about(source)
        context = index.chunk_stems(chunk.id) | about
        in_document = _share(self.names, index.document_stems(source))
        predicate_context = self.predicate_terms(context) if self.predicates else self.all_terms(context)
        return {
            "passage_dense": passage.dense or 0.0,
            "bm25": (passage.lexical or 0.0) / self.best_lexical,
            "fused": 1.0 / (1 + passage.rank),
            "context": self.all_terms(context),
            "predicate_context": predicate_context,
            "missing_rare": self.rarest_missing(context),
            "entity_passage": _share(self.names, context),
            "entity_document": in_document,
            "entity_document_all": float(in_document == 1.0),
            "focus_passage": _share(self.focus, context),
            "title": self.all_terms(about),
            "position": 1.0 / (1 + chunk.index),
            "voice": float(in_voice(self.question.voice, chunk.meta)),
        }

    def of(self, passage: Passage, i: int, text: str) -> dict[str, float]:
        """The signals of the ``i``-th span of a passage, whose text is ``text``."""
        chunk = passage.chunk
        source, span = chunk.meta.source_id, chunk.spans[i]
        stems = stem_set(text)
        years = self.years
        dated = bool(years) and ((chunk.meta.date or "")[:4] in years or any(y in text for y in years))
        in_sentence = _share(self.names, stems)
        own = {
            "dense": self.cosine(source, span),
            "before_dense": self.cosine(source, chunk.spans[i - 1] if i > 0 else None),
            "after_dense": self.cosine(source, chunk.spans[i + 1] if i + 1 < len(chunk.spans) else None),
            "coverage": self.all_terms(stems),
            "phrases": len(self.phrases & stem_bigrams(text)) / len(self.phrases) if self.phrases else 0.0,
            "predicate": self.predicate_terms(stems) if self.predicates else self.all_terms(stems),
            "entity_sentence": in_sentence,
            "entity_sentence_all": float(in_sentence == 1.0),
            "focus_sentence": _share(self.focus, stems),
            "lead": float(chunk.index == 0 and all(not s.story for s in chunk.spans[:i])),
            "caption": float(span.kind == "caption"),
            "bio": float(span.kind == "bio"),
            "asks_back": float(text.rstrip(" ”\"’'").endswith("?")),
            "years_match": float(dated),
            "years_miss": float(bool(years) and not dated),
            "speaker": self._speaker_named(source, span) if self.asked else 0.0,
        }
        return {**self.of_passage(passage), **own}

    def _speaker_named(self, source: str, span: Span) -> float:
        """Share of a "what did X say" question's terms that name who speaks in the sentence (or its source)."""
        who = self.index.sources.attribution(source, span.start)
        stems = stem_set(" ".join(filter(None, [who.speaker, who.outlet, who.author])))
        return _share(self.asked, stems)
