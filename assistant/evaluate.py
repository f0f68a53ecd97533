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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.cite import MARKER, check_citation
from assistant.types import Answer, Filters


class EvalFileError(ValueError):
    """An eval file cannot be read or does not follow the schema; the message names file, line and field."""


class AnyOf(BaseModel):
    """A fact matched by any one of several phrasings."""

    model_config = ConfigDict(extra="forbid")
    any_of: list[str] = Field(min_length=1, description="Accepted phrasings.")


Fact = str | AnyOf


class Case(BaseModel):
    """One scripted question and what a right answer must contain and cite."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, description="Unique within the file.")
    question: str = Field(min_length=1, description="The question asked.")
    history: list[dict[str, Any] | str] = Field(default_factory=list, description="Earlier turns, for follow-ups.")
    expected_sources: list[str] = Field(default_factory=list, description="Source ids; citing any one is a hit.")
    must_include: list[Fact] = Field(default_factory=list, description="Facts the answer must contain.")
    must_not_include: list[Fact] = Field(default_factory=list, description="Text the answer must not contain.")
    filters: Filters | None = Field(default=None, description="Filters, as in ask.")
    answerable: bool = Field(default=True, description="False when the corpus cannot answer: a refusal is right.")
    expected_answer: str | None = Field(default=None, description="Reference answer (for an optional judge).")


class Thresholds(BaseModel):
    """Aggregate gates; a missing one does not gate. false_refusal_rate is a maximum, the rest minimums."""

    model_config = ConfigDict(extra="forbid")
    source_hit: float | None = None
    recall: float | None = None
    mrr: float | None = None
    fact_coverage: float | None = None
    citation_validity: float | None = None
    citation_precision: float | None = None
    support: float | None = None
    refusal_accuracy: float | None = None
    false_refusal_rate: float | None = None
    judge_faithfulness: float | None = Field(default=None, description="Gates only with --gate-judge.")
    judge_correctness: float | None = Field(default=None, description="Gates only with --gate-judge.")


class Defaults(BaseModel):
    """Defaults for every case of a file."""

    model_config = ConfigDict(extra="forbid")
    k: int = Field(default=5, ge=1, description="Retrieval cut-off for hit@k, recall@k and MRR.")


class EvalFile(BaseModel):
    """A whole eval file (YAML)."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = Field(description="Schema version.")
    defaults: Defaults = Field(default_factory=Defaults)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    sources: dict[str, str] = Field(default_factory=dict, description="Names for YAML anchors; not used.")
    cases: list[Case] = Field(min_length=1)


def load_eval_file(path: Path) -> EvalFile:
    """Read and validate an eval file. Raises :class:`EvalFileError` naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise EvalFileError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise EvalFileError(f"{path}:1: expected a mapping with 'version' and 'cases'")
    try:
        parsed = EvalFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:5]:
            where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[")
            problems.append(f"{path}:{_line_of(root, error['loc'])}: {where}: {error['msg']}")
        raise EvalFileError("\n".join(problems)) from exc
    ids = [c.id for c in parsed.cases]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise EvalFileError(f"{path}: duplicate case ids: {', '.join(duplicates)}")
    return parsed


def _line_of(node: Any, loc: Sequence[Any]) -> int:
    """The 1-based line of the YAML node at ``loc`` (or of the deepest node that exists)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


# -- scoring --------------------------------------------------------------------------------


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


class CaseResult(BaseModel):
    """How one case did."""

    id: str
    question: str
    answerable: bool
    passed: bool
    failures: list[str] = Field(default_factory=list, description="Why it failed, one reason per line.")
    refused: bool
    answer: str
    citations: list[dict[str, Any]] = Field(default_factory=list)
    source_hit: float | None = None
    recall: float | None = None
    reciprocal_rank: float | None = None
    fact_coverage: float | None = None
    citation_validity: float
    citation_precision: float | None = None
    support: float | None = None
    judge_faithfulness: float | None = None
    judge_correctness: float | None = None
    latency_ms: float


def score_case(case: Case, answer: Answer, corpus_dir: Path, k: int, latency_ms: float) -> CaseResult:
    """Every metric of one case, and whether it passed."""
    failures: list[str] = []
    problems = [p for c in answer.citations if (p := check_citation(c, corpus_dir))]
    known = {c.n for c in answer.citations}
    problems += [
        f"[{n}] in the answer has no citation" for n in map(int, MARKER.findall(answer.answer)) if n not in known
    ]
    failures += problems
    failures += [f"contains forbidden {describe(f)}" for f in case.must_not_include if includes(answer.answer, f)]
    result = CaseResult(
        id=case.id,
        question=case.question,
        answerable=case.answerable,
        passed=False,
        refused=answer.refused,
        answer=answer.answer,
        citations=[c.model_dump(include={"n", "source_id", "quote", "start", "end"}) for c in answer.citations],
        citation_validity=0.0 if problems else 1.0,
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


def _score_sources(case: Case, answer: Answer, k: int, result: CaseResult, failures: list[str]) -> None:
    if not case.expected_sources:
        return
    expected = set(case.expected_sources)
    ranked = list(dict.fromkeys(r.source_id for r in answer.retrieved))[:k]
    hits = [i for i, s in enumerate(ranked) if s in expected]
    result.source_hit = 1.0 if hits else 0.0
    result.recall = len(expected & set(ranked)) / len(expected)
    result.reciprocal_rank = 1 / (hits[0] + 1) if hits else 0.0
    cited = {c.source_id for c in answer.citations}
    if answer.citations:
        result.citation_precision = sum(c.source_id in expected for c in answer.citations) / len(answer.citations)
    if not hits:
        failures.append(f"expected a source among {sorted(expected)} in the top {k}; retrieved {ranked}")
    elif not answer.refused and not cited & expected:
        failures.append(f"cited {sorted(cited)}, none of the expected {sorted(expected)}")


# -- aggregates, gates, baselines ----------------------------------------------------------

HIGHER_IS_BETTER = {
    "source_hit": True,
    "recall": True,
    "mrr": True,
    "fact_coverage": True,
    "citation_validity": True,
    "citation_precision": True,
    "support": True,
    "refusal_accuracy": True,
    "false_refusal_rate": False,
    "judge_faithfulness": True,
    "judge_correctness": True,
}
JUDGE_METRICS = frozenset({"judge_faithfulness", "judge_correctness"})


def aggregate(results: Sequence[CaseResult]) -> dict[str, float | None]:
    """Mean metrics over cases, plus refusal and latency figures."""

    def mean(values: Sequence[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.fmean(present), 4) if present else None

    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = sorted(r.latency_ms for r in results)
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "source_hit": mean([r.source_hit for r in answerable]),
        "recall": mean([r.recall for r in answerable]),
        "mrr": mean([r.reciprocal_rank for r in answerable]),
        "fact_coverage": mean([r.fact_coverage for r in answerable]),
        "citation_validity": mean([r.citation_validity for r in results]),
        "citation_precision": mean([r.citation_precision for r in answerable]),
        "support": mean([r.support for r in results]),
        "refusal_accuracy": mean([1.0 if r.refused else 0.0 for r in unanswerable]),
        "false_refusal_rate": mean([1.0 if r.refused else 0.0 for r in answerable]),
        "judge_faithfulness": mean([r.judge_faithfulness for r in results]),
        "judge_correctness": mean([r.judge_correctness for r in results]),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": latencies[max(0, int(0.95 * len(latencies)) - 1)] if latencies else None,
    }


def gate(metrics: dict[str, float | None], thresholds: Thresholds, gate_judge: bool = False) -> list[str]:
    """The thresholds that do not hold, as messages. Judge scores gate only when ``gate_judge``."""
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
