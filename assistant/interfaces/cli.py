"""Command line: ``python -m assistant ingest|ask|brief|chat|serve|eval``.

Exit codes: 0 success, 2 bad input (empty question, unreadable batch file, empty
corpus), 1 anything unexpected.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.interfaces.chat import chat
from assistant.interfaces.common import USER_ERRORS, check_mode, fail, open_assistant, print_skipped, settings_of
from assistant.interfaces.eval_command import eval_command
from assistant.interfaces.filters import with_filters
from assistant.settings import Settings
from assistant.types import Filters

if TYPE_CHECKING:
    from assistant.service import Assistant

# Each command imports what it uses: `ingest` with nothing changed answers in well under a second
# only because it never imports the answer pipeline.

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask a source corpus; get cited, verbatim answers.")
app.command("eval")(eval_command)
app.command("chat")(chat)

__all__ = ["app"]


@app.callback()
def main(
    ctx: typer.Context,
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
    # So is the one-time model export: a first ingest otherwise pauses for seconds unexplained.
    logging.getLogger("assistant.backends.onnx_embed").setLevel(logging.INFO)
    ctx.obj = {"chroma_url": chroma_url}


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind (default: ASSISTANT_HOST, else loopback).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: ASSISTANT_PORT, else 7860).")] = None,
    insecure_no_auth: Annotated[
        bool, typer.Option("--insecure-no-auth", help="Serve beyond loopback without a password (not recommended).")
    ] = False,
) -> None:
    """Serve the chat page at / and the HTTP API under /api until stopped."""
    from assistant.interfaces.serve import ServeError
    from assistant.interfaces.serve import serve as run_server

    try:
        run_server(settings_of(ctx, host=host, port=port), insecure_no_auth=insecure_no_auth)
    except (ServeError, *USER_ERRORS) as exc:
        raise fail(exc) from exc


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to add to the corpus first.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show how each FILE is cleaned (kept, marked, left out); index nothing.")
    ] = False,
) -> None:
    """Bring the index up to date with the corpus folder (adding PATHs to it first)."""
    from assistant.wiring import ingest as ingest_corpus

    if explain:
        _explain(settings_of(ctx), paths or [])
        return
    try:
        report = ingest_corpus(settings_of(ctx), paths or [], progress=True)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
    print_skipped(report.skipped)
    if report.furniture:
        passages, files = sum(report.furniture.values()), len(report.furniture)
        typer.echo(f"left out {passages} furniture passages in {files} files (see: ingest --explain FILE)")
    typer.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}; "
        f"embedded {report.embedded_chunks} chunks and {report.embedded_sentences} sentences "
        f"({report.encoded_texts} distinct texts encoded) "
        f"in {report.seconds:.1f}s"
    )


@app.command()
@with_filters
def ask(
    ctx: typer.Context,
    filters: Filters,
    question: Annotated[str | None, typer.Argument(help="The question (omit with --batch).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, or md (a fact-check memo in Markdown).")
    ] = "text",
    batch: Annotated[Path | None, typer.Option(help="JSONL file of {id, question, history, filters}.")] = None,
    mode: Annotated[str | None, typer.Option(help="extractive, or llm (an OpenAI-compatible endpoint).")] = None,
    stream: Annotated[
        bool, typer.Option(help="Print the model's text as it arrives, then the checked answer.")
    ] = False,
) -> None:
    """Answer a question from the corpus, with numbered verbatim sources."""
    if output_format not in ("text", "json", "md"):
        raise fail(f"unknown --format {output_format!r}; use text, json or md")
    as_json = as_json or output_format == "json"
    check_mode(mode)
    if batch is not None:
        if question is not None:
            raise fail("give either a QUESTION or --batch, not both")
        _run_batch(ctx, batch, filters, mode)
        return
    if question is None or not question.strip():
        raise fail("the question is empty. Ask something about the corpus.")
    out = sys.stderr if as_json else sys.stdout

    def on_token(text: str) -> None:
        out.write(text)
        out.flush()

    try:
        assistant = open_assistant(ctx, progress=not as_json, mode=mode)
        answer = assistant.ask(question, filters=filters, on_token=on_token if stream else None)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
    from assistant.interfaces.text import render
    from assistant.provenance.present import export_markdown

    if stream:
        out.write("\n\n")
    if output_format == "md":
        typer.echo(export_markdown(answer))
    else:
        typer.echo(answer.model_dump_json(indent=2) if as_json else render(answer))


@app.command()
@with_filters
def brief(
    ctx: typer.Context,
    filters: Filters,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="md (Markdown) or json.")] = "md",
) -> None:
    """A cited briefing: central points, who's who, timeline, positions and open questions."""
    from assistant.brief.briefing import briefing_markdown

    if output_format not in ("md", "json"):
        raise fail(f"unknown --format {output_format!r}; use md or json")
    try:
        briefing = open_assistant(ctx, progress=not as_json).brief(filters)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
    typer.echo(
        briefing.model_dump_json(indent=2) if as_json or output_format == "json" else briefing_markdown(briefing)
    )


def _explain(settings: Settings, paths: list[Path]) -> None:
    from assistant.ingest.corpus import explain
    from assistant.interfaces.text import explanation

    if not paths:
        raise fail("name the files to explain: ingest --explain FILE [FILE ...]")
    for path in paths:
        try:
            document = explain(path, settings.corpus_dir, settings.metadata_file)
        except (OSError, ValueError) as exc:
            raise fail(f"{path}: {exc}") from exc
        typer.echo(explanation(str(path), document))


def _run_batch(ctx: typer.Context, path: Path, filters: Filters, mode: str | None) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read batch file {path}: {exc}") from exc
    try:
        assistant = open_assistant(ctx, progress=False, mode=mode)
    except USER_ERRORS as exc:
        raise fail(exc) from exc
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


if __name__ == "__main__":  # pragma: no cover
    app()
