"""Cite: number the quotes, attach provenance, and check every citation in code.

Nothing here trusts text it did not slice itself: a citation's quote is the original
file's text at its offsets, and markers that point to no citation are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.answer.extractive import Draft
from assistant.ingest.corpus import document_text
from assistant.provenance.sources import SourceCatalog
from assistant.types import AnswerSentence, Citation, DocumentMeta, Evidence, Span

MARKER = re.compile(r"\s?\[(\d{1,3})\]")
CITED_META = {"source_id", "path", "title", "outlet", "author", "date", "kind"}
"""The document's fields a citation carries from the start (its URL comes with the source notes)."""


def make_citation(n: int, evidence: Evidence) -> Citation:
    """Citation number ``n`` for one quoted sentence."""
    return citation(n, evidence.meta, evidence.span, evidence.text)


def citation(n: int, meta: DocumentMeta, span: Span, text: str) -> Citation:
    """Citation number ``n`` for the sentence ``text`` at ``span`` of a document."""
    provenance = meta.model_dump(include=CITED_META)
    return Citation(n=n, **provenance, quote=text, start=span.start, end=span.end, caption=span.kind == "caption")


def compose(draft: Draft) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Answer text, its numbered citations and its sentences, from a draft.

    Verbatim claims are followed by their marker, a paragraph per document. Written
    claims keep their order; unsupported ones are flagged where they stand.
    """
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for claim in draft.claims:
        ns = []
        for e in claim.evidence:
            key = (e.meta.source_id, e.span.start)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(make_citation(numbers[key], e))
            ns.append(numbers[key])
        sentences.append(AnswerSentence(text=claim.text, supported=claim.supported, citations=ns, check=claim.reason))
    if draft.verbatim:
        paragraphs: list[list[str]] = []
        previous = None
        for sentence, claim in zip(sentences, draft.claims, strict=True):
            source = claim.evidence[0].meta.source_id
            if source != previous:
                paragraphs.append([])
                previous = source
            paragraphs[-1].append(f"{sentence.text} {markers(sentence.citations)}")
        return "\n\n".join(" ".join(p) for p in paragraphs), citations, sentences
    shown = [f"{s.text} {markers(s.citations)}" if s.supported else f"{UNSUPPORTED} {s.text}" for s in sentences]
    return " ".join(shown), citations, sentences


def annotate(citations: Sequence[Citation], sources: SourceCatalog) -> tuple[int, list[str]]:
    """Fill in speakers, URLs and copies; return the number of independent sources and notes on copies and repeats.

    A reader must know when two citations are one statement in two files, and when a
    story only repeats what another cited source said.
    """
    notes: list[str] = []
    for c in citations:
        meta = sources.documents.get(c.source_id)
        c.attribution = sources.attribution(c.source_id, c.start)
        c.url = meta.url if meta else None
        c.copies = sources.copies(c.source_id, c.quote)
    seen_groups: set[tuple[str, ...]] = set()
    for c in citations:
        group = tuple(sources.group(c.source_id))
        if len(group) > 1 and group not in seen_groups:
            seen_groups.add(group)
            versions = "; ".join(_describe(sources, s) for s in group)
            notes.append(f"One source in {len(group)} copies (versions of the same document): {versions}.")
    cited = {c.source_id for c in citations}
    for c in citations:
        originals = sorted(
            sources.repeated_from(c.source_id, c.quote) & _with_copies(sources, cited),
            key=lambda s: (sources.documents[s].date or "9999", s),
        )
        if originals:
            notes.append(
                f"[{c.n}] {c.outlet or c.title} quotes {_describe(sources, originals[0])}; "
                "it repeats that source rather than confirming it independently."
            )
    return sources.independent([(c.source_id, c.quote) for c in citations]), notes


def _with_copies(sources: SourceCatalog, source_ids: set[str]) -> set[str]:
    return {member for s in source_ids for member in sources.group(s)}


def _describe(sources: SourceCatalog, source_id: str) -> str:
    meta = sources.documents.get(source_id)
    if meta is None:
        return source_id
    return f"{meta.outlet or meta.title} ({meta.date or 'undated'}, {meta.path})"


UNSUPPORTED = "[unsupported]"
"""Flag put before a written sentence that no cited quote backs."""


def markers(numbers: Iterable[int]) -> str:
    """``[1] [3]`` for citation numbers 1 and 3."""
    return " ".join(f"[{n}]" for n in numbers)


def check_citation(citation: Citation, corpus_dir: Path) -> str | None:
    """None when the quote is the file's text at its offsets; otherwise what is wrong."""
    path = (corpus_dir / citation.path).resolve()
    if not path.is_relative_to(corpus_dir.resolve()):
        return f"[{citation.n}] points outside the corpus: {citation.path}"
    try:
        text = document_text(path)
    except (OSError, ValueError) as exc:
        return f"[{citation.n}] cannot read {citation.path}: {exc}"
    if text[citation.start : citation.end] != citation.quote:
        return f"[{citation.n}] quote differs from {citation.path}[{citation.start}:{citation.end}]"
    return None
