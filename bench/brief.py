"""Time the newcomer briefing on the seeds and on interpol-extra + BBC politics, and score it.

Each corpus is indexed once (kept under ``index/eval/``), then the briefing is built
``--runs`` times in this process; the median and the slowest are reported, with the
key scores of ``evals/briefing`` and ``evals/briefing-heldout``. Writes ``bench/brief.json``.

    python bench/brief.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from assistant.evaluation.brief_key import load_key, score
from assistant.evaluation.cases import CorpusSpec
from assistant.evaluation.runner import EvalRunner
from assistant.settings import get_settings
from assistant.wiring import build_assistant

ROOT = Path(__file__).resolve().parents[1]
SHARED = "../shared/corpora"
CORPORA = {
    "seeds": CorpusSpec(name="brief-seeds", folders=["corpus"]),
    "interpol-extra + BBC politics": CorpusSpec(
        name="brief-extra-politics",
        folders=[f"{SHARED}/interpol-extra", f"{SHARED}/bbc/politics"],
        exclude=["README.md"],
    ),
}
GOALS = {"seeds": 2.0, "interpol-extra + BBC politics": 20.0}
KEYS = [
    *sorted((ROOT / "evals" / "briefing").glob("*.yaml")),
    *sorted((ROOT / "evals" / "briefing-heldout").glob("*.yaml")),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "brief.json")
    args = parser.parse_args()
    runner = EvalRunner(get_settings(), lambda s, e: build_assistant(s, embedder=e))
    timings = {}
    for name, spec in CORPORA.items():
        assistant = runner.assistant_over(spec, ROOT)
        assistant.brief()  # warm: the first call reads the sentence vectors once
        seconds = []
        for _ in range(args.runs):
            start = time.perf_counter()
            briefing = assistant.brief()
            seconds.append(time.perf_counter() - start)
        timings[name] = {
            "documents": briefing.documents,
            "median_s": round(statistics.median(seconds), 3),
            "max_s": round(max(seconds), 3),
            "goal_s": GOALS[name],
        }
        print(f"{name}: {briefing.documents} documents, median {timings[name]['median_s']} s (goal < {GOALS[name]} s)")
    scores = {}
    for path in KEYS:
        key = load_key(path)
        result = score(runner.assistant_over(key.corpus, path.parent).brief(), key, path.name)
        split = "held-out" if "heldout" in path.parent.name else "dev"
        scores[path.stem] = {"split": split, "who": result.who.model_dump(), "timeline": result.timeline.model_dump()}
        print(
            f"{path.stem} ({split}): who's who recall {result.who.recall} precision {result.who.precision}; "
            f"timeline recall {result.timeline.recall} precision {result.timeline.precision}"
        )
    args.out.write_text(json.dumps({"timings": timings, "keys": scores}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
