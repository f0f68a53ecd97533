"""Fitting the answer model: reproducible from the committed tables, sign constraints, threshold, tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES
from assistant.answer.ranker import MODEL_FILE, ModelError, load_model
from assistant.evaluation.fit import fit_logistic, fold_of, reliability, threshold_for
from assistant.evaluation.train import SENTENCE_HEADER, main, read_table, write_table


@pytest.mark.integration  # a whole refit (about 9 s on 2 cores); `make train-check` runs it too
def test_refitting_the_committed_tables_reproduces_the_committed_model() -> None:
    assert main(["--check"]) == 0


def test_the_committed_model_matches_the_features_the_code_computes() -> None:
    model = load_model()
    assert model.evidence.features == EVIDENCE_FEATURES
    assert model.answerable.features == ANSWERABLE_FEATURES
    assert 0.0 < model.threshold < 1.0
    assert model.reliability, "a reliability table is part of the model"


def test_a_stale_model_file_is_a_clear_error(tmp_path: Path) -> None:
    stale = tmp_path / "model.json"
    stale.write_text(MODEL_FILE.read_text(encoding="utf-8").replace('"dense"', '"renamed"', 1), encoding="utf-8")
    with pytest.raises(ModelError, match="other features"):
        load_model(stale)
    with pytest.raises(ModelError, match="make train"):
        load_model(tmp_path / "missing.json")


def test_sign_constraints_hold_and_the_fit_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - x[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    free = fit_logistic(x, y, ["a", "b", "c"])
    assert free.coef[0] > 0 > free.coef[1]
    bounded = fit_logistic(x, y, ["a", "b", "c"], {"a": -1, "b": 1})
    assert bounded.coef[0] <= 0 <= bounded.coef[1]
    assert fit_logistic(x, y, ["a", "b", "c"], {"a": -1, "b": 1}) == bounded
    assert fold_of("seeds-001") == fold_of("seeds-001")


def test_threshold_refuses_at_most_the_target_share_of_answerable_questions() -> None:
    scores = np.linspace(0.01, 1.0, 100)
    threshold = threshold_for(scores, 0.02)
    assert (scores < threshold).sum() == 2
    bins = reliability(np.array([0.1, 0.15, 0.9, 0.95]), np.array([0, 0, 1, 1]))
    assert [(b.cases, b.observed) for b in bins] == [(2, 0.0), (2, 1.0)]


def test_tables_round_trip_and_refuse_other_columns(tmp_path: Path) -> None:
    rows = [["q1", "a.txt::0", "1", *["0.5"] * len(EVIDENCE_FEATURES)]]
    path = tmp_path / "t.csv.gz"
    write_table(path, SENTENCE_HEADER, rows)
    first = path.read_bytes()
    write_table(path, SENTENCE_HEADER, rows)
    assert path.read_bytes() == first, "no timestamp in the gzip header"
    assert read_table(path, SENTENCE_HEADER) == rows
    with pytest.raises(ValueError, match="columns differ"):
        read_table(path, [*SENTENCE_HEADER, "extra"])


def test_a_refit_matches_within_the_solvers_last_digits_and_nothing_more() -> None:
    from assistant.evaluation.train import REFIT_TOLERANCE, _first_difference

    committed = {"features": ["a", "b"], "coef": [0.12345678, -1.0], "threshold": 0.5, "fitted": True}
    assert _first_difference(committed, {**committed, "coef": [0.12345679, -1.0]}) is None
    assert _first_difference(committed, {**committed, "coef": [0.12345678 + 10 * REFIT_TOLERANCE, -1.0]}) == "/coef/0/"
    assert _first_difference(committed, {**committed, "features": ["a", "c"]}) == "/features/1/"
    assert _first_difference(committed, {**committed, "coef": [0.12345678]}) == "/coef/"
    assert _first_difference(committed, {**committed, "fitted": False}) == "/fitted/"
    assert _first_difference(committed, {"features": ["a", "b"]}) == "/"
