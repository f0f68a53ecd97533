"""Does a written sentence say what its quote says? The check behind LLM mode's "supported".

Word overlap and embedding cosine cannot see a meaning turned around: "can no longer be
sent" and "can now be sent" share every content word, and MiniLM puts them close together.
So the sentence is aligned to its quote word by word (by stem, irregular verbs folded) and
the detectors of :mod:`assistant.provenance.contradictions` compare the two:

- **names and numbers** must be in the quote (an acronym or a demonym counts: "US" for
  "United States", "Ukrainian" for "Ukraine"; a speaker the source names may stand outside);
- a number keeps its value, its unit and its bound; a negation, a modality, a condition or
  a cause is neither added nor dropped; no word is replaced by its opposite; each name keeps
  its role;
- a sentence built from two quotes of one passage is checked clause by clause: each clause
  must rest on one of them.

The first detector that fires is the reason shown; when none does, the reason says what was
found. Where a detector cannot tell, the sentence is not supported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.provenance.contradictions import (
    absolutes,
    cause,
    conditions,
    dates,
    modality,
    opposite_words,
    polarity,
    quantities,
    reversals,
)
from assistant.provenance.reading import Reading, Token, mark_names, opens, same_name, token
from assistant.provenance.roles import who
from assistant.provenance.wordlists import NUMBER_WORDS, SPEECH
from assistant.retrieval.lexical import fold, stem

_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:['’-][^\W\d_]+)*|[.,;:!?()“”\"%$€£]", re.UNICODE)
MIN_CLAUSE_COVERAGE = 0.6
"""Share of a merged sentence's clause that one of its quotes must hold."""
MIN_HELD = 0.3
"""Share of each clause's content words a single quote must hold (chosen on the dev probes: at 0.3 no
true sentence is lost; higher floors reject paraphrases)."""
MAX_SENTENCE = 2_000
"""Longer is not a sentence a reader checks against one quote (and would cost quadratic time)."""
DETECTORS = [quantities, dates, polarity, modality, conditions, cause, reversals, absolutes, opposite_words, who]
"""In the order they are tried; the first that fires is the reason shown."""


@dataclass
class Verdict:
    """The check of one sentence against its quote(s): passed or not, and why."""

    supported: bool
    reason: str
    """The first check that failed, or what was found when all passed."""
    coverage: float = 0.0
    """Share of the sentence's content words found in the quote."""


@lru_cache(maxsize=50_000)
def tokens(text: str) -> tuple[Token, ...]:
    """Tokens of a text; "n't" is its own token, curly apostrophes are straight, a possessive 's goes."""
    out: list[Token] = []
    for raw in _TOKEN.findall(text.replace("’", "'")):
        low = fold(raw.lower())
        if low.endswith("n't") and len(low) > 3:
            base = {"can't": "can", "won't": "will"}.get(low, raw[:-3])
            out += [token(base, fold(base.lower())), token("n't", "n't")]
            continue
        possessive = low.endswith("'s")
        if possessive:
            raw, low = raw[:-2], low[:-2]
        out.append(token(raw, low, possessive))
    return tuple(out)


def check(
    sentence: str, quote: str | Sequence[str], speakers: Collection[str] = (), known: Collection[str] = ()
) -> Verdict:
    """Whether the quote (or two quotes of one passage) backs ``sentence``.

    ``speakers`` are who the quote's source says is speaking (its speaker, outlet, author): a
    sentence may name them beside a verb of saying. ``known`` are names the sentence may use
    anywhere though the quote does not (the document's title and outlet: "its" in a quote is
    often the organisation its title names).
    """
    quotes = [quote] if isinstance(quote, str) else list(quote)
    if len(sentence) > MAX_SENTENCE:
        return Verdict(False, f"too long to check as one sentence ({len(sentence):,} characters)")
    claim, each = tokens(sentence), [tokens(q) for q in quotes]
    inside = {t.stem for toks in (claim, *each) for i, t in enumerate(toks) if t.name and not opens(toks, i)}
    claim, each = mark_names(claim, inside), [mark_names(toks, inside) for toks in each]
    source = tuple(t for toks in each for t in toks)
    source_stems = {t.stem for t in source if t.word}
    speaker_stems = {stem(w) for s in speakers for w in re.findall(r"[^\W_]+", s)}
    known_stems = {stem(w) for s in known for w in re.findall(r"[^\W_]+", s)}
    missing = [name for name in _missing_names(claim, source, speaker_stems) if stem(name) not in known_stems]
    if missing:
        return Verdict(False, f"not in the quote: {', '.join(dict.fromkeys(missing))}")
    content = [t for t in claim if t.content]
    if not content:
        return Verdict(False, "no content words to check")
    coverage = sum(t.stem in source_stems for t in content) / len(content)
    mine, theirs = Reading(claim), Reading(source)
    for detector in DETECTORS:
        reason = detector(mine, theirs)
        if reason:
            return Verdict(False, reason, coverage)
    reason = _clauses_rest_on_one_quote(claim, each)
    if reason:
        return Verdict(False, reason, coverage)
    names = sorted({t.text for i, t in enumerate(claim) if i and t.name and t.stem in source_stems})
    numbers = [t.text for t in claim if t.low[:1].isdigit() or t.low in NUMBER_WORDS]
    found = "; ".join(filter(None, [f"names found: {', '.join(names)}" if names else "",
                                    f"numbers found: {', '.join(numbers)}" if numbers else ""]))  # fmt: skip
    return Verdict(True, f"{found + '; ' if found else ''}no contradiction cue", coverage)


def _missing_names(claim: Sequence[Token], source: Sequence[Token], speakers: set[str]) -> list[str]:
    """Names and numbers of the sentence its quote lacks."""
    stems = {t.stem for t in source if t.word}
    acronyms = _acronyms(source) | {t.low for t in source if t.text.isupper() and len(t.text) > 1}
    missing = []
    for i, t in enumerate(claim):
        key = (t.name and i > 0 and claim[i - 1].low not in '.!?“"') or t.low[:1].isdigit()
        if not key or same_name(t.stem, stems):
            continue
        if t.text.isupper() and t.low in _acronyms(source):
            continue
        if _in_acronym(claim, i, acronyms):
            continue
        if t.stem in speakers and any(c.low in SPEECH for c in claim[max(0, i - 4) : i + 5]):
            continue
        missing.append(t.text)
    return missing


def _acronyms(toks: Sequence[Token]) -> set[str]:
    """Initials of each run of capitalised words ("United States" → "us")."""
    found, run = set(), []
    for t in [*toks, token(".", ".")]:
        if t.name and not t.text.isupper():
            run.append(t.low[0])
            continue
        if len(run) > 1:
            found.add("".join(run))
        run = []
    return found


def _in_acronym(claim: Sequence[Token], i: int, acronyms: set[str]) -> bool:
    """Whether the run of capitalised words around ``i`` abbreviates to an acronym of the quote."""
    start = i
    while start > max(0, i - 6) and claim[start - 1].name:
        start -= 1
    end = i
    while end + 1 < min(len(claim), i + 7) and claim[end + 1].name:
        end += 1
    return end > start and "".join(t.low[0] for t in claim[start : end + 1]) in acronyms


def _clauses_rest_on_one_quote(claim: Sequence[Token], quotes: Sequence[Sequence[Token]]) -> str | None:
    """Each clause must rest on the quote: a clause it barely holds is something the quote does not say.

    A merged sentence's clause must be held by one of its quotes, numbers included, and agree with it;
    and each quote must hold a clause (else the sentence is one quote's, and a pair only gives it more
    to hide in)."""
    used: set[int] = set()
    clauses, owners = _clauses(claim), []
    for clause in clauses:
        content = [t for t in clause if t.content]
        shares = [_share(content, q) for q in quotes]
        best = max(shares)
        if best < (MIN_CLAUSE_COVERAGE if len(quotes) > 1 else MIN_HELD):
            return "the sentence joins its quotes in a way neither says" if len(quotes) > 1 else _unheld(clause)
        used |= {n for n, share in enumerate(shares) if share == best}
        owners.append(shares.index(best))
        for quote in (q for q, share in zip(quotes, shares, strict=True) if share == best):
            held = {t.stem for t in quote if t.word}
            loose = [t.text for t in content if t.low[:1].isdigit() and t.stem not in held]
            if loose:
                return f"{', '.join(loose)} comes from the other quote than the rest of its clause"
            reason = polarity(Reading(clause), Reading(quote)) if len(quotes) > 1 else None
            if reason:
                return reason
    if len(used) < len(quotes):
        return "one of its quotes holds none of the sentence"
    return _crossed(clauses, owners, quotes) if len(quotes) > 1 else None


def _crossed(clauses: Sequence[Sequence[Token]], owner: Sequence[int], quotes: Sequence[Sequence[Token]]) -> str | None:
    """Words traded between a merged sentence's clauses: a clause holds a word only the other quote has,
    while its own quote's word in that place went to the other clause ("A is X, while B is Y" for "A is Y.
    B is X."); ``owner`` is the quote each clause rests on."""
    held = [{t.stem for t in q if t.content} for q in quotes]
    for k, clause in enumerate(clauses):
        mine, own = {t.stem for t in clause if t.content}, held[owner[k]]
        for m, other in enumerate(clauses):
            if owner[m] == owner[k]:
                continue
            theirs, elsewhere = {t.stem for t in other if t.content}, held[owner[m]]
            took = (mine - own) & (elsewhere - own)
            gave = (theirs - elsewhere) & (own - elsewhere) - mine
            if took and gave:
                word = next(t.text for t in clause if t.stem in took)
                return f"'{word}' comes from the other quote than the rest of its clause"
    return None


def _unheld(clause: Sequence[Token]) -> str:
    words = " ".join(t.text for t in clause)
    return f"the quote does not hold '{words[:80]}{'…' if len(words) > 80 else ''}'"


_JOINS = frozenset(".,;:!?()") | {"and", "but", "while", "whereas", "although", "though"}
"""Where a merged sentence may pass from one quote to the other ("that" does not: "X said that …" is one)."""


def _clauses(claim: Sequence[Token]) -> list[list[Token]]:
    clauses: list[list[Token]] = [[]]
    for t in claim:
        if t.low in _JOINS:
            clauses.append([])
        else:
            clauses[-1].append(t)
    merged: list[list[Token]] = []
    for clause in clauses:
        if merged and sum(t.content for t in clause) < 3:
            merged[-1] += clause
        elif sum(t.content for t in clause) or not merged:
            merged.append(clause)
    return [c for c in merged if sum(t.content for t in c) >= 3] or merged


def _share(content: Sequence[Token], quote: Sequence[Token]) -> float:
    stems = {t.stem for t in quote if t.word}
    return sum(t.stem in stems for t in content) / len(content) if content else 1.0
