"""Attribute: who says what a quoted sentence says.

A citation names the document's outlet and author. When the sentence is a direct quote
or a reported statement inside the article ("…,” he said", "officials said", "according
to a Freedom House report"), it also names the speaker. Rules, not a model:

- people are found as capitalised name sequences; an appositive after the name
  ("Anna Smith, a scholar at the … Brookings Institution") gives their affiliation, and
  later surnames and pronouns resolve to the last full name;
- speech verbs (said, told, wrote, warned…) and "according to" mark reported speech; the
  subject or object next to the verb is the speaker;
- a quotation left open at the end of a sentence carries its speaker into the next one;
- an official statement speaks for its publisher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.common.titles import HONORIFICS, OFFICES, SPOKESPEOPLE, alternatives
from assistant.types import Attribution, DocumentMeta, Span

_OPEN, _CLOSE = '“"', '”"'
_VERBS = (
    r"said|says|say|told|tells|wrote|writes|added|adds|noted|notes|warned|warns|argued|argues|stated|states|"
    r"explained|claimed|claims|insisted|announced|acknowledged|conceded|urged|tweeted|predicted|described|defended"
)
_NAME_WORD = r"(?:[A-Z][\w’'\-]+|[A-Z]\.)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|(?:de|van|von|al|bin)\b))*"
_TITLES = f"(?:{alternatives(OFFICES + HONORIFICS + SPOKESPEOPLE)})"
_GROUP = (
    r"(?:(?:[A-Z][\w’'\-]*\s+){0,3}(?:officials|authorities|critics|lawyers|prosecutors|investigators|diplomats|"
    r"activists|experts|analysts|sources|police|officers|members|the statement|the organi[sz]ation|the agency))"
)
_PRONOUN = r"(?:he|she|they|He|She|They)"
_SPEAKER = rf"(?P<who>{_GROUP}|{_PRONOUN}|{_NAME}|[a-z]+\s+{_GROUP})"
_AFTER_QUOTE = re.compile(rf"[,?!]?[”\"]\s*,?\s*{_SPEAKER}(?:,[^,]{{0,160}},)?\s+(?:{_VERBS})\b")
_VERB_FIRST = re.compile(rf"[”\"],?\s+(?:{_VERBS})\s+(?:(?:[A-Z][\w\-]+\s+)?(?:[a-z\-]+\s+){{1,3}})?{_SPEAKER}")
_SUBJECT = re.compile(rf"(?:^|[,;]\s+|\bthat\s+){_SPEAKER}(?:,[^,]{{0,160}},)?\s+(?:{_VERBS})\b")
_TRAILING = re.compile(rf",\s+{_SPEAKER}\s+(?:{_VERBS})\s*\.?$")
_ACCORDING = re.compile(r"\b[Aa]ccording to (?:a |an |the )?(?P<who>[^,.;]{3,80})")
_TO_SOMEONE = re.compile(rf"^To (?P<who>{_NAME}),")
_REPORT = re.compile(r"^(?:A|An|The)\s+(?:\d{4}\s+)?(?:report|study|survey)\s+(?:from|by)\s+(?P<who>[^,.;]{3,80})")
_APPOSITIVE = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:a|an|the)\s+[^,]{{0,80}}?\b(?:at|of|for|with)\s+(?:the\s+)?"
    rf"(?:[a-z\-]+\s+)*(?P<org>(?:[A-Z][\w’'\-]+\s?)+)"
)
_TITLED = re.compile(rf"(?:(?P<org>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*)’s\s+)?{_TITLES},?\s+(?P<name>{_NAME})")
_NOT_NAMES = frozenset(
    "The A An In On At It This That These Those But And Or If When While Since As Also Beginning From To For So "
    "Thursday Friday Monday Tuesday Wednesday Saturday Sunday".split()
)


@dataclass
class Person:
    """A named person and, where the text gives one, their affiliation."""

    name: str
    affiliation: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}, {self.affiliation}" if self.affiliation else self.name


class Attributor:
    """Speakers of every quotable sentence of one document, worked out in reading order."""

    def __init__(self, meta: DocumentMeta, text: str, spans: Sequence[Span]) -> None:
        self.meta = meta
        self.people = _people(text)
        self._by_start: dict[int, tuple[str | None, str]] = {}
        last_person: str | None = None
        last_group: str | None = None
        carried: str | None = None  # speaker of a quotation still open
        for span in spans:
            if not span.quotable:
                continue
            sentence = text[span.start : span.end]
            speaker, basis = self._speaker(sentence, last_person, last_group)
            if speaker is None and carried is not None and _inside_quote(sentence):
                speaker, basis = carried, "direct quote"
            self._by_start[span.start] = (speaker, basis)
            if speaker and re.fullmatch(_NAME, speaker) and len(speaker.split()) >= 2:
                self.people.setdefault(speaker, Person(speaker))  # later "Keith said" is Ben Keith
            if speaker and speaker in {p.label for p in self.people.values()}:
                last_person = speaker
            elif speaker is None:  # "she said" later on means the last person the text named
                named = [p for p in self.people.values() if p.name in sentence]
                last_person = named[-1].label if named else last_person
            if speaker and re.fullmatch(r"[A-Z][\w’'\-]+ (?:officials|authorities)", speaker):
                last_group = speaker
            # An attributed quote is often followed by more of it, opened again without attribution.
            carried = speaker if basis == "direct quote" or _leaves_quote_open(sentence) else None

    def attribution(self, span: Span) -> Attribution:
        """Outlet, author and, for quotes and reported speech, the speaker of one sentence."""
        speaker, basis = self._by_start.get(span.start, (None, "document"))
        if speaker is None and self.meta.kind == "official_statement":
            speaker, basis = self.meta.outlet or self.meta.title, "document"
        return Attribution(outlet=self.meta.outlet, author=self.meta.author, speaker=speaker, basis=basis)

    def _speaker(self, sentence: str, last_person: str | None, last_group: str | None) -> tuple[str | None, str]:
        quoted = any(c in sentence for c in _OPEN + _CLOSE)
        for pattern in (_AFTER_QUOTE, _VERB_FIRST, _TRAILING, _SUBJECT):
            match = pattern.search(sentence)
            if match:
                who = self._resolve(match.group("who"), last_person, last_group)
                if who:
                    direct = quoted and pattern in (_AFTER_QUOTE, _VERB_FIRST, _TRAILING)
                    return who, "direct quote" if direct else "reported"
        for pattern in (_ACCORDING, _TO_SOMEONE, _REPORT):
            match = pattern.search(sentence)
            if match:
                who = match.group("who")
                if pattern is _REPORT:
                    # "the British nonprofit Freedom House": the longest name is the author of the report.
                    names = sorted(re.findall(_NAME, who), key=lambda n: -len(n.split()))
                    who = names[0] if names else ""
                who = self._resolve(who, last_person, last_group) if who else None
                if who and pattern is _REPORT:
                    who = f"{who} report"
                if who:
                    return who, "reported"
        return None, "document"

    def _resolve(self, who: str, last_person: str | None, last_group: str | None) -> str | None:
        who = " ".join(who.split()).removeprefix("the ").removeprefix("The ")
        words = who.split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        who = " ".join(words)
        if re.fullmatch(_PRONOUN, who):
            return last_person
        if not re.match(rf"{_GROUP}|{_NAME}", who) or words[0] in {"Article", "Articles", "Section", "Rule", "Rules"}:
            return None
        who = re.match(rf"{_GROUP}|{_NAME}", who).group(0)  # type: ignore[union-attr]
        if who.lower() in {"officials", "authorities"} and last_group:
            return last_group if last_group.endswith(who.lower()) else f"{last_group.split()[0]} {who.lower()}"
        words = who.split()
        for person in self.people.values():
            if who == person.name or (len(words) == 1 and person.name.split()[-1] == who):
                return person.label
        return who


def _people(text: str) -> dict[str, Person]:
    """Full names in the text, with affiliations from appositives and titles."""
    people: dict[str, Person] = {}
    for match in _APPOSITIVE.finditer(text):
        name = match.group("name").strip()
        if len(name.split()) >= 2 and name.split()[0] not in _NOT_NAMES:
            org = match.group("org").strip()
            people.setdefault(name, Person(name, org if org != name else None))
    for match in _TITLED.finditer(text):
        name = match.group("name").strip()
        if len(name.split()) >= 2:
            people.setdefault(name, Person(name, match.group("org")))
    return people


def _inside_quote(sentence: str) -> bool:
    """The sentence continues a quotation: it ends one, or is wholly quoted."""
    return sentence.lstrip()[:1] in _OPEN or sentence.rstrip()[-1:] in _CLOSE


def _leaves_quote_open(sentence: str) -> bool:
    """More opening than closing quotation marks: the quote goes on into the next sentence."""
    opened = sentence.count("“") + (sentence.count('"') % 2)
    return opened > sentence.count("”")
