"""Event headings: the clause that says what happened at a date, without the date, with its subject.

A dated sentence tells an event only where the clause around its date holds a verb. The
heading is that clause with the date taken out ("Russian forces invaded Ukraine"), cut to a
dozen words, with its subject where the clause opens on its verb ("Anna Smith … was
elected"). "So far in 2022, nearly 60,000 checks were made…" has no verb in its first clause,
so the next clause is the heading. A word is a verb by the English lexicon of ``lemminflect``
(a form it knows only as a verb, or a verb's inflected form: "comes", "ruled") unless a
determiner makes it a noun ("the report").
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas

from assistant.brief.actors import VERB_FORMS
from assistant.provenance.wordlists import AUXILIARIES
from assistant.retrieval.lexical import content_stems

HEADING_WORDS = 12
_CLAUSE_BREAK = re.compile(r",\s|;|\s[—–-]\s|[()“”\"]|\.(?:\[\d+\])*\s+(?=[A-Z])|\[\d+\]")
_ADVERBIAL = re.compile(
    r"(?:in|on|at|after|following|despite|with|within|for|from|during|since|before|by|under|beginning|according|to|"
    r"among|amid|throughout|through|between|upon|without|via)$",
    re.I,
)
_DETERMINERS = frozenset("the a an of this that its their his her our my your".split())
_BEFORE_DATE = re.compile(
    r"\b(?:in|on|since|by|until|from|of|during|early|late|mid-|before|after|as of|so far in)\s*$", re.I
)
_OPENERS = re.compile(r"^(?:(?:and|but|so|as|when|while|whilst|that|then|also|which|who|where)\s+)+", re.I)
_VERBS = frozenset(VERB_FORMS) | AUXILIARIES - {"to"}
_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")
FIRST_PERSON = frozenset({"i", "we", "my", "our", "us"})
PRONOUNS = FIRST_PERSON | {"he", "she", "it", "they", "his", "her", "its", "their", "this", "that", "these", "those"}


def event_heading(text: str, date_text: str) -> str | None:
    """The clause that says what happened at ``date_text``, without the date; None when no clause has a verb.

    A clause that opens on its verb takes the subject named just before it: "In November 2016, Anna
    Smith, a lawyer from X, was elected…" is headed "Anna Smith … was elected…".
    """
    at = text.find(date_text)
    if at < 0:
        return None
    marked = _BEFORE_DATE.sub("", text[:at]) + "\x00" + text[at + len(date_text) :]
    parts = _CLAUSE_BREAK.split(marked)
    home = next(i for i, c in enumerate(parts) if "\x00" in c)
    clauses = [_OPENERS.sub("", " ".join(c.replace("\x00", " ").split())) for c in parts]
    for i in (home, home + 1, home - 1, home + 2, home + 3):
        if not 0 <= i < len(clauses):
            continue
        words = clauses[i].split()
        if len(words) < 2 or _ADVERBIAL.match(words[0]):
            continue  # "In a prepared statement sent to…" sets the scene; the event is elsewhere
        if i != home and _YEAR_IN_TEXT.search(clauses[i]):
            continue  # "Growth was 1.1% in 2004, down from 2% in 2003": that clause is another year's
        if not _has_verb(words):
            continue
        if words[0].lower() in _VERBS:  # "was elected…": the subject is an earlier clause
            subject = _subject(clauses, home, i)
            if subject is None and i == home:
                continue  # "will serve in this capacity": whose service no clause says
            words = [*subject.split(), "…", *words] if subject else words
        if len(words) >= 3:
            cut_short = len(words) > HEADING_WORDS
            return " ".join(words[:HEADING_WORDS]).rstrip(" .,;:") + ("…" if cut_short else "")
    return None


NEAR_WORDS = 3


def near_words(text: str, date_text: str) -> frozenset[str]:
    """The content stems of the clause around the date, at most ``NEAR_WORDS`` on each side of it."""
    at = text.find(date_text)
    if at < 0:
        return frozenset()
    before = _CLAUSE_BREAK.split(text[:at])[-1]
    after = _CLAUSE_BREAK.split(text[at + len(date_text) :])[0]
    return frozenset(
        w
        for part in (content_stems(before)[-NEAR_WORDS:], content_stems(after)[:NEAR_WORDS])
        for w in part
        if not w[0].isdigit()
    )


def _has_verb(words: list[str]) -> bool:
    """A word that acts as a verb here: "the report" and "Secretary of State" are nouns, "reported" is not."""
    return any(
        w[:1].islower() and (k == 0 or words[k - 1].lower() not in _DETERMINERS) and _verb(w.strip(".,;:’'\"”"))
        for k, w in enumerate(words)
    )


@lru_cache(maxsize=50_000)
def _verb(word: str) -> bool:
    """``word`` is a verb form: a known one, a past tense, a form the English lexicon gives only as a verb
    ("shrank"), or a verb's "-s" form that is no plural noun ("comes", but not "storms")."""
    if word in _VERBS or _past(word):
        return True
    forms = getAllLemmas(word)
    verb = forms.get("VERB", ())
    if not verb:
        return False
    if not forms.keys() - {"VERB"}:
        return True
    plural = any(lemma != word for lemma in forms.get("NOUN", ()))
    return word.endswith("s") and word not in verb and not plural and "ADJ" not in forms


_NAMED = re.compile(r"(?:the\s+)?[A-Z]")
"""A clause that opens on a name: "Anna Smith", "the House of Lords"."""


def _subject(clauses: list[str], home: int, verb: int) -> str | None:
    """The clause naming who did what clause ``verb`` says: after the date ("In 2016, Anna Smith, a lawyer,
    was elected"), else the nearest capitalised clause before it that does not set the scene."""
    after = (clauses[j] for j in range(home, verb) if _NAMED.match(clauses[j]))
    before = (
        c
        for c in reversed(clauses[:home])
        if c[:1].isupper() and not _ADVERBIAL.match(c.split()[0]) and "\x00" not in c
    )
    return next(after, None) or next(before, None)


def _past(word: str) -> bool:
    return len(word) > 4 and word.islower() and word.endswith("ed")
