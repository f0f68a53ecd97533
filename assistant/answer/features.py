"""Features of the two learned decisions: does this sentence answer the question, does the corpus answer it.

Every feature is a measurement, not a verdict: retrieval's signals (cosine, BM25, key-term
coverage, names found in the sentence, its passage, its document), what the sentence holds
(a number, a date, a name, a reason, a definition, a quotation) crossed with what the
question asks for, and how a sentence stands against the other candidates. The weights
come from labelled questions (:mod:`assistant.evaluation.train`), never from hand-set gates. The cue
words are plain English; nothing here knows the corpus.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from assistant.answer.question import Question
from assistant.retrieval.lexical import stem_set
from assistant.types import Evidence

Matrix = npt.NDArray[np.float64]
_I = re.IGNORECASE

CUES: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
        r"hundred|thousand|million|billion|dozens?|half|third|quarter|percent)\b", _I),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?|\b(monday|tuesday|wednesday|thursday|friday|saturday|"
        r"sunday|yesterday|today|tomorrow|last (week|month|year)|this (week|month|year))\b", _I),
    "reason": re.compile(
        r"\b(because|since|due to|owing to|as a result|reasons?|therefore|thus|hence|so that|in order to|"
        r"to (prevent|avoid|ensure|protect|keep|stop|allow)|given (that|the)|in light of|on the grounds|"
        r"cannot|can ?not|unable|not (allowed|permitted|possible|able)|forbid\w*|prohibit\w*|no (provision|power|"
        r"mandate|authority|basis|right)|(does|do|did) not (allow|permit|provide|include)|would (lead|allow|mean|"
        r"put|risk)|risks?|otherwise|fundamental|essential|crucial)\b", _I),
    "definition": re.compile(
        r"\b(is|are|was|were) (a|an|the) |\brefers? to\b|\bknown as\b|\bmeans?\b|\bdefined as\b|\bcalled\b"
        r"|\bconsists? of\b|\bdescribed as\b|\bstands? for\b|\bi\.e\.|\btype of\b|\bform of\b", _I),
    "quote": re.compile(
        r"[“\"][^”\"]{12,}[”\"]|\b(said|says|told|wrote|writes|stated|added|according to|argued|warned|claimed|"
        r"explained|noted|insisted|commented|announced|described)\b", _I),
    "role": re.compile(
        r"\b(secretary[- ]general|president|director|chief|head|minister|spokes(man|woman|person)|officer|scholar|"
        r"fellow|editor|chairman|chairwoman|chair|ceo|founder|executive|professor|analyst|lawyer|judge|senator|"
        r"leader|official|commissioner|ambassador|manager|candidate|coach|captain|star|singer|actor|actress|player|"
        r"boss|chancellor|secretary|mp|mep|member)\b", _I),
    "place": re.compile(r"\b(in|at|from|to|near|based in|headquartered in) (the )?[A-Z][a-z]+"),
    "future": re.compile(
        r"\b(will|would|could|might|may|expected|expects?|plans?|planned|likely|hopes?|set to|due to be|aims? to|"
        r"intends?|proposed|should|if|unless|whether)\b", _I),
    "person": re.compile(r"(?<=[a-z,;] )[A-Z][a-z’'-]+ (?:[A-Z]\. )?[A-Z][a-z’'-]+"),
}  # fmt: skip
"""Plain-English cues of what a sentence holds."""

ASKS_FOR: dict[str, tuple[str, ...]] = {
    "how_many": ("number",),
    "when": ("date",),
    "who": ("person", "role"),
    "why": ("reason",),
    "definition": ("definition",),
    "said": ("quote",),
    "where": ("place",),
}
"""The cue a kind of question looks for in its answer."""

SIGNALS = [
    "dense", "before_dense", "after_dense", "passage_dense", "bm25", "fused", "coverage", "phrases", "context",
    "predicate", "predicate_context", "missing_rare", "entity_sentence", "entity_passage", "entity_document",
    "entity_document_all", "entity_sentence_all", "focus_sentence", "focus_passage", "title", "position", "lead",
    "caption", "bio", "asks_back", "years_match", "years_miss", "voice", "speaker",
]  # fmt: skip
"""Retrieval's measurements of each sentence (:meth:`assistant.retrieval.retrieve.HybridSearcher.evidence`)."""

EVIDENCE_FEATURES = [
    *SIGNALS,
    "dense_gap", "dense_rank", "coverage_gap", "words", "novelty", "unknown_entities", "named", "focused", "typed",
    *(f"has_{c}" for c in CUES),
    *(f"asks_{k}_has_{c}" for k, cs in ASKS_FOR.items() for c in cs),
]  # fmt: skip
"""Columns of the evidence model, in order."""

QUESTION_FEATURES = ["unknown_entities", "injection"]
"""What the question alone says about whether it can be answered."""

ANSWERABLE_FEATURES = ["p1", "dense1", "dense_max", "missing_rare1", "years_miss1", *QUESTION_FEATURES]
"""Columns of the answerability model, in order: the scored candidates, then the question.

Few on purpose: fitted on a few hundred questions, a larger set (26 features were tried)
matched the dev questions better and new questions worse. Out of fold on dev, these seven
refuse as many unanswerable questions at a 2% false-refusal rate as the 26 did."""

ANSWERABLE_SIGNS = {"p1": 1, "dense1": 1, "dense_max": 1, "missing_rare1": -1, "years_miss1": -1,
                    "unknown_entities": -1, "injection": -1}  # fmt: skip
"""The direction each feature can push: a closer, better-scored sentence makes an answer
likelier; a rare word, a year or a name the corpus lacks makes it less likely."""

INJECTION = re.compile(
    r"\b(ignore|disregard|forget|bypass|set aside)\b.{0,40}\b(instructions?|prompt|rules|sources?|documents?|corpus|"
    r"context|articles?|texts?|data|quotes?)\b|\b(system prompt|you are now|new instructions|from (your own )?"
    r"(memory|knowledge)|your own knowledge|no quotes needed|without (the |any )?(sources|quotes|documents))\b"
    r"|\b(pretend|imagine|suppose|assume)\b.{0,30}\b(corpus|sources?|documents?|articles?|you)\b",
    _I,
)
"""Questions that ask the assistant to set its sources aside."""


NEW_INFORMATION = frozenset({"number", "date", "person", "place"})
"""Cues whose words must be new to the question to answer it: "How many?" is not answered by its own number."""


@lru_cache(maxsize=100_000)
def cue_words(text: str) -> tuple[frozenset[str], ...]:
    """The words of each cue a text carries, lower-cased, in :data:`CUES` order (cached: sentences recur)."""
    return tuple(frozenset(m.group(0).lower() for m in p.finditer(text)) for p in CUES.values())


def cues(text: str) -> tuple[float, ...]:
    """Which cues a sentence carries, in :data:`CUES` order."""
    return tuple(float(bool(found)) for found in cue_words(text))


def answers_kind(text: str, question_text: str, cue: str) -> float:
    """Whether a sentence holds what a kind of question asks for (a number, date or name the question lacks)."""
    found = cue_words(text)[_CUE_INDEX[cue]]
    if cue not in NEW_INFORMATION:
        return float(bool(found))
    asked = question_text.lower()
    return float(any(w not in asked for w in found))


_CUE_INDEX = {c: i for i, c in enumerate(CUES)}


def evidence_matrix(question: Question, evidence: Sequence[Evidence]) -> Matrix:
    """One row per candidate sentence, :data:`EVIDENCE_FEATURES` columns."""
    if not evidence:
        return np.zeros((0, len(EVIDENCE_FEATURES)))
    base = np.array([[e.signals.get(name, 0.0) for name in SIGNALS] for e in evidence], dtype=np.float64)
    dense = base[:, SIGNALS.index("dense")]
    coverage = base[:, SIGNALS.index("coverage")]
    order = np.argsort(-dense, kind="stable")
    rank = np.empty(len(dense))
    rank[order] = np.arange(len(dense))
    question_stems = {t.stem for t in question.terms}
    unknown = question.unknown_entities
    cue_rows = np.array([cues(e.text) for e in evidence], dtype=np.float64)
    asked = {question.kind} | question.part_kinds
    asks = [
        np.array([answers_kind(e.text, question.text, c) if k in asked else 0.0 for e in evidence])
        for k, cs in ASKS_FOR.items()
        for c in cs
    ]
    extra = np.column_stack(
        [
            dense - dense.max(),
            1.0 / (1.0 + rank),
            coverage - coverage.max(),
            [math.log1p(len(e.text.split())) for e in evidence],
            [_novelty(e, question_stems) for e in evidence],
            np.full(len(evidence), unknown),
            np.full(len(evidence), float(bool(question.entities))),
            np.full(len(evidence), float(bool(question.focus))),
            np.full(len(evidence), float(bool(asked & ASKS_FOR.keys()))),
        ]
    )
    return np.column_stack([base, extra, cue_rows, *asks]) if asks else np.column_stack([base, extra, cue_rows])


def _novelty(e: Evidence, question_stems: set[str]) -> float:
    stems = stem_set(e.text)
    return len(stems - question_stems) / len(stems) if stems else 0.0


def question_features(question: Question) -> list[float]:
    """The question's :data:`QUESTION_FEATURES`."""
    return [question.unknown_entities, float(bool(INJECTION.search(question.text)))]


_COLUMN = {name: i for i, name in enumerate(EVIDENCE_FEATURES)}


def answerable_vector(question: Sequence[float], matrix: Matrix, probs: Sequence[float] | Matrix) -> Matrix:
    """One row of :data:`ANSWERABLE_FEATURES` from the question's features and its scored candidates.

    ``matrix`` is the candidates' :func:`evidence_matrix`; ``probs`` their evidence probabilities.
    """
    if len(probs) == 0:
        return np.asarray([[0.0] * (len(ANSWERABLE_FEATURES) - len(question)) + list(question)])
    p = np.asarray(probs, dtype=np.float64)
    best = matrix[int(np.argmax(p))]
    row = [
        float(p.max()),
        best[_COLUMN["dense"]],
        float(matrix[:, _COLUMN["dense"]].max()),
        best[_COLUMN["missing_rare"]],
        best[_COLUMN["years_miss"]],
        *question,
    ]
    return np.asarray([row], dtype=np.float64)
