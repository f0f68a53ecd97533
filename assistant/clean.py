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
from collections.abc import Iterator

from assistant.types import Span, SpanKind

CLEANING_VERSION = "1"
"""Bumped whenever the rules below change, so existing indexes are rebuilt."""

_I = re.IGNORECASE

# A sentence or line matching any of these is page furniture.
FURNITURE = [
    re.compile(p, _I)
    for p in (
        r"thank you!? your submission has been received",
        r"oops!? something went wrong",
        r"^(next|previous|close|menu|share|search|print|news|skip to( main)? content)$",
        r"\bdonat(e|ion)\b",
        r"\bnewsletter\b",
        r"^keep up to date$",
        r"\breceive (our )?updates\b",
        r"\bshare (this|on)\b.*\b(story|article|page|facebook|twitter|linkedin)\b",
        r"\b(click|tap) to share\b",
        r"^(about us|privacy policy|careers|contact( us)?|terms( of (use|service))?|cookie policy|sitemap)$",
        r"©|\(c\) \d{4}|\ball rights reserved\b",
        r"\bfollow\b.{0,40}\bon (twitter|facebook|instagram|linkedin|x)\b",
        r"\b(telephone|call|email|contact)\b.{0,60}\bpress (office|department|team)\b",
        r"^read (next|more):",
        r"\bis available here\.?$",
        r"\bon this website\b",
        r"^(advertisement|sponsored)$",
    )
]

# A short line matching one of these starts unrelated material that runs to the end.
TAIL_MARKERS = [
    re.compile(p, _I)
    for p in (
        r"^more from\b",
        r"^related( pages| articles| stories| posts| content)?$",
        r"^(you may|you might) also like\b",
        r"^recommended( for you)?$",
    )
]

CAPTION = re.compile(
    r"\b(photos?|images?|pictures?) (by|courtesy|credit)\b|\bvia getty images\b|\b(photo|image)\.$|\bphoto:",
    _I,
)

# "date 2022-03-12 " scraped in front of a paragraph, or alt text glued to it ("Interpol statesFair Trials").
META_PREFIX = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+", _I)
GLUED_LABEL = re.compile(r"^([A-Za-z]+(?: [A-Za-z]+){1,3}?[a-z]{3})(?=[A-Z][a-z])")

TERMINAL = '.!?:;"”’)…'
HEADING_MAX_WORDS = 20
WRAP_MIN_CHARS = 40  # shorter lines are labels or headings, never hard-wrapped prose
TAIL_MARKER_MAX_WORDS = 8

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp gen gov sen rep col lt sgt capt cmdr adm fig approx dept est int'l int’l""".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([\w.'’]+)[.!?…]*[\"”’)\]]*$")


def segment(text: str) -> list[Span]:
    """Return the kept spans of ``text`` in order: sentences of paragraphs, and headings."""
    spans: list[Span] = []
    for start, end in _paragraphs(text):
        line = text[start:end]
        first_line = line.split("\n", 1)[0]
        if len(first_line.split()) <= TAIL_MARKER_MAX_WORDS and any(m.search(first_line) for m in TAIL_MARKERS):
            break
        if _is_furniture(line):
            continue
        start = _skip_prefix(text, start, end, spans)
        if start >= end:
            continue
        line = text[start:end]
        if _is_heading(line):
            spans.append(Span(start=start, end=end, kind="heading"))
            continue
        kind: SpanKind = "caption" if CAPTION.search(line) else "body"
        for s, e in split_sentences(text, start, end):
            if not _is_furniture(text[s:e]):
                spans.append(Span(start=s, end=e, kind=kind))
    return spans


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


def _is_furniture(line: str) -> bool:
    stripped = line.strip().lstrip("•·*-– ").strip()
    if line.lstrip().startswith(("•", "·")):
        return True
    return any(p.search(stripped) for p in FURNITURE)


def _is_heading(line: str) -> bool:
    stripped = line.rstrip()
    return len(stripped.split()) <= HEADING_MAX_WORDS and not stripped.endswith(tuple(TERMINAL))


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each paragraph, trimmed of surrounding white space.

    A paragraph is a line, except that hard-wrapped lines (a line that does not end a
    sentence, followed by one that starts in lower case) are joined.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    i = 0
    while i < len(lines):
        start, end = lines[i]
        while (
            i + 1 < len(lines)
            and len(text[start:end].strip()) >= WRAP_MIN_CHARS
            and not text[start:end].rstrip().endswith(tuple(TERMINAL))
            and text[lines[i + 1][0] : lines[i + 1][1]].lstrip()[:1].islower()
            and lines[i + 1][0] == end + 1
        ):
            i += 1
            end = lines[i][1]
        i += 1
        chunk = text[start:end]
        if not chunk.strip():
            continue
        yield start + _leading_ws(chunk), start + len(chunk.rstrip())


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
