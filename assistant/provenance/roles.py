"""Detectors of a name put in another role: who does what to whom, whose figure, who said it.

No parser: roles are read from word order around the words a sentence shares with its quote.
The names before a verb (or after "by", passive) do it; the name right after a verb, or after
a word and a preposition ("journalists in X"), is what it bears on; the name just before a
number owns it. A sentence passes a role check when its names stand where the quote's do.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.provenance.reading import DETERMINERS, Reading, Token, is_name, same_name, verbish
from assistant.provenance.wordlists import ADVERBS, BOUNDARY, IRREGULAR, PASSIVE, SPEECH

PREPOSITIONS = frozenset("in of from against for to with on at by".split())
DIRECTIONAL = frozenset("by to from against for".split())
"""Prepositions that give a role: the same name after "to" and after "by" is not the same fact."""
_CONNECTORS = frozenset("( ) of in the".split())
Names = frozenset[str]


def agent(toks: Sequence[Token], i: int) -> Names:
    """The names that do what token ``i`` says: after "by" when passive, else those just before it."""
    k = i + 1
    if k < len(toks) and (toks[k].low in ADVERBS or toks[k].low.endswith("ly")):
        k += 1  # "circulated directly by X"
    past = toks[i].low.endswith("ed") or toks[i].low in IRREGULAR
    if k < len(toks) and toks[k].low == "by" and (past or any(t.low in PASSIVE for t in toks[max(0, i - 3) : i])):
        return names_from(toks, k + 1, k + 6)
    found: list[str] = []
    for j in range(i - 1, max(-1, i - 8), -1):
        t = toks[j]
        if is_name(toks, j):
            found.append(t.stem)
        elif (found and t.low not in _CONNECTORS) or t.low in BOUNDARY - {"(", ")"}:
            break
    return frozenset(found)


def names_from(toks: Sequence[Token], start: int, end: int) -> Names:
    """The first run of names in ``toks[start:end]`` (connectors such as "of" and brackets inside)."""
    found: list[str] = []
    for j in range(start, min(end, len(toks))):
        if is_name(toks, j):
            found.append(toks[j].stem)
        elif found and toks[j].low not in _CONNECTORS:
            break
    return frozenset(found)


def overlap(a: Names, b: Names) -> bool:
    """Whether two runs of names share one (a demonym counts as its place)."""
    return any(same_name(x, set(b)) for x in a)


def shown(reading: Reading, stems: Names | str) -> str:
    """A name as the text writes it, for a reason."""
    wanted = {stems} if isinstance(stems, str) else set(stems)
    words = [t.text for t in reading.tokens if t.stem in wanted]
    return f"'{' '.join(dict.fromkeys(words))}'" if words else "another name"


def roles(claim: Reading, quote: Reading) -> str | None:
    """Who does what to whom around each verb the sentence shares with its quote."""
    ctoks, qtoks = claim.tokens, quote.tokens
    for i, t in enumerate(ctoks):
        if not t.content or t.name or not verbish(ctoks, i):
            continue
        places = [j for j, q in enumerate(qtoks) if q.stem == t.stem and verbish(qtoks, j)]
        if not places:
            continue
        mine = agent(ctoks, i)
        theirs = [a for j in places if (a := agent(qtoks, j))]
        if mine and theirs and not any(overlap(mine, a) for a in theirs):
            return f"the sentence has {shown(claim, mine)} '{t.text}'; the quote has {shown(quote, theirs[0])}"
        target = _target(ctoks, i)
        targets = [_target(qtoks, j) for j in places]
        if mine and not theirs and any(x and same_name(x, set(mine)) for x in targets):
            return f"{shown(claim, mine)} '{t.text}' here; in the quote, '{t.text}' acts on {shown(quote, mine)}"
        if mine and not theirs and (moved := _agent_elsewhere(mine, claim, quote, t.stem)):
            return f"{shown(claim, mine)} '{t.text}' here; in the quote, {shown(quote, mine)} '{moved}'"
        known = [x for x in targets if x]
        if target and len(known) == len(targets) and target not in known and target in quote.stems:
            return f"'{t.text}' acts on {shown(claim, target)} here, on {shown(quote, min(known))} in the quote"
    return None


def _agent_elsewhere(names: Names, claim: Reading, quote: Reading, verb: str) -> str | None:
    """Another verb the names do in the quote, which the sentence gives to someone else (or no one)."""
    for j, q in enumerate(quote.tokens):
        if q.stem == verb or not verbish(quote.tokens, j) or not overlap(names, agent(quote.tokens, j)):
            continue
        theirs = [i for i, t in enumerate(claim.tokens) if t.stem == q.stem and verbish(claim.tokens, i)]
        if theirs and not any(overlap(names, agent(claim.tokens, i)) for i in theirs):
            return q.text
    return None


def _target(toks: Sequence[Token], i: int) -> str | None:
    """The name right after token ``i`` (a determiner between), when the verb acts on it."""
    for j in range(i + 1, min(i + 3, len(toks))):
        if is_name(toks, j):
            return toks[j].stem
        if toks[j].low not in DETERMINERS:
            return None
    return None


def attached(toks: Sequence[Token], i: int) -> tuple[str, Names | str] | None:
    """(preposition, names) right after token ``i``: "journalists in Ukraine" gives ("in", {"ukrain"}); a
    common noun heading the phrase ("an ally of X") gives its stem with a leading "~"."""
    if i + 2 >= len(toks) or toks[i + 1].low not in PREPOSITIONS:
        return None
    prep, start = toks[i + 1].low, i + 2
    for k in range(start, min(start + 5, len(toks))):
        t = toks[k]
        if is_name(toks, k):
            return prep, names_from(toks, k, k + 5)
        after = toks[k + 1] if k + 1 < len(toks) else None
        if t.content:
            if after is None or after.low in PREPOSITIONS or after.low in BOUNDARY:
                return prep, f"~{t.stem}"  # a common noun heads the phrase
            if not (after.content or after.name):
                return None  # not an adjective before a noun or a name
        elif t.low not in DETERMINERS and t.low not in "“”\"'":
            return None
    return None


def attached_names(claim: Reading, quote: Reading) -> str | None:
    """A shared word whose name ("journalists in X") is another one in the quote, or comes with another role."""
    for i, t in enumerate(claim.tokens):
        if not t.content or t.name or t.stem not in quote.stems:
            continue
        mine = attached(claim.tokens, i)
        if mine is None or isinstance(mine[1], str):
            continue
        prep, names = mine[0], mine[1]
        if not any(n in quote.stems for n in names):
            continue
        theirs = [a for j, q in enumerate(quote.tokens) if q.stem == t.stem and (a := attached(quote.tokens, j))]
        if not theirs and (there := _attached_elsewhere(claim, quote, prep, names)):
            return f"'{t.text} {prep}' {shown(claim, names)}: in the quote, '{there} {prep}'"
        same = [n for _, n in theirs if not isinstance(n, str) and overlap(names, n)]
        if any(p == prep or not ({p, prep} <= DIRECTIONAL) for p, n in theirs if n in same):
            continue
        if same:
            return f"'{t.text} {prep}' {shown(claim, names)}: the quote has the name with another role"
        rivals = [n for p, n in theirs if p == prep]
        if rivals:
            rival = rivals[0]
            there = f"'{rival[1:]}…'" if isinstance(rival, str) else shown(quote, rival)
            return f"'{t.text} {prep}' {shown(claim, names)} where the quote has {there}"
    return None


def _attached_elsewhere(claim: Reading, quote: Reading, prep: str, names: Names) -> str | None:
    """Another word of the sentence that has these names after ``prep`` in the quote, but not in the sentence."""
    for j, q in enumerate(quote.tokens):
        there = attached(quote.tokens, j) if q.content and not q.name else None
        if there is None or there[0] != prep or isinstance(there[1], str) or not overlap(names, there[1]):
            continue
        mine = [attached(claim.tokens, i) for i, t in enumerate(claim.tokens) if t.stem == q.stem]
        if mine and not any(m and not isinstance(m[1], str) and overlap(names, m[1]) for m in mine):
            return q.text
    return None


def modifiers(claim: Reading, quote: Reading) -> str | None:
    """A name before a shared noun ("the DDD extradition request") that is another name there in the quote."""
    ctoks, qtoks = claim.tokens, quote.tokens
    for i, t in enumerate(ctoks):
        if i == 0 or not t.content or t.name or not is_name(ctoks, i - 1):
            continue
        mine = ctoks[i - 1].stem
        theirs = {
            qtoks[j - 1].stem for j, q in enumerate(qtoks) if q.stem == t.stem and j > 0 and is_name(qtoks, j - 1)
        }
        if mine in quote.stems and theirs and not any(same_name(mine, {n}) for n in theirs):
            return f"'{ctoks[i - 1].text} {t.text}' where the quote has {shown(quote, min(theirs))} {t.text}"
    return None


FIRST_PERSON = frozenset("our my".split())


def possessors(claim: Reading, quote: Reading) -> str | None:
    """A noun the quote calls "our" given to a name the quote speaks of as someone else ("our report" is
    not "NATO's report" when the quote also names NATO)."""
    ctoks, qtoks = claim.tokens, quote.tokens
    for i, t in enumerate(ctoks):
        if not (t.possessive and is_name(ctoks, i)) or t.stem not in quote.stems:
            continue
        k = i + 1 + (i + 1 < len(ctoks) and ctoks[i + 1].low == "own")
        noun = next((u for u in ctoks[k : k + 3] if u.content), None)
        if noun is None:
            continue
        for j, q in enumerate(qtoks):
            before = qtoks[max(0, j - 3) : j]
            ours = next((u.text for u in before if u.low in FIRST_PERSON), None)
            if q.stem == noun.stem and ours and not any(u.stem == t.stem for u in before):
                return f"'{t.text}'s {noun.text}' where the quote says '{ours} {q.text}'"
    return None


def number_owners(claim: Reading, quote: Reading) -> str | None:
    """A figure put beside another name of the quote ("Brazil, with 118" where the quote gives 118 to the US)."""
    for i, t in enumerate(claim.tokens):
        if not t.low[:1].isdigit() or _year(t):
            continue
        owner = _owner(claim.tokens, i)
        places = [j for j, q in enumerate(quote.tokens) if q.stem == t.stem]
        if not owner or owner not in quote.stems or not places:
            continue
        near = {quote.tokens[k].stem for j in places for k in range(max(0, j - 3), min(len(quote.tokens), j + 4))}
        theirs = {o for j in places if (o := _owner(quote.tokens, j))}
        if theirs and not same_name(owner, near) and not any(same_name(owner, {o}) for o in theirs):
            return f"{t.text} belongs to {shown(quote, min(theirs))} in the quote, not {shown(claim, owner)}"
    return None


def _year(t: Token) -> bool:
    return len(t.low) == 4 and t.low.isdigit() and 1800 <= int(t.low) <= 2100


def _owner(toks: Sequence[Token], i: int) -> str | None:
    """The name just before a number (within three words, not across a full stop or semicolon)."""
    for k in range(i - 1, max(-1, i - 4), -1):
        t = toks[k]
        if t.low in (".", ";", ":") or t.low[:1].isdigit():
            return None
        if is_name(toks, k):
            return t.stem
    return None


def speaker(claim: Reading, quote: Reading) -> str | None:
    """A sentence that says who spoke must name the one the quote says spoke (the names before its verb of
    saying), or, where the quote's verb has no such name, someone the quote names around it."""
    ctoks, qtoks = claim.tokens, quote.tokens
    said = [i for i, t in enumerate(ctoks) if t.low in SPEECH and not t.name]
    quote_said = [j for j, t in enumerate(qtoks) if t.low in SPEECH and not t.name]
    if not said or not quote_said:
        return None
    mine = frozenset().union(*(agent(ctoks, i) for i in said))
    theirs = [agent(qtoks, j) for j in quote_said]
    if mine and all(theirs) and not any(overlap(mine, a) for a in theirs):
        return f"the sentence has {shown(claim, mine)} speak; the quote, {shown(quote, theirs[0])}"
    around = {qtoks[k].stem for j in quote_said for k in _window(qtoks, j, 25, 5) if is_name(qtoks, k)}
    near = {ctoks[k].stem for i in said for k in _window(ctoks, i, 3, 3) if is_name(ctoks, k)}
    if around and near and not near & around:
        return "the sentence gives another speaker than the quote"
    return None


def _window(toks: Sequence[Token], i: int, before: int, after: int) -> range:
    return range(max(0, i - before), min(len(toks), i + after + 1))


def who(claim: Reading, quote: Reading) -> str | None:
    """All the role checks, in order."""
    for detector in (roles, attached_names, modifiers, possessors, number_owners, speaker):
        reason = detector(claim, quote)
        if reason:
            return reason
    return None
