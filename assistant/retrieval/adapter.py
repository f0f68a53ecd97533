"""The hybrid search as a LangChain retriever, for users composing it in their own chains.

Kept apart from :mod:`assistant.retrieval.retrieve` because ``langchain_core.retrievers`` takes
about half a second to import, and answering a question does not need it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.types import Filters, Passage


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search: chunks as ``Document`` objects.

    Metadata carries the source, the chunk's offsets in the original file and the
    fusion scores, so LangChain users can compose it in their own chains.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        passages = self.searcher.search(query, k=self.k, filters=self.filters)
        return [passage_to_document(p) for p in passages[: self.k]]


def passage_to_document(passage: Passage) -> LCDocument:
    """A retrieved passage as a LangChain document."""
    chunk = passage.chunk
    return LCDocument(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            **chunk.meta.model_dump(exclude_none=True),
            "chunk_id": chunk.id,
            "start": chunk.start,
            "end": chunk.end,
            "rank": passage.rank,
            "score": passage.score,
            "dense": passage.dense,
            "lexical": passage.lexical,
        },
    )
