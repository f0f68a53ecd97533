"""What following the index costs an answer: warm ``ask`` p50 on the seeds, three assistants side by side.

The check reads the store's change stamp at most once a second by default; the baseline never
checks, and a third reads the stamp before every answer (the worst case). Rounds alternate between
the three so the machine's noise falls on all of them alike.

    python bench/follow.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Why didn't Interpol suspend Russia?", "What is a diffusion?", "Who is Bruno Min?",
             "How many checks are made every minute?"]  # fmt: skip
CONFIGS = {"never follow (baseline)": 1e9, "default: stamp read at most once a second": 1.0,
           "stamp read before every answer": 0.0}  # fmt: skip


def main() -> None:
    from assistant import Settings, build_assistant

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    index = Path(tempfile.mkdtemp(prefix="follow-bench-")) / "index"
    assistants = {}
    for label, check in CONFIGS.items():
        assistant = build_assistant(Settings(corpus_dir=ROOT / "corpus", index_dir=index, reload_check_s=check))
        assistant.ensure_index(progress=False)
        for question in QUESTIONS:
            assistant.ask(question)
        assistants[label] = assistant
    times: dict[str, list[float]] = {label: [] for label in CONFIGS}
    for _ in range(args.rounds):
        for label, assistant in assistants.items():
            for question in QUESTIONS:
                started = time.perf_counter()
                assistant.ask(question)
                times[label].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["never follow (baseline)"])
    print("| assistant | answers | p50 ms | × baseline |\n|---|---|---|---|")
    for label, values in times.items():
        p50 = statistics.median(values)
        print(f"| {label} | {len(values)} | {p50:.1f} | {p50 / base:.2f} |")


if __name__ == "__main__":
    main()
