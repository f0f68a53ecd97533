"""Question analysis: what is asked (its kind, parts, names, years), read against the corpus's vocabulary.

The kind of a question comes from English question words ("why", "how many", "when"),
never from the corpus. Names are words the question capitalises or the corpus nearly
always does; a word the corpus never uses is repaired to its nearest corpus word, so a
misspelt name still finds its documents.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.common.dates import MONTH_PATTERN, MONTHS
from assistant.retrieval.lexical import STOPWORDS, LexicalIndex, Term, key_terms, stem, words

QuestionKind = Literal[
    "summary", "versions", "comparison", "why", "how_many", "when", "where", "who", "definition", "said", "yesno",
    "what",
]  # fmt: skip

_I = re.IGNORECASE
_KIND_PATTERNS: list[tuple[QuestionKind, re.Pattern[str]]] = [
    ("summary", re.compile(r"\b(summari[sz]e|summary|overview|gist|main points|key points|in a nutshell|tl;?dr)\b"
                           r"|\bwhat(?:'s| is| was)\b.{0,80}\b(article|piece|story|report|statement|post|essay|"
                           r"op-?ed|item|blog|decision|document)\b.{0,20}\babout\b", _I)),
    ("versions", re.compile(r"\b(versions?|revised|revision|earlier (text|copy)|later (text|copy)|copies|"
                            r"edition|changed between|dropped from|added to)\b|\b(two|both|earlier|later|older|newer|"
                            r"original|updated|first|second)\s+(\S+\s+)?(statements|editions|drafts|texts|copies)\b",
                            _I)),
    ("comparison", re.compile(r"\b(compare[sd]?|comparison|differ(s|ed|ence|ences|ent)?|agree|disagree|contrast|"
                              r"versus|vs\.?|both|consistent|same figure)\b", _I)),
    ("why", re.compile(r"\b(why|how come|for what reasons?|what (was|is|were|are) the reasons?|reasons? (for|why)|"
                       r"what (made|led|caused|prompted)|on what grounds|justif(y|ied|ication))\b", _I)),
    ("how_many", re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|proportion|share|amount|figure|total)\b"
                            r"|\bhow (large|big|high|low)\b", _I)),
    ("when", re.compile(r"^\W*when\b|\bwhen (did|was|were|is|will|does|do)\b"
                        r"|\b(what|which) (exact |precise |specific )?(year|date|day|month|time)\b"
                        r"|\bin which (year|month)\b|\bhow long\b|\bsince when\b", _I)),
    ("where", re.compile(r"^\W*where\b|\bwhere (did|was|were|is|are|does|do|must|should|can)\b|\bin which (city|"
                         r"country|place)\b|\bwhich (city|country|countries|place|location)\b", _I)),
    ("who", re.compile(r"^\W*(who|whom|whose)\b|\bwho (is|was|were|are|did|had|has|said|wrote|led|leads)\b"
                       r"|\bwhich (person|people|official|officials|organi[sz]ations?|groups?|compan(y|ies)|"
                       r"states|members?)\b|\bname the\b|\bname of the\b|\bwhat (was|is|were|are) (his|her|their|the|"
                       r"its) names?\b", _I)),
    ("definition", re.compile(r"^\W*what (is|are) (an? |the )?[\w’'-]+( [\w’'-]+){0,2}\W*$|\bwhat does .{1,60} mean\b"
                              r"|\b(define|definition of|meaning of|what is meant by|stands? for)\b", _I)),
    ("said", re.compile(r"\b(say|said|says|stated?|claim(ed|s)?|react(ed|ion)?|respond(ed)?|comment(ed)?|argue[sd]?|"
                        r"report(ed|s)?|"
                        r"warn(ed|s)?|told|wr(ite|ote|itten)|describe[sd]?|announce[sd]?|quote[sd]?|view|position|"
                        r"think|thinks|opinion)\b", _I)),
    ("yesno", re.compile(r"^\W*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", _I)),
]  # fmt: skip

_CRITICS = re.compile(r"\b(critics?|criticism|critici[sz]e[sd]?|opponents?|campaigners?|advocates?|detractors?)\b", _I)
_AUTHORSHIP = re.compile(r"\b(who wrote|author|byline|reporter|journalist who|written by|writer)\b", _I)
_PART_SPLIT = re.compile(
    r"\?\s+(?=\S)|;\s+|,?\s+\b(?:and|also|plus)\s+(?=(?:who|what|when|where|why|how|which|did|does|is|was)\b)", _I
)
CHATTY_WORDS = 25
_ASKING = re.compile(
    r"^(who|what|when|where|why|how|which|whose|is|are|was|were|do|does|did|can|could|would|"
    r"will|should|has|have|tell me|explain|i('d| would) like to know|i('m| am) wondering)\b",
    _I,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_FOCUS = [
    re.compile(r"\bnames? of (?:the |a |an |his |her |their )?([\w’'-]+)", _I),
    re.compile(r"\bhow (?:many|much)\s+([\w’'-]+)", _I),
    re.compile(r"\b(?:which|what|whose)\s+(?:exact |specific |precise |kind of |type of |sort of )?([\w’'-]+)", _I),
]
"""Where the thing asked about stands: "the name of the X", "how many X", "which X"."""


@dataclass
class Question:
    """A question made ready for retrieval and answering."""

    text: str
    """The question as the user asked it (after truncation)."""
    search_query: str
    """What is searched: the question, repaired words added, plus the earlier question for a follow-up."""
    terms: list[Term]
    """Key terms the evidence should contain (repaired where misspelt)."""
    entities: list[Term]
    """Names and numbers of the question itself."""
    kind: QuestionKind = "what"
    """The sort of answer asked for."""
    parts: list[str] = field(default_factory=list)
    """The sub-questions of a multi-part question (empty for a single question)."""
    corrections: dict[str, str] = field(default_factory=dict)
    """Question words the corpus never uses, and the corpus word each was read as."""
    voice: str | None = None
    """"official" when the question asks what an official source says, "others" when it asks its critics."""
    about_author: bool = False
    """Whether the question asks about a document's author (only then may an author's bio be quoted)."""
    unknown_entities: float = 0.0
    """Share of the question's names and numbers that the corpus never uses, even after repair."""
    focus: list[Term] = field(default_factory=list)
    """What a "which/what/how many X" question asks about: the X an answer must name."""
    notices: list[str] = field(default_factory=list)

    @property
    def part_kinds(self) -> set[str]:
        """The kinds of a multi-part question's parts."""
        return {question_kind(p) for p in self.parts}

    @property
    def years(self) -> set[str]:
        """Years the question names ("in 2018")."""
        return set(_YEAR.findall(self.text))


_MONTH = MONTH_PATTERN
_DAY_MONTH = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th)? (" + _MONTH + r")\.?,? ((?:19|20)\d\d)\b", _I)
_MONTH_DAY = re.compile(r"\b(" + _MONTH + r")\.? ([0-3]?\d)(?:st|nd|rd|th)?,? ((?:19|20)\d\d)\b", _I)


def dates_in(text: str) -> set[tuple[int, int, int]]:
    """Full dates a question names ("10 March 2022", "March 10, 2022"), as (year, month, day)."""
    found = {(int(y), MONTHS[m.lower()], int(d)) for d, m, y in _DAY_MONTH.findall(text)}
    found |= {(int(y), MONTHS[m.lower()], int(d)) for m, d, y in _MONTH_DAY.findall(text)}
    return found


def asked_part(text: str) -> str:
    """What a long, chatty question actually asks: its interrogative sentences (all of it when short).

    "Hi, I'm new to this and my professor said ... Could you tell me what a diffusion is?"
    asks a definition: the kind and the parts come from the asking sentence, while the
    whole text, context included, is searched.
    """
    if len(text.split()) <= CHATTY_WORDS:
        return text
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    asking = [s for s in sentences if s.endswith("?") or _ASKING.match(s)]
    return " ".join(asking) if asking and len(asking) < len(sentences) else text


def question_kind(text: str) -> QuestionKind:
    """The first kind whose English cue the question carries (``what`` when none does)."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return "what"


def split_parts(text: str) -> list[str]:
    """Sub-questions of a multi-part question, or [] when it asks one thing."""
    pieces = [p.strip(" ,;?") for p in _PART_SPLIT.split(text) if p and p.strip(" ,;?")]
    parts = [p for p in pieces if any(w.lower() not in STOPWORDS for w in words(p))]
    return parts if len(parts) >= 2 else []


def analyse(
    text: str,
    lexicon: LexicalIndex,
    previous: str | None = None,
    official_names: Sequence[str] = (),
    authors: Sequence[str] = (),
) -> Question:
    """Read a question against the corpus: terms, names, repairs, kind, parts, voice.

    ``previous`` is the earlier question of a follow-up, whose terms are inherited (not
    as names the answer must carry); ``official_names`` are the outlets of official
    sources and ``authors`` the documents' authors.
    """
    core = asked_part(text)
    terms, corrections = repaired_terms(text, lexicon)
    entities = [t for t in terms if t.entity]
    named = [t for t in entities if not t.temporal]
    unknown = sum(not lexicon.known(t.stem) for t in named) / len(named) if named else 0.0
    query = text + "".join(f" {c}" for c in corrections.values())
    if previous:
        known = {t.stem for t in terms}
        inherited, _ = repaired_terms(previous, lexicon)
        terms += [dataclasses.replace(t, entity=False) for t in inherited if t.stem not in known]
        query = f"{previous} {query}"
    kind = question_kind(core)
    stems = {t.stem for t in terms}
    official = any(_mentions(stems, name, every=False) for name in official_names)
    voice = "others" if _CRITICS.search(text) else "official" if official and kind in ("said", "why") else None
    # A bio says who the author is: it answers "who wrote it" and "who is <author>", not what the author reported.
    about_author = bool(_AUTHORSHIP.search(text)) or (
        kind == "who" and any(_mentions(stems, a, every=False) for a in authors)
    )
    return Question(
        text=text,
        search_query=query,
        terms=terms,
        entities=entities,
        kind=kind,
        parts=split_parts(core),
        corrections=corrections,
        voice=voice,
        about_author=about_author,
        unknown_entities=unknown,
        focus=focus_terms(text, terms),
    )


def focus_terms(text: str, terms: Sequence[Term]) -> list[Term]:
    """What a "which X", "how many X" or "the name of the X" question asks about, as one of its terms."""
    by_surface = {t.surface.lower(): t for t in terms}
    for pattern in _FOCUS:
        for match in pattern.finditer(text):
            word = match.group(1).lower()
            if word not in STOPWORDS and word in by_surface:
                return [by_surface[word]]
    return []


def repaired_terms(text: str, lexicon: LexicalIndex) -> tuple[list[Term], dict[str, str]]:
    """The question's key terms, misspelt words read as their nearest corpus word, names marked by corpus use."""
    out: list[Term] = []
    corrections: dict[str, str] = {}
    for term in key_terms(text):
        repaired = None if term.temporal or term.surface.isdigit() else lexicon.correct(term.surface)
        if repaired is not None:
            corrections[term.surface] = repaired
            term = dataclasses.replace(term, stem=repaired)
        if not term.entity and not term.temporal and lexicon.is_name(term.stem):
            term = dataclasses.replace(term, entity=True)
        if all(t.stem != term.stem for t in out):
            out.append(term)
    return out, corrections


def _mentions(stems: set[str], name: str, every: bool = True) -> bool:
    """Whether the question's stems name ``name`` (every word of it, or any word of four letters or more)."""
    wanted = [stem(w) for w in words(name) if w.lower() not in STOPWORDS and len(w) >= 4]
    if not wanted:
        return False
    return all(w in stems for w in wanted) if every else any(w in stems for w in wanted)
