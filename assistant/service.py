"""The Assistant service: the one object the CLI, the UI and Python callers use."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer.chain import AskPipeline, AskRequest
from assistant.backends.store import StorageError
from assistant.ingest.add import copy_into_corpus, store_uploads
from assistant.ingest.corpus import CorpusError, document_text, load_examples
from assistant.ingest.index import Indexer
from assistant.retrieval.retrieve import HybridSearcher
from assistant.settings import Settings
from assistant.types import Answer, Briefing, DocumentMeta, Filters, IngestReport, Turn

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.retrieval.adapter import HybridRetriever

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
        pipeline: AskPipeline,
        modes: Sequence[str] = ("extractive",),
    ) -> None:
        self.settings = settings
        self.modes = list(modes)
        """The answer modes this assistant can use."""
        self.indexer = indexer
        self.searcher = searcher
        self.index = searcher.index
        """What is indexed, loaded: documents, chunks, BM25 and the sources catalogue."""
        self.pipeline = pipeline
        """The steps of the chain, callable one by one."""
        self._generation = self._stamp()
        self._checked = time.monotonic()
        self._reloading = threading.Lock()

    @functools.cached_property
    def chain(self) -> Runnable[Any, Answer]:
        """The same steps as a LangChain runnable (built on first use: answering does not need it)."""
        from assistant.answer.chain import build_chain

        return build_chain(self.pipeline)

    # -- following the index -----------------------------------------------------------

    def _stamp(self) -> str | None:
        try:
            return self.searcher.storage.generation()
        except StorageError:
            return None

    def follow_index(self) -> bool:
        """Reload the index when another process changed it (an ingest, another app on the same Chroma
        server). Checks at most every ``settings.reload_check_s``; answers meanwhile read the previous
        catalogue, and a second caller never waits for a reload already running. True when it reloaded.
        """
        now = time.monotonic()
        if now - self._checked < self.settings.reload_check_s or not self._reloading.acquire(blocking=False):
            return False
        try:
            self._checked = now
            stamp = self.searcher.storage.generation()
            if stamp == self._generation:
                return False
            log.info("the index changed in another process; reloading it")
            self.searcher.storage.reopen()
            self.index.refresh()
            self._generation = stamp
            return True
        except StorageError as exc:
            log.warning("could not check the index for changes: %s", exc)
            return False
        finally:
            self._reloading.release()

    # -- index --------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path] = (), progress: bool = True) -> IngestReport:
        """Copy ``paths`` (files or folders) into the corpus, then bring the index up to date."""
        copied_warnings = self.add_documents(paths) if paths else []
        report = self.indexer.sync(progress=progress)
        report.skipped = copied_warnings + report.skipped
        if report.changed or not self.index.chunk_count:
            self.index.refresh()
        self._generation = self._stamp()
        return report

    def ensure_index(self, progress: bool = True) -> IngestReport | None:
        """Ingest when the index is missing or stale; return the report, or None if it was current."""
        if self.indexer.is_stale():
            return self.ingest(progress=progress)
        return None

    def add_documents(self, paths: Sequence[Path]) -> list[str]:
        """Copy supported files into the corpus folder; return warnings for what was not copied."""
        return copy_into_corpus(self.settings.corpus_dir, paths)

    def upload(self, files: Sequence[Path]) -> str:
        """Add files a user uploaded: checked, stored under ``uploads/`` with safe names, indexed. Returns a report.

        A file is refused, with the reason, when its type is not supported, it is larger
        than the size limit, or no text can be read from it; nothing outside the corpus
        folder is written.
        """
        lines, accepted = store_uploads(self.settings.corpus_dir, files)
        if accepted:
            report = self.ingest(progress=False)
            indexed = [a for a in accepted if a in report.added or a in report.updated or a in report.unchanged]
            lines[:0] = [f"{a}: added" for a in indexed]
            lines += [w for w in report.skipped if any(w.startswith(a) for a in accepted)]
        return "\n".join(lines) or "Nothing to add."

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
        self.follow_index()
        request = AskRequest(question=question, history=history, filters=filters, id=id, mode=mode)
        return self.pipeline.run(request, on_token)

    def retriever(self, k: int | None = None, filters: Filters | None = None) -> HybridRetriever:
        """The hybrid retriever as a LangChain ``BaseRetriever``."""
        from assistant.retrieval.adapter import HybridRetriever

        return HybridRetriever(searcher=self.searcher, k=k or self.settings.retrieval.k, filters=filters)

    # -- facts ----------------------------------------------------------------------------

    def sources(self) -> list[DocumentMeta]:
        """Metadata of every indexed document, by source id."""
        self.follow_index()
        documents = self.index.documents
        return [documents[k] for k in sorted(documents)]

    def examples(self) -> list[str]:
        """The example questions the corpus suggests (its ``examples.yaml``); none when it has none."""
        try:
            return load_examples(self.settings.corpus_dir, self.settings.examples_file)
        except CorpusError as exc:
            log.warning("%s", exc)
            return []

    def stats(self) -> dict[str, Any]:
        """Documents and passages indexed, and the answer mode."""
        self.follow_index()
        return {
            "documents": len(self.index.documents),
            "passages": self.index.chunk_count,
            "mode": self.settings.mode,
            "modes": self.modes,
        }

    def health(self) -> dict[str, Any]:
        """:meth:`stats` with a status: "ok", or "degraded" with the reason when the index store cannot be read."""
        try:
            self.searcher.storage.count()
        except StorageError as exc:
            return {"status": "degraded", "reason": str(exc), **self.stats()}
        return {"status": "ok", **self.stats()}

    def brief(self, filters: Filters | dict[str, Any] | None = None) -> Briefing:
        """A cited briefing on the corpus, or on the documents that pass ``filters``."""
        from assistant.brief.briefing import build_briefing

        self.follow_index()
        if isinstance(filters, dict):
            filters = Filters.model_validate(filters)
        return build_briefing(self.index, filters)

    def document_text(self, source_id: str) -> str:
        """The full original text of an indexed document. Raises ``KeyError`` for an unknown id."""
        self.follow_index()
        if source_id not in self.index.documents:
            raise KeyError(source_id)
        return document_text(self.settings.corpus_dir / source_id)
