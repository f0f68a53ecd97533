"""The story in four quotes, and what the sources leave open.

**What this is about** tells the story in order: what is at stake (the sentence closest
to the centre of the corpus), who asked for what, what was decided, and what critics
say. Each step takes the most central sentence that carries its cue words, so the
quotes stay verbatim and come from the heart of the corpus; a copy of a sentence
counts once.

**Open questions** are the sentences that say something could not be verified, got
no answer or remains unclear, and the figures two independent sources give differently
for the same thing ("195 member countries", "193 other nations").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.brief.actors import Sentence
from assistant.provenance.sources import sentence_key
from assistant.types import VOICE_KINDS

STEPS: tuple[tuple[str, re.Pattern[str] | None], ...] = (
    ("What is at stake", None),
    (
        "Who asked for what",
        re.compile(
            r"\b(?:urg(?:e|ed|es|ing)|call(?:ed|s)? (?:on|for)|ask(?:ed|s)|demand(?:ed|s)?|request(?:ed|s)|"
            r"press(?:ed|es)? for|appeal(?:ed|s)? to|push(?:ed|es)? for|want(?:ed|s)? .{0,40}\bto)\b",
            re.I,
        ),
    ),
    (
        "What was decided",
        re.compile(
            r"\b(?:decided|decision|refused|ordered|implemented|endorsed|agreed|approved|rejected|voted|elected|"
            r"announced|imposed|suspended|banned|ruled|adopted|chose|dropped)\b",
            re.I,
        ),
    ),
    (
        "What critics say",
        re.compile(
            r"\b(?:critic\w*|abus\w+|misuse\w*|condemn\w*|accus\w+|compromis\w*|unwilling|fail\w*|warn\w*|"
            r"concern\w*|catastroph\w*|repress\w*)\b",
            re.I,
        ),
    ),
)
UNSETTLED = re.compile(
    r"\b(?:could\s*n[o’']t|could not|cannot|can\s*not|unable to|not able to)\s+(?:be\s+)?(?:independently\s+)?"
    r"(?:verif|confirm|comment)|\bunverified\b|\b(?:remains|it is|it's|still)\s+(?:unclear|not clear|unknown)\b|"
    r"\bdid not (?:reply|respond|return)\b|\bdeclined to comment\b|\bremains to be seen\b|\braises questions\b|"
    r"\bnot clear (?:whether|how|why|if)\b|\bno evidence\b",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    r"(?<![\d,.])(?P<n>\d{1,3}(?:,\d{3})+|\d{2,})(?![\d,.]\d)\s+(?P<words>(?:[a-z-]+\s+){0,2}?)(?P<noun>[a-z]+s)\b"
)
SAME_THING = {"nations": "countries", "states": "countries", "member": "members"}
"""Plural nouns that count the same thing ("193 other nations", "195 member countries")."""
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Figure:
    """A number with the noun it counts, as a sentence gives it."""

    value: int
    noun: str
    text: str
    sentence: Sentence


def story(sentences: Sequence[Sentence], closeness: dict[tuple[str, int], float]) -> list[tuple[str, Sentence]]:
    """(step, sentence) for each step of the story a central sentence tells, in order."""
    candidates = sorted(
        (s for s in sentences if s.span.kind == "body" and 8 <= len(s.text.split()) <= 60),
        key=lambda s: -closeness.get((s.meta.source_id, s.span.start), 0.0),
    )
    used: set[str] = set()
    out: list[tuple[str, Sentence]] = []
    for step, cue in STEPS:
        critics = step == "What critics say"
        for s in candidates:
            if sentence_key(s.text) in used or (cue is not None and not cue.search(s.text)):
                continue
            if critics and s.meta.kind in VOICE_KINDS["official"]:
                continue
            used.add(sentence_key(s.text))
            out.append((step, s))
            break
    return out


def unsettled(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Sentences that say something could not be verified, got no answer or remains unclear."""
    return [s for s in sentences if s.span.kind == "body" and UNSETTLED.search(s.text)]


def conflicting_figures(
    sentences: Sequence[Sentence], group_of: Callable[[str], str], limit: int = 3
) -> list[tuple[Figure, Figure]]:
    """Pairs of figures for the same thing that independent sources give differently, by at most 5%."""
    figures: dict[str, list[Figure]] = {}
    for s in sentences:
        for m in _COUNTED.finditer(s.text):
            value = int(m.group("n").replace(",", ""))
            if _YEAR.fullmatch(m.group("n")) and not m.group("words"):
                continue  # "in 2015 elections": a year, not a count
            noun = SAME_THING.get(m.group("noun"), m.group("noun"))
            figures.setdefault(noun, []).append(Figure(value, noun, m.group(0), s))
    pairs: list[tuple[Figure, Figure]] = []
    for same in figures.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if len(pairs) == limit:
                    return pairs
                close = a.value != b.value and min(a.value, b.value) >= 0.95 * max(a.value, b.value)
                if close and group_of(a.sentence.meta.source_id) != group_of(b.sentence.meta.source_id):
                    pairs.append((a, b))
    return pairs
