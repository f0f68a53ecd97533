"""What checking costs an LLM answer: the meaning check against the earlier overlap check, side by side.

Five-sentence written answers (true paraphrases from ``evals/probes/examples.yaml``, each
citing the retrieved passage that holds its quote) are checked by ``LLMAnswerer.check``: the quote search,
the checker and the embedding cosine, everything checking adds to an answer. Both checkers
run interleaved in one process on the same answers, caches cleared before each run.

    python bench/checks.py [--repeats 40] [--out bench/checks.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "evals" / "probes" / "examples.yaml"


def answers(assistant: Any) -> list[tuple[str, list[Any]]]:
    """Five-sentence answers: true probe sentences, each citing the retrieved passage that holds its quote."""
    from assistant.answer.chain import AskRequest
    from assistant.evaluation.probe import load_probe_file, normalise

    cited = []
    for probe in load_probe_file(EXAMPLES).probes:
        q = assistant.pipeline.prepare(AskRequest(probe.question)).question
        passages, _ = assistant.pipeline.find(q, None)
        holding = [p for p in passages if all(normalise(x) in normalise(p.chunk.text) for x in probe.quotes)]
        if probe.supported and holding:
            cited.append((probe.sentence, holding[0]))
    out = []
    for i in range(0, len(cited) - 4, 5):
        group = cited[i : i + 5]
        out.append((" ".join(f"{s} [{n}]" for n, (s, _) in enumerate(group, 1)), [p for _, p in group]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "checks.json")
    args = parser.parse_args()

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.answer.llm import LLMAnswerer, MeaningChecker, OverlapChecker
    from assistant.provenance import consistency
    from assistant.settings import Settings
    from assistant.wiring import build_assistant

    with tempfile.TemporaryDirectory() as index:
        assistant = build_assistant(Settings(corpus_dir=ROOT / "corpus", index_dir=Path(index)))
        assistant.ensure_index(progress=False)
        work = answers(assistant)
        extractive = assistant.pipeline.answerers["extractive"]
        llm = assistant.settings.llm
        embed = assistant.searcher.embedder.embed
        model = FakeListChatModel(responses=["unused"])
        checkers = {"meaning": MeaningChecker(), "overlap": OverlapChecker(llm.min_overlap)}
        answerers = {k: LLMAnswerer(model, {}, llm, extractive, embed, checker=c) for k, c in checkers.items()}
        times: dict[str, list[float]] = {k: [] for k in answerers}
        supported: dict[str, int] = dict.fromkeys(answerers, 0)
        for _ in range(args.repeats):
            for name, answerer in answerers.items():
                for text, passages in work:
                    consistency.tokens.cache_clear()  # each answer read afresh
                    started = time.perf_counter()
                    claims, _ = answerer.check(text, passages)
                    times[name].append((time.perf_counter() - started) * 1000)
                    supported[name] += sum(c.supported for c in claims)
    runs = args.repeats * len(work)
    result = {
        "answers": len(work),
        "sentences_per_answer": 5,
        "repeats": args.repeats,
        **{f"{k}_p50_ms": round(statistics.median(v), 2) for k, v in times.items()},
        **{f"{k}_p95_ms": round(sorted(v)[int(0.95 * (len(v) - 1))], 2) for k, v in times.items()},
        **{f"{k}_supported_per_answer": round(supported[k] / runs, 2) for k in times},
    }
    result["meaning_minus_overlap_p50_ms"] = round(result["meaning_p50_ms"] - result["overlap_p50_ms"], 2)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
