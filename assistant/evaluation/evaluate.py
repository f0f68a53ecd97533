"""Evaluate: scripted Q&A cases, deterministic metrics, thresholds and baselines.

Same input, same score: every metric is computed in code from the answers, the
retrieval ranking and the corpus files. No model judges anything here.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import subprocess
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.common.stats import percentile
from assistant.evaluation.cases import (
    AnyOf,
    Case,
    CorpusSpec,
    EvalFile,
    EvalFileError,
    Fact,
    GoldEvidence,
    Thresholds,
    load_eval_file,
    select,
    split_of,
)
from assistant.provenance.cite import MARKER, check_citation
from assistant.types import Answer, Citation

# An oracle for the furniture gate, written apart from the cleaning rules on purpose: it
# checks what the cleaner lets through, so it must not share the cleaner's patterns.
FURNITURE_ORACLE = re.compile(
    r"^(photo|image|picture)s? (by|courtesy|credit)|via getty images\.?$|^[^.]{0,60}\b(photo|image)\.$"
    r"|\bnewsletter\b|\bsign up\b|\bclick to share\b|all rights reserved|^read (next|more):"
    r"|\bsubmission has been received\b|\bsomething went wrong\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Case, quotes, dashes and white space folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[‘’´`]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def includes(text: str, fact: Fact) -> bool:
    """Whether ``text`` contains the fact (any phrasing of it)."""
    options = fact.any_of if isinstance(fact, AnyOf) else [fact]
    return any(normalise(o) in normalise(text) for o in options)


def describe(fact: Fact) -> str:
    """A fact as a human reads it."""
    return " or ".join(f"“{o}”" for o in fact.any_of) if isinstance(fact, AnyOf) else f"“{fact}”"


def overlaps(quote: str, gold: str, share: float = 0.6) -> bool:
    """Whether a quote and a gold evidence text are mostly the same words (either way round)."""
    a, b = set(re.findall(r"\w+", normalise(quote))), set(re.findall(r"\w+", normalise(gold)))
    if not a or not b:
        return False
    common = len(a & b)
    return common >= share * len(a) or common >= share * len(b)


class CaseResult(BaseModel):
    """How one case did."""

    id: str
    kind: str | None = None
    split: str = "dev"
    question: str
    answerable: bool
    passed: bool
    failures: list[str] = Field(default_factory=list, description="Why it failed, one reason per line.")
    refused: bool
    answer: str
    citations: list[dict[str, Any]] = Field(default_factory=list)
    closest: list[dict[str, Any]] = Field(default_factory=list, description="A refusal's nearest passages.")
    source_hit: float | None = None
    cited_source_hit: float | None = Field(default=None, description="Answered, citing an expected source.")
    evidence_hit: float | None = Field(default=None, description="A cited quote overlaps a gold evidence text.")
    recall: float | None = None
    reciprocal_rank: float | None = None
    fact_coverage: float | None = None
    citation_validity: float
    citation_precision: float | None = None
    furniture_quotes: int = Field(default=0, description="Cited quotes that are page furniture or photo credits.")
    support: float | None = None
    judge_faithfulness: float | None = None
    judge_correctness: float | None = None
    latency_ms: float


def score_case(case: Case, answer: Answer, corpus_dir: Path, k: int, latency_ms: float) -> CaseResult:
    """Every metric of one case, and whether it passed."""
    failures: list[str] = []
    problems = [p for c in [*answer.citations, *answer.closest] if (p := check_citation(c, corpus_dir))]
    known = {c.n for c in answer.citations}
    outside = answer.answer
    for c in answer.citations:  # a quote may carry its own bracketed numbers (footnotes): they are not markers
        outside = outside.replace(c.quote, " ")
    problems += [f"[{n}] in the answer has no citation" for n in map(int, MARKER.findall(outside)) if n not in known]
    failures += problems
    failures += [f"contains forbidden {describe(f)}" for f in case.must_not_include if includes(answer.answer, f)]
    furniture = [c for c in answer.citations if FURNITURE_ORACLE.search(c.quote.strip())]
    failures += [f"quotes page furniture: “{c.quote}”" for c in furniture]
    result = CaseResult(
        id=case.id,
        kind=case.kind,
        split=case.split,
        question=case.question,
        answerable=case.answerable,
        passed=False,
        refused=answer.refused,
        answer=answer.answer,
        citations=[_brief(c) for c in answer.citations],
        closest=[_brief(c) for c in answer.closest],
        citation_validity=0.0 if problems else 1.0,
        furniture_quotes=len(furniture),
        latency_ms=round(latency_ms, 1),
    )
    if answer.sentences and answer.mode == "llm":
        result.support = sum(s.supported for s in answer.sentences) / len(answer.sentences)
    if not case.answerable:
        if not answer.refused:
            failures.append("answered a question the corpus cannot answer")
    else:
        if answer.refused:
            failures.append("refused an answerable question")
        _score_sources(case, answer, k, result, failures)
        if case.must_include:
            missing = [f for f in case.must_include if not includes(answer.answer, f)]
            result.fact_coverage = 1 - len(missing) / len(case.must_include)
            failures += [f"missing fact {describe(f)}" for f in missing]
    result.failures = failures
    result.passed = not failures
    return result


def _brief(c: Citation) -> dict[str, Any]:
    return c.model_dump(include={"n", "source_id", "quote", "start", "end"})


def _score_sources(case: Case, answer: Answer, k: int, result: CaseResult, failures: list[str]) -> None:
    if case.evidence:
        result.evidence_hit = float(any(overlaps(c.quote, e.text) for c in answer.citations for e in case.evidence))
    if not case.expected_sources:
        return
    expected = set(case.expected_sources)
    ranked = list(dict.fromkeys(r.source_id for r in answer.retrieved))[:k]
    hits = [i for i, s in enumerate(ranked) if s in expected]
    result.source_hit = 1.0 if hits else 0.0
    result.recall = len(expected & set(ranked)) / len(expected)
    result.reciprocal_rank = 1 / (hits[0] + 1) if hits else 0.0
    # A copy of an expected source (the same sentence in another file) is as good as the source.
    right = [c for c in answer.citations if c.source_id in expected or expected & set(c.copies)]
    result.cited_source_hit = float(not answer.refused and (bool(right) or bool(result.evidence_hit)))
    if answer.citations:
        result.citation_precision = len(right) / len(answer.citations)
    if not hits:
        failures.append(f"expected a source among {sorted(expected)} in the top {k}; retrieved {ranked}")
    elif not answer.refused and not result.cited_source_hit:
        cited = sorted({c.source_id for c in answer.citations})
        failures.append(f"cited {cited}, none of the expected {sorted(expected)}")


# -- aggregates, gates, baselines ----------------------------------------------------------

METRICS: dict[str, bool | None] = {
    "cases": None,
    "passed": None,
    "source_hit": True,
    "cited_source_hit": True,
    "recall": True,
    "mrr": True,
    "fact_coverage": True,
    "citation_validity": True,
    "citation_precision": True,
    "support": True,
    "refusal_accuracy": True,
    "false_refusal_rate": False,
    "whole_answer_accuracy": True,
    "furniture_quotes": False,
    "kind_cited_source_hit": True,
    "judge_faithfulness": True,
    "judge_correctness": True,
    "latency_p50_ms": None,
    "latency_p95_ms": None,
}
"""Every metric of a run, in report order: True where higher is better, False where lower is, None for
counts and timings (reported, never gated or compared)."""
HIGHER_IS_BETTER = {name: higher for name, higher in METRICS.items() if higher is not None}
JUDGE_METRICS = frozenset({"judge_faithfulness", "judge_correctness"})


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def aggregate(results: Sequence[CaseResult]) -> dict[str, float | None]:
    """Mean metrics over cases, plus refusal, whole-answer, furniture and latency figures."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = [r.latency_ms for r in results]
    kinds = by_kind(results)
    kind_hits = [v["cited_source_hit"] for v in kinds.values() if v["cited_source_hit"] is not None]
    correct = [bool(r.cited_source_hit) for r in answerable if r.cited_source_hit is not None]
    correct += [r.refused for r in unanswerable]
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "source_hit": _mean([r.source_hit for r in answerable]),
        "cited_source_hit": _mean([r.cited_source_hit for r in answerable]),
        "recall": _mean([r.recall for r in answerable]),
        "mrr": _mean([r.reciprocal_rank for r in answerable]),
        "fact_coverage": _mean([r.fact_coverage for r in answerable]),
        "citation_validity": _mean([r.citation_validity for r in results]),
        "citation_precision": _mean([r.citation_precision for r in answerable]),
        "support": _mean([r.support for r in results]),
        "refusal_accuracy": _mean([1.0 if r.refused else 0.0 for r in unanswerable]),
        "false_refusal_rate": _mean([1.0 if r.refused else 0.0 for r in answerable]),
        "whole_answer_accuracy": _mean([float(c) for c in correct]),
        "furniture_quotes": float(sum(r.furniture_quotes for r in results)),
        "kind_cited_source_hit": min(kind_hits) if kind_hits else None,
        "judge_faithfulness": _mean([r.judge_faithfulness for r in results]),
        "judge_correctness": _mean([r.judge_correctness for r in results]),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": percentile(latencies, 0.95),
    }


def by_kind(results: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """Per kind of question: how many, cited-source hit and facts (answerable), refusals."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        if r.kind:
            groups[r.kind].append(r)
    return {
        kind: {
            "cases": len(rs),
            "answerable": all(r.answerable for r in rs),
            "cited_source_hit": _mean([r.cited_source_hit for r in rs if r.answerable]),
            "fact_coverage": _mean([r.fact_coverage for r in rs if r.answerable]),
            "refused": _mean([float(r.refused) for r in rs]),
        }
        for kind, rs in sorted(groups.items())
    }


def gate(metrics: dict[str, float | None], thresholds: Thresholds, gate_judge: bool = False) -> list[str]:
    """The thresholds that do not hold, as messages; with no thresholds, every case must pass.

    Judge scores gate only when ``gate_judge``.
    """
    if thresholds.empty:
        failed_cases = int((metrics.get("cases") or 0) - (metrics.get("passed") or 0))
        return [f"{failed_cases} case(s) failed; with no thresholds every case must pass"] if failed_cases else []
    failed = []
    for name, limit in thresholds.model_dump(exclude_none=True).items():
        value = metrics.get(name)
        if value is None or (name in JUDGE_METRICS and not gate_judge):
            continue
        if (value < limit) if HIGHER_IS_BETTER[name] else (value > limit):
            sign = "≥" if HIGHER_IS_BETTER[name] else "≤"
            failed.append(f"{name} = {value:.3f}, needs {sign} {limit}")
    return failed


def compare(
    metrics: dict[str, float | None], baseline: dict[str, Any], tolerance: float
) -> tuple[list[str], list[str]]:
    """Changes against a baseline's metrics, and the regressions beyond ``tolerance``."""
    changes, regressions = [], []
    for name, higher in HIGHER_IS_BETTER.items():
        new, old = metrics.get(name), baseline.get(name)
        if new is None or old is None:
            continue
        delta = float(new) - float(old)
        changes.append(f"{name}: {old:.3f} → {new:.3f} ({delta:+.3f})")
        if (delta < -tolerance) if higher else (delta > tolerance):
            regressions.append(f"{name} regressed from {old:.3f} to {new:.3f}")
    return changes, regressions


def fingerprint(corpus_hashes: dict[str, str], embedding_model: str, mode: str, llm_model: str | None,
                prompts_dir: Path, version: str) -> dict[str, Any]:  # fmt: skip
    """What the scores depend on, so two runs can be compared fairly."""
    prompts = hashlib.sha256()
    for path in sorted(prompts_dir.glob("*.txt")):
        prompts.update(path.name.encode() + path.read_bytes())
    corpus = hashlib.sha256(json.dumps(corpus_hashes, sort_keys=True).encode()).hexdigest()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "corpus_sha256": corpus,
        "documents": len(corpus_hashes),
        "embedding_model": embedding_model,
        "mode": mode,
        "llm_model": llm_model,
        "prompts_sha256": prompts.hexdigest(),
        "package_version": version,
        "git_commit": commit,
    }


def run_cases(
    cases: Sequence[Case],
    ask: Callable[[Case], Answer],
    corpus_dir: Path,
    k: int,
    progress: Callable[[int], object] | None = None,
    judge: Callable[[Answer, str | None], dict[str, float | None]] | None = None,
) -> list[CaseResult]:
    """Ask every case and score it (and have ``judge`` score it too, when given)."""
    results = []
    for case in cases:
        started = time.perf_counter()
        answer = ask(case)
        result = score_case(case, answer, corpus_dir, k, (time.perf_counter() - started) * 1000)
        if judge is not None:
            for name, value in judge(answer, case.expected_answer).items():
                setattr(result, name, value)
        results.append(result)
        if progress:
            progress(1)
    return results


__all__ = [
    "AnyOf",
    "Case",
    "CaseResult",
    "CorpusSpec",
    "EvalFile",
    "EvalFileError",
    "GoldEvidence",
    "Thresholds",
    "aggregate",
    "by_kind",
    "gate",
    "includes",
    "load_eval_file",
    "run_cases",
    "score_case",
    "select",
    "split_of",
]
