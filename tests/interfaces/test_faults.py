"""Storage faults through the HTTP API: a real ``chroma run`` stopped and started again mid-test."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.interfaces.api import create_api
from assistant.interfaces.ui import PageActions
from assistant.wiring import build_assistant
from tests.conftest import SEED_CORPUS, ChromaServer, light_settings

pytestmark = pytest.mark.integration  # a Chroma server of its own


def test_an_unreachable_index_server_is_a_503_and_answers_resume(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "chroma")
    try:
        settings = light_settings(SEED_CORPUS, tmp_path / "index", storage="chroma", chroma_url=server.url)
        assistant = build_assistant(settings)
        assistant.ingest(progress=False)
        client = TestClient(create_api(assistant), raise_server_exceptions=False)
        question = {"question": "What is a diffusion?"}
        assert client.post("/api/ask", json=question).status_code == 200
        assert client.get("/api/health").json()["status"] == "ok"

        server.stop()
        down = client.post("/api/ask", json=question)
        assert down.status_code == 503
        assert down.json()["error"].startswith(f"The index server at 127.0.0.1:{server.port} is not reachable")
        health = client.get("/api/health").json()
        assert health["status"] == "degraded"
        assert f"127.0.0.1:{server.port}" in health["reason"]
        assert health["documents"] == 5
        *_, last = PageActions(assistant).respond("What is a diffusion?", [], [], [], [], "extractive")
        assert "is not reachable" in last[2][-1]["content"], "the page says so in the chat"

        server.start()
        back = client.post("/api/ask", json=question)
        assert back.status_code == 200, back.text
        assert back.json()["citations"]
        assert client.get("/api/health").json()["status"] == "ok"
    finally:
        server.stop()


def test_an_unexpected_error_is_json_with_an_id_the_log_also_has(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = build_assistant(light_settings(SEED_CORPUS, tmp_path / "index"))
    assistant.ingest(progress=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(assistant, "ask", broken)  # a fault no caller can cause: a bug in the service
    client = TestClient(create_api(assistant), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="assistant.interfaces.api"):
        response = client.post("/api/ask", json={"question": "What is a diffusion?"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    ref = response.json()["id"]
    assert ref in response.json()["error"]
    assert ref in caplog.text
    assert "a bug" not in response.text, "the details stay in the log"
