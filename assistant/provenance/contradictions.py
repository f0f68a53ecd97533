"""Detectors of a meaning turned around between a written sentence and its quote.

Each detector reads the sentence and the quote as aligned tokens and returns the reason it
fires, or None. They compare cues over the stretch of the quote the sentence draws on (its
"region": from the first to the last shared content word), so a negation elsewhere in a long
quote does not count against a sentence about another part of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.provenance.reading import DETERMINERS, Reading, Token, units, verbish
from assistant.provenance.wordlists import (
    ABSOLUTES,
    BOUNDARY,
    DEIXIS,
    GENERAL,
    MODALS,
    NEGATORS,
    PREFIXES,
    PURE_NEGATORS,
    STOPPING,
    UNITS,
    opposites,
    valence,
)
from assistant.retrieval.lexical import stem

CAUSES = frozenset("because therefore thus hence consequently prompted so".split())
CAUSE_PHRASES = ("due to", "owing to", "as a result", "led to", "leads to", "lead to", "in order to", "so that",
                 "in response to", "resulted in", "results in", "since the", "thanks to", "given that")  # fmt: skip
LOOSE_CAUSES = ("as the", "as it", "as he", "as she", "as they", "as its", "as his", "as her", "as their", "since")
"""Words that may give a reason: a quote using them may back a sentence that says "because"."""
STRONG = 1.0
"""Least VADER valence (of 4) at which a word's polarity counts."""


def quantities(claim: Reading, quote: Reading) -> str | None:
    theirs = quote.quantities()
    for value, bound, unit in claim.quantities():
        same = [q for q in theirs if q[0] == value]
        if not same:
            return f"the number {value:g} is not in the quote"
        if not any(b == bound or (bound is None and b in (None, "exact")) for _, b, _ in same):
            shown = next((b for _, b, _ in same if b), None)
            return f"the quote bounds {value:g} differently ({shown or 'exactly'}, not {bound or 'exactly'})"
        for family, u in unit.items():
            if all(q.get(family, u) != u for _, _, q in same):
                return f"{value:g} {u} where the quote says {same[0][2][family]}"
    table = UNITS["time"]
    my_units = {table[t.stem] for t in claim.tokens if t.stem in table}
    their_units = {table[t.stem] for t in quote.tokens if t.stem in table}
    if their_units and my_units - their_units:
        return f"'{sorted(my_units - their_units)[0]}' where the quote says '{sorted(their_units)[0]}'"
    return None


def polarity(claim: Reading, quote: Reading) -> str | None:
    """Each clause of the sentence is negated (an odd number of times) as the quote's clauses it draws on are."""
    theirs = quote.clauses()
    for clause in claim.clauses():
        stems = {t.stem for t in clause if _meaningful(t)}
        verbs = {t.stem for k, t in enumerate(clause) if verbish(clause, k)}
        if not verbs and not any(t.low in NEGATORS for t in clause) and len(stems) < 3:
            continue  # a short noun phrase cut off by commas
        drawn = [c for c in theirs if _draws_on(clause, stems, c)]
        shared = stems & {t.stem for c in drawn for t in c}
        if len(shared) < 2 and not (shared & verbs):
            continue
        mine = _negation_parity(clause, quote.stems)
        if sum(_negation_parity(c, claim.stems) for c in drawn) % 2 != mine:
            side, words = (
                ("the sentence", _negators(clause, quote.stems))
                if mine
                else ("the quote", [w for c in drawn for w in _negators(c, claim.stems)])
            )
            return f"negated in {side} only ('{' '.join(words)}')"
    return None


def _draws_on(clause: Sequence[Token], stems: set[str], other: Sequence[Token]) -> bool:
    """Whether a sentence clause rests on a quote clause: two shared words, or a shared verb."""
    shared = stems & {t.stem for t in other if _meaningful(t)}
    return len(shared) >= 2 or any(t.stem in shared and verbish(clause, k) for k, t in enumerate(clause))


def _meaningful(t: Token) -> bool:
    """A content word, or a verb that negates ("failed", "refused"): what clauses are matched on."""
    return t.content or (t.word and t.low in NEGATORS and t.low not in PURE_NEGATORS)


def _negators(clause: Sequence[Token], other: Counter[str]) -> list[str]:
    return [t.text for k, t in enumerate(clause) if _negates(clause, k, other)]


def _negation_parity(clause: Sequence[Token], other: Counter[str]) -> int:
    """Negators in a clause, odd or even; a prefixed word counts when the other text has its root."""
    return sum(_negates(clause, k, other) for k in range(len(clause))) % 2


def _negates(clause: Sequence[Token], k: int, other: Counter[str]) -> bool:
    t = clause[k]
    after = clause[k + 1] if k + 1 < len(clause) else None
    if t.low in PURE_NEGATORS or (t.low in ("rather", "instead") and after is not None and after.low in ("than", "of")):
        return True
    if t.low in NEGATORS:
        # "failed to attract", "refused to suspend", "denied refugee status" negate; "failed because" does not.
        return after is not None and (after.low == "to" or after.content or after.low in DETERMINERS)
    return (
        t.content
        and t.stem not in other
        and any(t.low.startswith(p) and stem(t.low[len(p) :].lstrip("-")) in other for p in PREFIXES)
    )


def modality(claim: Reading, quote: Reading) -> str | None:
    region = quote.region(claim)
    mine, theirs = claim.modals(), region.modals()
    # A word of two kinds ("could": ability or possibility) is matched by either.
    added = {k for k in mine - quote.modals() if not any(_kinds(w) & quote.modals() for w in _words(claim, k))}
    dropped = {
        k
        for k in theirs - mine
        if _governs(region, MODALS[k], claim) and not any(_kinds(w) & mine for w in _words(region, k))
    }
    if added:
        return f"the sentence adds {_cue_words(claim, added)} the quote lacks"
    if dropped:
        return f"the sentence drops the quote's {_cue_words(region, dropped)}"
    return None


def _kinds(word: str) -> set[str]:
    return {k for k, cue in MODALS.items() if word in cue}


def _words(reading: Reading, kind: str) -> list[str]:
    return [w for w in reading.lows if w in MODALS[kind]]


def _governs(region: Reading, cue: frozenset[str], claim: Reading) -> bool:
    """Whether a cue word of the quote bears on a word the sentence keeps: one of the next two content
    words after it, in its clause."""
    toks = region.tokens
    for j, t in enumerate(toks):
        if t.low not in cue:
            continue
        following = []
        for u in toks[j + 1 : j + 10]:
            if u.low in BOUNDARY:
                break
            if u.content:
                following.append(u)
            if len(following) == 2:
                break
        if any(not u.name and u.stem in claim.stems for u in following):
            return True
    return False


def _cue_words(reading: Reading, kinds: set[str]) -> str:
    words = sorted({w for w in reading.lows for k in kinds if w in MODALS[k]})
    return f"'{' '.join(words)}' ({', '.join(sorted(kinds))})"


def conditions(claim: Reading, quote: Reading) -> str | None:
    mine, theirs = claim.conditions(), quote.region(claim).conditions()
    if mine != theirs and mine != quote.conditions():
        return f"the condition differs ({', '.join(sorted(mine)) or 'none'} vs {', '.join(sorted(theirs)) or 'none'})"
    return None


def cause(claim: Reading, quote: Reading) -> str | None:
    def causal(r: Reading) -> bool:
        return bool(set(r.lows) & CAUSES) or any(f" {p} " in r.text for p in CAUSE_PHRASES)

    if causal(claim) and not causal(quote) and not any(f" {p} " in quote.text for p in LOOSE_CAUSES):
        return "the sentence states a cause the quote does not give"
    return None


def opposite_words(claim: Reading, quote: Reading) -> str | None:
    table, theirs, mine = opposites(), quote.stems, claim.stems
    for t in claim.tokens:
        if not t.word or mine[t.stem] <= theirs[t.stem]:
            continue
        clash = [o for o in table.get(t.stem, ()) if theirs[o] > mine[o]]
        if clash:
            return f"'{t.text}' where the quote says the opposite ('{sorted(clash)[0]}')"
    lows, my_lows = Counter(quote.lows), Counter(claim.lows)
    for t in claim.tokens:
        if not t.content or my_lows[t.low] <= lows[t.low]:
            continue
        for p in PREFIXES:
            rest = t.low[len(p) :].lstrip("-")
            if t.low.startswith(p) and len(rest) >= 4 and lows[rest] > my_lows[rest]:
                return f"'{t.text}' where the quote says '{rest}'"
            for prefixed in (p + t.low, f"{p}-{t.low}"):
                if lows[prefixed] > my_lows[prefixed]:
                    return f"'{t.text}' where the quote says '{prefixed}'"
    return _valence(claim, quote)


def _valence(claim: Reading, quote: Reading) -> str | None:
    """A word of the sentence whose polarity is the reverse of the quote word in its place."""
    scores = valence()
    for i, t in enumerate(claim.tokens):
        v = scores.get(t.stem, 0.0)
        if not t.content or t.name or abs(v) < STRONG or t.stem in quote.stems:
            continue
        v = -v if claim.negated(i) else v
        there = [(j, q) for j, q in _slot(claim, i, quote) if q.content and not q.name and q.stem not in claim.stems]
        if len(there) != 1:
            continue  # only a one-for-one swap of words is read for tone
        for j, q in there:
            w = scores.get(q.stem, 0.0)
            w = -w if quote.negated(j) else w
            if q.content and not q.name and q.stem not in claim.stems and abs(w) >= STRONG and (v > 0) != (w > 0):
                return f"'{t.text}' where the quote says '{q.text}', its opposite in tone"
    return None


def _slot(claim: Reading, i: int, quote: Reading) -> list[tuple[int, Token]]:
    """The quote's words standing where the sentence's ``i``-th word stands: between the same shared words."""
    positions = {t.stem: j for j, t in enumerate(quote.tokens) if t.content}
    left = next((positions[t.stem] for t in reversed(claim.tokens[:i]) if t.content and t.stem in positions), None)
    right = next((positions[t.stem] for t in claim.tokens[i + 1 :] if t.content and t.stem in positions), None)
    if left is not None and right is not None and left < right:
        lo, hi = left + 1, right
    elif left is not None:
        lo, hi = left + 1, left + 5
    elif right is not None:
        lo, hi = right - 4, right
    else:
        return []
    return [(j, quote.tokens[j]) for j in range(max(0, lo), min(hi, len(quote.tokens)))]


def reversals(claim: Reading, quote: Reading) -> str | None:
    """A verb that works against what follows ("stopping the regime's abuse"), added where the quote has none."""
    mine = [t for t in claim.tokens if t.stem in STOPPING]
    if mine and len(mine) > sum(t.stem in STOPPING for t in quote.tokens):
        return f"the sentence adds '{mine[0].text}', which the quote does not say"
    return None


def absolutes(claim: Reading, quote: Reading) -> str | None:
    """A sentence may not generalise: "always", "only", "entirely" where its quote has no word of that kind."""
    theirs = set(quote.lows)
    for t in claim.tokens:
        kind = next((k for k, words in ABSOLUTES.items() if t.low in words), None)
        if kind == "all" and t.low not in GENERAL:
            continue
        if kind and not theirs & ABSOLUTES[kind]:
            return f"the sentence says '{t.text}' where the quote does not"
    return None


def dates(claim: Reading, quote: Reading) -> str | None:
    """Seasons and time phrases relative to the source ("last year") must match."""
    mine, theirs = units(claim.tokens).get("season"), units(quote.tokens).get("season")
    if mine and theirs and mine != theirs:
        return f"'{mine}' where the quote says '{theirs}'"
    for phrase in DEIXIS:
        if f" {phrase} " in claim.text and f" {phrase} " not in quote.text:
            rival = next((p for p in DEIXIS if p.split()[-1] == phrase.split()[-1] and f" {p} " in quote.text), None)
            if rival:
                return f"'{phrase}' where the quote says '{rival}'"
    return None
