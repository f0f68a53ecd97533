"""``make reliability``: faults, abuse and load, measured; writes RELIABILITY.md.

1. Fuzzing: the property tests of ``tests/test_fuzz.py`` with 10,000 generated questions
   (and 2,000 HTTP bodies), plus the corpus-fault, corruption, security, XSS and
   prompt-injection tests of the suite, run with pytest and counted.
2. Killed ingest: ``kill -9`` of ``python -m assistant ingest`` at random points, 10 times,
   over 500 BBC articles; after the last run, every document is indexed once, every stored
   chunk matches its file at its offsets, and no finished document was embedded again.
3. Load: 32 clients for 60 seconds against ``python app.py`` (28 over ``POST /api/ask``,
   4 through ``gradio_client``); every answer is checked against its own question.
4. Faults (``faults.py``): page furniture per corpus, a live index across processes, storage that fails.

    python reliability/run.py [--fuzz 10000] [--kills 10] [--docs 500] [--clients 32] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "reliability"))

from faults import SUITES as FAULT_SUITES  # noqa: E402 - after the paths it needs
from faults import markdown as faults_markdown  # noqa: E402

SUITES = {
    "fuzzed questions and API bodies": ["tests/test_fuzz.py"],
    "corpus faults": ["tests/ingest/test_index.py::test_bad_files_are_skipped_with_named_warnings",
                      "tests/ingest/test_index.py::test_corpus_faults_are_skipped_by_name_and_the_rest_is_answerable",
                      "tests/ingest/test_corpus.py", "tests/ingest/test_extract.py", "tests/test_service.py"],
    "corrupted or mismatched index": ["tests/ingest/test_index.py::test_damaged_index_is_set_aside_and_rebuilt",
                                      "tests/ingest/test_index.py::test_emptied_collections_are_rebuilt",
                                      "tests/ingest/test_index.py::test_index_built_with_another_model_is_rebuilt",
                                      "tests/ingest/test_index.py::test_manifest_corruption_triggers_a_rebuild",
                                      "tests/ingest/test_index.py::test_concurrent_ingest_is_refused_with_a_message"],
    "XSS in a real browser": ["tests/interfaces/test_ui.py::test_hostile_markup_runs_nothing"],
    "prompt injection (LLM mode, local server)":
        ["tests/answer/test_llm.py::test_injected_instructions_are_never_supported"],
    "secrets and network exposure": ["tests/test_security.py"],
    **FAULT_SUITES,
}  # fmt: skip


def run_suites(fuzz: int, out: Path, suites: dict[str, list[str]] = SUITES) -> dict[str, dict[str, int]]:
    """Each suite through pytest with a JUnit report; passed / failed / skipped counts."""
    results = {}
    for name, targets in suites.items():
        report = out / f"{abs(hash(name))}.xml"
        env = {**os.environ, "FUZZ_EXAMPLES": str(fuzz)}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
                        *targets], cwd=ROOT, env=env, check=False)  # fmt: skip
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite[0]
        total, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        results[name] = {"tests": total, "passed": total - failed - skipped, "failed": failed, "skipped": skipped}
        print(name, results[name], flush=True)
    return results


def killed_ingest(kills: int, docs: int, work: Path) -> dict[str, Any]:
    """``kill -9`` ingest ``kills`` times at random points, then check the finished index."""
    from corpora import copy_bbc

    from assistant import Settings, build_assistant
    from assistant.ingest.corpus import decode

    corpus = copy_bbc(work / "bbc", docs)
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(work / "index")}
    manifest = work / "index" / "manifest.json"
    rng = random.Random(11)
    progress: list[int] = []
    consistent: list[bool] = []
    for _ in range(kills):
        process = subprocess.Popen([sys.executable, "-m", "assistant", "ingest"], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(7.0, 16.0))  # model load takes about 6 s; kills land before, during and between batches
        process.send_signal(signal.SIGKILL)
        process.wait()
        done = len(json.loads(manifest.read_text())["files"]) if manifest.exists() else 0
        progress.append(done)
        consistent.append(_finished_part_is_consistent(corpus, work / "index"))
        print("kill", len(progress), "documents finished", done, "consistent", consistent[-1], flush=True)
    assistant = build_assistant(Settings(corpus_dir=corpus, index_dir=work / "index"))
    before = set(assistant.indexer.load_manifest().files) if assistant.indexer.load_manifest() else set()  # type: ignore[union-attr]
    report = assistant.ingest(progress=False)
    files = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt")}
    chunks = list(assistant.indexer.storage.iter_chunks())
    ids = [c.id for c in chunks]
    mismatched = 0
    texts: dict[str, str] = {}
    for c in chunks:
        text = texts.setdefault(c.meta.source_id, decode((corpus / c.meta.source_id).read_bytes()))
        mismatched += any(text[s.start : s.end] != t for s, t in zip(c.spans, c.span_texts(), strict=True))
    indexed = {c.meta.source_id for c in chunks}
    skipped = {w.split(":", 1)[0] for w in report.skipped}
    return {
        "kills": kills,
        "documents": len(files),
        "finished after each kill": progress,
        "finished documents intact after each kill": f"{sum(consistent)}/{len(consistent)}",
        "re-embedded finished documents": len(set(report.added) & before),
        "missing documents": len(files - indexed - skipped),
        "skipped with a warning": sorted(skipped),
        "duplicated chunks": len(ids) - len(set(ids)),
        "chunks off their offsets": mismatched,
        "recovered": not (files - indexed - skipped)
        and len(ids) == len(set(ids))
        and not mismatched
        and not set(report.added) & before,
    }


def _finished_part_is_consistent(corpus: Path, index: Path) -> bool:
    """Right after a kill: every document the manifest calls finished has exactly its chunks, at their offsets.

    Documents of the batch being written (``pending``) may be partial; the next run clears them
    first, and the final check covers that.
    """
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    from assistant.backends.store import _chunk_from_record  # the storage's own record reader
    from assistant.ingest.corpus import decode

    path = index / "manifest.json"
    if not path.exists():
        return True
    manifest = json.loads(path.read_text())
    SharedSystemClient._identifier_to_system.pop(str(index / "chroma"), None)  # read what is on disk now
    client = chromadb.PersistentClient(path=str(index / "chroma"))
    try:
        got = client.get_collection("corpus_chunks").get(include=["documents", "metadatas"])
    finally:  # leave no client behind for the assistant that opens this path next
        SharedSystemClient._identifier_to_system.pop(str(index / "chroma"), None)
    records = zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
    chunks = [_chunk_from_record(i, d, dict(m)) for i, d, m in records]
    per_doc: dict[str, list[Any]] = {}
    for c in chunks:
        per_doc.setdefault(c.meta.source_id, []).append(c)
    for source, entry in manifest["files"].items():
        if source in manifest.get("pending", []):
            continue
        stored = per_doc.get(source, [])
        if len(stored) != entry["chunks"] or len({c.id for c in stored}) != len(stored):
            return False
        text = decode((corpus / source).read_bytes())
        if any(text[s.start : s.end] != t for c in stored for s, t in zip(c.spans, c.span_texts(), strict=True)):
            return False
    return True


def load(clients: int, seconds: float, work: Path) -> dict[str, Any]:
    """``clients`` concurrent clients for ``seconds`` against a fresh ``app.py`` on the seed corpus."""
    import httpx
    from gradio_client import Client
    from load import start_app

    from assistant.evaluation.evaluate import load_eval_file

    questions = [c.question for c in load_eval_file(ROOT / "evals" / "seed.yaml").cases if c.answerable]
    env = {"ASSISTANT_CORPUS_DIR": str(ROOT / "corpus"), "ASSISTANT_INDEX_DIR": str(work / "load-index")}
    proc, port = start_app(env)
    url = f"http://127.0.0.1:{port}"
    rss = [_rss_mb(proc.pid)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(i: int, ask: Any) -> None:
        """Ask until the deadline; ``ask(question, tag)`` returns what was wrong with the answer, or None."""
        n = 0
        while time.monotonic() < deadline:
            question, tag = questions[(i * 7 + n) % len(questions)], f"{i}-{n}"
            started = time.perf_counter()
            try:
                problem = ask(question, tag)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                problem = f"{type(exc).__name__}: {exc}"
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if problem:
                    errors.append(problem)
            n += 1

    def http_client(i: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:

            def ask(question: str, tag: str) -> str | None:
                body = http.post("/api/ask", json={"question": question, "id": tag}).json()
                ok = body.get("question") == question and body.get("id") == tag and "citations" in body
                return None if ok else f"mixed up or malformed answer for {tag}"

            client(i, ask)

    def gradio_user(i: int) -> None:
        gradio = Client(url, verbose=False)

        def ask(question: str, tag: str) -> str | None:
            chat = gradio.predict(question, [], [], [], "extractive", "", api_name="/chat")[1]
            asked = json.dumps(chat[-2]["content"], ensure_ascii=False)
            reply = json.dumps(chat[-1]["content"], ensure_ascii=False)
            ok = chat[-1]["role"] == "assistant" and ("[1]" in reply or "Not in the corpus" in reply)
            return None if ok and question.split()[0] in asked else f"wrong or empty chat for {question!r}"

        client(i, ask)

    threads = [threading.Thread(target=gradio_user if i < 4 else http_client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    rss.append(_rss_mb(proc.pid))
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:  # open client connections can hold a graceful shutdown
        proc.kill()
        proc.wait()

    from assistant.common.stats import percentile

    def pct(q: float) -> float:
        return round(percentile(latencies, q) or 0.0, 1)

    return {"clients": clients, "seconds": round(elapsed, 1), "answers": len(latencies), "errors": len(errors),
            "first errors": errors[:3], "answers per s": round(len(latencies) / elapsed, 1), "p50 ms": pct(0.5),
            "p95 ms": pct(0.95), "p99 ms": pct(0.99), "server RSS MB start/end": rss}  # fmt: skip


def _rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) // 1024


def markdown(results: dict[str, Any]) -> str:
    dates = results.get("dates") or {}
    when = ", ".join(f"{part} on {day}" for part, day in sorted(dates.items())) or f"on {results['date']}"
    lines = ["# Reliability", "", "`make reliability` (`reliability/run.py`) measured these on this machine "
             f"({os.cpu_count()} cores): {when}; the fast parts also run in `make test`.", "",
             "## Test suites", "", "| suite | tests | passed | failed | skipped |",
             "|---|---|---|---|---|"]  # fmt: skip
    for name, r in results.get("suites", {}).items():
        lines.append(f"| {name} | {r['tests']} | {r['passed']} | {r['failed']} | {r['skipped']} |")
    fuzz = results.get("fuzz", 0)
    lines += ["", f"Fuzzing ran {fuzz:,} generated questions through the Python API and "
              f"{max(50, fuzz // 5):,} generated bodies through `POST /api/ask`; a crash, a traceback, "
              "invalid JSON or a 5xx fails the suite.", ""]  # fmt: skip
    lines += [
        "Killed ingest: `kill -9` of `python -m assistant ingest` 7–16 s after each start (model load is about",
        "6 s), ten times over 500 BBC articles; then one uninterrupted run, and the checks below on the index.",
        "Load: 28 clients on `POST /api/ask` and 4 through `gradio_client` (`/chat`), all on 127.0.0.1; each",
        "answer is checked against its own question and id (an error is a mix-up, a malformed answer or a",
        "failed request). RSS is the server's at the start and the end of the run.",
        "",
    ]
    for title, key in (("Killed ingest", "kills"), ("Load", "load")):
        lines += [f"## {title}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in results.get(key, {}).items()]
        lines.append("")
    return "\n".join(lines + faults_markdown(results))


def _save(path: Path, results: dict[str, Any]) -> None:
    """Keep each part's figures as soon as they exist, so a later failure loses nothing."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fuzz", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--out", type=Path, default=ROOT / "RELIABILITY.md")
    parser.add_argument("--parts", default="suites,kills,load,faults", help="Which parts to run; the others keep the "
                        "figures of the last run (artifacts/reliability.json).")  # fmt: skip
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    saved = ROOT / "artifacts" / "reliability.json"
    results: dict[str, Any] = (
        json.loads(saved.read_text()) if saved.exists() and not {"suites", "kills", "load", "faults"} <= parts else {}
    )
    results["date"] = time.strftime("%Y-%m-%d")
    dates = results.setdefault("dates", {})
    dates.update(dict.fromkeys(parts, results["date"]))
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        work = Path(tmp)
        if "suites" in parts:
            results["fuzz"] = args.fuzz
            results["suites"] = run_suites(args.fuzz, work)
            _save(saved, results)
        if "kills" in parts:
            results["kills"] = killed_ingest(args.kills, args.docs, work)
            print(results["kills"], flush=True)
            _save(saved, results)
        if "faults" in parts:
            from faults import furniture_counts, live_delay

            results["faults"] = {"furniture": furniture_counts(), "live": live_delay(work)}
            results.setdefault("suites", {}).update(run_suites(args.fuzz, work, FAULT_SUITES))
            print(results["faults"], flush=True)
            _save(saved, results)
        if "load" in parts:
            results["load"] = load(args.clients, args.seconds, work)
            print(results["load"], flush=True)
            _save(saved, results)
    args.out.write_text(markdown(results))
    failed = sum(r["failed"] for r in results.get("suites", {}).values())
    ok = not failed and results.get("kills", {}).get("recovered", True) and results.get("load", {}).get("errors") == 0
    print(args.out.read_text())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
