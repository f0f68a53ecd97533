"""Command line: ``python -m assistant ingest|ask``.

Exit codes: 0 success, 2 bad input (empty question, unreadable batch file, empty
corpus), 1 anything unexpected.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.answer.prompts import PromptError
from assistant.answer.ranker import ModelError
from assistant.backends.embed import EmbeddingError
from assistant.backends.store import StorageError
from assistant.evaluation.judge import Judge
from assistant.ingest.corpus import CorpusError
from assistant.ingest.index import IngestError
from assistant.provenance.cite import export_markdown, label, markers
from assistant.service import Assistant
from assistant.types import VOICE_KINDS, Answer, Filters

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask a source corpus; get cited, verbatim answers.")

USER_ERRORS = (ValueError, CorpusError, IngestError, StorageError, EmbeddingError, PromptError, ModelError)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _assistant(progress: bool = True, mode: str | None = None) -> Assistant:
    from assistant.settings import get_settings
    from assistant.wiring import build_assistant

    assistant = build_assistant(get_settings(mode=mode) if mode else None)
    report = assistant.ensure_index(progress=progress)
    if report is not None:
        _print_skipped(report.skipped)
    return assistant


def _print_skipped(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    chroma_url: Annotated[
        str | None, typer.Option(help="Use a Chroma server (http://host:port) instead of the embedded index.")
    ] = None,
) -> None:
    """Configure logging (and the Chroma server) for every command."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s")
    # A damaged or mismatched index being rebuilt is news the user must see.
    for name in ("assistant.wiring", "assistant.ingest.index"):
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    if chroma_url:
        os.environ["ASSISTANT_CHROMA_URL"] = chroma_url


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to add to the corpus first.")] = None,
) -> None:
    """Bring the index up to date with the corpus folder (adding PATHs to it first)."""
    from assistant.wiring import build_assistant

    try:
        report = build_assistant().ingest(paths or [], progress=True)
    except USER_ERRORS as exc:
        raise _fail(str(exc)) from exc
    _print_skipped(report.skipped)
    typer.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}; "
        f"embedded {report.embedded_chunks} chunks and {report.embedded_sentences} sentences "
        f"({report.encoded_texts} distinct texts encoded) "
        f"in {report.seconds:.1f}s"
    )


SourceOption = Annotated[list[str] | None, typer.Option(help="Only this document (repeatable).")]
OutletOption = Annotated[list[str] | None, typer.Option(help="Only this outlet (repeatable).")]
KindOption = Annotated[list[str] | None, typer.Option(help="Only this kind of source (repeatable).")]
OnlyOption = Annotated[list[str] | None, typer.Option(help="Only official, press or advocacy sources (repeatable).")]
FromOption = Annotated[str | None, typer.Option(help="Only documents dated on or after YYYY-MM-DD.")]
ToOption = Annotated[str | None, typer.Option(help="Only documents dated on or before YYYY-MM-DD.")]
AsOfOption = Annotated[str | None, typer.Option(help="Only documents published by YYYY-MM-DD (as of that day).")]


def _filters(
    source: list[str] | None,
    outlet: list[str] | None,
    kind: list[str] | None,
    only: list[str] | None,
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
) -> Filters:
    """Filters from the command line; exit 2 with a message when one is malformed."""
    kinds: list[Any] = list(kind or [])
    for voice in only or []:
        if voice not in VOICE_KINDS:
            raise _fail(f"unknown --only {voice!r}; use {', '.join(VOICE_KINDS)}")
        kinds += VOICE_KINDS[voice]
    try:
        to = min(filter(None, [date_to, as_of])) if (date_to or as_of) else None
        return Filters(
            source_ids=source or [],
            outlets=outlet or [],
            kinds=kinds,
            date_from=dt.date.fromisoformat(date_from) if date_from else None,
            date_to=dt.date.fromisoformat(to) if to else None,
        )
    except ValueError as exc:
        raise _fail(f"bad filter: {exc}") from exc


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question (omit with --batch).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, or md (a fact-check memo in Markdown).")
    ] = "text",
    batch: Annotated[Path | None, typer.Option(help="JSONL file of {id, question, history, filters}.")] = None,
    source: SourceOption = None,
    outlet: OutletOption = None,
    kind: KindOption = None,
    only: OnlyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    as_of: AsOfOption = None,
    mode: Annotated[str | None, typer.Option(help="extractive, or llm (an OpenAI-compatible endpoint).")] = None,
    stream: Annotated[
        bool, typer.Option(help="Print the model's text as it arrives, then the checked answer.")
    ] = False,
) -> None:
    """Answer a question from the corpus, with numbered verbatim sources."""
    filters = _filters(source, outlet, kind, only, date_from, date_to, as_of)
    if output_format not in ("text", "json", "md"):
        raise _fail(f"unknown --format {output_format!r}; use text, json or md")
    as_json = as_json or output_format == "json"
    if mode is not None and mode not in ("extractive", "llm"):
        raise _fail(f"unknown mode {mode!r}; use extractive or llm")
    if batch is not None:
        if question is not None:
            raise _fail("give either a QUESTION or --batch, not both")
        _run_batch(batch, filters, mode)
        return
    if question is None or not question.strip():
        raise _fail("the question is empty. Ask something about the corpus.")
    out = sys.stderr if as_json else sys.stdout

    def on_token(text: str) -> None:
        out.write(text)
        out.flush()

    try:
        assistant = _assistant(progress=not as_json, mode=mode)
        answer = assistant.ask(question, filters=filters, on_token=on_token if stream else None)
    except USER_ERRORS as exc:
        raise _fail(str(exc)) from exc
    if stream:
        out.write("\n\n")
    if output_format == "md":
        typer.echo(export_markdown(answer))
    else:
        typer.echo(answer.model_dump_json(indent=2) if as_json else render(answer))


@app.command()
def brief(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="md (Markdown) or json.")] = "md",
    source: SourceOption = None,
    outlet: OutletOption = None,
    kind: KindOption = None,
    only: OnlyOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    as_of: AsOfOption = None,
) -> None:
    """A cited briefing: central points, who's who, timeline, positions and open questions."""
    from assistant.brief.briefing import briefing_markdown

    filters = _filters(source, outlet, kind, only, date_from, date_to, as_of)
    if output_format not in ("md", "json"):
        raise _fail(f"unknown --format {output_format!r}; use md or json")
    try:
        briefing = _assistant(progress=not as_json).brief(filters)
    except USER_ERRORS as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        briefing.model_dump_json(indent=2) if as_json or output_format == "json" else briefing_markdown(briefing)
    )


def _run_batch(path: Path, filters: Filters, mode: str | None) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read batch file {path}: {exc}") from exc
    try:
        assistant = _assistant(progress=False, mode=mode)
    except USER_ERRORS as exc:
        raise _fail(str(exc)) from exc
    out = sys.stdout
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        out.write(json.dumps(_batch_item(assistant, line, number, filters), ensure_ascii=False) + "\n")
        out.flush()


def _batch_item(assistant: Assistant, line: str, number: int, filters: Filters) -> dict[str, Any]:
    """One output object for one input line; a bad line yields an error object, never a crash."""
    item_id: Any = None
    try:
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError("each line must be a JSON object")
        item_id = item.get("id", number)
        item_filters = Filters.model_validate(item["filters"]) if item.get("filters") else filters
        question = item.get("question")
        if not isinstance(question, str):
            raise ValueError("'question' must be a string")
        answer = assistant.ask(question, history=item.get("history"), filters=item_filters, id=item_id)
        return answer.model_dump(mode="json")
    except (json.JSONDecodeError, ValueError) as exc:
        return {"id": item_id if item_id is not None else number, "error": f"line {number}: {exc}"}


@app.command("eval")
def eval_(
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

    from assistant import __version__
    from assistant.answer.ranker import load_model
    from assistant.evaluation.cases import EvalFileError, load_eval_file, select
    from assistant.evaluation.evaluate import compare, fingerprint
    from assistant.evaluation.reports import summary_table, write_json, write_junit, write_markdown
    from assistant.evaluation.runner import EvalRunner
    from assistant.settings import get_settings
    from assistant.wiring import build_assistant

    if split not in ("all", "dev", "heldout", "both"):
        raise _fail(f"unknown --split {split!r}; use all, dev, heldout or both")
    try:
        parsed = [(f, load_eval_file(f)) for f in files]
        previous = _load_baseline(baseline) if baseline else None
        runner = EvalRunner(get_settings(mode=mode) if mode else get_settings(),
                            lambda s, e: build_assistant(s, embedder=e))  # fmt: skip
        assistants = [runner.assistant_for(f, e, progress=True) for f, e in parsed]
        judge_fn = _make_judge(assistants[0], judge_model) if judge else None
        anchor_threshold = load_model().anchor_threshold if anchor else None
    except (EvalFileError, *USER_ERRORS) as exc:
        raise _fail(str(exc)) from exc
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
        raise _fail(str(exc)) from exc
    finally:
        bar.close()
    main_assistant = assistants[0]
    manifest = main_assistant.indexer.load_manifest()
    corpus = {sid: e.fingerprint for sid, e in manifest.files.items()} if manifest else {}
    used_mode = mode or main_assistant.settings.mode or "extractive"
    llm_model = main_assistant.settings.llm.model if used_mode == "llm" else None
    prints = fingerprint(corpus, main_assistant.settings.embedding.model, used_mode, llm_model,
                         main_assistant.settings.prompts_dir, __version__)  # fmt: skip
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
    if any(run["gate_failures"] or run.get("regressions") for run in runs):
        raise typer.Exit(1)


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


def render(answer: Answer) -> str:
    """Human-readable answer with its numbered sources."""
    lines = [answer.answer, ""]
    if answer.mode == "llm" and answer.sentences:
        supported = sum(s.supported for s in answer.sentences)
        lines.append(f"Checked: {supported} of {len(answer.sentences)} sentences supported by their sources.")
        for i, s in enumerate(answer.sentences, 1):
            backed = f"supported by {markers(s.citations)}" if s.supported else "unsupported"
            lines.append(f"  {i}. {backed}: {s.check}")
    for notice in answer.notices:
        lines.append(f"Note: {notice}")
    if answer.closest:
        lines.append("Closest passages (they do not answer the question):")
        for c in answer.closest:
            lines.append(f"  [{c.n}] “{c.quote}”")
            lines.append(f"      {label(c)}; {c.path}, characters {c.start}-{c.end}")
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {label(c)}")
            lines.append(f"      {c.path}, characters {c.start}-{c.end}")
    lines.append(f"({answer.mode}, {answer.timings_ms.get('total', 0):.0f} ms)")
    return "\n".join(lines).strip()


if __name__ == "__main__":  # pragma: no cover
    app()
