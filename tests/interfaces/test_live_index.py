"""A running server follows index changes made by another process: ``python -m assistant ingest FILE``
beside ``python app.py``, on the embedded index and on a Chroma server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SEED_CORPUS, AppServer, ChromaServer

pytestmark = pytest.mark.integration  # real processes

NEW_DOCUMENT = """Harbour bridge reopens

The Vellmar harbour bridge reopened on Monday after eleven weeks of repairs to its lifting span.
The harbour authority said the repairs cost 4.2 million euros.
"""
LIGHT = {"ASSISTANT_EMBEDDING__BACKEND": "hashing"}  # the model is not what this tests


def _documents(url: str) -> int:
    return int(httpx.get(f"{url}/api/health", timeout=10).json()["documents"])


@pytest.mark.parametrize("store", ["embedded", "chroma-server"])
def test_a_document_ingested_elsewhere_is_answerable_within_five_seconds(tmp_path: Path, store: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    env = dict(LIGHT)
    chroma = ChromaServer(tmp_path / "chroma") if store == "chroma-server" else None
    if chroma is not None:
        env["ASSISTANT_CHROMA_URL"] = chroma.url
    app = AppServer(tmp_path, corpus, **env)
    try:
        assert _documents(app.url) == 5
        incoming = tmp_path / "incoming" / "harbour.txt"
        incoming.parent.mkdir()
        incoming.write_text(NEW_DOCUMENT, encoding="utf-8")
        ingest_env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
                      **env}  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(incoming)], env=ingest_env,
                              cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "added 1" in done.stdout
        deadline = time.monotonic() + 5
        while _documents(app.url) != 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _documents(app.url) == 6, "the running server saw the new document within 5 s"
        answer = httpx.post(f"{app.url}/api/ask", json={"question": "How much did the Vellmar bridge repairs cost?"},
                            timeout=60).json()  # fmt: skip
        assert "harbour.txt" in {c["source_id"] for c in answer["citations"]}
        assert "4.2 million euros" in answer["answer"]
    finally:
        app.stop()
        if chroma is not None:
            chroma.stop()
