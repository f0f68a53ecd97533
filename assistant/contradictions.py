"""Detectors of a meaning turned around between a written sentence and its quote.

Each detector reads the sentence and the quote as aligned tokens and returns the reason it
fires, or None. They compare cues over the stretch of the quote the sentence draws on (its
"region": from the first to the last shared content word), so a negation elsewhere in a long
quote does not count against a sentence about another part of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from assistant.lexical import STOPWORDS, stem
from assistant.wordlists import (
    AUXILIARIES,
    BOUNDARY,
    BOUNDS,
    CONDITIONS,
    IRREGULAR,
    MODALS,
    NEGATORS,
    NUMBER_WORDS,
    PASSIVE,
    PREFIXES,
    PURE_NEGATORS,
    SCALES,
    SCOPE,
    SPEECH,
    STOPPING,
    UNITS,
    opposites,
    valence,
)

CAUSES = frozenset("because therefore thus hence consequently caused causes prompted so".split())
CAUSE_PHRASES = ("due to", "owing to", "as a result", "led to", "leads to", "lead to", "in order to", "so that",
                 "in response to", "resulted in", "results in", "since the", "thanks to", "given that")  # fmt: skip
LOOSE_CAUSES = ("as the", "as it", "as he", "as she", "as they", "as its", "as his", "as her", "as their", "since")
"""Words that may give a reason: a quote using them may back a sentence that says "because"."""
STRONG = 1.0
"""Least VADER valence (of 4) at which a word's polarity counts."""


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
    return len(stem_) >= 5 and any(len(s) >= 5 and (stem_.startswith(s) or s.startswith(stem_)) for s in stems)


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
        """The text cut at punctuation and clause words ("and", "but", "which", …)."""
        out: list[list[Token]] = [[]]
        for t in self.tokens:
            if t.low in BOUNDARY or t.low == "and":
                out.append([])
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


# -- the detectors ----------------------------------------------------------------------


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
    mine, region = units(claim.tokens).get("time"), units(quote.region(claim).tokens).get("time")
    if mine and region and mine != region and mine not in units(quote.tokens).values():
        return f"'{mine}' where the quote says '{region}'"
    return None


def number_owners(claim: Reading, quote: Reading) -> str | None:
    """A number put beside another name of the quote ("Brazil, with 118" where the quote gives 118 to the US)."""
    for i, t in enumerate(claim.tokens):
        if not t.low[:1].isdigit():
            continue
        owner = _owner(claim.tokens, i)
        theirs = {o for j, q in enumerate(quote.tokens) if q.stem == t.stem and (o := _owner(quote.tokens, j))}
        if owner and owner in quote.stems and theirs and not any(same_name(owner, {o}) for o in theirs):
            return f"{t.text} belongs to {_shown(quote, min(theirs))} in the quote, not {_shown(claim, owner)}"
    return None


def _owner(toks: Sequence[Token], i: int) -> str | None:
    """The name just before a number (within four words, not across a full stop or semicolon)."""
    for k in range(i - 1, max(-1, i - 5), -1):
        t = toks[k]
        if t.low in (".", ";", ":") or t.low[:1].isdigit():
            return None
        if t.name and k > 0 and toks[k - 1].low not in (".", "!", "?"):
            return t.stem
    return None


def polarity(claim: Reading, quote: Reading) -> str | None:
    """Each clause of the sentence is negated (an odd number of times) as the quote's clause that matches it is."""
    theirs = quote.clauses()
    for clause in claim.clauses():
        stems = {t.stem for t in clause if t.content}
        shared = [len(stems & {t.stem for t in c if t.content}) for c in theirs]
        best = max(shared, default=0)
        verbs = {t.stem for k, t in enumerate(clause) if _verbish(clause, k)}
        if not verbs and not any(t.low in NEGATORS for t in clause) and len(stems) < 3:
            continue  # a short noun phrase cut off by commas
        if best < 2 and not (best == 1 and verbs & quote.stems.keys()):
            continue
        mine = _negation_parity(clause, quote.stems)
        matches = [c for c, n in zip(theirs, shared, strict=True) if n == best]
        if all(_negation_parity(c, claim.stems) != mine for c in matches):
            side, words = (
                ("the sentence", _negators(clause, quote.stems))
                if mine
                else ("the quote", _negators(matches[0], claim.stems))
            )
            return f"negated in {side} only ('{' '.join(words)}')"
    return None


def _negators(clause: Sequence[Token], other: Counter[str]) -> list[str]:
    return [t.text for t in clause if _negates(t, other)]


def _negation_parity(clause: Sequence[Token], other: Counter[str]) -> int:
    """Negators in a clause, odd or even; a prefixed word counts when the other text has its root."""
    return sum(_negates(t, other) for t in clause) % 2


def _negates(t: Token, other: Counter[str]) -> bool:
    if t.low in NEGATORS or t.stem in STOPPING:
        return True
    return (
        t.content
        and t.stem not in other
        and any(t.low.startswith(p) and stem(t.low[len(p) :].lstrip("-")) in other for p in PREFIXES)
    )


def modality(claim: Reading, quote: Reading) -> str | None:
    region = quote.region(claim)
    mine, theirs = claim.modals(), region.modals()
    added = mine - quote.modals()
    dropped = {k for k in theirs - mine if _governs(region, MODALS[k], claim)}
    if added:
        return f"the sentence adds {_cue_words(claim, added)} the quote lacks"
    if dropped:
        return f"the sentence drops the quote's {_cue_words(quote.region(claim), dropped)}"
    return None


def _governs(region: Reading, cue: frozenset[str], claim: Reading) -> bool:
    """Whether a cue word of the quote stands before (within four words) a word the sentence keeps."""
    toks = region.tokens
    return any(
        t.low in cue and any(u.content and not u.name and u.stem in claim.stems for u in toks[j + 1 : j + 5])
        for j, t in enumerate(toks)
    )


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
        for j, q in _slot(claim, i, quote):
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


def roles(claim: Reading, quote: Reading) -> str | None:
    """Who does what to whom: the name before (or, passive, after "by") a shared verb, and the one it acts on."""
    for i, t in enumerate(claim.tokens):
        if not t.content or t.name or not _verbish(claim.tokens, i):
            continue
        places = [j for j, q in enumerate(quote.tokens) if q.stem == t.stem and _verbish(quote.tokens, j)]
        if not places:
            continue
        agent = _agent(claim.tokens, i)
        theirs = [a for j in places if (a := _agent(quote.tokens, j))]
        if agent and theirs and not any(_overlap(agent, a) for a in theirs):
            mine_shown, their_shown = _shown(claim, min(agent)), _shown(quote, min(theirs[0]))
            return f"the sentence has {mine_shown} '{t.text}'; the quote has {their_shown}"
        target = _target(claim.tokens, i)
        targets = [_target(quote.tokens, j) for j in places]
        known = [x for x in targets if x]
        if target and len(known) == len(targets) and target not in known and target in quote.stems:
            return f"'{t.text}' acts on {_shown(claim, target)} here, on {_shown(quote, min(known))} in the quote"
    return _attached_names(claim, quote) or _speaker(claim, quote)


_PREPOSITIONS = frozenset("in of from against for to with on at".split())


def _attached(toks: Sequence[Token], i: int) -> tuple[str, str] | None:
    """(preposition, name) right after token ``i``: "journalists in Ukraine" gives ("in", "ukrain")."""
    if i + 2 >= len(toks) or toks[i + 1].low not in _PREPOSITIONS:
        return None
    window = toks[i + 2 : i + 6]
    for k, t in enumerate(window):
        if t.name:
            return toks[i + 1].low, t.stem
        after = window[k + 1] if k + 1 < len(window) else None
        if t.content and after is not None and after.low in _PREPOSITIONS:
            return toks[i + 1].low, f"~{t.stem}"  # a common noun heads the phrase ("an ally of X")
        if t.content and not (after is not None and after.name):
            return None  # not an adjective before a name
        if not t.content and t.low not in _DETERMINERS and t.low not in "“”\"'":
            return None
    return None


def _attached_names(claim: Reading, quote: Reading) -> str | None:
    """A shared word whose name ("journalists in X") is another name of the quote there."""
    for i, t in enumerate(claim.tokens):
        if not t.content or t.name or t.stem not in quote.stems:
            continue
        mine = _attached(claim.tokens, i)
        if mine is None or mine[1] not in quote.stems:
            continue
        theirs = {a for j, q in enumerate(quote.tokens) if q.stem == t.stem and (a := _attached(quote.tokens, j))}
        same_preposition = {name for prep, name in theirs if prep == mine[0]}
        if any(same_name(mine[1], {n}) for _, n in theirs):
            continue
        if same_preposition:
            theirs_shown = next(iter(sorted(same_preposition)))
            shown = f"'{theirs_shown[1:]}…'" if theirs_shown.startswith("~") else _shown(quote, theirs_shown)
            return f"'{t.text} {mine[0]}' {_shown(claim, mine[1])} where the quote has {shown}"
    return None


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(same_name(x, set(b)) for x in a)


def _verbish(toks: Sequence[Token], i: int) -> bool:
    """A rough verb test (no tagger): a past form not after a determiner or a name, or after an auxiliary."""
    low, before = toks[i].low, toks[i - 1] if i > 0 else None
    if before is not None and before.low in AUXILIARIES:
        return True
    adjective = before is not None and (before.possessive or before.low in _DETERMINERS)
    return (low.endswith("ed") or low in IRREGULAR) and not adjective


_DETERMINERS = frozenset("a an the its their his her this that these those our".split())


def _agent(toks: Sequence[Token], i: int) -> frozenset[str]:
    """The names that do what token ``i`` says: after "by" when passive, else those just before it."""
    past = toks[i].low.endswith("ed") or toks[i].low in IRREGULAR
    if i + 1 < len(toks) and toks[i + 1].low == "by" and (past or any(t.low in PASSIVE for t in toks[i - 3 : i])):
        return _names_from(toks[i + 2 : i + 7])
    found: list[str] = []
    for t in reversed(toks[max(0, i - 7) : i]):
        if t.name:
            found.append(t.stem)
        elif (found and t.low not in _CONNECTORS) or t.low in BOUNDARY - {"(", ")"}:
            break
    return frozenset(found)


_CONNECTORS = frozenset("( ) of in 's the".split())


def _names_from(toks: Sequence[Token]) -> frozenset[str]:
    """The first run of names in ``toks`` (connectors such as "of" and brackets allowed inside)."""
    found: list[str] = []
    for t in toks:
        if t.name:
            found.append(t.stem)
        elif found and t.low not in _CONNECTORS:
            break
    return frozenset(found)


def _target(toks: Sequence[Token], i: int) -> str | None:
    """The name right after token ``i`` (a determiner between), when the verb acts on it."""
    for t in toks[i + 1 : i + 3]:
        if t.name:
            return t.stem
        if t.low not in ("the", "a", "an", "its", "their"):
            return None
    return None


def _shown(reading: Reading, stem_: str | None) -> str:
    return next((f"'{t.text}'" for t in reading.tokens if t.stem == stem_), "another name")


def _speaker(claim: Reading, quote: Reading) -> str | None:
    """A sentence that says who spoke must name the one the quote says spoke (the names before its verb
    of saying), or, where the quote's verb has no such name, someone the quote names around it."""
    said = [i for i, t in enumerate(claim.tokens) if t.low in SPEECH and not t.name]
    quote_said = [j for j, t in enumerate(quote.tokens) if t.low in SPEECH and not t.name]
    if not said or not quote_said:
        return None
    mine = frozenset().union(*(_agent(claim.tokens, i) for i in said))
    theirs = [_agent(quote.tokens, j) for j in quote_said]
    if mine and all(theirs) and not any(_overlap(mine, a) for a in theirs):
        return f"the sentence has {_shown(claim, min(mine))} speak; the quote, {_shown(quote, min(theirs[0]))}"
    around = {u.stem for j in quote_said for u in quote.tokens[max(0, j - 25) : j + 6] if u.name}
    near = {u.stem for i in said for u in _near(claim.tokens, i, 3) if u.name}
    if around and near and not near & around:
        return "the sentence gives another speaker than the quote"
    return None


def _near(toks: Sequence[Token], i: int, width: int) -> list[Token]:
    return [*toks[max(0, i - width) : i], *toks[i + 1 : i + 1 + width]]


DETECTORS: list[Callable[[Reading, Reading], str | None]] = [
    quantities,
    number_owners,
    polarity,
    modality,
    conditions,
    cause,
    opposite_words,
    roles,
]
"""In the order they are tried; the first that fires is the reason shown."""
