"""The one place that wires components into an :class:`~assistant.service.Assistant`."""

from __future__ import annotations

import datetime as dt
import logging

from assistant.answer.chain import AskPipeline, build_chain
from assistant.answer.extractive import Answerer, ExtractiveAnswerer
from assistant.answer.llm import LLMAnswerer, make_chat_model
from assistant.answer.prompts import load_prompts
from assistant.answer.ranker import AnswerModel, load_model
from assistant.backends.embed import Embedder, HashingEmbedder, SentenceTransformerEmbedder
from assistant.backends.store import ChromaStorage, MemoryStorage, SourceStorage, StorageError
from assistant.ingest.index import MANIFEST, Indexer
from assistant.retrieval.loaded import LoadedIndex
from assistant.retrieval.retrieve import HybridSearcher
from assistant.service import Assistant
from assistant.settings import EmbeddingSettings, Settings, get_settings

log = logging.getLogger(__name__)


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder the settings choose."""
    if settings.backend == "hashing":
        return HashingEmbedder()
    return SentenceTransformerEmbedder(settings.model, settings.batch_size, settings.device)


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
    settings = settings or get_settings()
    prompts = load_prompts(settings.prompts_dir)  # fail at start-up, not at the first LLM call
    model = model or load_model()
    embedder = embedder or make_embedder(settings.embedding)
    storage = storage or open_storage(settings, embedder)
    indexer = Indexer(
        settings.corpus_dir, settings.index_dir, storage, embedder, settings.chunking, settings.metadata_file
    )
    index = LoadedIndex(storage)
    searcher = HybridSearcher(index, embedder, settings.retrieval)
    extractive = ExtractiveAnswerer(settings.answer, model, index)
    answerers: dict[str, Answerer] = {"extractive": extractive}
    if settings.llm.base_url or settings.llm.api_key or settings.mode == "llm":
        chat = make_chat_model(settings.llm)
        answerers["llm"] = LLMAnswerer(chat, prompts, settings.llm, extractive, embedder.embed)
    pipeline = AskPipeline(searcher, answerers, settings.mode or "extractive", settings.answer)
    return Assistant(settings, indexer, searcher, pipeline, build_chain(pipeline), modes=list(answerers))
