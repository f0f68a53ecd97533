"""The one place that wires components into an :class:`~assistant.service.Assistant`."""

from __future__ import annotations

from assistant.answer import ExtractiveAnswerer
from assistant.chain import build_chain
from assistant.embed import Embedder, SentenceTransformerEmbedder
from assistant.index import Indexer
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
    load_prompts(settings.prompts_dir)  # fail at start-up, not at the first LLM call
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
    answerer = ExtractiveAnswerer(settings.answer)
    chain = build_chain(searcher, answerer, settings.answer)
    return Assistant(settings, indexer, searcher, chain)
