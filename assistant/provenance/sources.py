"""Sources: what the indexed documents are to each other, and who speaks in them.

Built from the stored chunks whenever the index changes:

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
from collections.abc import Iterable, Sequence
from functools import lru_cache

from assistant.provenance.attribute import Attributor
from assistant.types import Attribution, Chunk, DocumentMeta, Span

COPY_SHARE = 0.5
"""Share of the shorter document's sentences two documents must share to be copies."""
QUOTE_MIN_WORDS = 6
_QUOTED = re.compile(r"[“\"]([^”\"]{20,400})[”\"]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _quoted_shingles(text: str) -> set[tuple[str, ...]]:
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


class SourceCatalog:
    """Copy groups, repeats, sentence copies and speakers over a set of chunks."""

    def __init__(self, chunks: Iterable[Chunk], documents: dict[str, DocumentMeta]) -> None:
        self.documents = documents
        self._sentences: dict[str, dict[int, tuple[Span, str]]] = defaultdict(dict)
        for chunk in chunks:
            for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
                self._sentences[chunk.meta.source_id].setdefault(span.start, (span, text))
        self._holders: dict[str, set[str]] = defaultdict(set)
        for source, sentences in self._sentences.items():
            for span, text in sentences.values():
                if span.quotable and len(text.split()) >= 4:
                    self._holders[sentence_key(text)].add(source)
        self.group_of = self._copy_groups()
        self._members: dict[str, list[str]] = defaultdict(list)
        for source, root in self.group_of.items():
            self._members[root].append(source)
        self.repeats = self._repeats()
        self._attributor = lru_cache(maxsize=512)(self._build_attributor)

    # -- public -----------------------------------------------------------------------

    def copies(self, source_id: str, text: str) -> list[str]:
        """Other documents that carry this sentence word for word."""
        return sorted(self._holders.get(sentence_key(text), set()) - {source_id})

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
        sentence = self._sentences.get(source_id, {}).get(start)
        if sentence is None or source_id not in self.documents:
            meta = self.documents.get(source_id)
            return Attribution(outlet=meta.outlet if meta else None, author=meta.author if meta else None)
        return self._attributor(source_id).attribution(sentence[0])

    # -- building -----------------------------------------------------------------------

    def _build_attributor(self, source_id: str) -> Attributor:
        ordered = sorted(self._sentences.get(source_id, {}).values(), key=lambda st: st[0].start)
        # The stored sentences at their own offsets; what lies between them (furniture) is blank.
        buffer = [" "] * max((span.end for span, _ in ordered), default=0)
        for span, sentence in ordered:
            buffer[span.start : span.end] = list(sentence)
        return Attributor(self.documents[source_id], "".join(buffer), [span for span, _ in ordered])

    def _copy_groups(self) -> dict[str, str]:
        """Union-find over documents that share at least ``COPY_SHARE`` of their sentences."""
        shared: dict[tuple[str, str], int] = defaultdict(int)
        for holders in self._holders.values():
            if 1 < len(holders) <= 50:  # boilerplate carried by many documents says nothing
                ordered = sorted(holders)
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        shared[(a, b)] += 1
        size = {
            s: sum(1 for sp, t in v.values() if sp.quotable and len(t.split()) >= 4) for s, v in self._sentences.items()
        }
        parent = {s: s for s in self._sentences}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for (a, b), n in shared.items():
            if n >= COPY_SHARE * max(1, min(size[a], size[b])):
                ra, rb = sorted((find(a), find(b)))
                parent[rb] = ra
        return {s: find(s) for s in parent}

    def _repeats(self) -> dict[str, set[str]]:
        """Documents that quote a run of words from an older (or same-day) document in another group."""
        quoting: dict[tuple[str, ...], set[str]] = defaultdict(set)  # opening words of a quote -> quoting documents
        for source, sentences in self._sentences.items():
            for _, text in sentences.values():
                for shingle in _quoted_shingles(text):
                    quoting[shingle].add(source)
        self._origins: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for source, sentences in self._sentences.items():
            for _, text in sentences.values():
                words = tuple(sentence_key(text).split())
                for i in range(len(words) - QUOTE_MIN_WORDS + 1):
                    if words[i : i + QUOTE_MIN_WORDS] in quoting:
                        self._origins[words[i : i + QUOTE_MIN_WORDS]].add(source)
        found: dict[str, set[str]] = defaultdict(set)
        for shingle, quoters in quoting.items():
            for quoter in quoters:
                found[quoter] |= self._original_sources(shingle, quoter)
        return {k: v for k, v in found.items() if v}

    def repeated_from(self, source_id: str, text: str) -> set[str]:
        """Older documents in other groups that this sentence quotes."""
        return set().union(*(self._original_sources(s, source_id) for s in _quoted_shingles(text)))

    def _original_sources(self, shingle: tuple[str, ...], quoter: str) -> set[str]:
        return {
            s
            for s in self._origins.get(shingle, ())
            if self.group_of.get(s) != self.group_of.get(quoter) and self._not_newer(s, quoter)
        }

    def _not_newer(self, original: str, quoting: str) -> bool:
        a, b = self.documents.get(original), self.documents.get(quoting)
        return not (a and b and a.date and b.date) or a.date[:10] <= b.date[:10]
