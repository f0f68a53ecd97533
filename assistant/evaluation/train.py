"""Fitting the answer model on the dev split of the question bank: ``make train``.

1. **Collect.** Every dev question of ``evals/bank/*.yaml`` (and every question of the older
   ``evals/seed.yaml``, tuned on long before) goes through the real pipeline
   (question analysis, hybrid retrieval) over its corpus. Each candidate sentence becomes a
   row of features (:mod:`assistant.answer.features`), labelled 1 when it is one of the question's
   gold evidence passages. The tables go to ``evals/train/``: one row per candidate, one
   per question (numbers and ids only, no corpus text).
2. **Fit** (scikit-learn, :mod:`assistant.evaluation.fit`). A standardised logistic regression scores
   evidence; its out-of-fold scores feed the question-level features of a second one,
   answerability.
3. **Calibrate.** The answer/refuse threshold is the highest at which the dev questions'
   out-of-fold false-refusal rate stays within the target; the reliability table shows
   how predicted probabilities match what was observed.

The held-out split is never read here. ``--check`` refits from the committed tables and
fails when the result differs from the committed model.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeGuard

import numpy as np

from assistant.answer.chain import AskRequest
from assistant.answer.features import (
    ANSWERABLE_FEATURES,
    ANSWERABLE_SIGNS,
    EVIDENCE_FEATURES,
    QUESTION_FEATURES,
    answerable_vector,
    evidence_matrix,
    question_features,
)
from assistant.answer.ranker import MODEL_FILE, AnswerModel, blank_model
from assistant.evaluation.anchor import NaiveAnchor
from assistant.evaluation.cases import Case, load_eval_file, select
from assistant.evaluation.evaluate import includes, overlaps, score_case
from assistant.service import Assistant
from assistant.types import Evidence

ROOT = Path(__file__).resolve().parents[2]
BANK = sorted((ROOT / "evals" / "bank").glob("*.yaml"))
OLDER = ROOT / "evals" / "seed.yaml"
"""The team's first 62 questions: earlier hand-set rules were tuned on them, so they were never
held out; all of them are training material."""
SENTENCES = ROOT / "evals" / "train" / "dev-sentences.csv.gz"
QUESTIONS = ROOT / "evals" / "train" / "dev-questions.csv.gz"
MODEL_VERSION = 1
FALSE_REFUSAL_TARGET = 0.02
"""Dev out-of-fold false refusals the threshold is chosen for (the gate allows 3%)."""
Table = list[list[str]]


def label(e: Evidence, case: Case) -> int:
    """1 when the sentence is (mostly) a gold evidence passage, or carries a gold fact in an expected source."""
    if not case.answerable:
        return 0
    if any(overlaps(e.text, gold.text) for gold in case.evidence):
        return 1
    expected = e.meta.source_id in case.expected_sources
    return int(expected and any(includes(e.text, fact) for fact in case.must_include))


def collect(assistant: Assistant, cases: Iterable[Case], anchor: NaiveAnchor) -> tuple[Table, Table]:
    """Candidate rows and question rows of ``cases`` (features as text, rounded, so the tables are stable)."""
    sentences: Table = []
    questions: Table = []
    for case in cases:
        state = assistant.pipeline.prepare(AskRequest(case.question, case.history))
        _, evidence = assistant.pipeline.find(state.question, case.filters)
        for e, x in zip(evidence, evidence_matrix(state.question, evidence), strict=True):
            sentences.append([case.id, f"{e.meta.source_id}::{e.span.start}", str(label(e, case)), *_fmt(x)])
        plain = anchor.ask(case.question, history=case.history, filters=case.filters)
        scored = score_case(case, plain, assistant.settings.corpus_dir, 5, 0.0)
        cosine = plain.retrieved[0].score if plain.retrieved else 0.0
        hit = str(int(bool(scored.cited_source_hit)))
        questions.append([case.id, case.kind or "", str(int(case.answerable)), f"{cosine:.6f}", hit,
                          *_fmt(question_features(state.question))])  # fmt: skip
    return sentences, questions


def _fmt(values: Iterable[float]) -> list[str]:
    return [f"{float(v):.6g}" for v in values]


SENTENCE_HEADER = ["case", "sentence", "label", *EVIDENCE_FEATURES]
QUESTION_HEADER = ["case", "kind", "answerable", "anchor_cosine", "anchor_hit", *QUESTION_FEATURES]


def write_table(path: Path, header: list[str], rows: Table) -> None:
    """Gzipped CSV with deterministic bytes (no timestamp in the gzip header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def read_table(path: Path, header: list[str]) -> Table:
    """Rows of a table; raises ``ValueError`` when its columns are not the ones the code computes."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        reader = csv.reader(f)
        found = next(reader, [])
        if found != header:
            raise ValueError(f"{path}: its columns differ from the features the code computes; run `make train`")
        return list(reader)


def fit(sentences: Table, questions: Table) -> AnswerModel:
    """Both models, the threshold and the anchor's threshold, from the dev tables alone."""
    from assistant.evaluation.fit import fit_logistic, out_of_fold, reliability, threshold_for

    x = np.asarray([[float(v) for v in r[3:]] for r in sentences])
    y = np.asarray([int(r[2]) for r in sentences])
    groups = [r[0] for r in sentences]
    evidence_model = fit_logistic(x, y, EVIDENCE_FEATURES)
    oof = out_of_fold(x, y, groups, EVIDENCE_FEATURES)
    rows_of: dict[str, list[int]] = {}
    for i, case in enumerate(groups):
        rows_of.setdefault(case, []).append(i)
    ids = [q[0] for q in questions]
    qx = np.vstack(
        [
            answerable_vector([float(v) for v in q[5:]], x[rows_of.get(q[0], [])], oof[rows_of.get(q[0], [])])
            for q in questions
        ]
    )
    qy = np.asarray([int(q[2]) for q in questions])
    answerable_model = fit_logistic(qx, qy, ANSWERABLE_FEATURES, ANSWERABLE_SIGNS)
    q_oof = out_of_fold(qx, qy, ids, ANSWERABLE_FEATURES, ANSWERABLE_SIGNS)
    threshold = threshold_for(q_oof[qy == 1], FALSE_REFUSAL_TARGET)
    refused = q_oof < threshold
    dev = {
        "questions": len(ids),
        "answerable": int(qy.sum()),
        "candidates": len(y),
        "gold_candidates": int(y.sum()),
        "answerable_with_gold_candidate": sum(1 for c in ids if any(y[i] for i in rows_of.get(c, []))),
        "top1_gold": sum(1 for c in ids if (r := rows_of.get(c)) and y[r[int(np.argmax(oof[r]))]]),
        "false_refusal_rate_oof": float(refused[qy == 1].mean()),
        "refusal_accuracy_oof": float(refused[qy == 0].mean()) if (qy == 0).any() else 0.0,
    }
    return AnswerModel(
        version=MODEL_VERSION,
        trained_on=f"dev split of {', '.join(p.name for p in BANK)} and all of {OLDER.name}: "
        f"{len(ids)} questions, {len(y)} candidates",
        evidence=evidence_model,
        answerable=answerable_model,
        threshold=threshold,
        false_refusal_target=FALSE_REFUSAL_TARGET,
        anchor_threshold=anchor_threshold(questions),
        reliability=reliability(q_oof, qy),
        dev={k: round(float(v), 4) for k, v in dev.items()},
    )


def anchor_threshold(questions: Table) -> float:
    """The anchor's cosine threshold with the best dev whole-answer accuracy."""
    rows = [(float(q[3]), q[2] == "1", q[4] == "1") for q in questions]

    def accuracy(t: float) -> float:
        return sum((ok and cos >= t) if answerable else cos < t for cos, answerable, ok in rows) / len(rows)

    candidates = sorted({round(cos, 4) for cos, _, _ in rows})
    return max(candidates, key=lambda t: (accuracy(t), -t)) if candidates else 0.5


def run_collection(files: Sequence[Path]) -> tuple[Table, Table]:
    """Build (or reuse) each bank corpus's index and collect the dev split's tables."""
    from assistant.evaluation.runner import EvalRunner
    from assistant.settings import get_settings
    from assistant.wiring import build_assistant

    # Collecting needs no fitted model: only question analysis and retrieval run.
    runner = EvalRunner(get_settings(mode="extractive"),
                        lambda s, e: build_assistant(s, embedder=e, model=blank_model()))  # fmt: skip
    sentences: Table = []
    questions: Table = []
    for path in files:
        eval_file = load_eval_file(path)
        assistant = runner.assistant_for(path, eval_file, progress=True)
        anchor = NaiveAnchor(assistant.searcher, -1.0)
        s, q = collect(assistant, select(eval_file.cases, "dev" if eval_file.corpus else "all"), anchor)
        sentences += s
        questions += q
        print(f"{path.name}: {len(q)} dev questions, {len(s)} candidates", file=sys.stderr)
    return sentences, questions


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assistant.evaluation.train [--check] [--refit]``."""
    args = training_arguments(__doc__, argv)
    if args.check or args.refit:
        sentences = read_table(SENTENCES, SENTENCE_HEADER)
        questions = read_table(QUESTIONS, QUESTION_HEADER)
    else:
        sentences, questions = run_collection([*BANK, OLDER])
        write_table(SENTENCES, SENTENCE_HEADER, sentences)
        write_table(QUESTIONS, QUESTION_HEADER, questions)
    model = fit(sentences, questions)
    return write_or_check(MODEL_FILE, model.model_dump_json(indent=1) + "\n", args.check, f"({model.dev})")


def training_arguments(doc: str | None, argv: Sequence[str] | None) -> argparse.Namespace:
    """``--check`` and ``--refit``, the options every ``make train`` step takes."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0] if doc else None)
    parser.add_argument("--check", action="store_true", help="Refit from the committed tables; fail on a difference.")
    parser.add_argument("--refit", action="store_true", help="Refit from the committed tables without collecting.")
    return parser.parse_args(argv)


REFIT_TOLERANCE = 1e-6
"""How far a refitted number may lie from the committed one: the solvers' last digits move between releases of
numpy, scipy and scikit-learn (seen: 1e-8 on a weight), while any change of data or features moves far more."""


def write_or_check(path: Path, text: str, check: bool, summary: str) -> int:
    """Write the fitted model, or with ``check`` compare it with the committed file, numbers within
    ``REFIT_TOLERANCE`` and everything else exactly (exit status 1 on a difference)."""
    if check:
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        difference = _first_difference(json.loads(committed) if committed else None, json.loads(text))
        if difference is not None:
            print(
                f"{path} differs from a refit of the committed tables at {difference}; run `make train`",
                file=sys.stderr,
            )
            return 1
        print(f"{path.name}: reproduced from the committed tables")
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} {summary}")
    return 0


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_difference(a: object, b: object, at: str = "/") -> str | None:
    """Where two parsed JSON documents first differ (numbers within ``REFIT_TOLERANCE``), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        pairs = [(a[k], b[k], f"{at}{k}/") for k in a] if a.keys() == b.keys() else None
    elif isinstance(a, list) and isinstance(b, list):
        pairs = [(x, y, f"{at}{k}/") for k, (x, y) in enumerate(zip(a, b, strict=True))] if len(a) == len(b) else None
    elif _number(a) and _number(b):
        return None if abs(a - b) <= REFIT_TOLERANCE else at
    else:
        return None if a == b else at
    if pairs is None:
        return at
    return next((d for x, y, where in pairs if (d := _first_difference(x, y, where)) is not None), None)


if __name__ == "__main__":
    sys.exit(main())
