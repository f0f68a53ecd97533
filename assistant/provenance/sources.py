"""Sources: what the indexed documents are to each other, and who speaks in them.

Worked out from the stored chunks whenever the index changes (the index's catalogue keeps the
tables), and read from those tables on demand:

- **Copies.** Documents that share at least half of their sentences (a statement and its
  revised version, a syndicated story) form one group: one source, several copies.
- **Repeats.** A document that quotes a run of at least six words found in an earlier
  document repeats that document; the two do not agree independently.
- **Sentence copies.** For each sentence, the other documents that carry it word for word.
- **Speakers.** An :class:`~assistant.provenance.attribute.Attributor` per document, built on demand.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Protocol

from assistant.provenance.attribute import Attributor
from assistant.types import Attribution, DocumentMeta, Span

COPY_SHARE = 0.5
"""Share of the shorter document's sentences two documents must share to be copies."""
QUOTE_MIN_WORDS = 6
_QUOTED = re.compile(r"[“\"]([^”\"]{20,400})[”\"]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def quoted_shingles(text: str) -> set[tuple[str, ...]]:
    """Opening words of each long enough quotation in a sentence."""
    out = set()
    for fragment in _QUOTED.findall(text):
        words = tuple(sentence_key(fragment).split())
        if len(words) >= QUOTE_MIN_WORDS:
            out.add(words[:QUOTE_MIN_WORDS])
    return out


def sentence_key(text: str) -> str:
    """Case, punctuation and spacing folded away: equal keys are the same sentence."""
    return " ".join(_WORD.findall(text.lower()))


def holder_keys(sentences: Iterable[tuple[Span, str]]) -> list[str]:
    """Keys of a document's sentences that can make it a copy: quotable, of at least four words."""
    return [sentence_key(text) for span, text in sentences if span.quotable and len(text.split()) >= 4]


def shingles(text: str) -> Iterator[tuple[str, ...]]:
    """Every run of ``QUOTE_MIN_WORDS`` words of a sentence: what a later quotation may repeat."""
    words = tuple(sentence_key(text).split())
    for i in range(len(words) - QUOTE_MIN_WORDS + 1):
        yield words[i : i + QUOTE_MIN_WORDS]


def copy_groups(sizes: dict[str, int], shared: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """Union-find over documents that share at least ``COPY_SHARE`` of their sentences.

    ``sizes`` counts each document's candidate sentences; ``shared`` gives, per pair of
    documents, how many sentence keys they share. Returns each document's group root.
    """
    parent = {s: s for s in sizes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, n in shared:
        if n >= COPY_SHARE * max(1, min(sizes[a], sizes[b])):
            ra, rb = sorted((find(a), find(b)))
            parent[rb] = ra
    return {s: find(s) for s in parent}


class SentenceLookup(Protocol):
    """Where a :class:`SourceCatalog` reads sentences, their holders and the quotations' origins."""

    def sentences(self, source_id: str) -> dict[int, tuple[Span, str]]:
        """A document's stored sentences by start offset."""
        ...

    def holders(self, key: str) -> set[str]:
        """Documents carrying the sentence with this :func:`sentence_key` (boilerplate included)."""
        ...

    def origins(self, shingle: tuple[str, ...]) -> set[str]:
        """Documents whose sentences contain this run of words, for runs some document quotes."""
        ...


class SourceCatalog:
    """Copy groups, repeats, sentence copies and speakers over the indexed documents."""

    def __init__(self, documents: dict[str, DocumentMeta], group_of: dict[str, str], lookup: SentenceLookup) -> None:
        self.documents = documents
        self.group_of = group_of
        """Each document's copy-group root."""
        self._lookup = lookup
        self._members: dict[str, list[str]] = defaultdict(list)
        for source, root in self.group_of.items():
            self._members[root].append(source)
        self._attributor = lru_cache(maxsize=512)(self._build_attributor)

    def copies(self, source_id: str, text: str) -> list[str]:
        """Other documents that carry this sentence word for word."""
        return sorted(self._lookup.holders(sentence_key(text)) - {source_id})

    def group(self, source_id: str) -> list[str]:
        """The documents that are copies of this one (itself included), oldest first."""
        members = self._members.get(self.group_of.get(source_id, source_id)) or [source_id]
        return sorted(members, key=lambda s: (self.documents[s].date or "9999", s) if s in self.documents else ("", s))

    def independent(self, cited: Sequence[tuple[str, str]]) -> int:
        """How many independent sources back these (document, sentence) citations.

        Copies of one document count once; a sentence that quotes another cited
        source adds nothing of its own.
        """
        roots = {self.group_of.get(s, s) for s, _ in cited}
        own: set[str] = set()
        for source, text in cited:
            originals = {self.group_of.get(o, o) for o in self.repeated_from(source, text)}
            if not originals & roots:
                own.add(self.group_of.get(source, source))
        return len(own)

    def attribution(self, source_id: str, start: int) -> Attribution:
        """Who speaks in the sentence of a document that starts at ``start``."""
        sentence = self._lookup.sentences(source_id).get(start) if source_id in self.documents else None
        if sentence is None:
            meta = self.documents.get(source_id)
            return Attribution(outlet=meta.outlet if meta else None, author=meta.author if meta else None)
        return self._attributor(source_id).attribution(sentence[0])

    def repeats(self, source_id: str) -> set[str]:
        """Older documents in other groups that this document quotes."""
        sentences = self._lookup.sentences(source_id).values()
        return set().union(*(self.repeated_from(source_id, text) for _, text in sentences))

    def repeated_from(self, source_id: str, text: str) -> set[str]:
        """Older documents in other groups that this sentence quotes."""
        return set().union(*(self._original_sources(s, source_id) for s in quoted_shingles(text)))

    def _build_attributor(self, source_id: str) -> Attributor:
        ordered = sorted(self._lookup.sentences(source_id).values(), key=lambda st: st[0].start)
        # The stored sentences at their own offsets; what lies between them (furniture) is blank.
        buffer = [" "] * max((span.end for span, _ in ordered), default=0)
        for span, sentence in ordered:
            buffer[span.start : span.end] = list(sentence)
        return Attributor(self.documents[source_id], "".join(buffer), [span for span, _ in ordered])

    def _original_sources(self, shingle: tuple[str, ...], quoter: str) -> set[str]:
        return {
            s
            for s in self._lookup.origins(shingle)
            if self.group_of.get(s) != self.group_of.get(quoter) and self._not_newer(s, quoter)
        }

    def _not_newer(self, original: str, quoting: str) -> bool:
        a, b = self.documents.get(original), self.documents.get(quoting)
        return not (a and b and a.date and b.date) or a.date[:10] <= b.date[:10]
