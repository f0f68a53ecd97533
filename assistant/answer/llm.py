"""LLM answer mode: a chat model behind any OpenAI-compatible endpoint writes the answer,
and every sentence it writes is checked in code against the passages it cites.

The model never decides what counts as supported. A sentence is shown as supported only
when a quote from a passage it cites (or two sentences of one passage, for a sentence that
merges them) holds its names and numbers and most of its content words, and nothing in the
quote turns its meaning around (:mod:`assistant.provenance.consistency`); each sentence carries the
reason. Invented citation numbers are dropped; if nothing is supported the extractive
answer is shown instead. Any failure of the endpoint falls back the same way.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.answer.extractive import REFUSAL, Claim, Draft, ExtractiveAnswerer
from assistant.answer.question import Question
from assistant.backends.store import sentence_id
from assistant.ingest.clean import split_sentences
from assistant.provenance import consistency
from assistant.provenance.cite import MARKER
from assistant.provenance.consistency import Verdict
from assistant.retrieval.lexical import content_stems, is_key_word, stem, words
from assistant.settings import LLMSettings
from assistant.types import Evidence, Found, Passage, Span

log = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]
INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,30}\b(instructions|prompt|rules)\b|\breply (only )?with\b|\bsystem prompt\b"
    r"|\byou are now\b|\bnew instructions\b",
    re.I,
)
"""Source sentences that address the model: quoted data, never evidence for what the model writes."""
_REFUSAL_HINTS = re.compile(r"corpus does not answer|sources do not (answer|say|mention)|cannot answer", re.I)


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """``ChatOpenAI`` for the endpoint, with its token cap sent in a form the server reads."""
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {
        "model": settings.model,
        "api_key": settings.api_key or SecretStr("not-needed"),
        "timeout": settings.timeout_s,
        "max_retries": settings.max_retries,
        "temperature": settings.temperature,
    }
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if is_openai(settings.base_url):
        kwargs["max_completion_tokens"] = settings.max_tokens
    else:
        # llama.cpp, vLLM and Ollama read `max_tokens`; `max_completion_tokens` is ignored by some.
        kwargs["extra_body"] = {"max_tokens": settings.max_tokens}
    return ChatOpenAI(**kwargs)


def is_openai(base_url: str | None) -> bool:
    """Whether the endpoint is OpenAI's own API."""
    return base_url is None or urlparse(base_url).hostname == "api.openai.com"


def endpoint_name(base_url: str | None) -> str:
    """Where the model runs, for notices: host and port only, never a key or path."""
    if not base_url:
        return "api.openai.com"
    parsed = urlparse(base_url)
    return parsed.netloc.rsplit("@", 1)[-1] or base_url


def number_passages(passages: Sequence[Passage]) -> str:
    """The prompt's source block: numbered, attributed, quoted."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        meta = p.chunk.meta
        head = ", ".join(x for x in (meta.outlet, meta.date, f"“{meta.title}”") if x)
        body = p.chunk.text.replace('"""', "'''")
        blocks.append(f'[{n}] {head}\n"""\n{body}\n"""')
    return "\n\n".join(blocks)


class LLMAnswerer:
    """Answers with a chat model and checks each sentence; falls back to extractive answers."""

    mode = "llm"

    def __init__(
        self,
        model: BaseChatModel,
        prompts: dict[str, str],
        settings: LLMSettings,
        extractive: ExtractiveAnswerer,
        embed: Callable[[Sequence[str]], Any],
        checker: SentenceChecker | None = None,
    ) -> None:
        self.model = model
        self.prompts = prompts
        self.settings = settings
        self.extractive = extractive
        self.embed = embed
        self.checker = checker or make_checker(settings)

    def answer(self, question: Question, found: Found, on_token: TokenCallback | None = None) -> Draft:
        fallback = self.extractive.answer(question, found)
        if fallback.refused:
            return fallback  # no evidence: refuse before calling the model
        passages = found.passages[: self.settings.max_passages]
        try:
            text = self.write(question.text, passages, on_token)
        except Exception as exc:  # noqa: BLE001 - any endpoint failure degrades to the extractive answer
            log.warning("LLM call failed: %s", type(exc).__name__)
            return self._fallback(
                fallback,
                f"The language model at {endpoint_name(self.settings.base_url)} "
                f"could not answer ({type(exc).__name__}); showing the extractive answer.",
            )
        if _REFUSAL_HINTS.search(text) and not MARKER.search(text):
            return Draft(
                claims=[], refused=True, reason="the language model found no answer in the sources", mode=self.mode
            )
        claims, invented = self.check(text, passages)
        draft = Draft(claims=claims, refused=False, verbatim=False, mode=self.mode)
        if invented:
            draft.notices.append(f"Removed {invented} citation number(s) that matched no source.")
        if not any(c.supported for c in claims):
            reasons = "; ".join(f"{i}. {c.reason}" for i, c in enumerate(claims, 1) if c.reason)
            return self._fallback(
                fallback,
                "No sentence of the model's answer was supported by its cited sources"
                f"{f' ({reasons})' if reasons else ''}; showing the extractive answer.",
            )
        unsupported = [c for c in claims if not c.supported]
        if unsupported and self.settings.on_unsupported == "drop":
            draft.claims = [c for c in claims if c.supported]
            draft.notices.append(f"Dropped {len(unsupported)} sentence(s) their sources do not support.")
        elif unsupported:
            draft.notices.append(
                f"{len(unsupported)} sentence(s) marked [unsupported]: their sources do not back them."
            )
        return draft

    def write(self, question: str, passages: Sequence[Passage], on_token: TokenCallback | None = None) -> str:
        """The model's answer text for the numbered passages, unchecked (raises what the endpoint raises)."""
        messages = [
            SystemMessage(self.prompts["answer_system"]),
            HumanMessage(self.prompts["answer"].format(question=question, sources=number_passages(passages))),
        ]
        return self._generate(messages, on_token)

    def condense(self, question: str, history: Sequence[str]) -> str | None:
        """A standalone version of a follow-up question, or None if the model fails."""
        prompt = self.prompts["condense"].format(history="\n".join(f"- {q}" for q in history), question=question)
        try:
            text = str(self.model.invoke(prompt).content).strip().splitlines()[0].strip()
        except Exception as exc:  # noqa: BLE001 - rule-based condensing takes over
            log.warning("LLM condense failed: %s", type(exc).__name__)
            return None
        return text if 3 <= len(text) <= 500 else None

    def _generate(self, messages: list[BaseMessage], on_token: TokenCallback | None) -> str:
        if on_token is None:
            return str(self.model.invoke(messages).content)
        parts = []
        for chunk in self.model.stream(messages):
            piece = str(chunk.content)
            parts.append(piece)
            on_token(piece)
        return "".join(parts)

    def _fallback(self, draft: Draft, notice: str) -> Draft:
        draft.notices.append(notice)
        return draft

    # -- the check ------------------------------------------------------------------

    def check(self, text: str, passages: Sequence[Passage]) -> tuple[list[Claim], int]:
        """Split the model's text into claims and check each against the passages it cites."""
        claims: list[Claim] = []
        invented = 0
        for sentence in _sentences(text):
            cited = [int(n) for n in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
            invented += len(cited) - len([n for n in cited if 1 <= n <= len(passages)])
            plain = MARKER.sub("", sentence).strip()
            if not any(ch.isalnum() for ch in plain):
                continue
            # A sentence that cites nothing is checked against every passage: it is shown as
            # supported only with a quote that passes the same strict check.
            claims.append(self._check_claim(plain, [passages[n - 1] for n in valid] if valid else list(passages)))
        if self.checker.needs_cosine:
            self._check_cosine(claims)
        return claims, invented

    def _check_claim(self, sentence: str, cited: Sequence[Passage]) -> Claim:
        """The best quote (or two sentences of one passage) that passes the check, else the reason none did."""
        candidates = self._candidates(sentence, cited)
        first: Verdict | None = None
        for _, quotes in candidates:
            known = [x for e in quotes[:1] for x in (e.meta.title, e.meta.outlet) if x]
            verdict = self.checker.check(sentence, [e.text for e in quotes], self._speakers(quotes), known)
            if verdict.supported:
                for e in quotes:
                    e.score = verdict.coverage
                return Claim(text=sentence, evidence=list(quotes), supported=True, reason=verdict.reason)
            first = first or verdict
        reason = first.reason if first else "no cited quote shares enough of its words"
        return Claim(text=sentence, evidence=[], supported=False, reason=reason)

    def _candidates(self, sentence: str, cited: Sequence[Passage]) -> list[tuple[float, list[Evidence]]]:
        """Quotes that share enough words, best first; then pairs of one passage's sentences (merged claims)."""
        singles: list[tuple[float, Evidence, int, Passage]] = []
        for passage in cited:
            for i, (span, quote) in enumerate(zip(passage.chunk.spans, passage.chunk.span_texts(), strict=True)):
                if span.quotable and not INJECTION.search(quote):
                    singles.append((overlap(sentence, quote), _evidence(passage, span, quote, 0.0), i, passage))
        singles.sort(key=lambda c: -c[0])
        out = [(score, [e]) for score, e, _, _ in singles if score >= self.settings.min_overlap][:CANDIDATES]
        near = [c for c in singles[:CANDIDATES] if c[0] > 0]
        for (_, a, i, pa), (_, b, j, pb) in itertools.combinations(near, 2):
            if pa is pb and abs(i - j) <= 3:
                pair = [a, b] if i < j else [b, a]
                score = overlap(sentence, *(e.text for e in pair))
                if score >= self.settings.min_overlap:
                    out.append((score, pair))
        return out

    def _speakers(self, quotes: Sequence[Evidence]) -> list[str]:
        """Who the sources say is speaking in the quotes: a sentence may name them though the quote does not."""
        found = []
        for e in quotes:
            who = self.extractive.index.sources.attribution(e.meta.source_id, e.span.start)
            found += [x for x in (who.speaker, who.outlet, who.author, e.meta.outlet, e.meta.author) if x]
        return found

    def _check_cosine(self, claims: list[Claim]) -> None:
        """Words can match while the sentence says something else: require embedding similarity too.

        Quotes use the vectors stored at ingest (a merged claim, the mean of its two); only
        the written sentences are embedded."""
        pairs = [c for c in claims if c.supported]
        if not pairs:
            return
        ids = [sentence_id(e.meta.source_id, e.span) for c in pairs for e in c.evidence]
        stored = self.extractive.index.sentence_vectors(sorted(set(ids)))
        missing = [e.text for c in pairs for e in c.evidence if sentence_id(e.meta.source_id, e.span) not in stored]
        vectors = self.embed([c.text for c in pairs] + missing)
        vectors_of = dict(zip(missing, vectors[len(pairs) :], strict=True))
        for i, claim in enumerate(pairs):
            quote = np.mean([_vector(e, stored, vectors_of) for e in claim.evidence], axis=0)
            cosine = float(vectors[i] @ quote / (np.linalg.norm(quote) or 1.0))
            for e in claim.evidence:
                e.dense = cosine
            if cosine < self.settings.min_cosine:
                claim.supported, claim.evidence = False, []
                claim.reason = f"too far in meaning from its quote (cosine {cosine:.2f})"


def _vector(e: Evidence, stored: dict[str, Any], embedded: dict[str, Any]) -> Any:
    return stored.get(sentence_id(e.meta.source_id, e.span), embedded.get(e.text))


CANDIDATES = 6
"""Quotes tried per sentence, best overlap first (and pairs among them)."""


class SentenceChecker(Protocol):
    """Decides whether a quote backs a written sentence, and says why."""

    needs_cosine: bool
    """Whether a passed sentence must also be close to its quote by embedding cosine (``min_cosine``)."""

    def check(
        self, sentence: str, quotes: Sequence[str], speakers: Sequence[str] = (), known: Sequence[str] = ()
    ) -> Verdict:
        """The verdict on ``sentence`` against its quote (or two sentences of one passage, for a merged
        sentence); ``speakers`` are who the quotes' source says is speaking, ``known`` the names its
        document's title and outlet give."""
        ...


class MeaningChecker:
    """Names, numbers and the contradiction detectors of :mod:`assistant.provenance.consistency`.

    No cosine gate: on the dev probes it rejected nothing the detectors let through, and it
    costs an embedding of every sentence."""

    name = "meaning"
    needs_cosine = False

    def check(
        self, sentence: str, quotes: Sequence[str], speakers: Sequence[str] = (), known: Sequence[str] = ()
    ) -> Verdict:
        return consistency.check(sentence, quotes, speakers, known)


class OverlapChecker:
    """The earlier check: names and numbers in the quote and most content words (no meaning cues)."""

    name = "overlap"
    needs_cosine = True

    def __init__(self, min_overlap: float = 0.5) -> None:
        self.min_overlap = min_overlap

    def check(
        self, sentence: str, quotes: Sequence[str], speakers: Sequence[str] = (), known: Sequence[str] = ()
    ) -> Verdict:
        score = support(sentence, " ".join(quotes))
        ok = score >= self.min_overlap
        return Verdict(ok, "names, numbers and most words found" if ok else "names, numbers or words missing", score)


def make_checker(settings: LLMSettings) -> SentenceChecker:
    """The checker the settings name."""
    return MeaningChecker() if settings.checker == "meaning" else OverlapChecker(settings.min_overlap)


_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+\])+")


def _sentences(text: str) -> list[str]:
    """The model's sentences, each with its markers: "… the vote. [1] Checks …" gives [1] to the first."""
    body = text.strip()
    out: list[str] = []
    for start, end in split_sentences(body):
        piece = body[start:end]
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end() :]
        out.append(piece)
    return out


def key_tokens(sentence: str) -> set[str]:
    """Names and numbers in a sentence: each must occur in a quote that supports it."""
    return {stem(w) for i, w in enumerate(words(sentence)) if is_key_word(w, i, alphanumeric=True)}


@lru_cache(maxsize=20_000)
def _stems(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


def overlap(sentence: str, *quotes: str) -> float:
    """Share of the sentence's content words found in the quotes."""
    stems = _stems(sentence)
    found = frozenset().union(*(_stems(q) for q in quotes))
    return len(stems & found) / len(stems) if stems else 0.0


def support(sentence: str, quote: str) -> float:
    """Share of the sentence's content words found in the quote; 0 if a name or number is missing."""
    if not key_tokens(sentence) <= _stems(quote) | {stem(w) for w in words(quote)}:
        return 0.0
    return overlap(sentence, quote)


def _evidence(passage: Passage, span: Span, quote: str, score: float) -> Evidence:
    return Evidence(meta=passage.chunk.meta, span=span, text=quote, chunk_id=passage.chunk.id, score=score)


__all__ = ["REFUSAL", "LLMAnswerer", "MeaningChecker", "OverlapChecker", "make_chat_model", "support"]
