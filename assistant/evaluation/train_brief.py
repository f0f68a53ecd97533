"""Fitting the timeline models on the dev briefing keys: ``make train``.

1. **Collect.** Every dev key (``evals/briefing/*.yaml``) names a corpus. Over it, every dated
   event the timeline could show becomes a row of ``EVENT_FEATURES``, labelled 1 when it
   tells an event of the key (the scorer's own test, :func:`~assistant.evaluation.brief_key.tells`),
   with the ids of the key's must events it tells. The table goes to
   ``evals/train/brief-events.csv.gz``: numbers, dates and key event ids, no corpus text.
2. **Fit** (scikit-learn): two standardised logistic regressions with sign-fixed weights,
   P(in the key) and P(a must event).
3. **Check calibration.** Out-of-fold probabilities, each corpus scored by models fitted
   without it, give each model's reliability table. Nothing is chosen on them: how many
   events the timeline shows follows from the probabilities
   (:func:`~assistant.brief.events.expected_length`), so no threshold is fitted.

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
from assistant.brief.events import candidates, expected_length, rank
from assistant.brief.model import (
    EVENT_FEATURES,
    EVENT_SIGNS,
    MODEL_FILE,
    BriefModel,
    EventModels,
)
from assistant.evaluation.brief_key import BriefKey, load_key, tells
from assistant.evaluation.runner import EvalRunner
from assistant.evaluation.train import ROOT, Table, _fmt, read_table, training_arguments, write_or_check, write_table

Array = npt.NDArray[np.float64]
KEYS = sorted((ROOT / "evals" / "briefing").glob("*.yaml"))
EVENTS = ROOT / "evals" / "train" / "brief-events.csv.gz"
EVENT_HEADER = ["corpus", "date", "label", "must", *EVENT_FEATURES]
MODEL_VERSION = 2


def event_rows(reading: Reading, key: BriefKey, name: str) -> Table:
    """Every event the timeline could show, one row each."""
    who = whos_who(reading.sentences, reading.group_of, reading.closeness, reading.speaker_of)
    actors = [e for e, _ in who]
    events, x = candidates(reading.sentences, reading.group_of, reading.closeness, actors, reading.vectors)
    rows: Table = []
    for e, features in zip(events, x, strict=True):
        text = f"{e.sentence.text} {e.heading}"
        told = [k for k, event in enumerate(key.events) if event.document is None and tells(e.date.iso, text, event)]
        must = [f"e{k}" for k in told if key.events[k].must and key.events[k].date_stated != "none"]
        rows.append([name, e.date.iso, str(int(bool(told))), ";".join(must), *_fmt(features)])
    return rows


def fit(table: Table, unseen: dict[str, Array] | None = None) -> BriefModel:
    """The models from the events table alone (columns as in ``EVENT_HEADER``); ``unseen`` are the
    :func:`out_of_corpus` probabilities, computed here when not given."""
    from assistant.evaluation.fit import fit_logistic, reliability

    x, labels, corpora = _columns(table)
    unseen = unseen if unseen is not None else out_of_corpus(table)
    models = {name: fit_logistic(x, y, EVENT_FEATURES, EVENT_SIGNS) for name, y in labels.items()}
    bins = {name: reliability(unseen[name], y) for name, y in labels.items()}
    return BriefModel(
        version=MODEL_VERSION,
        trained_on=f"dev keys {', '.join(sorted(set(corpora)))}: {len(table)} candidate events, "
        f"{int(labels['key'].sum())} in a key, {int(labels['must'].sum())} telling a must event",
        events=EventModels(
            key=models["key"], must=models["must"], key_reliability=bins["key"], must_reliability=bins["must"]
        ),
    )


def _columns(table: Table) -> tuple[Array, dict[str, npt.NDArray[np.int_]], npt.NDArray[np.str_]]:
    """The features, the two labels (in the key; telling a must event) and each row's corpus."""
    x = np.asarray([[float(v) for v in r[4:]] for r in table])
    labels = {"key": np.asarray([int(r[2]) for r in table]), "must": np.asarray([int(bool(r[3])) for r in table])}
    return x, labels, np.asarray([r[0] for r in table])


def out_of_corpus(table: Table) -> dict[str, Array]:
    """Each row's P(key) and P(must) from models fitted without its corpus."""
    from assistant.evaluation.fit import fit_logistic

    x, labels, corpora = _columns(table)
    unseen = {name: np.zeros(len(y)) for name, y in labels.items()}
    for name, y in labels.items():
        for corpus in sorted(set(corpora)):
            held = corpora == corpus
            unseen[name][held] = fit_logistic(x[~held], y[~held], EVENT_FEATURES, EVENT_SIGNS).predict(x[held])
    return unseen


def unseen_scores(table: Table, musts: dict[str, int], unseen: dict[str, Array]) -> dict[str, tuple[float, float]]:
    """Each dev corpus's timeline (recall, precision) from the table, chosen by models fitted without that
    corpus (``unseen``, from :func:`out_of_corpus`): what a corpus the models never saw may expect
    (publications left out)."""
    in_key, must = unseen["key"], unseen["must"]
    scores = {}
    for corpus, total in musts.items():
        rows = [k for k, r in enumerate(table) if r[0] == corpus]
        ranked = [rows[j] for j in rank([must[k] for k in rows], [table[k][1] for k in rows])]
        shown = ranked[: expected_length(in_key[ranked], must[ranked], float(must[rows].sum()))]
        found = {m for k in shown for m in table[k][3].split(";") if m}
        precision = sum(table[k][2] == "1" for k in shown) / len(shown) if shown else 0.0
        scores[corpus] = (round(len(found) / total, 3) if total else 1.0, round(precision, 3))
    return scores


def must_counts(keys: Sequence[Path]) -> dict[str, int]:
    """Each dev key's must events a timeline can date (the scorer's recall denominator, publications aside)."""
    return {
        p.stem: sum(e.must and e.document is None and e.date_stated != "none" for e in load_key(p).events) for p in keys
    }


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
    unseen = out_of_corpus(table)
    model = fit(table, unseen)
    summary = f"({model.trained_on}; must weights {model.events.must.weights()})"
    for corpus, (recall, precision) in unseen_scores(table, must_counts(KEYS), unseen).items():
        print(f"{corpus}, by models that never saw it: timeline recall {recall}, precision {precision}")
    return write_or_check(MODEL_FILE, model.model_dump_json(indent=1) + "\n", args.check, summary)


if __name__ == "__main__":
    sys.exit(main())
