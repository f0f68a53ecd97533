"""Load the seed eval set and score answers against it (deterministic, no LLM)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.cite import check_citation
from assistant.types import Answer

EVALS = Path(__file__).resolve().parents[2] / "evals" / "seed.yaml"


def load_cases(path: Path = EVALS) -> list[dict[str, Any]]:
    """The cases of an eval file."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])


def normalise(text: str) -> str:
    """Case, quotes, dashes and white space folded, so facts match however they are typed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[‘’´`]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def includes(answer_text: str, fact: str | dict[str, list[str]]) -> bool:
    """Whether the answer contains a fact (a string, or {any_of: [...]})."""
    options = fact["any_of"] if isinstance(fact, dict) else [fact]
    return any(normalise(o) in normalise(answer_text) for o in options)


@dataclass
class Score:
    """How one answer did against its case."""

    case_id: str
    answerable: bool
    refused: bool
    source_hit: bool | None = None
    facts: float | None = None
    invalid_citations: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)

    @property
    def refusal_right(self) -> bool:
        """Refused exactly when the case is unanswerable."""
        return self.refused != self.answerable


def score(case: dict[str, Any], answer: Answer, corpus_dir: Path) -> Score:
    """Score one answer."""
    answerable = case.get("answerable", True)
    result = Score(case_id=case["id"], answerable=answerable, refused=answer.refused)
    result.invalid_citations = [e for c in answer.citations if (e := check_citation(c, corpus_dir))]
    result.forbidden = [f for f in case.get("must_not_include", []) if includes(answer.answer, f)]
    if answerable:
        expected = set(case.get("expected_sources", []))
        result.source_hit = any(c.source_id in expected for c in answer.citations)
        facts = case.get("must_include", [])
        result.facts = sum(includes(answer.answer, f) for f in facts) / len(facts) if facts else 1.0
    return result
