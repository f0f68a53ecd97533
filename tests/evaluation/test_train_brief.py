"""Fitting the timeline models: reproducible from the committed table, fitted on dev keys only."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.ranker import ModelError
from assistant.brief.model import EVENT_FEATURES, MODEL_FILE, brief_model
from assistant.evaluation.train import read_table
from assistant.evaluation.train_brief import EVENT_HEADER, EVENTS, KEYS, main


def test_refitting_the_committed_table_reproduces_the_committed_model() -> None:
    assert main(["--check"]) == 0


def test_the_table_holds_dev_keys_only_and_the_features_the_code_computes() -> None:
    rows = read_table(EVENTS, EVENT_HEADER)
    assert {r[0] for r in rows} == {p.stem for p in KEYS}
    assert all("heldout" not in str(p) for p in KEYS)
    events = brief_model().events
    assert tuple(events.key.features) == tuple(events.must.features) == EVENT_FEATURES
    assert events.key_reliability, "reliability tables are part of the model"
    assert events.must_reliability
    must = sum(bool(r[3]) for r in rows)
    assert 0 < must < sum(r[2] == "1" for r in rows), "a must event is in the key; not every event in it is a must"


def test_a_stale_or_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    stale = tmp_path / "model.json"
    stale.write_text(MODEL_FILE.read_text(encoding="utf-8").replace('"told_by"', '"renamed"', 1), encoding="utf-8")
    with pytest.raises(ModelError, match="other features"):
        brief_model(stale)
    with pytest.raises(ModelError, match="make train"):
        brief_model(tmp_path / "missing.json")
