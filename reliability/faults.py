"""The faults part of ``make reliability``: page furniture judged by structure, a live index across
processes, and storage that fails. Each is a pytest suite, counted, plus the figures below.

- furniture: passages cleaning leaves out, per corpus (the BBC set is plain news text: any is prose lost);
- live index: seconds from a second process's ``ingest FILE`` exiting to ``/api/health`` of a running
  ``python app.py`` counting the new document, on the embedded index and on a Chroma server.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

SUITES = {
    "page furniture by structure": ["tests/ingest/test_clean.py", "tests/e2e/test_bbc_politics.py",
                                    "tests/interfaces/test_cli.py::test_explain_shows_what_cleaning_kept_marked_and_left_out"],
    "live index across processes": ["tests/interfaces/test_live_index.py"],
    "index server down (503, degraded, recovery)": ["tests/interfaces/test_faults.py"],
    "CLI on a full, read-only or unreachable index": ["tests/interfaces/test_cli_faults.py"],
}  # fmt: skip


def furniture_counts() -> dict[str, dict[str, int]]:
    """Passages left out as furniture, and the files they are in, for the seeds and the two shared corpora."""
    from assistant.ingest.clean import segment
    from assistant.ingest.corpus import decode
    from assistant.ingest.extract import SUPPORTED_SUFFIXES, extract

    counts = {}
    for name, folder in (("seeds", ROOT / "corpus"), ("interpol-extra", SHARED / "corpora" / "interpol-extra"),
                         ("bbc", SHARED / "corpora" / "bbc")):  # fmt: skip
        files = [p for p in sorted(folder.rglob("*"))
                 if p.suffix.lower() in SUPPORTED_SUFFIXES and "readme" not in p.name.lower()]  # fmt: skip
        left_out = [sum(s.kind == "furniture" for s in segment(extract(p.suffix, p.read_bytes(), decode).text))
                    for p in files]  # fmt: skip
        counts[name] = {"documents": len(files), "passages left out": sum(left_out),
                        "files with any": sum(n > 0 for n in left_out)}  # fmt: skip
    return counts


def live_delay(work: Path, runs: int = 5) -> dict[str, Any]:
    """Seconds until a running server counts a document another process ingested, per store."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import SEED_CORPUS, AppServer, ChromaServer

    figures: dict[str, Any] = {}
    for store in ("embedded", "chroma-server"):
        root = work / f"live-{store}"
        corpus = root / "corpus"
        shutil.copytree(SEED_CORPUS, corpus)
        env = {"ASSISTANT_EMBEDDING__BACKEND": "hashing"}
        chroma = ChromaServer(root / "chroma") if store == "chroma-server" else None
        if chroma is not None:
            env["ASSISTANT_CHROMA_URL"] = chroma.url
        app = AppServer(root, corpus, **env)
        delays = []
        try:
            for run in range(runs):
                delays.append(_one_delay(app.url, root, corpus, env, 5 + run + 1, run))
        finally:
            app.stop()
            if chroma is not None:
                chroma.stop()
        figures[store] = {"runs": runs, "median s": round(statistics.median(delays), 2), "max s": round(max(delays), 2)}
    return figures


def _one_delay(url: str, root: Path, corpus: Path, env: dict[str, str], expected: int, run: int) -> float:
    incoming = root / f"new-{run}.txt"
    incoming.write_text(f"Harbour notice {run}\n\nThe harbour bridge number {run} reopened after repairs.\n")
    ingest_env = {**os.environ, **env, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(root / "index")}
    subprocess.run([sys.executable, "-m", "assistant", "ingest", str(incoming)], env=ingest_env, cwd=ROOT,
                   check=True, capture_output=True)  # fmt: skip
    done = time.perf_counter()
    while httpx.get(f"{url}/api/health", timeout=10).json()["documents"] != expected:
        if time.perf_counter() - done > 30:
            raise RuntimeError(f"the server never counted document {expected}")
        time.sleep(0.05)
    return time.perf_counter() - done


def markdown(results: dict[str, Any]) -> list[str]:
    """The faults figures as RELIABILITY.md sections."""
    faults = results.get("faults")
    if not faults:
        return []
    lines = ["## Page furniture", "", "Passages cleaning leaves out (a button, a form message, a paragraph whose",
             "every sentence is a call to action, a \"More from\" tail); the BBC set has none, so any would be",
             "prose lost.",
             "", "| corpus | documents | passages left out | files with any |", "|---|---|---|---|"]  # fmt: skip
    for name, c in faults["furniture"].items():
        lines.append(f"| {name} | {c['documents']} | {c['passages left out']} | {c['files with any']} |")
    lines += ["", "## Live index", "", "Seconds from a second process's `python -m assistant ingest FILE` exiting",
              "to a running `python app.py` counting the new document in `/api/health` (it checks at most once a",
              "second).", "", "| store | runs | median s | max s |", "|---|---|---|---|"]  # fmt: skip
    lines_after = ["", "The fault suites above: an index server stopped mid-test (503 naming it, health `degraded`,",
                   "the page's chat shows it, answers resume when it is back); a full 1 MB tmpfs and a read-only",
                   "remount of the index folder, and a closed port for the server (one `error:` line naming the",
                   "folder or server, exit 1, at most 3 lines on stderr, no traceback; after a full disk the next",
                   "ingest finishes and answers)."]  # fmt: skip
    for store, d in faults["live"].items():
        lines.append(f"| {store} | {d['runs']} | {d['median s']} | {d['max s']} |")
    return [*lines, *lines_after, ""]
