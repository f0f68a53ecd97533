"""Brief: a cited, deterministic briefing on the corpus for a newcomer.

Every line is a verbatim sentence of a source with its citation; the headings are
the only words the briefing adds. Sections:

- **What this is about**: the sentences closest to the centre of the corpus (the mean of
  each independent source's sentence vectors), one per source;
- **Who's who**: the most salient organisations and people (:mod:`assistant.brief.entities`),
  each with the sentence that best says who they are;
- **Timeline**: dated events, oldest first, with the date's precision, plus when each
  document was published;
- **Positions**: what the institution's statements say, and what its critics say;
- **Open questions**: what the sources say is unverified, unclear or unanswered.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from assistant.backends.store import sentence_id
from assistant.brief.entities import DateMention, Entity, collect_entities, dates_in
from assistant.common.titles import OFFICES, alternatives
from assistant.provenance.cite import annotate, citation
from assistant.provenance.sources import sentence_key
from assistant.retrieval.loaded import LoadedIndex
from assistant.types import VOICE_KINDS, Briefing, BriefLine, Citation, DatePrecision, DocumentMeta, Filters, Span

ABOUT_LINES = 5
WHO_LINES = 30
SIDE_LINES = 3
MAX_SENTENCES = 20_000
"""Sentences considered at most (the first of each document come first), so big corpora stay quick."""
ROLE = re.compile(
    r",\s+(?:a|an|the|who|which|head|chief|CEO|president|director|officer)\b|\b(?:is|was|are|were)\s+(?:a|an|the)\b|"
    rf"\b(?:{alternatives(OFFICES)}|Officer|candidate|CEO|head of|founder|scholar|fellow)\b",
    re.IGNORECASE,
)
COPULA = re.compile(r",?\s+(?:is|was|are|were)\s+(?:a|an|the)\b|,\s+(?:a|an|the|who|head of|chief)\b", re.I)
UNSETTLED = re.compile(
    r"\b(?:could\s*n[o’']t|could not|cannot|can\s*not|unable to|not able to)\s+(?:be\s+)?(?:independently\s+)?"
    r"(?:verif|confirm|comment)|\bunverified\b|\b(?:remains|it is|it's|still)\s+(?:unclear|not clear|unknown)\b|"
    r"\bdid not (?:reply|respond|return)\b|\bdeclined to comment\b|\bremains to be seen\b|\braises questions\b|"
    r"\bnot clear (?:whether|how|why|if)\b|\bno evidence\b",
    re.IGNORECASE,
)


class Sentence:
    """A quotable sentence of a document, as the briefing sees it."""

    __slots__ = ("meta", "span", "text")

    def __init__(self, meta: DocumentMeta, span: Span, text: str) -> None:
        self.meta, self.span, self.text = meta, span, text


def build_briefing(index: LoadedIndex, filters: Filters | None = None) -> Briefing:
    """The briefing on every indexed document that passes ``filters``."""
    sentences = _sentences(index, filters)
    documents = sorted({s.meta.source_id for s in sentences})
    notices = [] if not filters or filters.empty else [f"Filtered: {filters.model_dump(exclude_defaults=True)}."]
    if not sentences:
        notices.append("No indexed document passes the filters; nothing to brief on.")
    vectors = index.storage.sentence_vectors([sentence_id(s.meta.source_id, s.span) for s in sentences])
    groups = {s: index.sources.group_of.get(s, s) for s in documents}
    numbered: dict[tuple[str, int], Citation] = {}

    def line(heading: str, s: Sentence, **extra: object) -> BriefLine:
        key = (s.meta.source_id, s.span.start)
        if key not in numbered:
            numbered[key] = citation(len(numbered) + 1, s.meta, s.span, s.text)
        return BriefLine.model_validate({"heading": heading, "citation": numbered[key], **extra})

    about = _central(sentences, vectors, groups, ABOUT_LINES)
    briefing = Briefing(
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        documents=len(documents),
        independent_sources=len(set(groups.values())),
        about=[line(s.meta.outlet or s.meta.title, s) for s in about],
        who=[line(e.name, s) for e, s in _who(sentences, index)],
        timeline=[line(h, s, date=d.iso, precision=d.precision, date_text=d.text) for h, d, s in _timeline(sentences)],
        positions={
            "official": [line(s.meta.outlet or s.meta.title, s) for s in _side(sentences, vectors, groups, True)],
            "critics": [line(s.meta.outlet or s.meta.title, s) for s in _side(sentences, vectors, groups, False)],
        },
        open_questions=[
            line(s.meta.outlet or s.meta.title, s)
            for s in sentences
            if s.span.kind == "body" and UNSETTLED.search(s.text)
        ],
        notices=notices,
    )
    annotate(list(numbered.values()), index.sources)
    return briefing


def _sentences(index: LoadedIndex, filters: Filters | None) -> list[Sentence]:
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    for chunk in sorted(index.chunks, key=lambda c: (c.meta.source_id, c.index)):
        if filters is not None and not filters.matches(chunk.meta):
            continue
        for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
            key = (chunk.meta.source_id, span.start)
            if span.story and key not in seen and len(out) < MAX_SENTENCES:
                seen.add(key)
                out.append(Sentence(chunk.meta, span, text))
    return out


def _central(
    sentences: Sequence[Sentence], vectors: dict[str, np.ndarray], groups: dict[str, str], n: int
) -> list[Sentence]:
    """The best sentence of each independent source by cosine to the corpus centre, best sources first."""
    scored = _scored(sentences, vectors, groups)
    best: dict[str, tuple[float, Sentence]] = {}
    for score, s in scored:
        group = groups[s.meta.source_id]
        if group not in best and s.span.kind == "body" and 8 <= len(s.text.split()) <= 60:
            best[group] = (score, s)
    return [s for _, s in sorted(best.values(), key=lambda t: -t[0])[:n]]


def _scored(
    sentences: Sequence[Sentence], vectors: dict[str, np.ndarray], groups: dict[str, str]
) -> list[tuple[float, Sentence]]:
    rows = [(s, vectors.get(sentence_id(s.meta.source_id, s.span))) for s in sentences]
    rows = [(s, v) for s, v in rows if v is not None]
    if not rows:
        return []
    by_group: dict[str, list[np.ndarray]] = {}
    for s, v in rows:
        by_group.setdefault(groups[s.meta.source_id], []).append(v)  # type: ignore[arg-type]
    centre = np.mean([np.mean(vs, axis=0) for vs in by_group.values()], axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    return sorted(((float(v @ centre), s) for s, v in rows), key=lambda t: (-t[0], t[1].meta.source_id))


def _who(sentences: Sequence[Sentence], index: LoadedIndex) -> list[tuple[Entity, Sentence]]:
    """Salient entities, each with the sentence that says most plainly who or what they are."""
    known = tuple(sorted({s.meta.outlet for s in sentences if s.meta.outlet}, key=len, reverse=True))
    running = [s for s in sentences if s.span.kind == "body"]  # captions name photographers, not actors
    entities = collect_entities([(s.meta.source_id, s.span.start, s.text) for s in running], known)
    entities = [e for e in entities if e.person or len(e.mentions) >= 2]
    by_key = {(s.meta.source_id, s.span.start): s for s in running}
    ranked = []
    for entity in entities:
        mentions = [by_key[m] for m in entity.mentions if m in by_key]
        if mentions:
            best = max(mentions, key=lambda s: _describes(entity, s))
            ranked.append((entity.salience + _describes(entity, best), entity, best))
    ranked.sort(key=lambda t: (-t[0], t[1].name))
    return [(entity, best) for _, entity, best in ranked[:WHO_LINES]]


def _describes(entity: Entity, s: Sentence) -> int:
    """How plainly the sentence says who or what the entity is, where it names it (0: it only mentions it).

    3: "X is a…", "X, a…"; 2: a title before the name ("Legal and Policy Officer, Bruno Min");
    1: a role word nearby. Body text beats captions.
    """
    best = 0
    for alias in entity.aliases | {entity.name}:
        at = s.text.find(alias)
        if at < 0:
            continue
        after, before = s.text[at + len(alias) : at + len(alias) + 60], s.text[max(0, at - 40) : at]
        if COPULA.match(after):
            best = max(best, 3)
        elif ROLE.search(before):
            best = max(best, 2)
        elif ROLE.search(after):
            best = max(best, 1)
    return best * 2 + (s.span.kind == "body")


def _timeline(sentences: Sequence[Sentence]) -> list[tuple[str, DateMention, Sentence]]:
    """(heading, date, sentence) for every dated event and every publication, oldest first."""
    events: list[tuple[str, DateMention, Sentence]] = []
    seen: set[tuple[str, str]] = set()
    for s in sentences:
        for d in dates_in(s.text, s.meta.date):
            key = (d.iso, " ".join(s.text.lower().split()))
            if key not in seen:
                seen.add(key)
                events.append((d.text, d, s))
    firsts: dict[str, Sentence] = {}
    for s in sentences:
        firsts.setdefault(s.meta.source_id, s)
    for s in firsts.values():
        if s.meta.date:
            precision: DatePrecision = {10: "day", 7: "month"}.get(len(s.meta.date), "year")  # type: ignore[assignment]
            mention = DateMention(iso=s.meta.date, precision=precision, text="published")
            events.append((f"{s.meta.outlet or s.meta.title} publishes “{s.meta.title}”", mention, s))
    return sorted(events, key=lambda e: (e[1].iso, e[0]))


def _side(
    sentences: Sequence[Sentence], vectors: dict[str, np.ndarray], groups: dict[str, str], official: bool
) -> list[Sentence]:
    """Central sentences from official statements, or from every other kind of source."""
    own = [s for s in sentences if (s.meta.kind in VOICE_KINDS["official"]) == official and s.span.kind == "body"]
    picked: list[Sentence] = []
    keys: set[str] = set()
    for _, s in _scored(own, vectors, groups):
        key = sentence_key(s.text)
        if key not in keys and 8 <= len(s.text.split()) <= 60:
            keys.add(key)
            picked.append(s)
        if len(picked) == SIDE_LINES:
            break
    return picked


def sections(briefing: Briefing) -> list[tuple[str, list[BriefLine]]]:
    """The briefing's sections, titled, in reading order (empty ones included).

    The official side is named for the outlet its quotes come from, so no corpus is named here.
    """
    official = briefing.positions.get("official", [])
    outlets = Counter(row.citation.outlet for row in official if row.citation.outlet).most_common(1)
    return [
        ("What this is about", briefing.about),
        ("Who's who", briefing.who),
        ("Timeline", briefing.timeline),
        (f"What {outlets[0][0]} says" if outlets else "What the official sources say", official),
        ("What others and critics say", briefing.positions.get("critics", [])),
        ("Open questions", briefing.open_questions),
    ]


def briefing_citations(briefing: Briefing) -> list[Citation]:
    """Every citation of a briefing once, by number."""
    cited = {row.citation.n: row.citation for _, rows in sections(briefing) for row in rows}
    return [cited[n] for n in sorted(cited)]


def briefing_markdown(
    briefing: Briefing, escape: Callable[[str], str] = str, link: Callable[[int], str] | None = None
) -> str:
    """The briefing as Markdown: each line a quote with its number.

    For a terminal or a file (the defaults) the sources are listed at the end. A page passes
    ``escape`` for untrusted text and ``link``, the target of each number (its source card),
    and lists the sources itself.
    """
    lines = ["# Briefing", "", f"{briefing.documents} documents, {briefing.independent_sources} independent sources."]
    lines += [f"_{escape(n)}_" for n in briefing.notices]
    for title, rows in sections(briefing):
        if rows:
            lines.extend(["", f"## {escape(title)}", ""])
        for row in rows:
            when = f"{row.date} ({row.precision}, “{escape(row.date_text or '')}”) — " if row.date else ""
            n = row.citation.n
            marker = f"[**[{n}]**]({link(n)})" if link else f"[{n}]"
            lines.append(f"- {when}**{escape(row.heading)}**: “{escape(row.citation.quote)}” {marker}")
    if link is None:
        lines += _source_list(briefing_citations(briefing))
    return "\n".join(lines) + "\n"


def _source_list(citations: list[Citation]) -> list[str]:
    lines = ["", "## Sources", ""] if citations else []
    for c in citations:
        speaker = f"{c.attribution.speaker}, in " if c.attribution.speaker not in (None, c.outlet) else ""
        lines.append(
            f"{c.n}. {speaker}{c.outlet or c.title}, {c.date or 'undated'} — `{c.path}` characters {c.start}–{c.end}"
        )
    return lines
