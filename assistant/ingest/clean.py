"""Cleaning: find the sentences worth keeping, without changing a byte of the file.

The output is a list of :class:`~assistant.types.Span` objects that point into the
original text. Page furniture (web-form messages, donate and newsletter prompts,
"More from ..." teasers, share and contact lines, copyright footers) gets no span at
all, so it can never be embedded, retrieved or quoted. Photo captions are kept and
marked as captions; headings, bylines and glued alt-text are kept for retrieval
context but are not quotable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assistant.types import Span, SpanKind

CLEANING_VERSION = "6"
"""Bumped whenever the rules below (or how :func:`assistant.ingest.corpus.infer_date` reads a dateline)
change, so existing indexes are rebuilt."""

_I = re.IGNORECASE


def _patterns(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, _I) for p in patterns]


# A paragraph that is nothing but one of these is page furniture: buttons, menus, form messages.
LINE_FURNITURE = _patterns(
    r"^thank you!? your submission has been received!?$",
    r"^oops!? something went wrong\b",
    r"^(next|previous|close|menu|share|search|print|news|skip to( main)? content)$",
    r"^keep up to date$",
    r"^(about us|privacy policy|careers|contact( us)?|terms( of (use|service))?|cookie policy|sitemap)$",
    r"^read (next|more):",
    r"^(advertisement|sponsored)$",
)

# Calls to action and page notices. A paragraph is furniture when every sentence of it is one:
# a cue that speaks to the reader, not reported speech. Running prose that reports a donation or
# quotes a newsletter is the story, never furniture.
CUES = _patterns(
    r"\bdonat(e|ion)s?\b",
    r"\bnewsletter\b",
    r"\breceive (our )?updates\b",
    r"\bshare (this|on)\b.*\b(story|article|page|facebook|twitter|linkedin)\b",
    r"\b(click|tap) to share\b",
    r"©|\(c\) \d{4}|\ball rights reserved\b",
    r"\bfollow\b.{0,40}\bon (twitter|facebook|instagram|linkedin|x)\b",
    r"\b(telephone|call|email|contact)\b.{0,60}\bpress (office|department|team)\b",
    r"\bis available here\.?$",
    r"\bon this website\b",
)
TO_THE_READER = re.compile(
    r"\b(you|your|please|I would|sign up|subscribe|click|here|share this|follow us)\b"
    r"|^\W*(donate|support|follow|share|contact|call|email)\b|©|\ball rights reserved\b",
    _I,
)
REPORTED = re.compile(r"[\"“”]|\b(said|says|told|according to)\b", _I)

# A short line matching one of these starts unrelated material that runs to the end.
TAIL_MARKERS = _patterns(
    r"^more from\b",
    r"^related( pages| articles| stories| posts| content)?$",
    r"^(you may|you might) also like\b",
    r"^recommended( for you)?$",
)

CAPTION = re.compile(
    r"\b(photos?|images?|pictures?) (by|courtesy|credit)\b|\bvia getty images\b|\b(photo|image)\.$|\bphoto:",
    _I,
)

# Inside a caption: the sentence that credits the picture, never quoted.
CREDIT = re.compile(
    r"^(?:(?:photo|image|picture|video|illustration|graphic|photograph)s?\s*(?:by|courtesy|credit|:)\b.*"
    r"|.*\bvia getty images\.?|(?:[\w.’'&/-]+\s+){0,8}(?:photo|image|picture|photograph)s?\.?"
    r"|(?:credit|source|courtesy)\s*:.*)$",
    _I,
)
CREDIT_MAX_WORDS = 15

# An author's box: a paragraph that opens with the author's name and says what they are or did.
BIO_VERBS = r"(?:is|was|has|had|served|worked|writes|wrote|covers|covered|joined|reports|reported)"
NAME_LINE = re.compile(r"^(?:[A-Z][\w.’'-]+\s){1,3}[A-Z][\w’'-]+$")

# A line that says where the page was copied from: provenance, not content.
PROVENANCE = re.compile(r"^\s*(source|via|copied from|retrieved from|originally published (at|in|on))\s*:", _I)

# "date 2022-03-12 " scraped in front of a paragraph, or alt text glued to it ("Police statesHuman Rights Watch").
META_PREFIX = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+", _I)
GLUED_LABEL = re.compile(r"^([A-Za-z]+(?: [A-Za-z]+){1,3}?[a-z]{3})(?=[A-Z][a-z])")

TERMINAL = '.!?:;"”’)…'
HEADING_MAX_WORDS = 20
HEADING_MIN_WORDS = 3  # "I." or "Members," alone is a marker, not a sentence
WRAP_MIN_CHARS = 40  # shorter lines are labels or headings, never hard-wrapped prose
WRAP_ANY_CASE_CHARS = 60  # a line this long that stops mid-sentence was wrapped, whatever the next line's case
ENUMERATION = re.compile(r"^(?:\(?\d+(?:\.\d+)*[.)]|[IVXLC]+\.|\(?[a-z]\)|[A-Z]\.)$")
"""A paragraph or list number ("1.", "9.2.", "III.", "(a)") split off as if it were a sentence."""
LIST_START = re.compile(r"^\s*(?:[•·▪*#>|-]|\d+[.)]\s)")
TAIL_MARKER_MAX_WORDS = 8

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp gen gov sen rep col lt sgt capt cmdr adm fig approx dept est int'l int’l ref""".split()
)
NUMBERING = frozenset("no nos art para vol pp".split())
"""Abbreviations that precede a number ("No. 5", "Art. 3"); before anything else they end a sentence."""
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([\w.'’]+)[.!?…]*[\"”’)\]]*$")


def segment(text: str, authors: Sequence[str] = ()) -> list[Span]:
    """Return the kept spans of ``text`` in order: sentences of paragraphs, and headings.

    ``authors`` are the document's known authors; a paragraph that opens with an author's
    name (or with a name just given as a heading) and says what they are is their bio.
    """
    spans: list[Span] = []
    names = [a.strip() for a in authors if a and a.strip()]
    for start, end in _paragraphs(text):
        line = text[start:end]
        first_line = line.split("\n", 1)[0]
        if len(first_line.split()) <= TAIL_MARKER_MAX_WORDS and any(m.search(first_line) for m in TAIL_MARKERS):
            spans.append(Span(start=start, end=len(text.rstrip()), kind="furniture"))
            break
        if _is_furniture(text, start, end):
            spans.append(Span(start=start, end=end, kind="furniture"))
            continue
        if PROVENANCE.match(line):
            spans.append(Span(start=start, end=end, kind="label"))
            continue
        start = _skip_prefix(text, start, end, spans)
        if start >= end:
            continue
        line = text[start:end]
        if _is_heading(line):
            spans.append(Span(start=start, end=end, kind="heading"))
            if NAME_LINE.match(line.strip()):
                names.append(line.strip())
            continue
        kind: SpanKind = "caption" if CAPTION.search(line) else "bio" if _opens_bio(line, names) else "body"
        for s, e in split_sentences(text, start, end):
            sentence = text[s:e]
            credit = kind == "caption" and len(sentence.split()) <= CREDIT_MAX_WORDS and CREDIT.match(sentence)
            marker = ENUMERATION.match(sentence)
            spans.append(Span(start=s, end=e, kind="label" if marker else "credit" if credit else kind))
    return spans


def _opens_bio(paragraph: str, names: Sequence[str]) -> bool:
    return any(
        paragraph.startswith(name) and re.match(rf"\s*,?\s*(?:a |an |the )?{BIO_VERBS}\b", paragraph[len(name) :])
        for name in names
    )


def _skip_prefix(text: str, start: int, end: int, spans: list[Span]) -> int:
    """Record a scraped metadata prefix or glued alt text as a label; return where the text begins."""
    line = text[start:end]
    match = META_PREFIX.match(line) or GLUED_LABEL.match(line)
    if not match:
        return start
    label_end = start + len(match.group(0).rstrip())
    spans.append(Span(start=start + _leading_ws(line), end=label_end, kind="label"))
    rest = start + match.end()
    return rest + _leading_ws(text[rest:end])


def _leading_ws(s: str) -> int:
    return len(s) - len(s.lstrip())


def _is_furniture(text: str, start: int, end: int) -> bool:
    """Whether the paragraph ``text[start:end]`` is page furniture, judged by its structure."""
    stripped = text[start:end].strip().lstrip("•·*-– ").strip()
    if any(p.search(stripped) for p in LINE_FURNITURE):
        return True
    # Most paragraphs hold no cue at all: only those are split into sentences to be judged.
    if not any(p.search(stripped) for p in CUES):
        return False
    return all(_calls_to_action(text[s:e]) for s, e in split_sentences(text, start, end))


def _calls_to_action(sentence: str) -> bool:
    """A sentence addressed to the reader that asks for something or points elsewhere on the page."""
    return (
        any(p.search(sentence) for p in CUES) and bool(TO_THE_READER.search(sentence)) and not REPORTED.search(sentence)
    )


def _is_heading(line: str) -> bool:
    stripped = line.rstrip()
    n_words = len(stripped.split())
    if n_words < HEADING_MIN_WORDS and not stripped.endswith(("?", "!")):
        return True
    return n_words <= HEADING_MAX_WORDS and not stripped.endswith(tuple(TERMINAL))


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each paragraph, trimmed of surrounding white space.

    A paragraph is a line, except that hard-wrapped lines (a line that does not end a
    sentence, followed by one that starts in lower case) are joined.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    i = 0
    while i < len(lines):
        start, end = lines[i]
        while i + 1 < len(lines) and lines[i + 1][0] == end + 1 and _wraps(text[start:end], text[slice(*lines[i + 1])]):
            i += 1
            end = lines[i][1]
        i += 1
        chunk = text[start:end]
        if not chunk.strip():
            continue
        yield start + _leading_ws(chunk), start + len(chunk.rstrip())


def _wraps(line: str, following: str) -> bool:
    """Whether ``following`` continues ``line``, hard-wrapped mid-sentence at a fixed width."""
    current = line.strip()
    if len(current) < WRAP_MIN_CHARS or current.endswith(tuple(TERMINAL)) or not following.strip():
        return False
    if following.lstrip()[:1].islower():
        return True
    return len(current) >= WRAP_ANY_CASE_CHARS and not LIST_START.match(following)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return their (start, end) offsets in ``text``."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        cut = match.end()
        word = _LAST_WORD.search(text, cursor, cut)
        token = word.group(1).lower().rstrip(".") if word else ""
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        if token in NUMBERING and text[cut : cut + 1].isdigit():
            continue
        _append(text, out, cursor, cut)
        cursor = cut
    _append(text, out, cursor, end)
    return out


def _append(text: str, out: list[tuple[int, int]], start: int, end: int) -> None:
    piece = text[start:end]
    s = start + _leading_ws(piece)
    e = start + len(piece.rstrip())
    if e > s:
        out.append((s, e))
