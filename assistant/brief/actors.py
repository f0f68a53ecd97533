"""Who's who: the people and organisations that act in the corpus, ranked by how central they are.

A name the rules of :mod:`assistant.brief.entities` find is an *actor* only where some
sentence shows it acting or says what it is:

- it is described: "X, a scholar at…", "X is the…", "X, who…";
- it holds a title: "Secretary General X", "Legal and Policy Officer, X";
- it does something: "X urged…", "X has continued…", "…endorsed by X";
- it is the speaker of a quote or of reported speech.

None of these is an actor: a name mostly found after "in", "at" or "from" (a place); one
after "report" or "titled", or holding a word such as "Rules", "Act" or "Notice" (a text);
one mostly after "a" or "an" (a kind of thing); one the corpus also writes in lower case
("Notice", "notices"); a blanked-out name ("Aaa BBB"); a plural body ("NGOs"); a word that
qualifies a noun ("French authorities"). News outlets and op-ed platforms report the story
rather than act in it, so their own names are left out, and an organisation named only as a
person's affiliation is left to that person.

Actors are ranked by the independent sources that mention them, their mentions, the
quotes they speak, how close their sentences are to the centre of the corpus, and whether
they are people.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.brief.entities import ORG_WORDS, Entity, collect_entities
from assistant.common.titles import HONORIFICS, MORE_OFFICES, OFFICES, alternatives
from assistant.provenance.wordlists import IRREGULAR
from assistant.types import DocumentMeta, Span

_OFFICES = alternatives(OFFICES + MORE_OFFICES)

WHO_LINES = 15
PERSON_WEIGHT = 6
"""People count above bodies of the same reach: a newcomer meets a story through who did what."""
REPORTERS = frozenset({"news", "op_ed"})
"""Kinds of document whose outlet reports the story rather than acting in it."""

_VERBS = (
    "accept accuse add adopt agree aim allow announce appeal appoint approve argue arrest ask attempt back ban block "
    "close create establish govern grant hold meet recognise recognize revive "
    "call campaign cancel charge claim comment complain condemn confirm consider continue criticise criticize "
    "decide declare defend deliver demand deny describe detail detain disappear disconnect dismiss elect "
    "endorse enable expel extradite face fail file help highlight hope implement impose insist introduce "
    "investigate issue join launch lead list mention move note object oppose order pair plan pledge praise "
    "press promise propose protect provide publish push raise rank receive refuse reject release remain "
    "report request require resign respond review rule say seek serve sign speak state support suspend "
    "target threaten try urge use vote want warn win work write"
).split()
_AMBIGUOUS = frozenset("left set put cut let shut bound hid lent sat found states uses".split())
"""Past forms that are as often another word ("Smith, left, and Jones")."""
VERB_FORMS = _FORMS = sorted(
    ({f for v in _VERBS for f in (v, v + "s", v + "es", v + "d", v + "ed", v[:-1] + "ied")} | set(IRREGULAR))
    - _AMBIGUOUS,
    key=len,
    reverse=True,
)
_GLUE = r"(?:has|have|had|will|would|could|can|may|might|must|should|did|does|do|is|was|were|are|been|be|being|" + (
    r"also|already|still|now|then|not|never|too|often|later|recently|previously|repeatedly|itself|n[’']t|"
    r"could\s*n[’']t|has\s+been|have\s+been|to)"
)
_ACTS = re.compile(
    r"^[”’\"]?(?:,[^,]{1,120},)?(?:\s+(?!(?:to|of|in|on|at|for|from|with|and|or|the|a|an|by|as|that|which)\b)"
    rf"[a-z]+){{0,2}}?(?:\s+{_GLUE})*\s+(?:{'|'.join(_FORMS)})\b(?!\s+by\b)"
)
# One word written with a capital and followed by a noun is an adjective ("Soviet states issued"), so it
# must stand right before its verb.
_ACTS_DIRECTLY = re.compile(rf"^[”’\"]?(?:,[^,]{{1,120}},)?(?:\s+{_GLUE})*\s+(?:{'|'.join(_FORMS)})\b(?!\s+by\b)")
_ADJECTIVE = re.compile(
    rf"^\s+(?!(?:{_GLUE}|{'|'.join(_FORMS)}|to|of|in|on|at|for|from|with|and|or|by|as|that|which|who)\b)[a-z]"
)
"""A lower-case word that is no verb right after a one-word name: the name qualifies it ("French police")."""
_DESCRIBED = re.compile(
    r"^[”’\"]?(?:,?\s+(?:is|was|are|were)\s+(?:a|an|the|one)\b|,\s+(?:a|an|the|who|head of|chief|founder of)\b)"
)
_TITLED = re.compile(  # the title is in any case; a first name between it and the surname is capitalised
    rf"(?:\b(?i:{_OFFICES}|{alternatives(HONORIFICS, optional_dot=True)}|candidate|CEO|head of|"
    r"founder of|chief of|leader|spokes(?:man|woman|person)|scholar|officer)[,\s]*(?:[A-Z][\w’'.-]*\s+){0,2}$)"
)
_ROLE_BEFORE = re.compile(
    r"\b(?i:\w*critic|CEO|head|chief|founder|leader|director|officer|candidate|chair(?:man|woman)?|spokes\w+|member)"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)?,\s*$"
)
"""A role just before a name, set off by a comma ("archcritic of the Kremlin, Anna Smith")."""
_GENERIC = re.compile(r"\b(?:a|an|any|each|every|all|no)\s+$", re.I)
_AGENT = re.compile(r"\bby\s+(?:the\s+)?$")
_PLACE = re.compile(
    r"\b(?:in|at|from|to|across|near|within|throughout|into|outside|inside|around|told)\s+(?:the\s+)?(?:former\s+)?$",
    re.I,
)
_WORK = re.compile(
    r"\b(?:report|essay|article|book|paper|study|titled|entitled|called|film|movie|biopic|documentary|album|single|song|"
    r"novel|musical|series|sitcom|drama|comedy|game)\s+[‘“\"]?$",
    re.I,
)


@dataclass(frozen=True)
class Sentence:
    """A quotable sentence of a document, as the briefing sees it."""

    meta: DocumentMeta
    span: Span
    text: str


@dataclass
class Evidence:
    """What the sentences that name an entity show about it."""

    described: int = 0
    titled: int = 0
    acts: int = 0
    spoke: int = 0
    places: int = 0
    works: int = 0
    generic: int = 0
    adjective: int = 0
    mentions: int = 0

    @property
    def acting(self) -> int:
        return self.described + self.titled + self.acts + self.spoke

    @property
    def actor(self) -> bool:
        """It acts or is described more often than it is a place, a work's title, a kind of thing ("an X")
        or a word that qualifies a noun ("French authorities")."""
        return self.acting > max(self.places, self.works, self.generic) and self.adjective < 0.8 * self.mentions


def mention_strength(entity: Entity, s: Sentence, evidence: Evidence | None = None) -> int:
    """How plainly ``s`` says who the entity is or what it did (0: it only mentions it); tallies ``evidence``."""
    best = 0
    for alias in sorted(entity.aliases | {entity.name}, key=len, reverse=True):
        found = _pattern(alias).search(s.text)
        if found is None:
            continue
        before, after = s.text[max(0, found.start() - 60) : found.start()], s.text[found.end() :]
        place, work, generic = (bool(p.search(before)) for p in (_PLACE, _WORK, _GENERIC))
        adjective = " " not in alias and bool(_ADJECTIVE.match(after))
        titled = _TITLED.search(before) or _ROLE_BEFORE.search(before)
        acts = (_ACTS if " " in alias or alias.isupper() else _ACTS_DIRECTLY).match(after) or _AGENT.search(before)
        strength = 0 if place or work or generic else 3 if _DESCRIBED.match(after) else 2 if titled else int(bool(acts))
        if evidence is not None:
            evidence.generic += generic
            evidence.adjective += adjective
            evidence.mentions += 1
            evidence.described += strength == 3
            evidence.titled += strength == 2
            evidence.acts += strength == 1
            evidence.places += place
            evidence.works += work
        best = max(best, strength + (alias == entity.name))
        break  # the longest alias the sentence holds stands for the others
    return best


def whos_who(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    speaker_of: Callable[[Sentence], str | None],
    n: int = WHO_LINES,
) -> list[tuple[Entity, Sentence]]:
    """The ``n`` most central actors, each with the sentence that says most plainly who they are."""
    return [(r.entity, r.best) for r in ranked_actors(sentences, group_of, closeness, speaker_of)[:n]]


@dataclass
class Ranked:
    """An actor, its score, the sentence that best says who it is, and the evidence for it."""

    score: float
    entity: Entity
    best: Sentence
    evidence: Evidence
    person: bool


def ranked_actors(
    sentences: Sequence[Sentence],
    group_of: Callable[[str], str],
    closeness: dict[tuple[str, int], float],
    speaker_of: Callable[[Sentence], str | None],
) -> list[Ranked]:
    """Every actor among the names of ``sentences``, most central first."""
    outlets = {s.meta.outlet for s in sentences if s.meta.outlet}
    reporters = {s.meta.outlet.casefold() for s in sentences if s.meta.outlet and s.meta.kind in REPORTERS}
    reporters |= {_short(r) for r in reporters}
    known = tuple(sorted(outlets | {_short(o) for o in outlets}, key=len, reverse=True))
    entities = collect_entities([(s.meta.source_id, s.span.start, s.text) for s in sentences], known)
    by_key = {_key(s): s for s in sentences}
    speakers = _SpeakerIndex(who for s in sentences if (who := speaker_of(s)))
    lower = _lowercase_words(sentences)
    ranked: list[Ranked] = []
    for entity in entities:
        names = {a.casefold() for a in entity.aliases | {entity.name}}
        # A caption printed twice, or a copy of a statement, is one mention.
        mentions = list({by_key[m].text: by_key[m] for m in entity.mentions if m in by_key}.values())
        if names & reporters or not mentions or _not_an_actor(entity, lower, len(mentions)):
            continue
        evidence = Evidence()
        strengths = [(mention_strength(entity, s, evidence), s) for s in mentions]
        evidence.spoke = speakers.count(entity.aliases)
        if not evidence.actor:
            continue
        best = max(strengths, key=lambda t: (t[0], t[1].span.kind == "body", closeness.get(_key(t[1]), 0.0)))[1]
        groups = len({group_of(s.meta.source_id) for s in mentions})
        near = max(closeness.get(_key(s), 0.0) for s in mentions)
        role = 3 * bool(evidence.described or evidence.titled) + min(evidence.acts, 3) + 2 * min(evidence.spoke, 3)
        person = _person(entity, mentions)
        score = 3 * groups + 2 * math.log2(1 + len(mentions)) + role + 6 * near + PERSON_WEIGHT * person
        entity.name = next((o for o in outlets if o.endswith(" " + entity.name)), entity.name)
        ranked.append(Ranked(score, entity, best, evidence, person))
    ranked.sort(key=lambda r: (-r.score, r.entity.name))
    return _without_parts(ranked, outlets)


def _without_parts(ranked: list[Ranked], outlets: set[str]) -> list[Ranked]:
    """Fold the body that publishes for an organisation into it ("X General Secretariat", the outlet of X's
    statements, into "X"), and leave out an organisation named only beside a person, as their affiliation
    ("Anna Smith, a scholar at Y")."""
    people_at: dict[tuple[str, int], list[set[tuple[str, int]]]] = {}
    for r in ranked:
        if r.person:
            mentions = set(r.entity.mentions)
            for m in mentions:
                people_at.setdefault(m, []).append(mentions)
    names = {r.entity.name: r for r in ranked}
    kept: list[Ranked] = []
    for r in ranked:
        words = r.entity.name.split()
        whole = next((names[" ".join(words[:i])] for i in range(1, len(words)) if " ".join(words[:i]) in names), None)
        mine = set(r.entity.mentions)
        if whole is not None and words[-1] in ORG_WORDS and r.entity.name in outlets:
            whole.entity.aliases |= r.entity.aliases | {r.entity.name}
            whole.entity.mentions = list(dict.fromkeys(whole.entity.mentions + r.entity.mentions))
        elif r.person or len(mine) > 2 or not any(mine <= p for m in mine for p in people_at.get(m, [])):
            kept.append(r)
    return kept


def _person(entity: Entity, mentions: Sequence[Sentence]) -> bool:
    """Shaped like a person's name and never written "the X" ("the Open Society movement")."""
    for s in mentions if entity.person else ():
        for alias in entity.aliases:
            found = _pattern(alias).search(s.text)
            if found and re.search(r"\bthe\s+$", s.text[: found.start()]):
                return False
    return entity.person


class _SpeakerIndex:
    """How many quotes each name speaks, looked up by the name's first word."""

    def __init__(self, speakers: Iterable[str]) -> None:
        self._by_word: dict[str, Counter[str]] = {}
        for who, n in Counter(speakers).items():
            for word in set(re.findall(r"\w[\w.-]*", who)):
                self._by_word.setdefault(word, Counter())[who] += n

    def count(self, aliases: Iterable[str]) -> int:
        """Quotes spoken by a speaker whose name holds one of ``aliases``."""
        spoken: set[str] = set()
        total = 0
        for alias in aliases:
            first = next(iter(re.findall(r"\w[\w.-]*", alias)), "")
            for who, n in self._by_word.get(first, Counter()).items():
                if who not in spoken and _pattern(alias).search(who):
                    spoken.add(who)
                    total += n
        return total


WORKS = frozenset(
    "Rules Act Code Constitution Convention Treaty Statute Regulation Regulations Index Report Resolution "
    "Declaration Notice Notices Diffusion Diffusions Agreement Article Section Chapter War "
    "Cup Award Awards Prize Prizes Championship Championships Olympics Festival Tournament Trophy".split()
)
"""Words that make a name the title of a text, a rule, a kind of document, a war or a contest (a cup, an
award, a festival), not an actor."""
ORG_PLURALS = frozenset({"NGOs"} | {w + "s" for w in ORG_WORDS} | {w + "es" for w in ORG_WORDS})
"""A plural ("National Central Bureaus", "NGOs") names a kind of body, not one of them."""
_REDACTED = re.compile(r"\b([A-Za-z])\1{2,}\b", re.I)
"""A word of one repeated letter ("EEE", "Aaa BBB"): a name the source blanked out."""


def _not_an_actor(entity: Entity, lower: dict[str, int], mentions: int) -> bool:
    """A blanked-out name, a plural acronym ("NGOs"), a title of a text, or a term the corpus also writes
    in lower case at least as often ("Notice" and "notices", "Red Notices" and "red notices")."""
    name = entity.name
    words = {w.strip("()") for alias in entity.aliases | {name} for w in alias.split()}
    if _REDACTED.search(name) or re.fullmatch(r"[A-Z]{2,}s", name) or words & ORG_PLURALS:
        return True
    if words & WORKS:
        return True
    if name.isupper():
        return False
    phrase = name.casefold()
    lowered = lower.get(phrase, 0) + lower.get(phrase + "s", 0) + lower.get(phrase.removesuffix("s"), 0)
    return lowered >= mentions


def _lowercase_words(sentences: Sequence[Sentence]) -> dict[str, int]:
    """How often each lower-case word, and each pair of them, occurs."""
    counts: dict[str, int] = {}
    for s in sentences:
        words = re.findall(r"\b[a-z][a-z\-]+\b|\S+", s.text)
        for i, word in enumerate(words):
            if word[0].islower():
                counts[word] = counts.get(word, 0) + 1
                if i + 1 < len(words) and words[i + 1][0].islower():
                    pair = f"{word} {words[i + 1]}"
                    counts[pair] = counts.get(pair, 0) + 1
    return counts


@lru_cache(maxsize=4096)
def _pattern(alias: str) -> re.Pattern[str]:
    """The alias as a whole word, any run of spaces (a no-break space too) between its words."""
    return re.compile(r"(?<!\w)" + r"(?:[’']s)?\s+".join(map(re.escape, alias.split())) + r"(?!\w)")


def _key(s: Sentence) -> tuple[str, int]:
    return (s.meta.source_id, s.span.start)


def _short(outlet: str) -> str:
    """An outlet's name without its last word when that is a generic one ("… Magazine")."""
    words = outlet.split()
    return " ".join(words[:-1]) if len(words) > 2 and words[-1] in {"Magazine", "News", "Online", "Post"} else outlet
