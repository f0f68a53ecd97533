"""Running eval files: one assistant per corpus, splits, and the naive anchor side by side.

A file that names its corpus (``corpus: {name, folders}``) is asked over a working copy
of those folders, indexed under ``<index_dir>/eval/<name>/``; the index is kept between
runs, so only the first run of a corpus pays for its ingest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.backends.embed import Embedder
from assistant.evaluation.anchor import NaiveAnchor
from assistant.evaluation.cases import CorpusSpec, EvalFile, assemble_corpus, select
from assistant.evaluation.evaluate import aggregate, by_kind, gate, run_cases
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer

Judge = Callable[[Answer, str | None], dict[str, float | None]]


def corpus_settings(base: Settings, spec: CorpusSpec) -> Settings:
    """Settings for an eval corpus: its own working folder, index and collection."""
    work = base.index_dir / "eval" / spec.name
    return base.model_copy(
        update={
            "corpus_dir": work / "corpus",
            "index_dir": work / "index",
            "collection": f"{base.collection}-eval-{spec.name}",
        }
    )


class EvalRunner:
    """Builds (and keeps) one assistant per corpus and runs eval files against them."""

    def __init__(
        self,
        settings: Settings,
        build: Callable[[Settings, Embedder | None], Assistant],
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self._build = build
        self._assistants: dict[str, Assistant] = {}
        self._embedder = embedder

    def assistant_for(self, path: Path, eval_file: EvalFile, progress: bool = False) -> Assistant:
        """The assistant over the file's corpus (the configured one when the file names none), indexed."""
        return self.assistant_over(eval_file.corpus, path.resolve().parent, progress)

    def assistant_over(self, spec: CorpusSpec | None, base: Path, progress: bool = False) -> Assistant:
        """The assistant over the corpus ``spec`` assembles (folders relative to ``base``), indexed and kept."""
        key = spec.name if spec else ""
        if key not in self._assistants:
            settings = self.settings
            if spec is not None:
                settings = corpus_settings(self.settings, spec)
                assemble_corpus(spec, base, settings.corpus_dir)
            assistant = self._build(settings, self._embedder)
            self._embedder = self._embedder or assistant.searcher.embedder
            assistant.ensure_index(progress=progress)
            self._assistants[key] = assistant
        return self._assistants[key]

    def run(
        self,
        path: Path,
        eval_file: EvalFile,
        *,
        split: str = "all",
        k: int | None = None,
        mode: str | None = None,
        anchor_threshold: float | None = None,
        judge: Judge | None = None,
        gate_judge: bool = False,
        progress: Callable[[int], object] | None = None,
    ) -> list[dict[str, Any]]:
        """One run per split asked for (``both`` gives dev and heldout), plus the anchor's when given a threshold.

        Each run is ``{file, label, split, system, k, metrics, kinds, results, gate_failures}``;
        only the assistant's runs are gated.
        """
        assistant = self.assistant_for(path, eval_file)
        cutoff = k or eval_file.defaults.k
        splits = ["all"] if not eval_file.split else ["dev", "heldout"] if split == "both" else [split]
        systems: list[tuple[str, Callable[[Any], Answer]]] = [
            ("assistant", lambda c: assistant.ask(c.question, history=c.history, filters=c.filters, id=c.id, mode=mode))
        ]
        if anchor_threshold is not None:
            anchor = NaiveAnchor(assistant.searcher, anchor_threshold, assistant.settings.answer.max_question_chars)
            systems.append(("anchor", lambda c: anchor.ask(c.question, history=c.history, filters=c.filters)))
        runs = []
        for part in splits:
            cases = select(eval_file.cases, part)
            if not cases:
                continue
            for system, ask in systems:
                results = run_cases(
                    cases, ask, assistant.settings.corpus_dir, cutoff,
                    progress=progress if system == "assistant" else None,
                    judge=judge if system == "assistant" else None,
                )  # fmt: skip
                metrics = aggregate(results)
                label = (
                    path.as_posix()
                    + ("" if part == "all" else f":{part}")
                    + ("" if system == "assistant" else "+anchor")
                )
                runs.append(
                    {
                        "file": str(path),
                        "label": label,
                        "split": part,
                        "system": system,
                        "k": cutoff,
                        "metrics": metrics,
                        "kinds": by_kind(results),
                        "results": results,
                        "gate_failures": gate(metrics, eval_file.thresholds, gate_judge)
                        if system == "assistant"
                        else [],
                    }
                )
        return runs
