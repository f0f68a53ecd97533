"""LLM answer mode: a chat model behind any OpenAI-compatible endpoint writes the answer,
and every sentence it writes is checked in code against the passages it cites.

The model never decides what counts as supported. A sentence is shown as supported only
when a quote from a passage it cites holds its names and numbers and most of its
content words; invented citation numbers are dropped; if nothing is supported the
extractive answer is shown instead. Any failure of the endpoint falls back the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlparse

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.answer import REFUSAL, Claim, Draft, ExtractiveAnswerer
from assistant.cite import MARKER
from assistant.clean import split_sentences
from assistant.lexical import content_stems, stem, words
from assistant.question import Question
from assistant.settings import LLMSettings
from assistant.types import Evidence, Passage, Span

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
    ) -> None:
        self.model = model
        self.prompts = prompts
        self.settings = settings
        self.extractive = extractive
        self.embed = embed

    def answer(
        self,
        question: Question,
        passages: Sequence[Passage],
        evidence: Sequence[Evidence],
        on_token: TokenCallback | None = None,
    ) -> Draft:
        fallback = self.extractive.answer(question, passages, evidence)
        if fallback.refused:
            return fallback  # no evidence: refuse before calling the model
        passages = passages[: self.settings.max_passages]
        messages = [
            SystemMessage(self.prompts["answer_system"]),
            HumanMessage(self.prompts["answer"].format(question=question.text, sources=number_passages(passages))),
        ]
        try:
            text = self._generate(messages, on_token)
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
            return self._fallback(
                fallback,
                "No sentence of the model's answer was supported by its cited sources; showing the extractive answer.",
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
        body = text.strip()
        for start, end in split_sentences(body):
            sentence = body[start:end]
            cited = [int(n) for n in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
            invented += len(cited) - len([n for n in cited if 1 <= n <= len(passages)])
            plain = MARKER.sub("", sentence).strip()
            if not any(ch.isalnum() for ch in plain):
                continue
            # A sentence that cites nothing is checked against every passage: it is shown as
            # supported only with a quote that passes the same strict check.
            best = self._best_quote(plain, [passages[n - 1] for n in valid] if valid else list(passages))
            claims.append(Claim(text=plain, evidence=[best] if best else [], supported=best is not None))
        self._check_meaning(claims)
        return claims, invented

    def _check_meaning(self, claims: list[Claim]) -> None:
        """Words can match while the meaning differs: require embedding similarity too."""
        pairs = [c for c in claims if c.supported]
        if not pairs:
            return
        vectors = self.embed([c.text for c in pairs] + [c.evidence[0].text for c in pairs])
        for i, claim in enumerate(pairs):
            cosine = float(vectors[i] @ vectors[len(pairs) + i])
            claim.evidence[0].dense = cosine
            if cosine < self.settings.min_cosine:
                claim.supported, claim.evidence = False, []

    def _best_quote(self, sentence: str, cited: Sequence[Passage]) -> Evidence | None:
        """The quote from the cited passages that best supports the sentence, if one does."""
        best: tuple[float, Evidence] | None = None
        for passage in cited:
            for span, quote in zip(passage.chunk.spans, passage.chunk.span_texts(), strict=True):
                if not span.quotable or INJECTION.search(quote):
                    continue
                score = support(sentence, quote)
                if score >= self.settings.min_overlap and (best is None or score > best[0]):
                    best = (score, _evidence(passage, span, quote, score))
        return best[1] if best else None


def key_tokens(sentence: str) -> set[str]:
    """Names and numbers in a sentence: each must occur in a quote that supports it."""
    tokens = set()
    for i, w in enumerate(words(sentence)):
        if any(ch.isdigit() for ch in w) or (i > 0 and w[:1].isupper()) or (len(w) > 1 and w.isupper()):
            tokens.add(stem(w))
    return tokens


def support(sentence: str, quote: str) -> float:
    """Share of the sentence's content words found in the quote; 0 if a name or number is missing."""
    quote_stems = set(content_stems(quote))
    if not key_tokens(sentence) <= quote_stems | {stem(w) for w in words(quote)}:
        return 0.0
    stems = set(content_stems(sentence))
    if not stems:
        return 0.0
    return len(stems & quote_stems) / len(stems)


def _evidence(passage: Passage, span: Span, quote: str, score: float) -> Evidence:
    return Evidence(meta=passage.chunk.meta, span=span, text=quote, chunk_id=passage.chunk.id, score=score)


__all__ = ["REFUSAL", "LLMAnswerer", "make_chat_model", "support"]
