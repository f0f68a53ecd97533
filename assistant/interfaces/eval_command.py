"""``python -m assistant eval``: scripted Q&A cases, their metrics and gates, reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.interfaces.common import USER_ERRORS, fail, settings_of

if TYPE_CHECKING:
    from assistant.evaluation.judge import Judge
    from assistant.service import Assistant


def eval_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Eval files (YAML).")],
    mode: Annotated[str | None, typer.Option(help="extractive or llm.")] = None,
    k: Annotated[int | None, typer.Option(help="Retrieval cut-off (default: the file's defaults.k).")] = None,
    split: Annotated[str, typer.Option(help="all, dev, heldout, or both (dev and heldout side by side).")] = "all",
    anchor: Annotated[bool, typer.Option(help="Also run the naive anchor (top-3 sentences by cosine).")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write metrics, cases and fingerprint.")] = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML: one testcase per question.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a Markdown report.")] = None,
    baseline: Annotated[Path | None, typer.Option(help="A previous --json output to compare with.")] = None,
    tolerance: Annotated[float, typer.Option(help="Allowed drop of a metric against the baseline.")] = 0.01,
    judge: Annotated[bool, typer.Option(help="Also score answers with an LLM judge (OPENAI_* settings).")] = False,
    judge_model: Annotated[str | None, typer.Option(help="Model name for the judge.")] = None,
    gate_judge: Annotated[bool, typer.Option(help="Let judge thresholds fail the run.")] = False,
) -> None:
    """Run scripted Q&A cases; exit 0 when every threshold holds (every case, for a file with none), 1 when one
    fails, 2 for bad input."""
    from tqdm import tqdm

    from assistant.answer.ranker import load_model
    from assistant.evaluation.cases import EvalFileError, load_eval_file, select
    from assistant.evaluation.evaluate import compare
    from assistant.evaluation.runner import EvalRunner
    from assistant.wiring import build_assistant

    if split not in ("all", "dev", "heldout", "both"):
        raise fail(f"unknown --split {split!r}; use all, dev, heldout or both")
    try:
        parsed = [(f, load_eval_file(f)) for f in files]
        previous = _load_baseline(baseline) if baseline else None
        runner = EvalRunner(settings_of(ctx, mode=mode), lambda s, e: build_assistant(s, embedder=e))
        assistants = [runner.assistant_for(f, e, progress=True) for f, e in parsed]
        judge_fn = _make_judge(assistants[0], judge_model) if judge else None
        anchor_threshold = load_model().anchor_threshold if anchor else None
    except (EvalFileError, *USER_ERRORS) as exc:
        raise fail(exc) from exc
    total = sum(len(select(e.cases, "all" if split == "both" or not e.split else split)) for _, e in parsed)
    bar = tqdm(total=total, desc="Evaluating", unit="q", file=sys.stderr)
    runs: list[dict[str, Any]] = []
    try:
        for path, eval_file in parsed:
            for run in runner.run(path, eval_file, split=split, k=k, mode=mode, anchor_threshold=anchor_threshold,
                                  judge=judge_fn.score if judge_fn else None, gate_judge=gate_judge,
                                  progress=bar.update):  # fmt: skip
                if previous is not None and run["system"] == "assistant":
                    old = previous.get(run["label"])
                    run["changes"], run["regressions"] = compare(run["metrics"], old, tolerance) if old else ([], [])
                runs.append(run)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
    finally:
        bar.close()
    prints = _fingerprint(assistants[0], mode)
    _write_outputs(runs, prints, judge_fn, json_out, junit, report)
    if any(run["gate_failures"] or run.get("regressions") for run in runs):
        raise typer.Exit(1)


def _write_outputs(
    runs: list[dict[str, Any]],
    prints: dict[str, Any],
    judge_fn: Judge | None,
    json_out: Path | None,
    junit: Path | None,
    report: Path | None,
) -> None:
    """The summary table and baseline changes on the terminal; the JSON, JUnit and Markdown files asked for."""
    from assistant.evaluation.reports import summary_table, write_json, write_junit, write_markdown

    typer.echo(summary_table(runs))
    for run in runs:
        for change in run.get("changes", []):
            typer.echo(f"  {run['label']} vs baseline: {change}")
    if judge_fn:
        prints["judge_model"] = judge_fn.model_name
        typer.echo(f"judge: {judge_fn.calls} calls, {judge_fn.cache_hits} answered from the cache")
    if json_out:
        write_json(json_out, _json_report(runs, prints))
    if junit:
        write_junit(junit, runs)
    if report:
        write_markdown(report, runs, prints)


def _fingerprint(assistant: Assistant, mode: str | None) -> dict[str, Any]:
    """What the run depends on: the corpus files, the model, the mode, the prompts, the version."""
    from assistant import __version__
    from assistant.evaluation.evaluate import fingerprint

    settings, manifest = assistant.settings, assistant.indexer.load_manifest()
    corpus = {sid: e.fingerprint for sid, e in manifest.files.items()} if manifest else {}
    used_mode = mode or settings.mode or "extractive"
    llm_model = settings.llm.model if used_mode == "llm" else None
    return fingerprint(corpus, settings.embedding.model, used_mode, llm_model, settings.prompts_dir, __version__)


def _make_judge(assistant: Assistant, model_name: str | None) -> Judge:
    from assistant.answer.llm import make_chat_model
    from assistant.answer.prompts import load_prompts
    from assistant.evaluation.judge import Judge

    llm = assistant.settings.llm.model_copy(update={"model": model_name} if model_name else {})
    cache = assistant.settings.index_dir / "judge-cache"
    return Judge(make_chat_model(llm), llm.model, load_prompts(assistant.settings.prompts_dir), cache)


def _load_baseline(path: Path) -> dict[str, dict[str, Any]]:
    """Metrics per eval file name from a previous --json output."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {run.get("label") or Path(run["file"]).name: run["metrics"] for run in data["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"baseline {path} is not an eval --json output: {exc}") from exc


def _json_report(runs: list[dict[str, Any]], prints: dict[str, Any]) -> dict[str, Any]:
    files = [
        {**{k: v for k, v in run.items() if k != "results"}, "cases": [r.model_dump() for r in run["results"]]}
        for run in runs
    ]
    passed = not any(run["gate_failures"] or run.get("regressions") for run in runs)
    return {"passed": passed, "fingerprint": prints, "files": files}
