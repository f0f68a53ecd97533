"""The real seed corpus through the real pipeline, scored against evals/seed.yaml.

Thresholds are the figures measured when the suite was written (see README), with a
small margin; a regression below them fails the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.evaluation.evaluate import CaseResult, load_eval_file, score_case

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
EVALS = load_eval_file(ROOT / "evals" / "seed.yaml")
CASES = EVALS.cases

pytestmark = pytest.mark.e2e

# Measured with the learned answer model (these 62 questions are part of its training data):
# cited-source hit 1.0 (49/49), fact coverage 0.918, 6/13 unanswerable refused, no false
# refusal, 0 invalid citations. Hand-set gates tuned on these questions used to refuse 13/13,
# but refused 22% of answerable questions nobody had tuned for (see BENCHMARKS.md).
MIN_SOURCE_HIT = 0.95
MIN_FACT_COVERAGE = 0.88
MAX_FALSE_REFUSALS = 1
MIN_REFUSED = 5


@pytest.fixture(scope="module")
def scores(seed_assistant: Assistant) -> list[CaseResult]:
    return [
        score_case(c, seed_assistant.ask(c.question, history=c.history), CORPUS, EVALS.defaults.k, 0.0) for c in CASES
    ]


def _cited_hit(result: CaseResult, expected: list[str]) -> bool:
    return any(c["source_id"] in expected for c in result.citations)


def test_the_eval_set_is_substantial() -> None:
    answerable = [c for c in CASES if c.answerable]
    assert len(CASES) >= 40
    assert len(CASES) - len(answerable) >= 8
    assert sum(1 for c in CASES if c.history) >= 2
    covered = {s for c in answerable for s in c.expected_sources}
    assert covered == {p.name for p in CORPUS.glob("*.txt")}


def test_every_quote_is_verbatim_at_its_offsets(scores: list[CaseResult]) -> None:
    assert [(s.id, s.failures) for s in scores if s.citation_validity < 1] == []


def test_unanswerable_questions_are_refused(scores: list[CaseResult]) -> None:
    refused = [s for s in scores if not s.answerable and s.refused]
    assert len(refused) >= MIN_REFUSED, [s.id for s in scores if not s.answerable and not s.refused]
    assert all(s.closest for s in refused), "a refusal shows the nearest passages"


def test_answerable_questions_are_rarely_refused(scores: list[CaseResult]) -> None:
    false_refusals = [s.id for s in scores if s.answerable and s.refused]
    assert len(false_refusals) <= MAX_FALSE_REFUSALS, false_refusals


def test_cited_sources_hit(scores: list[CaseResult]) -> None:
    expected = {c.id: c.expected_sources for c in CASES}
    answerable = [s for s in scores if s.answerable]
    rate = sum(_cited_hit(s, expected[s.id]) for s in answerable) / len(answerable)
    assert rate >= MIN_SOURCE_HIT, [s.id for s in answerable if not _cited_hit(s, expected[s.id])]


def test_expected_facts_present(scores: list[CaseResult]) -> None:
    answerable = [s for s in scores if s.answerable]
    coverage = sum(s.fact_coverage or 0.0 for s in answerable) / len(answerable)
    assert coverage >= MIN_FACT_COVERAGE, [s.id for s in answerable if (s.fact_coverage or 0) < 1]


def test_no_answer_quotes_furniture(scores: list[CaseResult]) -> None:
    assert [(s.id, s.failures) for s in scores if any("forbidden" in f for f in s.failures)] == []


FURNITURE = ["Thank you! Your submission", "Oops! Something went wrong", "donate", "newsletter", "time capsule",
             "Ouija", "All Rights Reserved", "click to share", "Dear Jack"]  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "Has my submission been received?",
        "How do I sign up to the newsletter?",
        "Which historic battle would Jack want to witness?",
        "What do aircraft carriers use Ouija boards for?",
        "Who owns the copyright of Coffee or Die Magazine?",
        "How can I share this story on Facebook?",
    ],
)
def test_furniture_is_never_quoted(seed_assistant: Assistant, question: str) -> None:
    answer = seed_assistant.ask(question)
    for citation in answer.citations:
        assert not any(f.lower() in citation.quote.lower() for f in FURNITURE), citation.quote


def test_batch_cli_answers_the_whole_eval_set_in_one_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from assistant.backends.onnx_embed import OnnxEmbedder
    from assistant.interfaces.cli import app

    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(CORPUS))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    loads = []
    load = OnnxEmbedder._open

    def counted(self: OnnxEmbedder, *args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return load(self, *args, **kwargs)

    monkeypatch.setattr(OnnxEmbedder, "_open", counted)
    batch = tmp_path / "evals.jsonl"
    batch.write_text("\n".join(json.dumps({"id": c.id, "question": c.question, "history": c.history}) for c in CASES))
    result = CliRunner().invoke(app, ["ask", "--json", "--batch", str(batch)])
    assert result.exit_code == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == [c.id for c in CASES]
    assert loads == [1], "the model is loaded once"
    quotes = 0
    for answer in answers:
        for citation in answer["citations"]:
            text = (CORPUS / citation["path"]).read_text(encoding="utf-8")
            assert text[citation["start"] : citation["end"]] == citation["quote"]
            quotes += 1
    assert quotes >= len(CASES)
