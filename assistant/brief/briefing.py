"""Brief: a cited, deterministic briefing on the corpus for a newcomer.

Every line is a verbatim sentence of a source with its citation; the headings are
the only words the briefing adds. Sections:

- **What this is about**: the story in four quotes (:mod:`assistant.brief.story`);
- **Who's who**: at most 15 actors, each with the sentence that says who they are
  (:mod:`assistant.brief.actors`);
- **Timeline**: events with headings drawn from their quotes, and each publication
  (:mod:`assistant.brief.events`);
- **Positions**: what the official sources say, and what others and critics say;
- **Open questions**: what the sources could not verify or got no answer to, and figures
  independent sources give differently (:mod:`assistant.brief.story`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.backends.store import sentence_id
from assistant.brief.actors import Sentence, whos_who
from assistant.brief.events import timeline
from assistant.brief.retellings import vector_of
from assistant.brief.story import conflicting_figures, story, unsettled
from assistant.provenance.cite import annotate, citation
from assistant.provenance.sources import sentence_key
from assistant.retrieval.loaded import LoadedIndex
from assistant.types import VOICE_KINDS, Briefing, BriefLine, Citation, Filters

SIDE_LINES = 3
MAX_SENTENCES = 20_000
"""Sentences considered at most (the first of each document come first), so big corpora stay quick."""


@dataclass
class Reading:
    """What every section reads: the sentences, the copy group of each document, vectors and closeness."""

    index: LoadedIndex
    sentences: list[Sentence]
    groups: dict[str, str]
    vectors: dict[str, np.ndarray]
    closeness: dict[tuple[str, int], float]

    def group_of(self, source: str) -> str:
        """The source's copy group: copies of one text share it."""
        return self.groups.get(source, source)

    def speaker_of(self, s: Sentence) -> str | None:
        """Who speaks the sentence, where a quote attributes it."""
        return self.index.sources.attribution(s.meta.source_id, s.span.start).speaker


def read(index: LoadedIndex, filters: Filters | None = None) -> Reading:
    """The sentences of every indexed document that passes ``filters``, with what the sections need of them."""
    sentences = _sentences(index, filters)
    documents = sorted({s.meta.source_id for s in sentences})
    vectors = index.sentence_vectors([sentence_id(s.meta.source_id, s.span) for s in sentences])
    groups = {s: index.sources.group_of.get(s, s) for s in documents}
    return Reading(index, sentences, groups, vectors, _closeness(sentences, vectors, groups))


def build_briefing(index: LoadedIndex, filters: Filters | None = None) -> Briefing:
    """The briefing on every indexed document that passes ``filters``."""
    reading = read(index, filters)
    sentences, vectors, groups, closeness = reading.sentences, reading.vectors, reading.groups, reading.closeness
    group_of, speaker_of = reading.group_of, reading.speaker_of
    documents = sorted(groups)
    notices = [] if not filters or filters.empty else [f"Filtered: {filters.model_dump(exclude_defaults=True)}."]
    if not sentences:
        notices.append("No indexed document passes the filters; nothing to brief on.")
    numbered: dict[tuple[str, int], Citation] = {}

    def line(heading: str, s: Sentence, **extra: object) -> BriefLine:
        key = (s.meta.source_id, s.span.start)
        if key not in numbered:
            numbered[key] = citation(len(numbered) + 1, s.meta, s.span, s.text)
        return BriefLine.model_validate({"heading": heading, "citation": numbered[key], **extra})

    who = whos_who(sentences, group_of, closeness, speaker_of)
    briefing = Briefing(
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        documents=len(documents),
        independent_sources=len(set(groups.values())),
        about=[line(f"{step} ({_source(s)})", s) for step, s in story(sentences, closeness)],
        who=[line(e.name, s) for e, s in who],
        timeline=[
            line(h, s, date=d.iso, precision=d.precision, date_text=d.text)
            for h, d, s in timeline(sentences, group_of, closeness, [e for e, _ in who], vectors=vectors)
        ],
        positions={
            "official": [line(_source(s), s) for s in _side(sentences, vectors, groups, True)],
            "critics": [line(_source(s), s) for s in _side(sentences, vectors, groups, False)],
        },
        open_questions=[line(_source(s), s) for s in unsettled(sentences)]
        + [
            line(f"Figures differ: “{a.text}” ({_source(a.sentence)}), “{b.text}” ({_source(b.sentence)})", f.sentence)
            for a, b in conflicting_figures(sentences, group_of)
            for f in (a, b)
        ],
        notices=notices,
    )
    annotate(list(numbered.values()), index.sources)
    return briefing


def _sentences(index: LoadedIndex, filters: Filters | None) -> list[Sentence]:
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    for chunk in index.iter_chunks():
        if filters is not None and not filters.matches(chunk.meta):
            continue
        for span, text in zip(chunk.spans, chunk.span_texts(), strict=True):
            key = (chunk.meta.source_id, span.start)
            if span.story and key not in seen and len(out) < MAX_SENTENCES:
                seen.add(key)
                out.append(Sentence(chunk.meta, span, text))
    return out


def _scored(
    sentences: Sequence[Sentence], vectors: dict[str, np.ndarray], groups: dict[str, str]
) -> list[tuple[float, Sentence]]:
    rows = [(s, vector_of(s, vectors)) for s in sentences]
    rows = [(s, v) for s, v in rows if v is not None]
    if not rows:
        return []
    by_group: dict[str, list[np.ndarray]] = {}
    for s, v in rows:
        by_group.setdefault(groups[s.meta.source_id], []).append(v)  # type: ignore[arg-type]
    centre = np.mean([np.mean(vs, axis=0) for vs in by_group.values()], axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    return sorted(((float(v @ centre), s) for s, v in rows), key=lambda t: (-t[0], t[1].meta.source_id))


def _source(s: Sentence) -> str:
    return s.meta.outlet or s.meta.title


def _closeness(
    sentences: Sequence[Sentence], vectors: dict[str, np.ndarray], groups: dict[str, str]
) -> dict[tuple[str, int], float]:
    """Each sentence's rank by closeness to the corpus centre, from 1 (the closest) down towards 0."""
    scored = _scored(sentences, vectors, groups)
    return {(s.meta.source_id, s.span.start): 1 - i / len(scored) for i, (_, s) in enumerate(scored)}


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
    """The briefing as Markdown: each line a quote with its number, the sources listed at the end.

    ``escape`` guards untrusted text and ``link`` gives the target of each number.
    """
    lines = ["# Briefing", "", briefing_header(briefing, escape)]
    for title, rows in sections(briefing):
        if rows:
            lines.extend(["", f"## {escape(title)}", "", section_markdown(rows, escape, link)])
    if link is None:
        lines += _source_list(briefing_citations(briefing))
    return "\n".join(lines) + "\n"


def briefing_header(briefing: Briefing, escape: Callable[[str], str] = str) -> str:
    """How many documents and sources the briefing draws on, and its notices."""
    lines = [f"{briefing.documents} documents, {briefing.independent_sources} independent sources."]
    return "\n\n".join(lines + [f"_{escape(n)}_" for n in briefing.notices])


def section_markdown(
    rows: Sequence[BriefLine], escape: Callable[[str], str] = str, link: Callable[[int], str] | None = None
) -> str:
    """One section's lines as a Markdown list: date, heading, the quote and its number."""
    lines = []
    for row in rows:
        when = f"{row.date} ({row.precision}, “{escape(row.date_text or '')}”) — " if row.date else ""
        if row.date and row.date.startswith("-"):  # the source names the day, not the year
            when = f"{escape(row.date_text or row.date)} (no year given) — "
        n = row.citation.n
        marker = f"[**[{n}]**]({link(n)})" if link else f"[{n}]"
        lines.append(f"- {when}**{escape(row.heading)}**: “{escape(row.citation.quote)}” {marker}")
    return "\n".join(lines)


def _source_list(citations: list[Citation]) -> list[str]:
    lines = ["", "## Sources", ""] if citations else []
    for c in citations:
        speaker = f"{c.attribution.speaker}, in " if c.attribution.speaker not in (None, c.outlet) else ""
        lines.append(
            f"{c.n}. {speaker}{c.outlet or c.title}, {c.date or 'undated'} — `{c.path}` characters {c.start}–{c.end}"
        )
    return lines
