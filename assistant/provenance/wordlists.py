"""General-English word lists the sentence check reads: negation, modality, conditions, bounds,
units, irregular verbs, opposites (``antonyms.txt``) and word valence (VADER's lexicon).

Plain English only: nothing here knows the corpus.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from assistant.retrieval.lexical import stem

NEGATORS = frozenset(
    "not no never none nobody nothing nowhere neither nor without cannot n't unable unwilling refuse refused "
    "refuses refusing decline declined declines declining fail failed fails failing deny denied denies denying "
    "lack lacks lacked lacking".split()
)
"""Words that negate what follows them ("refused to suspend" = "did not suspend")."""
PURE_NEGATORS = frozenset("not no never none nobody nothing nowhere neither nor without cannot n't".split())
ADVERBS = frozenset("already also still yet just now then often again soon ever even only".split())
"""Words an auxiliary may stand before that are not verbs ("have already")."""
"""Negators that govern what follows directly; the others ("refused") only through "to"."""

STOPPING = frozenset(
    stem(w)
    for w in (
        "stop prevent prevention halt ban block combat counter curb eliminate forbid prohibit bar remove delete "
        "erase cut scrap abolish cancel revoke withdraw drop lift reverse undo oppose fight tackle"
    ).split()
)
"""Stems of verbs that work against what follows: a sentence may not add one its quote lacks."""

SCOPE = frozenset("longer ever yet even always anymore".split())
"""Words a negation reaches across ("can no longer be sent")."""

BOUNDARY = frozenset('.,;:!?()“”"') | {"but", "while", "whereas", "although", "though", "which", "who", "that"}
COORDINATION = frozenset('.,;:!?()“”"') | {"and", "or", "nor", "but", "while", "whereas", "although", "though"}
"""Where clauses of one sentence meet; a relative clause ("who", "that") stays with its noun."""

# fmt: off
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12,
     "twice": 2, "thrice": 3, "tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000,
     "millions": 10**6, "billions": 10**9}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}

MODALS: dict[str, frozenset[str]] = {
    "ability": frozenset("can could able ability capable capacity power".split()),
    "possibility": frozenset("may might could possibly perhaps potentially likely unlikely probably maybe chance "
                             "opportunity potential possible possibility".split()),
    "future": frozenset("will would shall 'll plan plans planned planning intend intends intended "
                        "expect expects expected aim aims hope hopes soon future upcoming".split()),
    "obligation": frozenset("must should required require requires requirement obliged mandatory ought "
                            "need needs".split()),
}
"""Modality and tense, by kind: a sentence and its quote must use the same kinds."""

CONDITIONS = (("only if", "only if"), ("only when", "only if"), ("even if", "even if"), ("even though", "even if"),
              ("even when", "even if"), ("except when", "except"), ("except if", "except"), ("except", "except"),
              ("unless", "unless"), ("provided that", "if"), ("as long as", "if"), ("if", "if"),
              ("whether", "whether"), ("in case", "if"))
"""Condition phrases and their kind, longest first."""

SPEECH = frozenset("said says say told tell stated states according wrote writes argued argues warned warns "
                   "claimed claims added adds noted notes urged urges called calls insisted insists "
                   "announced announces explained explains reported reports admitted admits confirmed confirms "
                   "acknowledged acknowledges alleged alleges".split())

BOUNDS = {"more than": "above", "over": "above", "above": "above", "at least": "above", "exceeding": "above",
          "upwards of": "above", "in excess of": "above", "nearly": "below", "almost": "below",
          "less than": "below", "fewer than": "below", "under": "below", "below": "below", "at most": "below",
          "up to": "below", "just under": "below", "about": "about", "around": "about",
          "approximately": "about", "roughly": "about", "some": "about", "an estimated": "about",
          "exactly": "exact"}
"""Words that bound a number, by the direction they bound it."""

_UNIT_WORDS = {
    "time": {"second": "second", "minute": "minute", "hour": "hour", "day": "day", "daily": "day", "week": "week",
             "weekly": "week", "month": "month", "monthly": "month", "year": "year", "yearly": "year",
             "annual": "year", "annually": "year", "decade": "decade", "century": "century"},
    "ratio": {"percent": "percent", "%": "percent", "cent": "percent", "times": "times", "fold": "times",
              "half": "half", "third": "third", "quarter": "quarter", "double": "double", "triple": "triple"},
    "money": {"$": "dollar", "dollar": "dollar", "€": "euro", "euro": "euro", "£": "pound", "pound": "pound"},
}
_UNIT_WORDS["season"] = {"spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn",
                         "winter": "winter"}
UNITS = {family: {stem(w) if w.isalpha() else w: u for w, u in words.items()} for family, words in _UNIT_WORDS.items()}
"""Stems of unit words, by family: a number keeps its unit."""

IRREGULAR = dict(pair.split(":") for pair in (
    "sent:send made:make said:say told:tell took:take taken:take gave:give given:give found:find held:hold "
    "left:leave met:meet paid:pay sold:sell bought:buy brought:bring thought:think kept:keep led:lead "
    "wrote:write written:write won:win lost:lose began:begin begun:begin chose:choose chosen:choose knew:know "
    "known:know saw:see seen:see went:go gone:go came:come became:become ran:run spoke:speak spoken:speak "
    "stood:stand understood:understand got:get gotten:get felt:feel built:build spent:spend lent:lend fled:flee "
    "fought:fight caught:catch taught:teach sought:seek struck:strike drew:draw drawn:draw grew:grow grown:grow "
    "threw:throw thrown:throw rose:rise risen:rise fell:fall fallen:fall broke:break broken:break hid:hide "
    "hidden:hide did:do done:do had:have meant:mean heard:hear set:set put:put cut:cut let:let shut:shut "
    "bound:bind sat:sit forbade:forbid forbidden:forbid withdrew:withdraw withdrawn:withdraw").split())
"""Past forms whose stem differs from the verb's ("sent" is "send")."""
# fmt: on

PREFIXES = ("non-", "non", "un", "in", "im", "il", "ir", "dis")
"""Prefixes that negate a word ("signed" / "unsigned")."""
AUXILIARIES = frozenset("has have had will would can could did does do to be been was were is are may might".split())
PASSIVE = frozenset("was were is are been be being".split())


@lru_cache(maxsize=1)
def opposites() -> dict[str, frozenset[str]]:
    """Stem → stems of its opposites, from ``antonyms.txt``."""
    table: dict[str, set[str]] = {}
    for line in Path(__file__).with_name("antonyms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b = (stem(w) for w in line.split())
            table.setdefault(a, set()).add(b)
            table.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def valence() -> dict[str, float]:
    """Stem → mean valence (-4 … 4) of VADER's lexicon words with that stem."""
    text = files("vaderSentiment").joinpath("vader_lexicon.txt").read_bytes().decode("utf-8", errors="replace")
    sums: dict[str, list[float]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            sums.setdefault(stem(parts[0]), []).append(float(parts[1]))
    return {k: sum(v) / len(v) for k, v in sums.items()}


ABSOLUTES = {
    "always": frozenset("always invariably constantly".split()),
    "only": frozenset("only solely exclusively just merely".split()),
    "entirely": frozenset("entirely completely totally fully wholly".split()),
    "all": frozenset("all every everyone everything each any whole entire".split()),
}
GENERAL = frozenset("all every everyone everything".split())
"""Of the "all" kind, the words a sentence may not add (a quote's "each" or "any" allows them)."""
"""Words that generalise, by kind: a sentence may not add one whose kind its quote lacks."""
DEIXIS = ("this year", "last year", "next year", "this month", "last month", "next month", "this week",
          "last week", "next week", "earlier this", "later this", "previous year", "following year")  # fmt: skip
"""Time phrases relative to when the source was written: they must match."""
