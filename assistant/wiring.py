"""The one place that wires components into an :class:`~assistant.service.Assistant`."""

from __future__ import annotations

from assistant.answer import Answerer, ExtractiveAnswerer
from assistant.chain import build_chain
from assistant.embed import Embedder, SentenceTransformerEmbedder
from assistant.index import Indexer
from assistant.llm import LLMAnswerer, make_chat_model
from assistant.prompts import load_prompts
from assistant.retrieve import HybridSearcher
from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from assistant.store import ChromaStorage, SourceStorage


def build_assistant(
    settings: Settings | None = None, *, embedder: Embedder | None = None, storage: SourceStorage | None = None
) -> Assistant:
    """Build the assistant from settings (default: the environment). Components can be injected."""
    settings = settings or get_settings()
    prompts = load_prompts(settings.prompts_dir)  # fail at start-up, not at the first LLM call
    embedder = embedder or SentenceTransformerEmbedder(
        settings.embedding.model, settings.embedding.batch_size, settings.embedding.device
    )
    storage = storage or ChromaStorage(
        embedder, path=settings.index_dir / "chroma", url=settings.chroma_url, name=settings.collection
    )
    indexer = Indexer(
        settings.corpus_dir, settings.index_dir, storage, embedder, settings.chunking, settings.metadata_file
    )
    searcher = HybridSearcher(storage, embedder, settings.retrieval)
    extractive = ExtractiveAnswerer(settings.answer)
    answerers: dict[str, Answerer] = {"extractive": extractive}
    if settings.llm.base_url or settings.llm.api_key or settings.mode == "llm":
        model = make_chat_model(settings.llm)
        answerers["llm"] = LLMAnswerer(model, prompts, settings.llm, extractive, embedder.embed)
    chain = build_chain(searcher, answerers, settings.mode or "extractive", settings.answer)
    return Assistant(settings, indexer, searcher, chain, modes=list(answerers))
