"""Fitting the timeline model on the dev briefing keys: ``make train``.

1. **Collect.** Every dev key (``evals/briefing/*.yaml``) names a corpus. Over it, every dated
   sentence the timeline could show becomes a row of ``EVENT_FEATURES``, labelled 1 when it
   tells an event of the key (the scorer's own test, :func:`~assistant.evaluation.brief_key.tells`).
   The table goes to ``evals/train/brief-events.csv.gz``: numbers, dates and key event ids, no
   corpus text.
2. **Fit** (scikit-learn): a standardised logistic regression with sign-fixed weights.
3. **Calibrate.** Out-of-fold probabilities come from models fitted without the row's corpus,
   so the threshold is chosen on corpora the model did not see: the one whose timelines (at
   most ``TIMELINE_LINES`` events, the best of each date first, the first ``TIMELINE_FLOOR``
   whatever their probability) have the best mean F1 against the keys.

The held-out keys (``evals/briefing-heldout/``) are never read here. ``--check`` refits from the
committed tables and fails when the result differs from the committed model.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.brief.actors import whos_who
from assistant.brief.briefing import Reading, read
from assistant.brief.events import TIMELINE_FLOOR, TIMELINE_LINES, candidates, pick
from assistant.brief.model import (
    EVENT_FEATURES,
    EVENT_SIGNS,
    MODEL_FILE,
    BriefModel,
    Choice,
)
from assistant.evaluation.brief_key import BriefKey, load_key, tells
from assistant.evaluation.runner import EvalRunner
from assistant.evaluation.train import ROOT, Table, _fmt, read_table, training_arguments, write_or_check, write_table

KEYS = sorted((ROOT / "evals" / "briefing").glob("*.yaml"))
EVENTS = ROOT / "evals" / "train" / "brief-events.csv.gz"
EVENT_HEADER = ["corpus", "date", "label", "must", *EVENT_FEATURES]
MODEL_VERSION = 1


def event_rows(reading: Reading, key: BriefKey, name: str) -> Table:
    """Every event the timeline could show, one row each."""
    who = whos_who(reading.sentences, reading.group_of, reading.closeness, reading.speaker_of)
    events, x = candidates(reading.sentences, reading.group_of, reading.closeness, [e for e, _ in who])
    rows: Table = []
    for e, features in zip(events, x, strict=True):
        text = f"{e.sentence.text} {e.heading}"
        told = [k for k, event in enumerate(key.events) if event.document is None and tells(e.date.iso, text, event)]
        must = [f"e{k}" for k in told if key.events[k].must and key.events[k].date_stated != "none"]
        rows.append([name, e.date.iso, str(int(bool(told))), ";".join(must), *_fmt(features)])
    return rows


def choose(
    table: Table, names: Sequence[str], signs: dict[str, int], musts: dict[str, int], limit: int, floor: int
) -> Choice:
    """A model and its threshold from ``table`` alone (columns as in ``EVENT_HEADER``)."""
    from assistant.evaluation.fit import fit_logistic, reliability

    x = np.asarray([[float(v) for v in r[4:]] for r in table])
    y = np.asarray([int(r[2]) for r in table])
    corpora = np.asarray([r[0] for r in table])
    oof = np.zeros(len(y))
    for name in sorted(set(corpora)):  # each corpus scored by a model that never saw it
        held = corpora == name
        oof[held] = fit_logistic(x[~held], y[~held], names, signs).predict(x[held])
    grid = sorted({round(float(p), 3) for p in oof} | {0.0})
    threshold = max(grid, key=lambda t: (_mean_f1(table, oof, t, musts, limit, floor), -t))
    return Choice(model=fit_logistic(x, y, names, signs), threshold=threshold, reliability=reliability(oof, y))


def _mean_f1(
    table: Table, p: npt.NDArray[np.float64], threshold: float, musts: dict[str, int], limit: int, floor: int
) -> float:
    """Mean over corpora of the F1 of the timelines ``p`` and ``threshold`` would choose."""
    scores = []
    for name, total in musts.items():
        rows = [k for k, r in enumerate(table) if r[0] == name]
        chosen = pick([p[k] for k in rows], [table[k][1] for k in rows], threshold, floor, limit)
        kept = [rows[j] for j in chosen]
        precision = sum(table[k][2] == "1" for k in kept) / len(kept) if kept else 0.0
        recall = len({m for k in kept for m in table[k][3].split(";") if m}) / total if total else 1.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def must_counts(keys: Sequence[Path]) -> dict[str, int]:
    """Each dev key's must events a timeline can date (the scorer's recall denominator)."""
    return {
        p.stem: sum(e.must and e.document is None and e.date_stated != "none" for e in load_key(p).events) for p in keys
    }


def fit(table: Table) -> BriefModel:
    """The model from the events table alone."""
    return BriefModel(
        version=MODEL_VERSION,
        trained_on=f"dev keys {', '.join(p.stem for p in KEYS)}: {len(table)} candidate events, "
        f"{sum(r[2] == '1' for r in table)} in a key",
        events=choose(table, EVENT_FEATURES, EVENT_SIGNS, must_counts(KEYS), TIMELINE_LINES, TIMELINE_FLOOR),
    )


def collect() -> Table:
    """Build (or reuse) each dev key's index and collect the events table."""
    from assistant.settings import get_settings
    from assistant.wiring import build_assistant

    runner = EvalRunner(get_settings(), lambda s, e: build_assistant(s, embedder=e))
    table: Table = []
    for path in KEYS:
        key = load_key(path)
        rows = event_rows(read(runner.assistant_over(key.corpus, path.parent, progress=True).index), key, path.stem)
        print(f"{path.name}: {len(rows)} candidate events", file=sys.stderr)
        table += rows
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assistant.evaluation.train_brief [--check] [--refit]``."""
    args = training_arguments(__doc__, argv)
    if args.check or args.refit:
        table = read_table(EVENTS, EVENT_HEADER)
    else:
        table = collect()
        write_table(EVENTS, EVENT_HEADER, table)
    model = fit(table)
    summary = f"({model.trained_on}; threshold {model.events.threshold}; weights {model.events.model.weights()})"
    return write_or_check(MODEL_FILE, model.model_dump_json(indent=1) + "\n", args.check, summary)


if __name__ == "__main__":
    sys.exit(main())
