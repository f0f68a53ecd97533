"""The Assistant service: the one object the CLI, the UI and Python callers use."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable

from assistant.corpus import decode
from assistant.extract import SUPPORTED_SUFFIXES, extract
from assistant.index import Indexer
from assistant.retrieve import HybridRetriever, HybridSearcher
from assistant.settings import Settings
from assistant.types import Answer, Briefing, DocumentMeta, Filters, IngestReport, Turn

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions about a corpus with verbatim, cited quotes.

    Build one with :func:`assistant.build_assistant`; it wires the pieces below.
    """

    def __init__(
        self,
        settings: Settings,
        indexer: Indexer,
        searcher: HybridSearcher,
        chain: Runnable[Any, Answer],
        modes: Sequence[str] = ("extractive",),
    ) -> None:
        self.settings = settings
        self.modes = list(modes)
        """The answer modes this assistant can use."""
        self.indexer = indexer
        self.searcher = searcher
        self.chain = chain

    # -- index --------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path] = (), progress: bool = True) -> IngestReport:
        """Copy ``paths`` (files or folders) into the corpus, then bring the index up to date."""
        copied_warnings = self.add_documents(paths) if paths else []
        report = self.indexer.sync(progress=progress)
        report.skipped = copied_warnings + report.skipped
        if report.changed or self.searcher.lexical.chunks == []:
            self.searcher.refresh()
        return report

    def ensure_index(self, progress: bool = True) -> IngestReport | None:
        """Ingest when the index is missing or stale; return the report, or None if it was current."""
        if self.indexer.is_stale():
            return self.ingest(progress=progress)
        return None

    def add_documents(self, paths: Sequence[Path]) -> list[str]:
        """Copy supported files into the corpus folder; return warnings for what was not copied."""
        warnings: list[str] = []
        corpus = self.settings.corpus_dir
        corpus.mkdir(parents=True, exist_ok=True)
        for path in paths:
            if not path.exists():
                warnings.append(f"{path}: skipped, no such file or folder")
                continue
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for f in files:
                if f.suffix.lower() not in SUPPORTED_SUFFIXES:
                    warnings.append(f"{f}: skipped, only {', '.join(sorted(SUPPORTED_SUFFIXES))} files are supported")
                    continue
                rel = f.relative_to(path.parent) if path.is_dir() else Path(f.name)
                target = corpus / rel
                if f.resolve() == target.resolve():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
        return warnings

    # -- ask ----------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Turn | dict[str, Any] | str] | None = None,
        filters: Filters | dict[str, Any] | None = None,
        *,
        id: Any = None,  # noqa: A002 - the batch schema's field name
        mode: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question. Raises ``ValueError`` for an empty question or bad history/filters/mode.

        ``mode`` picks the answer mode for this question; ``on_token`` receives text as a
        writing mode (LLM) produces it, before the answer is checked.
        """
        request = {"question": question, "history": history, "filters": filters, "id": id, "mode": mode}
        return self.chain.invoke(request, config={"configurable": {"on_token": on_token}})

    def retriever(self, k: int | None = None, filters: Filters | None = None) -> HybridRetriever:
        """The hybrid retriever as a LangChain ``BaseRetriever``."""
        return HybridRetriever(searcher=self.searcher, k=k or self.settings.retrieval.k, filters=filters)

    # -- facts ----------------------------------------------------------------------------

    def sources(self) -> list[DocumentMeta]:
        """Metadata of every indexed document, by source id."""
        documents = self.searcher.documents
        return [documents[k] for k in sorted(documents)]

    def stats(self) -> dict[str, Any]:
        """Documents and passages indexed, and the answer mode."""
        return {
            "documents": len(self.searcher.documents),
            "passages": len(self.searcher.chunks),
            "mode": self.settings.mode,
            "modes": self.modes,
        }

    def brief(self, filters: Filters | dict[str, Any] | None = None) -> Briefing:
        """A cited briefing on the corpus, or on the documents that pass ``filters``."""
        from assistant.brief import build_briefing

        if isinstance(filters, dict):
            filters = Filters.model_validate(filters)
        return build_briefing(self.searcher, filters)

    def document_text(self, source_id: str) -> str:
        """The full original text of an indexed document. Raises ``KeyError`` for an unknown id."""
        if source_id not in self.searcher.documents:
            raise KeyError(source_id)
        path = self.settings.corpus_dir / source_id
        return extract(path.suffix, path.read_bytes(), decode).text
