"""The one place that wires components into an :class:`~assistant.service.Assistant`."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.backends.embed import Embedder, HashingEmbedder, SentenceTransformerEmbedder
from assistant.backends.onnx_embed import OnnxEmbedder
from assistant.backends.store import ChromaStorage, MemoryStorage, SourceStorage, StorageError
from assistant.ingest.index import MANIFEST, Indexer, pipeline_key, unchanged_files
from assistant.settings import EmbeddingSettings, Settings, get_settings
from assistant.types import IngestReport

if TYPE_CHECKING:
    from assistant.answer.ranker import AnswerModel
    from assistant.service import Assistant

log = logging.getLogger(__name__)


def make_embedder(settings: EmbeddingSettings, index_dir: Path) -> Embedder:
    """The embedder the settings choose; the ONNX export is cached in ``index_dir``."""
    if settings.backend == "hashing":
        return HashingEmbedder()
    if settings.backend == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.model, settings.batch_size, settings.device)
    cache = settings.cache_dir or index_dir / "models"
    return OnnxEmbedder(settings.model, cache, settings.batch_size, settings.threads)


def open_storage(settings: Settings, embedder: Embedder) -> SourceStorage:
    """The store the settings choose; for Chroma on disk, an unreadable index is set aside (never deleted)
    and rebuilt from the corpus."""
    if settings.storage == "memory":
        return MemoryStorage()
    path = settings.index_dir / "chroma"
    try:
        storage = ChromaStorage(embedder, path=path, url=settings.chroma_url, name=settings.collection)
        storage.count()  # reads the collections: a damaged file fails here, not at the first question
        return storage
    except StorageError as exc:
        if settings.chroma_url:
            raise  # a server's data is not ours to move
        problem = str(exc)
    except Exception as exc:  # noqa: BLE001 - chromadb raises many types for a damaged store
        problem = f"{type(exc).__name__}: {exc}"
    aside = path.with_name(f"chroma.damaged-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
    if path.exists():
        path.rename(aside)
    (settings.index_dir / MANIFEST).unlink(missing_ok=True)
    log.warning(
        "The index at %s could not be read (%s); moved to %s, rebuilding from the corpus.", path, problem, aside
    )
    # Chroma caches one client system per path, and the damaged one cannot even be stopped: forget it
    # (Chroma's public way clears every cached system; live clients keep theirs).
    from chromadb.api.client import Client

    Client.clear_system_cache()
    return ChromaStorage(embedder, path=path, url=None, name=settings.collection)


def build_assistant(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    storage: SourceStorage | None = None,
    model: AnswerModel | None = None,
) -> Assistant:
    """Build the assistant from settings (default: the environment). Components can be injected."""
    # The answer pipeline (langchain among it) loads here, not when this module does: see ingest().
    from threadpoolctl import threadpool_limits

    from assistant.answer.chain import AskPipeline
    from assistant.answer.extractive import Answerer, ExtractiveAnswerer
    from assistant.answer.prompts import load_prompts
    from assistant.answer.ranker import load_model
    from assistant.retrieval.loaded import LoadedIndex
    from assistant.retrieval.retrieve import HybridSearcher
    from assistant.service import Assistant

    settings = settings or get_settings()
    # Answering multiplies small matrices for many requests at once: BLAS threads of its own only
    # spin against ONNX Runtime's (seeds + 422 documents, warm retrieval p50 16-25 ms, 12 ms with one).
    threadpool_limits(limits=1, user_api="blas")
    prompts = load_prompts(settings.prompts_dir)  # fail at start-up, not at the first LLM call
    model = model or load_model()
    embedder = embedder or make_embedder(settings.embedding, settings.index_dir)
    storage = storage or open_storage(settings, embedder)
    indexer = Indexer(
        settings.corpus_dir, settings.index_dir, storage, embedder, settings.chunking, settings.metadata_file
    )
    catalogue = settings.index_dir / "catalogue" if settings.storage == "chroma" else None
    index = LoadedIndex(storage, catalogue, settings.retrieval.exact_sentences)
    searcher = HybridSearcher(index, embedder, settings.retrieval)
    extractive = ExtractiveAnswerer(settings.answer, model, index)
    answerers: dict[str, Answerer] = {"extractive": extractive}
    if settings.llm.base_url or settings.llm.api_key or settings.mode == "llm":
        from assistant.answer.llm import LLMAnswerer, make_chat_model

        chat = make_chat_model(settings.llm)
        answerers["llm"] = LLMAnswerer(chat, prompts, settings.llm, extractive, embedder.embed)
    pipeline = AskPipeline(searcher, answerers, settings.mode or "extractive", settings.answer)
    return Assistant(settings, indexer, searcher, pipeline, modes=list(answerers))


def ingest(settings: Settings, paths: Sequence[Path] = (), progress: bool = True) -> IngestReport:
    """Copy ``paths`` into the corpus and bring the index up to date. When nothing changed, the manifest
    alone answers, before the store, the answer pipeline or the model is loaded."""
    started = time.perf_counter()
    embedder = make_embedder(settings.embedding, settings.index_dir)  # ONNX: reads its configuration only
    embedded_store = settings.storage == "chroma" and not settings.chroma_url
    if not paths and embedded_store and (settings.index_dir / "chroma").is_dir():
        pipeline = pipeline_key(embedder, settings.chunking)
        unchanged = unchanged_files(settings.corpus_dir, settings.index_dir, pipeline, settings.metadata_file)
        if unchanged is not None:
            return IngestReport(unchanged=unchanged, seconds=time.perf_counter() - started)
    return build_assistant(settings, embedder=embedder).ingest(paths, progress=progress)
