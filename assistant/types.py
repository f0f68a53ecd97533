"""The data types that flow through the pipeline: corpus → index → retrieve → answer → cite.

Every offset in these types is a character offset into the *original* file text as
decoded from disk, so ``original_text[start:end]`` is always the quoted text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from assistant.common.dates import date_ordinal
from assistant.common.dates import ordinal as day_ordinal

SpanKind = Literal["body", "caption", "heading", "label", "credit", "bio", "furniture"]
"""body: running text; caption: a photo caption; heading: titles, bylines and other
short lines; label: image alt text or metadata glued to a paragraph; credit: a photo
credit ("Photo by ... via Getty Images."); bio: the author's biography box; furniture: page furniture
left out (buttons, form messages, calls to action, and a "More from" tail to the end of the page)."""

QUOTABLE_KINDS: frozenset[str] = frozenset({"body", "caption", "bio"})
INDEXED_KINDS: frozenset[str] = frozenset({"body", "caption", "heading", "bio"})
"""Labels and credits are marked but never indexed: they describe the page, not the story."""

DocumentKind = Literal["news", "official_statement", "op_ed", "ngo_news", "document"]
VOICE_KINDS: dict[str, list[DocumentKind]] = {
    "official": ["official_statement"],
    "press": ["news", "op_ed"],
    "advocacy": ["ngo_news"],
}
"""Kinds of source behind each voice, for the official/press/advocacy filters."""


class DocumentMeta(BaseModel):
    """Where a document comes from: what a citation shows next to a quote."""

    source_id: str = Field(description="Stable id: the path relative to the corpus directory.")
    path: str = Field(description="Path relative to the corpus directory, with '/' separators.")
    title: str = Field(description="The document's title, from metadata or its first line.")
    outlet: str | None = Field(default=None, description="Outlet or publisher, where known.")
    author: str | None = Field(default=None, description="Author, where known.")
    date: str | None = Field(
        default=None,
        pattern=r"^\d{4}(-[01]\d(-[0-3]\d)?)?$",
        description="ISO date, as precise as the source allows: YYYY, YYYY-MM or YYYY-MM-DD.",
    )
    kind: DocumentKind = Field(default="document", description="What sort of source this is.")
    url: str | None = Field(default=None, description="Original URL, where known.")

    @property
    def date_ordinal(self) -> int | None:
        """The date as an int YYYYMMDD (missing month or day count as 01), for range filters."""
        return date_ordinal(self.date)


class Span(BaseModel):
    """A sentence or line of a document, located in the original file."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(description="Start offset in the original file text.")
    end: int = Field(description="End offset (exclusive) in the original file text.")
    kind: SpanKind = Field(default="body", description="What part of the page this text is.")

    @property
    def quotable(self) -> bool:
        """Whether an answer may quote this span (a bio only when the question is about the author)."""
        return self.kind in QUOTABLE_KINDS

    @property
    def indexed(self) -> bool:
        """Whether the span is embedded and searched."""
        return self.kind in INDEXED_KINDS

    @property
    def story(self) -> bool:
        """Whether the span is part of the story itself: running text or a caption, not the author's box."""
        return self.kind in ("body", "caption")


class Document(BaseModel):
    """A source file after loading and cleaning; the file itself is never changed."""

    meta: DocumentMeta = Field(description="Source metadata.")
    text: str = Field(description="The original file text, exactly as decoded.")
    fingerprint: str = Field(description="Hash of the file bytes and its metadata; changes trigger re-indexing.")
    spans: list[Span] = Field(description="Kept sentences and lines in file order; page furniture is left out.")


class Chunk(BaseModel):
    """A run of consecutive spans of one document: the unit that is embedded and searched."""

    id: str = Field(description="'<source_id>#<index>'.")
    meta: DocumentMeta = Field(description="Metadata of the document the chunk belongs to.")
    index: int = Field(description="Position of the chunk within its document.")
    text: str = Field(description="The span texts joined by single spaces: what is embedded and indexed.")
    spans: list[Span] = Field(description="The spans that make up the chunk, with original offsets.")

    @property
    def start(self) -> int:
        """Start offset of the chunk in the original file."""
        return self.spans[0].start

    @property
    def end(self) -> int:
        """End offset of the chunk in the original file."""
        return self.spans[-1].end

    def span_texts(self) -> list[str]:
        """The text of each span, sliced from the chunk text (equal to the original file text)."""
        texts, pos = [], 0
        for span in self.spans:
            length = span.end - span.start
            texts.append(self.text[pos : pos + length])
            pos += length + 1
        return texts


class Filters(BaseModel):
    """Restricts which documents a question is answered from. Empty fields do not filter."""

    source_ids: list[str] = Field(default_factory=list, description="Only these documents (source ids).")
    outlets: list[str] = Field(default_factory=list, description="Only these outlets or publishers.")
    kinds: list[DocumentKind] = Field(default_factory=list, description="Only these kinds of source.")
    date_from: dt.date | None = Field(default=None, description="Only documents dated on or after this day.")
    date_to: dt.date | None = Field(default=None, description="Only documents dated on or before this day.")

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return not (self.source_ids or self.outlets or self.kinds or self.date_from or self.date_to)

    def matches(self, meta: DocumentMeta) -> bool:
        """Whether a document passes the filters."""
        if self.source_ids and meta.source_id not in self.source_ids:
            return False
        if self.outlets and meta.outlet not in self.outlets:
            return False
        if self.kinds and meta.kind not in self.kinds:
            return False
        if self.date_from or self.date_to:
            ordinal = meta.date_ordinal
            if ordinal is None:
                return False
            if self.date_from and ordinal < day_ordinal(self.date_from):
                return False
            if self.date_to and ordinal > day_ordinal(self.date_to):
                return False
        return True


class Passage(BaseModel):
    """A chunk returned by retrieval, with the scores that ranked it."""

    chunk: Chunk = Field(description="The retrieved chunk.")
    rank: int = Field(description="0-based rank after fusion.")
    score: float = Field(description="Reciprocal-rank-fusion score.")
    dense: float | None = Field(default=None, description="Cosine similarity to the question, if dense-retrieved.")
    lexical: float | None = Field(default=None, description="BM25 score, if lexically retrieved.")


class Evidence(BaseModel):
    """A quotable sentence inside a retrieved passage, scored against the question."""

    meta: DocumentMeta = Field(description="Metadata of the sentence's document.")
    span: Span = Field(description="Where the sentence is in the original file.")
    text: str = Field(description="The sentence, verbatim.")
    chunk_id: str = Field(description="The passage the sentence was found in.")
    score: float = Field(default=0.0, description="Probability that the sentence answers the question (learned).")
    dense: float = Field(default=0.0, description="Cosine similarity between sentence and question.")
    signals: dict[str, float] = Field(
        default_factory=dict, description="What retrieval measured of the sentence: the learned score's inputs."
    )


class Found(NamedTuple):
    """What retrieval found for one question: what an answer mode works from."""

    passages: list[Passage]
    """The ranked passages."""
    evidence: list[Evidence]
    """Every candidate sentence in them, with its signals."""


class Turn(BaseModel):
    """One earlier exchange in a conversation."""

    question: str = Field(description="What the user asked.")
    answer: str = Field(default="", description="What the assistant answered.")


class Attribution(BaseModel):
    """Who speaks in a quoted sentence."""

    outlet: str | None = Field(default=None, description="Outlet or publisher of the document.")
    author: str | None = Field(default=None, description="Author of the document, where known.")
    speaker: str | None = Field(
        default=None, description="Who the sentence quotes or reports (a person, group or report); None: the author."
    )
    basis: Literal["direct quote", "reported", "document"] = Field(
        default="document", description="How the speaker was found: quotation marks, a speech verb, or the source."
    )

    @property
    def label(self) -> str:
        """One line: the speaker, then where the sentence was published."""
        source = ", ".join(x for x in (self.outlet, self.author) if x) or "the document"
        if not self.speaker or self.speaker == self.outlet:
            return source
        return f"{self.speaker} (in {source})"


class Citation(BaseModel):
    """A numbered, verbatim quote with its provenance."""

    n: int = Field(description="The number used as [n] in the answer text.")
    source_id: str = Field(description="Id of the cited document.")
    path: str = Field(description="File path relative to the corpus directory.")
    title: str = Field(description="Document title.")
    outlet: str | None = Field(default=None, description="Outlet or publisher.")
    author: str | None = Field(default=None, description="Author, where known.")
    date: str | None = Field(default=None, description="Document date (ISO, as precise as known).")
    kind: str = Field(description="Kind of source.")
    quote: str = Field(description="The quoted text; equals the original file text at [start:end].")
    start: int = Field(description="Start character offset in the original file.")
    end: int = Field(description="End character offset (exclusive) in the original file.")
    caption: bool = Field(default=False, description="True when the quote is a photo caption.")
    url: str | None = Field(default=None, description="Original URL of the document, where known.")
    attribution: Attribution = Field(default_factory=Attribution, description="Who says it, and where.")
    copies: list[str] = Field(
        default_factory=list, description="Other documents that carry the same sentence (reposts, versions)."
    )


class AnswerSentence(BaseModel):
    """One sentence of an answer, whether its citations support it, and which they are."""

    text: str = Field(description="The sentence as shown, without citation markers.")
    supported: bool = Field(description="True when its cited quote backs it (always, for verbatim quotes).")
    citations: list[int] = Field(default_factory=list, description="Numbers of the citations backing it.")
    check: str = Field(
        default="", description="For a written sentence: why it passed its check, or which check failed."
    )


class Retrieved(BaseModel):
    """One passage retrieval ranked for the question, for evaluators."""

    source_id: str = Field(description="Document of the passage.")
    chunk_id: str = Field(description="The passage.")
    score: float = Field(description="Fusion score.")


class Answer(BaseModel):
    """What the assistant returns for one question; serialises to the documented JSON schema."""

    id: Any = Field(default=None, description="Caller-supplied id, echoed back (batch mode).")
    question: str = Field(description="The question as answered (after truncation).")
    answer: str = Field(description="Answer text: verbatim quotes each followed by [n], or a refusal.")
    refused: bool = Field(description="True when the corpus does not answer the question.")
    confidence: float | None = Field(
        default=None, description="Calibrated probability that the corpus answers the question (extractive scoring)."
    )
    mode: str = Field(default="extractive", description="How the answer was produced.")
    independent_sources: int = Field(
        default=0, description="Cited sources that speak independently: copies count once, repeats not at all."
    )
    citations: list[Citation] = Field(default_factory=list, description="Numbered sources used in the answer.")
    closest: list[Citation] = Field(
        default_factory=list,
        description="For a refusal: the nearest passages, verbatim; they do not answer the question.",
    )
    sentences: list[AnswerSentence] = Field(default_factory=list, description="The answer sentence by sentence.")
    notices: list[str] = Field(default_factory=list, description="Things the reader should know (truncation...).")
    retrieved: list[Retrieved] = Field(default_factory=list, description="Passages retrieval ranked, best first.")
    timings_ms: dict[str, float] = Field(default_factory=dict, description="Wall time per stage, and 'total'.")


class IngestReport(BaseModel):
    """What one ingest run did."""

    added: list[str] = Field(default_factory=list, description="Documents indexed for the first time.")
    updated: list[str] = Field(default_factory=list, description="Documents re-indexed because they changed.")
    removed: list[str] = Field(default_factory=list, description="Documents dropped because their file is gone.")
    unchanged: list[str] = Field(default_factory=list, description="Documents left as they were.")
    skipped: list[str] = Field(default_factory=list, description="Warnings for files that could not be ingested.")
    furniture: dict[str, int] = Field(
        default_factory=dict,
        description="Passages left out as page furniture (buttons, form messages, calls to action), per file read.",
    )
    embedded_chunks: int = Field(default=0, description="Chunks embedded in this run.")
    embedded_sentences: int = Field(default=0, description="Sentences embedded in this run.")
    encoded_texts: int = Field(
        default=0, description="Texts run through the model; repeated sentences (copies, syndication) count once."
    )
    seconds: float = Field(default=0.0, description="Wall time of the run.")

    @property
    def changed(self) -> bool:
        """True when the index was modified."""
        return bool(self.added or self.updated or self.removed)


DatePrecision = Literal["day", "month", "year", "day-no-year", "month-no-year"]
"""How much of a date a text gives; the "-no-year" ones name a day or month but no year (ISO ``--MM-DD``, ``--MM``)."""


class BriefLine(BaseModel):
    """One line of a briefing: a verbatim quote, what it is about, and its citation."""

    heading: str = Field(description="What the line is about: an entity, a dated event, or a side.")
    date: str | None = Field(
        default=None,
        description="ISO date of a timeline event (YYYY, YYYY-MM, YYYY-MM-DD; --MM-DD or --MM when no year is stated).",
    )
    precision: DatePrecision | None = Field(default=None, description="How precise the event's date is.")
    date_text: str | None = Field(default=None, description="The words of the text that give the date.")
    citation: Citation = Field(description="The quote, verbatim, with its source and offsets.")


class Briefing(BaseModel):
    """A cited briefing on the corpus (or a filtered part of it)."""

    generated_at: str = Field(description="When the briefing was made (UTC, ISO 8601).")
    documents: int = Field(description="Documents the briefing draws on.")
    independent_sources: int = Field(description="Of those, sources that are not copies of one another.")
    about: list[BriefLine] = Field(default_factory=list, description="The central points.")
    who: list[BriefLine] = Field(default_factory=list, description="Organisations and people, one line on each.")
    timeline: list[BriefLine] = Field(default_factory=list, description="Dated events, oldest first.")
    positions: dict[str, list[BriefLine]] = Field(
        default_factory=dict, description="What the institution says and what its critics say."
    )
    open_questions: list[BriefLine] = Field(
        default_factory=list, description="What the sources leave unsettled or could not verify."
    )
    notices: list[str] = Field(default_factory=list, description="Notes on filters and coverage.")
