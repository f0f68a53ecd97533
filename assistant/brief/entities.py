"""Entities and dates found by rules, for briefings.

No named-entity model ships as an official PyPI package for spaCy or its peers (the
English models are published elsewhere, and downloading at run time is not allowed
here), so names and dates come from careful rules over the cleaned sentences:

- a name is a run of capitalised words or acronyms, joined by "of", "for", "the";
  "Office for National Statistics (ONS)" ties an acronym to its expansion;
  a lone surname ("Smith") joins the full name it ends;
- a date is a day, a month, a season or a year the text names, with its precision;
  "Thursday, March 10", "on 5 May" and "today" take their year (or day) from the document's date;
  an undated document's "on 5 May" or "in December" keeps no year (``--05-05``, ``--12``)
  rather than a guessed one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.common.dates import MONTH_PATTERN, MONTHS
from assistant.common.titles import HONORIFICS, MORE_OFFICES, OFFICES, alternatives
from assistant.types import DatePrecision

_OFFICES = alternatives(OFFICES + MORE_OFFICES)

_CAP = r"(?:[A-Z][a-zà-ÿ’']+(?:[A-Z][a-zà-ÿ’']+)*(?:-[A-Za-zà-ÿ’']+)*|[A-Z]{2,}(?:[’']s(?=\s+[A-Z]))?[a-z]?|[A-Z]\.)"
# A possessive joins a name after "of" ("Commission for the Control of INTERPOL’s Files"); elsewhere it
# ends one ("Interpol’s General Secretariat" is the General Secretariat).
_POSSESSIVE = re.compile(r"(?<!\bof )(?<!\bof the )(\b[\w.]+)[’']s (?=[A-Z])")
# "and" joins two names only after "of" or "for": "Ministry for Europe and Foreign Affairs".
_NAME = re.compile(
    rf"{_CAP}(?:\s+{_CAP})*(?:\s+(?:(?:of|for|on|de|von)(?:\s+the)?\s+){_CAP}(?:\s+{_CAP})*"
    rf"(?:\s+and\s+{_CAP}(?:\s+{_CAP})*)?)*"
)
_ACRONYM_OF = re.compile(
    rf"(?P<long>{_CAP}(?:\s+(?:(?:of|for|on)(?:\s+the)?\s+)?{_CAP})+)\s+\((?P<short>[A-Z]{{2,6}})\)"
)
_LEADING = frozenset(
    """The A An In On At It Its This That These Those But And Or If When While Since As Also Beginning From To For
    So Only Every Each Some Many Most Such Their His Her Our We They He She You I Calling Conceding Following Despite
    Whilst With Without Within Under Over Between Through Against Among Per Via Like Unlike Whether Although Though
    After Before During However Meanwhile Yet Still Even Both Other Another Former Current Read Next More
    Click""".split()
)
_NOT_ENTITIES = frozenset(
    """Thursday Friday Monday Tuesday Wednesday Saturday Sunday Mr Mrs Ms Dr Read Next Feb Jan Mar Apr Jun Jul Aug
    Sep Sept Oct Nov Dec Every Article Constitution Rules Photo Getty Images""".split()
) | {m.capitalize() for m in MONTHS}
ORG_WORDS = frozenset(
    """Foundation House Centre Center Secretariat Assembly Committee Commission Union Council Trials Magazine Post
    Bureau Office Department Ministry Court Police Agency Organization Organisation Network Institute Group Party
    Forces Guard Academy Channel Capital Movement Times Tribune Review Nations States Republic Federation
    Radio News Television""".split()
)


_HONORIFIC_WORDS = frozenset(h.rstrip(".") for h in HONORIFICS)
_CONTRACTION = re.compile(r"[A-Z][a-z]*[’'](?:m|ve|ll|d|re|s)")
""""I'm", "We've", "It's": a capital opens them, but they name no one."""
_DEFINED = re.compile(r"\(the\s+[“\"]?(?P<term>[A-Z][a-z]+)[”\"]?\)")
"""A term a text defines for the name before it: "(the Applicant)"."""
_TITLES = re.compile(
    r"^(?:(?:Former|Vice|Deputy|Acting|[A-Z]{2,3}|[A-Z][a-z]+(?:ian|ish|ese|an))\s+)*"  # "Former US", "French"
    rf"(?:{_OFFICES}|{alternatives(HONORIFICS, optional_dot=True)})(?:\s+of\s+[A-Z][\w’'-]+)?\s+"
)
# A capitalised word of a name, capitals inside included: "Al-Raisi", "O'Brien", "McDonald", "DiCaprio".
_NAME_WORD = r"[A-Z](?:[a-zà-ÿ’']|-(?=[A-Za-zà-ÿ])|(?<=[-’'])[A-Z]|(?<=[a-z])[A-Z](?=[a-z]))+"
_PERSON = re.compile(rf"(?:{_NAME_WORD}|[A-Z]\.)(?:\s+(?:{_NAME_WORD}|[A-Z]\.)){{1,2}}")
_DEMONYM = re.compile(
    r"^(?:[A-Z][a-z]+(?:ians?|icans?|ish|ese|eans?|ic|ans)|French|Dutch|Greek|Swiss|Thai|Czech|Welsh|Scots)$"
)


@dataclass
class Entity:
    """A name and every sentence that mentions it."""

    name: str
    mentions: list[tuple[str, int]] = field(default_factory=list)
    """(source id, sentence start) of each mention."""
    aliases: set[str] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)
    """How often the text writes each alias."""

    @property
    def salience(self) -> float:
        """How much the corpus is about this entity: documents first, then mentions; people and acronyms up."""
        documents = len({source for source, _ in self.mentions})
        return 2 * documents + len(self.mentions) + 3 * self.person + 2 * ("(" in self.name)

    @property
    def person(self) -> bool:
        """Two or three capitalised words, none of them an organisation word: a person's name."""
        return bool(_PERSON.fullmatch(self.name)) and not set(self.name.split()) & ORG_WORDS


def names_in(
    sentence: str, known: tuple[str, ...] = (), weak: list[str] | None = None, titled: set[str] | None = None
) -> list[str]:
    """Names in one sentence: ``known`` names (outlets) as written, then capitalised runs without titles.

    A single capitalised word that opens the sentence ("Effective immediately") is not a name;
    it goes to ``weak``, where it can still be a surname ("Smith previously predicted"). A one-word
    name after a title ("Mr Smith") goes to ``titled``: it is a person's surname, however often it occurs.
    """
    out = [name for name in known if name in sentence]
    for match in _NAME.finditer(sentence):
        words = re.sub(r"[’']s?$", "", _POSSESSIVE.sub(r"\1 ", match.group(0))).split()
        at_start = not sentence[: match.start()].strip(" “\"‘'(")
        after_title = bool(words) and _TITLES.match(" ".join(words) + " ") is not None
        inner = [i for i, w in enumerate(words) if i and w.rstrip(".") in _HONORIFIC_WORDS]
        if inner:  # "in Tanzania Mr Brown said": the name is what follows the honorific
            words, at_start, after_title = words[inner[-1] + 1 :], False, True
        while words and (words[0] in _LEADING or words[0] in _NOT_ENTITIES):
            words, at_start = words[1:], False
        while words and (words[-1] in {"of", "for", "on", "the", "de", "von"} or words[-1] in _NOT_ENTITIES):
            words = words[:-1]
        name = " ".join(words)
        after_title = after_title or bool(_TITLES.match(name))
        while _TITLES.match(name):  # "President Mr Meng"
            name = re.sub(r"^(?:(?:of|for|on|the)\s+)+", "", _TITLES.sub("", name, count=1))
        if not name or _TITLES.fullmatch(name + " "):
            continue  # a title alone ("Secretary General") names no one
        if len(name.split()) == 1 and (at_start or _DEMONYM.match(name)):
            if weak is not None and at_start:
                weak.append(name)
            continue
        if any(_CONTRACTION.fullmatch(w) for w in name.split()):
            continue  # "Now I've": a contraction names no one
        if name and name not in _NOT_ENTITIES and len(name) > 2 and not any(name in k for k in out):
            out.append(name)
            if after_title and " " not in name and titled is not None:
                titled.add(name.casefold())
    return out


def collect_entities(sentences: list[tuple[str, int, str]], known: tuple[str, ...] = ()) -> list[Entity]:
    """Entities over (source id, start, text) sentences, merged by acronym, case and surname."""
    acronyms: dict[str, str] = {}
    found: dict[str, Entity] = {}
    titled: set[str] = set()
    defined: dict[str, str] = {}
    surnames: list[tuple[str, str, int]] = []
    for source, start, text in sentences:
        for m in _ACRONYM_OF.finditer(text):
            words = m.group("long").split()
            while words and words[0] in _LEADING:
                words = words[1:]
            acronyms[m.group("short")] = " ".join(words)
        for m in _DEFINED.finditer(text):  # "Mr Anna Smith (the Applicant)": the term stands for her
            before = names_in(text[: m.start()], known)
            if before and m.group("term") not in ORG_WORDS:  # "(the Commission)" is a body, already named
                defined[m.group("term").casefold()] = before[-1].casefold()
        weak: list[str] = []
        for name in names_in(text, known, weak, titled):
            key = name.casefold()
            entity = found.setdefault(key, Entity(name=name))
            entity.aliases.add(name)
            entity.spellings[name] += 1
            entity.mentions.append((source, start))
        surnames.extend((w, source, start) for w in weak)
    _merge(found, {k.casefold(): v.casefold() for k, v in acronyms.items()}, acronym=True)
    _merge(found, defined)
    for short, long in acronyms.items():  # "RPD" alone still says what it stands for
        if short.casefold() in found:
            found[short.casefold()].aliases.add(f"{long} ({short})")
    # "the Commission", after "Commission for the Control of Files": the one body whose name it opens.
    for key, e in list(found.items()):
        if " " not in e.name and e.name in ORG_WORDS:
            longer = [k for k, other in found.items() if other.name.startswith(e.name + " ") and k != key]
            if longer:
                _merge(found, {key: max(longer, key=lambda k: len(found[k].mentions))})
    people: dict[str, str] = {}  # surname: the most mentioned person of that surname
    for key, e in sorted(found.items(), key=lambda kv: len(kv[1].mentions)):
        if e.person:
            surname = e.name.split()[-1].casefold()
            people[surname] = key
            people.setdefault(surname.rsplit("-", 1)[-1], key)  # "Al-Raisi" is also "Raisi"
    for word, source, start in surnames:  # sentence-initial words: mentions of a name seen elsewhere
        target = word.casefold() if word.casefold() in found else people.get(word.casefold())
        if target is not None and target in found:
            found[target].mentions.append((source, start))
            found[target].aliases.add(word)
    # "Smith" is Anna Smith; but "France" is not "Radio France", so a far more frequent word stays itself.
    _merge(
        found,
        {
            surname: key
            for surname, key in people.items()
            if surname in found and (surname in titled or len(found[surname].mentions) <= 6 * len(found[key].mentions))
        },
    )
    # A name written family name first ("Meng Hongwei", later "Mr Meng"): a rare word that opens one person's name.
    firsts: dict[str, list[str]] = {}
    for key, e in found.items():
        if e.person:
            firsts.setdefault(e.name.split()[0].casefold(), []).append(key)
    _merge(
        found,
        {w: keys[0] for w, keys in firsts.items() if len(keys) == 1 and w in found and len(found[w].mentions) <= 2},
    )
    _merge_variants(found)
    for entity in found.values():
        # A name with its acronym says most ("Office for National Statistics (ONS)"); then the fullest, then
        # the spelling the text uses most, then the upper-case one an organisation uses ("NATO", not "Nato").
        entity.name = max(
            entity.aliases,
            key=lambda a: ("(" in a, len(a.split()), entity.spellings[a], sum(c.isupper() for c in a), len(a), a),
        )
    return list(found.values())


def _merge_variants(found: dict[str, Entity]) -> None:
    """One entity for the forms one name takes: "Conservative" and "Conservatives", "Lib Dems" and
    "Liberal Democrats", and "Conservative Anna Smith" (a party before a person) with "Anna Smith"."""
    count = {key: len(e.mentions) for key, e in found.items()}
    by_initials: dict[tuple[str, ...], list[str]] = {}
    for key in found:
        if " " in key:
            by_initials.setdefault(tuple(w[0] for w in key.split()), []).append(key)
    by_first: dict[str, list[str]] = {}
    for key in found:
        by_first.setdefault(key.split()[0], []).append(key)
    into: dict[str, str] = {}
    prefixed: dict[str, str] = {}
    for key in sorted(found, key=lambda k: count[k]):
        words = key.split()
        rest = " ".join(words[1:])
        plural = next((p for p in (key + "s", key + "es") if p in found and p not in into), None)
        if plural is not None:
            into[key] = plural
            continue
        candidates = [
            other
            for other in by_initials.get(tuple(w[0] for w in words), [])
            if other != key and all(t.startswith(w) for w, t in zip(words, other.split(), strict=True))
        ]
        if len(words) > 2 and words[0] in found and rest in found and found[rest].person:
            found[words[0]].mentions.extend(found[key].mentions)
            prefixed[key] = rest
            continue
        person, _, _ = key.partition(" of ")
        if person != key and person in found and found[person].person:  # "Anna Smith of Acme" is Anna Smith
            prefixed[key] = person
            continue
        if len(words) > 2 and words[0] in found and rest in found and found[key].name.split()[-1] in ORG_WORDS:
            into.setdefault(rest, key)  # "General Assembly" is the "Interpol General Assembly" named before it
        longer = [o for o in by_first.get(words[0], []) if o.startswith(key + " ") and found[o].person]
        if found[key].person and longer:  # "Anna Maria" before "Anna Maria Smith-Jones"
            candidates.append(max(longer, key=lambda o: count[o]))
        target = max(
            (c for c in candidates if c in found and c not in into and count[c] >= count[key]),
            key=lambda c: count[c],
            default=None,
        )
        if target is not None:
            into[key] = target
    _merge(found, into)
    _merge(found, {k: v for k, v in prefixed.items() if v in found}, aliases=False)


def _merge(found: dict[str, Entity], into: dict[str, str], acronym: bool = False, aliases: bool = True) -> None:
    for short, long in into.items():
        if short in found and long in found and short != long:
            target, source = found[long], found.pop(short)
            target.mentions = list(dict.fromkeys(target.mentions + source.mentions))  # one per sentence
            if aliases:  # the text names it so too ("Smith", "ONS")
                target.aliases |= source.aliases
                target.spellings += source.spellings
            if acronym:
                target.aliases.add(f"{target.name} ({source.name})")


@dataclass(frozen=True)
class DateMention:
    """A date a sentence names."""

    iso: str
    precision: DatePrecision
    text: str


_MONTH = r"(?P<month>" + MONTH_PATTERN + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_CAPITAL_MONTH = r"(?P<month>(?=[A-Z])(?i:" + MONTH_PATTERN + r"))\.?"
_PREP = "on|by|until|from|since|before|after"
_DATE_RULES: list[tuple[re.Pattern[str], DatePrecision]] = [
    (re.compile(rf"\b(?P<day>[0-3]?\d)(?:\s+and\s+(?P<day2>[0-3]?\d))?\s+{_MONTH},?\s+{_YEAR}\b", re.I), "day"),
    (re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]?\d),?\s+{_YEAR}\b", re.I), "day"),
    (
        re.compile(
            rf"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+){_MONTH}\s+(?P<day>[0-3]?\d)\b(?!,?\s*\d)", re.I
        ),
        "day",
    ),
    (re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I), "month"),
    # A day and month alone ("on 5 May"), after a preposition and with a capital, so "may" the verb is not
    # one: the document's year, or no year at all where the document has no date.
    (re.compile(rf"\b(?i:{_PREP})\s+(?P<when>(?P<day>[0-3]?\d)\s+{_CAPITAL_MONTH})\b(?!,?\s*\d)"), "day"),
    (re.compile(rf"\b(?i:{_PREP})\s+(?P<when>{_CAPITAL_MONTH}\s+(?P<day>[0-3]?\d))\b(?!,?\s*\d)"), "day"),
    (re.compile(rf"\b(?i:in|since|until|from|during)\s+(?P<when>{_CAPITAL_MONTH})\b(?![-,]?\s*\d)"), "month"),
    (re.compile(rf"\b(?P<season>spring|summer|fall|autumn|winter)\s+(?:of\s+)?{_YEAR}\b", re.I), "year"),
    (re.compile(rf"\b(?:in|since|by|until|from|of|during|early|late|mid-|before|after)\s+{_YEAR}\b"), "year"),
    (re.compile(r"\b(?P<today>today|this week)\b", re.I), "day"),
]


def dates_in(sentence: str, document_date: str | None) -> list[DateMention]:
    """Dates one sentence names, most precise first; none inside another's span twice."""
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _DATE_RULES:
        for m in pattern.finditer(sentence):
            if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
                continue
            for iso, p in _resolve(m, precision, document_date):
                out.append(DateMention(iso=iso, precision=p, text=(m.groupdict().get("when") or m.group(0)).strip()))
                taken.append((m.start(), m.end()))
    return out


def _resolve(m: re.Match[str], precision: DatePrecision, document_date: str | None) -> list[tuple[str, DatePrecision]]:
    groups = m.groupdict()
    if groups.get("today"):
        if not document_date:
            return []
        return [(document_date, "day" if len(document_date) == 10 else "month" if len(document_date) == 7 else "year")]
    year = groups.get("year")
    if precision == "year":
        return [(year, "year")] if year else []
    month = MONTHS[groups["month"].lower().rstrip(".")]
    if precision == "month":
        if year:
            return [(f"{year}-{month:02d}", "month")]
        if not document_date:
            return [(f"--{month:02d}", "month-no-year")]
        return [(_year_of(month, document_date) + f"-{month:02d}", "month")]
    days = [int(d) for d in (groups.get("day"), groups.get("day2")) if d and 1 <= int(d) <= 31]
    if year:
        return [(f"{year}-{month:02d}-{d:02d}", "day") for d in days]
    if not document_date:
        return [(f"--{month:02d}-{d:02d}", "day-no-year") for d in days]
    return [(_year_of(month, document_date) + f"-{month:02d}-{d:02d}", "day") for d in days]


def _year_of(month: int, document_date: str) -> str:
    """The year of a month a dated document names: its own, or the one before when the month would fall
    more than half a year after the document (a January story recalling "15 December")."""
    year = int(document_date[:4])
    if len(document_date) >= 7 and month - int(document_date[5:7]) > 6:
        year -= 1
    return str(year)
