"""How the sentence check reads a text: tokens that know their stem and whether they are a name or a
negator, a rough verb test without a tagger, clauses, numbers with their bounds and units, and the
stretch of a quote a sentence draws on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from assistant.provenance.wordlists import (
    ADVERBS,
    AUXILIARIES,
    BOUNDARY,
    BOUNDS,
    CONDITIONS,
    COORDINATION,
    IRREGULAR,
    MODALS,
    NEGATORS,
    NUMBER_WORDS,
    PURE_NEGATORS,
    SCALES,
    SCOPE,
    UNITS,
)
from assistant.retrieval.lexical import STOPWORDS, stem


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark: as written, lower-cased (accents folded), stemmed, and what it is."""

    text: str
    low: str
    stem: str
    word: bool
    """A word, not punctuation."""
    content: bool
    """A word that carries meaning: not a stop word, not a negator."""
    name: bool
    """Capitalised and not a stop word (a name, or the first word of a sentence)."""
    possessive: bool = False
    """Written with 's, which the token drops ("Turkey's request")."""
    known: bool = False
    """Opens a sentence, and is a name: the texts compared write it capitalised inside a sentence too."""


def token(text: str, low: str, possessive: bool = False) -> Token:
    """A token, its stem folding irregular verbs ("sent" → "send") and dropping a hyphenated prefix's dash."""
    word = low[:1].isalnum()
    stem_ = stem(IRREGULAR.get(low, low)) if low[:1].isalpha() else low.replace(",", "")
    return Token(
        text,
        low,
        stem_,
        word=word,
        content=word and low not in STOPWORDS and low not in NEGATORS,
        name=word and not low[:1].isdigit() and text[:1].isupper() and low not in STOPWORDS,
        possessive=possessive,
    )


def same_name(stem_: str, stems: set[str]) -> bool:
    """Whether a name is among ``stems``, counting a demonym as its place ("ukrainian" for "ukrain")."""
    if stem_ in stems:
        return True
    return len(stem_) >= 4 and any(_demonym(stem_, s) or _demonym(s, stem_) for s in stems)


_DEMONYM_ENDINGS = ("n", "an", "ian", "ese", "i", "ish")


def _demonym(longer: str, shorter: str) -> bool:
    return len(shorter) >= 4 and longer.startswith(shorter) and longer[len(shorter) :] in _DEMONYM_ENDINGS


DETERMINERS = frozenset("a an the its their his her this that these those our".split())


def is_name(toks: Sequence[Token], i: int) -> bool:
    """A capitalised word that does not open the sentence; at its start, an acronym or a name of two words."""
    t = toks[i]
    if opens(toks, i):
        following = toks[i + 1] if i + 1 < len(toks) else None
        return t.name and (t.known or (t.text.isupper() and len(t.text) > 1) or bool(following and following.name))
    return t.name


def opens(toks: Sequence[Token], i: int) -> bool:
    """Whether token ``i`` opens a sentence (where any word is capitalised)."""
    return i == 0 or toks[i - 1].low in (".", "!", "?", "“", '"')


def mark_names(toks: Sequence[Token], names: Collection[str]) -> tuple[Token, ...]:
    """The tokens, a sentence's opening word marked as a name where ``names`` (stems) has it."""
    return tuple(
        replace(t, known=True) if t.name and opens(toks, i) and t.stem in names else t for i, t in enumerate(toks)
    )


def verbish(toks: Sequence[Token], i: int) -> bool:
    """A rough verb test (no tagger): a past form not after a determiner or a possessive, or a word after
    an auxiliary ("has made"), adverbs aside."""
    t = toks[i]
    if not t.content or t.low in ADVERBS or t.low.endswith("ly"):
        return False
    before = toks[i - 1] if i > 0 else None
    if before is not None and before.low in AUXILIARIES:
        return True
    adjective = before is not None and (before.possessive or before.low in DETERMINERS)
    return (t.low.endswith("ed") or t.low in IRREGULAR) and not adjective


class Reading:
    """A tokenised text and what the detectors ask of it."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = list(tokens)

    @cached_property
    def lows(self) -> list[str]:
        return [t.low for t in self.tokens]

    @cached_property
    def text(self) -> str:
        return " " + " ".join(self.lows) + " "

    @cached_property
    def stems(self) -> Counter[str]:
        return Counter(t.stem for t in self.tokens if t.word)

    def region(self, claim: Reading) -> Reading:
        """The stretch of this quote the sentence draws on: its shared content words, three words of lead-in."""
        hits = [i for i, t in enumerate(self.tokens) if t.content and t.stem in claim.stems]
        return Reading(self.tokens[max(0, hits[0] - 3) : hits[-1] + 2]) if hits else self

    def modals(self) -> set[str]:
        lows = set(self.lows)
        return {kind for kind, cue in MODALS.items() if lows & cue}

    def conditions(self) -> set[str]:
        text, found = self.text.replace(" as if ", " ").replace(" as though ", " "), set()
        for phrase, kind in CONDITIONS:
            if f" {phrase} " in text:
                found.add(kind)
                text = text.replace(f" {phrase} ", " ")
        return found

    def negated(self, i: int) -> bool:
        """Whether a negator governs token ``i``: before it in its clause, with no content word between
        (a verb such as "refused" only through "to": "refused to suspend")."""
        between: list[Token] = []
        for t in reversed(self.tokens[max(0, i - 6) : i]):
            if t.low in NEGATORS:
                return t.low in PURE_NEGATORS or all(u.low in ("to", "be") for u in between)
            if t.low in BOUNDARY or (t.content and t.low not in SCOPE):
                return False
            between.append(t)
        return False

    def clauses(self) -> list[list[Token]]:
        """The text cut where clauses meet (punctuation, "and", "but", "nor"…); "nor" opens the next one."""
        out: list[list[Token]] = [[]]
        for t in self.tokens:
            if t.low in ("and", "or") and _negated_subject(out[-1]):
                out[-1].append(t)  # "No department or agency may …": the "no" reaches both nouns
            elif t.low in COORDINATION:
                out.append([t] if t.low == "nor" else [])
            else:
                out[-1].append(t)
        return [c for c in out if c]

    def quantities(self) -> list[tuple[float, str | None, dict[str, str]]]:
        """(value, bound, unit by family) of each number, in digits or words."""
        out = []
        i = 0
        while i < len(self.tokens):
            value, j = _number_at(self.tokens, i)
            if value is None:
                i += 1
                continue
            before = " ".join(self.lows[max(0, i - 3) : i])
            bound = next((kind for phrase, kind in BOUNDS.items() if before.endswith(phrase)), None)
            out.append((value, bound, units(self.tokens[max(0, i - 1) : j + 3])))
            i = j
        return out


def _negated_subject(clause: Sequence[Token]) -> bool:
    """A clause so far that is a noun phrase opened by "no" ("No department"), with no verb yet."""
    return (
        bool(clause)
        and clause[0].low == "no"
        and not any(verbish(clause, k) and not t.name for k, t in enumerate(clause))
    )


def _number_at(toks: Sequence[Token], i: int) -> tuple[float | None, int]:
    t = toks[i]
    if t.low[:1].isdigit():
        try:
            value = float(t.stem)
        except ValueError:
            return None, i + 1
    elif t.low in NUMBER_WORDS:
        value = float(NUMBER_WORDS[t.low])
    else:
        return None, i + 1
    j = i + 1
    while j < len(toks) and toks[j].low in SCALES:
        value *= SCALES[toks[j].low]
        j += 1
    return value, j


def units(window: Sequence[Token]) -> dict[str, str]:
    """The unit words of a stretch of text, one per family."""
    found: dict[str, str] = {}
    for t in window:
        for family, table in UNITS.items():
            unit = table.get(t.stem) or table.get(t.low)
            if unit:
                found.setdefault(family, unit)
    return found
