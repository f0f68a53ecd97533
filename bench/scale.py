"""The scaled corpus (paragraph-shuffled copies of the BBC set, about 102,000 chunks for 10 copies) in
fresh processes: its ingest, the cold start of ``ask`` with the index built and its peak RSS, and the
warm answer latency beside the seeds' in the same run (p95 ratio), each process on its own. The
seeds answer other questions than the scaled set's, so the BBC set itself (one copy) answers the
scaled set's questions too: that ratio is the cost of scale alone.

A baseline commit (``--baseline``; ``none`` skips it) answers the same question on the same index
once, for the cold start and RSS it had: it loads the whole chunk catalogue at start.

``--work DIR`` keeps the scaled corpus and its index there and reuses them on the next run (the
ingest is then a no-op); without it everything lives in a temporary folder.

    python bench/scale.py [--copies 10] [--work DIR] [--repeats 3] [--out bench/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corpora import build_scaled, copy_bbc
from pipelines import export_model, questions, warm_latency
from startup import ROOT, assistant, summary

QUESTION = "Why didn't Interpol suspend Russia?"
BASELINE = "1b75223"
"""The last commit that loaded the whole chunk catalogue (and built BM25) at every start."""


def latency(corpus_dir: Path, index_dir: Path, corpus: str) -> dict[str, Any]:
    """Warm answer and retrieval latency over the corpus's questions, in this process (index built)."""
    from assistant import Settings, build_assistant

    app = build_assistant(Settings(corpus_dir=corpus_dir, index_dir=index_dir))
    qs = questions(corpus, corpus_dir)
    return {
        "questions": len(qs),
        "chunks": app.index.chunk_count,
        **warm_latency(app, qs),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def in_fresh_process(corpus_dir: Path, index_dir: Path, corpus: str, env: dict[str, str]) -> dict[str, Any]:
    """:func:`latency` in a process of its own, so its RSS and caches are its own."""
    out = subprocess.run([sys.executable, __file__, "--latency", corpus, str(corpus_dir), str(index_dir)], env=env,
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(work: Path, copies: int, repeats: int, baseline: str) -> dict[str, Any]:
    """Every figure of the report, for the scaled corpus under ``work`` and the seeds."""
    scaled, bbc = work / "scaled", work / "bbc"
    if not scaled.is_dir():
        build_scaled(scaled, copies)
    if not bbc.is_dir():
        copy_bbc(bbc)
    models = work / "models"
    export_model(models)
    base_env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                "ASSISTANT_EMBEDDING__CACHE_DIR": str(models)}  # fmt: skip
    envs = {
        "scaled": {**base_env, "ASSISTANT_CORPUS_DIR": str(scaled), "ASSISTANT_INDEX_DIR": str(work / "index")},
        "seeds": {**base_env, "ASSISTANT_CORPUS_DIR": str(ROOT / "corpus"), "ASSISTANT_INDEX_DIR": str(work / "seeds")},
        "bbc": {**base_env, "ASSISTANT_CORPUS_DIR": str(bbc), "ASSISTANT_INDEX_DIR": str(work / "bbc-index")},
    }
    report: dict[str, Any] = {"copies": copies, "files": sum(1 for _ in scaled.rglob("*.txt"))}
    for name, env in envs.items():
        seconds, rss = assistant(ROOT, env, "ingest")
        report[f"{name} ingest"] = {"seconds": round(seconds, 2), "peak_rss_mb": round(rss)}
        # The first question after an ingest made by an older version also works out the catalogue.
        seconds, rss = assistant(ROOT, env, "ask", "--json", QUESTION)
        report[f"{name} first ask"] = {"seconds": round(seconds, 2), "peak_rss_mb": round(rss)}
    for name, env in envs.items():
        report[f"{name} cold ask"] = summary([assistant(ROOT, env, "ask", "--json", QUESTION) for _ in range(repeats)])
    if baseline != "none":
        report[f"scaled cold ask, baseline {baseline}"] = baseline_ask(work, baseline, envs["scaled"])
    for name, env in envs.items():
        report[f"{name} warm"] = in_fresh_process(Path(env["ASSISTANT_CORPUS_DIR"]),
                                                  Path(env["ASSISTANT_INDEX_DIR"]), name, env)  # fmt: skip
    for base in ("seeds", "bbc"):
        for step in ("answer", "retrieval"):
            ratio = report["scaled warm"][f"{step}_p95_ms"] / report[f"{base} warm"][f"{step}_p95_ms"]
            report[f"{step} p95 scaled / {base}"] = round(ratio, 2)
    return report


def baseline_ask(work: Path, ref: str, env: dict[str, str]) -> dict[str, Any]:
    """One ``ask`` by the baseline commit on the same index, from a temporary worktree."""
    tree = work / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT, check=True, capture_output=True)
    try:
        return summary([assistant(tree, env, "ask", "--json", QUESTION)])
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown lines."""
    chunks = report["scaled warm"]["chunks"]
    lines = [f"Scaled corpus: {report['copies']} copies, {report['files']} files, {chunks} chunks.", ""]
    lines += ["| figure | seconds | peak RSS, MB |", "|---|---|---|"]
    for key, value in report.items():
        if isinstance(value, dict) and "seconds" in value:
            lines.append(f"| {key} | {value['seconds']} | {value['peak_rss_mb']} |")
    lines += [
        "",
        "| warm | p50 answer ms | p95 answer ms | p95 retrieval ms | hit@5 | peak RSS, MB |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("seeds", "bbc", "scaled"):
        w = report[f"{name} warm"]
        lines.append(f"| {name} | {w['answer_p50_ms']} | {w['answer_p95_ms']} | {w['retrieval_p95_ms']} | "
                     f"{w['hit_at_5']} | {w['peak_rss_mb']} |")  # fmt: skip
    lines += [""] + [
        f"{key}: {value}" for key, value in report.items() if key.startswith(("answer p95", "retrieval p95"))
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--work", type=Path, help="Keep (and reuse) the scaled corpus and index here.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="The commit to compare with, or 'none'.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale.json")
    parser.add_argument("--latency", nargs=3, metavar=("CORPUS", "CORPUS_DIR", "INDEX_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency:
        corpus, corpus_dir, index_dir = args.latency
        print(json.dumps(latency(Path(corpus_dir), Path(index_dir), corpus)))
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report = measure(work, args.copies, args.repeats, args.baseline)
    report["bench_s"] = round(time.perf_counter() - started)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    args.out.write_text(json.dumps({"this": head.strip(), **report}, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
