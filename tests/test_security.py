"""Network exposure, login, and secrets that must never be shown."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError
from typer.testing import CliRunner

from assistant.interfaces.cli import app
from tests.conftest import ROOT, SEED_CORPUS, AppServer

pytestmark = pytest.mark.integration  # each test starts the real app in its own process

PASSWORD = "s3cret-Pa55-do-not-print"
API_KEY = "sk-test-key-that-must-never-appear-123"


def test_binding_beyond_loopback_needs_a_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_AUTH"}
    env["ASSISTANT_INDEX_DIR"] = str(tmp_path / "index")
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", "1"],
                            env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0
    assert "ASSISTANT_AUTH=user:password" in result.stderr
    assert "--insecure-no-auth" in result.stderr
    bad = subprocess.run([sys.executable, str(ROOT / "app.py")], env={**env, "ASSISTANT_AUTH": "nopassword"},
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode != 0
    assert "user:password" in bad.stderr


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    root = tmp_path_factory.mktemp("guarded")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    server = AppServer(root, corpus, ASSISTANT_AUTH=f"editor:{PASSWORD}", OPENAI_API_KEY=API_KEY,
                       ASSISTANT_MODE="extractive")  # fmt: skip
    yield server
    server.stop()


def test_the_api_and_the_page_need_the_login(guarded_server: AppServer) -> None:
    url = guarded_server.url
    assert httpx.get(f"{url}/api/health").status_code == 401
    assert httpx.get(f"{url}/api/health", auth=("editor", "wrong")).status_code == 401
    assert httpx.get(f"{url}/document/000_a047a924873d7924.txt").status_code == 401
    refused = httpx.post(f"{url}/api/ask", json={"question": "What is a diffusion?"})
    assert refused.status_code == 401
    assert PASSWORD not in refused.text
    answer = httpx.post(f"{url}/api/ask", json={"question": "What is a diffusion?"}, auth=("editor", PASSWORD))
    assert answer.status_code == 200
    assert answer.json()["citations"]
    with pytest.raises(AuthenticationError):
        Client(url, verbose=False).predict("What is a diffusion?", api_name="/chat")
    client = Client(url, auth=("editor", PASSWORD), verbose=False)
    result = client.predict("What is a diffusion?", [], [], [], "extractive", "", api_name="/chat")
    assert "[1]" in str(result[1][-1]["content"])


def test_secrets_never_appear_in_output(
    guarded_server: AppServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, light_env: None
) -> None:
    outputs = []
    # The CLI in LLM mode against a dead endpoint, with the key set: errors must not echo it.
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(SEED_CORPUS))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("ASSISTANT_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM__TIMEOUT_S", "2")
    monkeypatch.setenv("ASSISTANT_LLM__MAX_RETRIES", "0")
    for args in (["ask", "--json", "--mode", "llm", "What is a diffusion?"], ["ask", "--mode", "llm", "Why?"]):
        result = CliRunner().invoke(app, args)
        outputs += [result.stdout, result.stderr, repr(result.exception)]
    # The server's own log, its health and sources answers, and an error page.
    login = ("editor", PASSWORD)
    for path in ("/api/health", "/api/sources", "/document/missing.txt", "/api/openapi.json"):
        outputs.append(httpx.get(f"{guarded_server.url}{path}", auth=login).text)
    outputs.append(httpx.post(f"{guarded_server.url}/api/ask", json={"question": ""}, auth=login).text)
    outputs.append(guarded_server.log_path.read_text())
    leaked = [o for o in outputs if API_KEY in o or PASSWORD in o]
    assert not leaked, leaked[0][:500]
