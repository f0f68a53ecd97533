"""Lexical side of retrieval: tokens, stems, key terms, IDF, a BM25 index (bm25s) and spelling repair.

Stems fold accents ("Müller" and "muller" are one word). The index also knows how each
stem is written in the corpus (mostly capitalised: a name) and repairs a question word the
corpus never uses to the nearest word it does (one or two edits, with rapidfuzz).
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from assistant.common.dates import MONTHS

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during each even
    few for from further had hadn has hasn have haven having he her here hers herself him himself his how i if
    in into is isn it its itself just let me more most much must mustn my myself no nor not now of off on once
    only or other ought our ours ourselves out over own same shan she should shouldn so some such than that the
    their theirs them themselves then there these they this those through to too under until up upon us very
    was wasn we were weren what when where which while who whom whose why will with won would wouldn you your
    yours yourself yourselves s t ll ve re d m many
    tell say said says explain describe give list name happen happened according corpus source sources
    document documents react reacted reaction respond responded response think thought view views feel stance
    op ed article piece later""".split()
)
"""English stop words, plus words that frame a question rather than carry its subject."""


NAME_SHARE = 0.8
"""Share of capitalised uses at which a corpus word counts as a name."""

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Lower-cased, accent-folded Snowball stem of one word."""
    return str(_stemmer.stemWord(fold(word.lower())))


def fold(text: str) -> str:
    """``text`` without accents: "Müller" → "Muller"."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Word tokens, with possessive 's and n't split off."""
    out = []
    for token in _TOKEN.findall(text):
        base = re.sub(r"['’](s|t|re|ve|ll|d|m)$", "", token, flags=re.IGNORECASE)
        out.append(base[:-1] if base.lower().endswith("n") and token.lower().endswith(("n't", "n’t")) else base)
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop-words of ``text``: what BM25 indexes."""
    return [stem(w) for w in words(text) if w.lower() not in STOPWORDS]


@lru_cache(maxsize=50_000)
def stem_set(text: str) -> frozenset[str]:
    """The distinct content stems of a sentence; cached, as the same sentences are scored question after question."""
    return frozenset(content_stems(text))


@lru_cache(maxsize=50_000)
def stem_bigrams(text: str) -> frozenset[tuple[str, str]]:
    """Pairs of consecutive content stems: a phrase of the question found as a phrase in a sentence."""
    stems = content_stems(text)
    return frozenset(itertools.pairwise(stems))


@dataclass(frozen=True)
class Term:
    """A key term of a question."""

    stem: str
    surface: str
    entity: bool
    """Names, acronyms and numbers: an answer must mention them."""
    temporal: bool = False
    """Years and months: they steer the ranking towards matching dates, but no answer needs to repeat them."""


def is_key_word(word: str, position: int, alphanumeric: bool = False) -> bool:
    """A name (capitalised inside a sentence), an acronym or a number: a word an answer must carry.

    With ``alphanumeric``, a word with any digit counts ("150th", "263b"): the sentence check asks
    that much of a written sentence; a question's key terms count whole numbers only."""
    number = any(ch.isdigit() for ch in word) if alphanumeric else word.isdigit()
    return number or (position > 0 and word[:1].isupper()) or (len(word) > 1 and word.isupper())


def key_terms(question: str) -> list[Term]:
    """The content words of a question, de-duplicated, with names and numbers flagged."""
    terms: dict[str, Term] = {}
    for i, w in enumerate(words(question)):
        if w.lower() in STOPWORDS:
            continue
        # Years and months say when, not what: they steer the ranking but need not appear in the answer.
        temporal = w.lower() in MONTHS or bool(re.fullmatch(r"(19|20)\d\d", w))
        entity = not temporal and is_key_word(w, i)
        s = stem(w)
        if s not in terms or (entity and not terms[s].entity):
            terms[s] = Term(stem=s, surface=w, entity=entity, temporal=temporal)
    return list(terms.values())


def stems_match(a: str, b: str) -> bool:
    """Equal stems, or a shared prefix long enough to join forms such as China/Chinese, Canada/Canadian."""
    if a == b:
        return True
    shortest = min(len(a), len(b))
    if shortest < 4:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= 0.75 * shortest


class LexicalBuilder:
    """Counts what a :class:`LexicalIndex` needs, one chunk text at a time, in index order."""

    def __init__(self) -> None:
        self.tokenized: list[list[str]] = []
        self.uses: Counter[str] = Counter()
        self.capitalised: Counter[str] = Counter()
        self.df: Counter[str] = Counter()
        self.forms: dict[str, str] = {}

    def add(self, text: str) -> list[str]:
        """Count the next chunk's text; return its content stems."""
        every = words(text)
        kept = [w for w in every if w.lower() not in STOPWORDS]
        stems = [stem(w) for w in kept]
        self.tokenized.append(stems)
        self.uses.update(stems)
        self.capitalised.update(s for s, w in zip(stems, kept, strict=True) if w[:1].isupper())
        self.df.update(set(stems))
        # Surface forms, accent-folded: misspellings are nearer the word as written than its stem.
        for w in every:
            if w.isalpha() and len(w) >= 4:
                self.forms.setdefault(fold(w.lower()), stem(w))
        return stems

    def build(self) -> LexicalIndex:
        """The index over every chunk added."""
        bm25 = bm25s.BM25()
        if self.tokenized:
            bm25.index([t or ["\u2205"] for t in self.tokenized], show_progress=False)
        terms = {"df": dict(self.df), "uses": dict(self.uses), "capitalised": dict(self.capitalised)}
        return LexicalIndex(len(self.tokenized), terms, self.forms, bm25)


class LexicalIndex:
    """BM25 over chunk texts (by position in the index), plus the document frequencies that weigh key terms.

    Saved beside the index and loaded memory-mapped, so a start reads the vocabulary, not every chunk.
    """

    def __init__(self, size: int, terms: dict[str, dict[str, int]], forms: dict[str, str], bm25: bm25s.BM25) -> None:
        self.size = size
        """How many chunks are indexed."""
        self._terms = terms
        self._df: dict[str, int] = terms["df"]
        self._uses: dict[str, int] = terms["uses"]
        self._capitalised: dict[str, int] = terms["capitalised"]
        self._forms = forms
        self._bm25 = bm25
        self._by_initial: dict[str, list[str]] = {}
        for form in sorted(self._forms):
            self._by_initial.setdefault(form[:1], []).append(form)
        self._variants: dict[str, frozenset[str]] = {}
        self._by_prefix: dict[str, set[str]] = {}
        for s in self._df:
            self._by_prefix.setdefault(s[:4], set()).add(s)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> LexicalIndex:
        """The index over chunk texts held in memory."""
        builder = LexicalBuilder()
        for text in texts:
            builder.add(text)
        return builder.build()

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (BM25 arrays and the term counts)."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._bm25.save(str(folder / "bm25"), show_progress=False)
        payload = {"size": self.size, "terms": self._terms, "forms": self._forms}
        (folder / "terms.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index saved in ``folder``, its BM25 arrays memory-mapped."""
        payload = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        size = int(payload["size"])
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False) if size else bm25s.BM25()
        if size and int(bm25.scores["num_docs"]) != size:
            raise ValueError(f"BM25 in {folder} indexes {bm25.scores['num_docs']} chunks, not {size}")
        return cls(size, payload["terms"], payload["forms"], bm25)

    def idf(self, stem_: str) -> float:
        """Inverse document frequency of a stem over the chunks; unseen stems get the highest value."""
        n = max(self.size, 1)
        df = self._df.get(stem_, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def known(self, stem_: str) -> bool:
        """Whether the corpus uses this stem."""
        return stem_ in self._df

    def is_name(self, stem_: str) -> bool:
        """Whether the corpus writes this stem capitalised nearly always (a name, not a common word)."""
        uses = self._uses.get(stem_, 0)
        return uses > 0 and self._capitalised.get(stem_, 0) >= NAME_SHARE * uses

    def correct(self, word: str) -> str | None:
        """The stem of the corpus word nearest a word the corpus never uses, if one is near enough.

        Near: the same first letter and one edit (two from eight letters); ties go to the
        more frequent stem. Known words, numbers and words under four letters are left alone.
        """
        form = fold(word.lower())
        if stem(word) in self._df or len(form) < 4 or not form.isalpha():
            return None
        limit = 2 if len(form) >= 8 else 1
        found = process.extract(
            form, self._by_initial.get(form[:1], []), scorer=Levenshtein.distance, score_cutoff=limit, limit=20
        )
        if not found:
            return None
        best = min(found, key=lambda hit: (hit[1], -self._df.get(self._forms[hit[0]], 0), hit[0]))
        return self._forms[best[0]]

    def variants(self, stem_: str) -> frozenset[str]:
        """``stem_`` and the indexed stems that match it (forms such as suspend/suspension)."""
        found = self._variants.get(stem_)
        if found is None:
            found = frozenset({stem_} | {v for v in self._by_prefix.get(stem_[:4], ()) if stems_match(stem_, v)})
            if len(self._variants) > 100_000:  # questions are unbounded; keep the cache bounded
                self._variants.clear()
            self._variants[stem_] = found
        return found

    def matched(self, term: Term, stems: Collection[str]) -> bool:
        """Whether any of ``stems`` is a form of the term."""
        return not self.variants(term.stem).isdisjoint(stems)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (chunk position, BM25 score) with a positive score, best first; ``allowed`` masks positions."""
        scores = self.scores(sorted({v for t in content_stems(query) for v in self.variants(t)}))
        if scores is None:
            return []
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def scores(self, stems: Collection[str]) -> np.ndarray | None:
        """BM25 score of every chunk for these stems (positive where a chunk uses one), or None when none is indexed."""
        known = sorted(s for s in stems if s in self._df)
        if not self.size or not known:
            return None
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def weigh(self, terms: Sequence[Term]) -> Callable[[Collection[str]], float]:
        """The coverage of ``terms`` in a set of stems (their IDF-weighted share that occurs there).

        IDF and word forms are looked up once, and the returned function is applied to many sentences.
        """
        weighted = [(self.idf(t.stem), self.variants(t.stem)) for t in terms]
        total = sum(w for w, _ in weighted)

        def coverage(stems: Collection[str]) -> float:
            if not total:
                return 0.0
            return sum(w for w, forms in weighted if not forms.isdisjoint(stems)) / total

        return coverage

    def rarest_missing(self, terms: Sequence[Term]) -> Callable[[Collection[str]], float]:
        """The IDF (as a share of the highest possible) of the rarest of ``terms`` missing from a set of stems.

        A question's rare word that a passage never uses ("salary", "budget") is what the passage does not say.
        """
        top = self.idf("\u2205 never indexed") or 1.0
        weighted = [(self.idf(t.stem) / top, self.variants(t.stem)) for t in terms]

        def missing(stems: Collection[str]) -> float:
            return max((w for w, forms in weighted if forms.isdisjoint(stems)), default=0.0)

        return missing
