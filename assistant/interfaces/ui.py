"""The Gradio chat page. Presentation only: every answer comes from the Assistant service.

Corpus text and questions are untrusted: everything shown is escaped, so HTML and
Markdown inside a document appear as text and never run.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import html
import queue
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote as url_quote

import gradio as gr

from assistant.backends.store import StorageError
from assistant.brief.briefing import briefing_citations, briefing_header, section_markdown, sections
from assistant.ingest.extract import SUPPORTED_SUFFIXES
from assistant.provenance.present import export_markdown, label, paragraph_around
from assistant.service import Assistant
from assistant.types import Answer, Citation, Filters

KINDS = [
    ("Official statements", "official_statement"),
    ("Press: news", "news"),
    ("Press: op-eds", "op_ed"),
    ("Advocacy (NGO)", "ngo_news"),
    ("Other documents", "document"),
]
UPLOAD_TYPES = sorted(SUPPORTED_SUFFIXES)
"""What the upload box offers: every format ingest reads."""
# ':' and '.' too, so that "http://..." and "www." are not turned into links.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-!|>~<&\"':.])")

CSS = """
#sources .src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem .8rem;
  margin-bottom: .6rem; transition: box-shadow .2s; }
#sources .src-card.active { box-shadow: 0 0 0 3px var(--color-accent); }
#sources .src-head { font-size: .9rem; margin-bottom: .3rem; }
#sources .src-n { font-weight: 700; margin-right: .3rem; }
#sources .src-para { margin: .3rem 0; font-size: .92rem; color: var(--body-text-color-subdued); }
#sources mark { background: #ffe27a; color: #111; padding: 0 .1em; }
#sources .src-foot { font-size: .8rem; }
#sources .badge { font-size: .75rem; border: 1px solid currentColor; border-radius: 4px; padding: 0 .25rem; }
#status { font-size: .85rem; opacity: .8; }
"""

# Clicking an [n] marker in the chat brings its card up in the sources panel.
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  document.querySelectorAll("#sources .src-card.active").forEach((c) => c.classList.remove("active"));
  card.classList.add("active");
  card.scrollIntoView({ behavior: "smooth", block: "center" });
}, true);
</script>"""

EMPTY_SOURCES = "<p class='src-empty'>Sources for the answer appear here.</p>"
CLOSEST_LABEL = "Closest passages in the corpus (they do not answer the question):"


def escape(text: str) -> str:
    """Untrusted text for a Markdown surface: every Markdown and HTML special character backslash-escaped,
    so it renders as the literal text (CommonMark escapes any ASCII punctuation)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def to_markdown(answer: Answer) -> str:
    """The chat message for an answer: escaped quotes with [n] linked to the sources panel."""
    if answer.refused:
        parts = [f"> **Not in the corpus.** {escape(answer.answer)}"]
        if answer.closest:
            nearest = [f"- {escape(c.quote)} [**[{c.n}]**](#src-{c.n})" for c in answer.closest]
            parts.append(f"**{CLOSEST_LABEL}**\n" + "\n".join(nearest))
    else:
        parts = [re.sub(r"\\\[(\d+)\\\]", r"[**[\1]**](#src-\1)", escape(answer.answer))]
    if answer.mode == "llm" and answer.sentences:
        parts.append(
            "**Checks:**\n"
            + "\n".join(
                f"{i}. {'supported' if s.supported else 'unsupported'}: {escape(s.check)}"
                for i, s in enumerate(answer.sentences, 1)
            )
        )
    parts += [f"_{escape(n)}_" for n in answer.notices]
    return "\n\n".join(parts)


def stream(answer: Answer) -> Iterator[str]:
    """The chat message growing quote by quote, then complete."""
    if not answer.refused:
        pieces = re.split(r"(?<=\])\s+", answer.answer)
        for i in range(1, len(pieces)):
            yield to_markdown(answer.model_copy(update={"answer": " ".join(pieces[:i]), "notices": []}))
    yield to_markdown(answer)


def sources_html(citations: list[Citation], assistant: Assistant, answers: bool = True) -> str:
    """One card per citation: provenance, the quote highlighted in its paragraph, a link to the document.

    ``answers=False`` labels the cards as the nearest passages of a refusal, which do not answer.
    """
    if not citations:
        return EMPTY_SOURCES
    cards = [] if answers else [f"<p class='src-empty'>{html.escape(CLOSEST_LABEL)}</p>"]
    for c in citations:
        before, quote, after = paragraph_around(assistant.document_text(c.source_id), c.start, c.end)
        link = f"/document/{url_quote(c.source_id)}?start={c.start}&end={c.end}#quote"
        badge = " <span class='badge'>photo caption</span>" if c.caption else ""
        cards.append(
            f"<div class='src-card' id='src-{c.n}' data-n='{c.n}'>"
            f"<div class='src-head'><span class='src-n'>[{c.n}]</span>{html.escape(label(c))}{badge}</div>"
            f"<blockquote class='src-para'>{html.escape(before)}<mark>{html.escape(quote)}</mark>"
            f"{html.escape(after)}</blockquote>"
            f"<div class='src-foot'><code>{html.escape(c.path)}</code> characters {c.start}–{c.end} · "
            f"<a class='open-doc' href='{html.escape(link)}' target='_blank' rel='noopener'>Open the document</a>"
            f"</div></div>"
        )
    return "".join(cards)


def ui_filters(docs: list[str] | None, kinds: list[str] | None, as_of: str | None) -> Filters:
    """Filters from the page's controls. Raises ``ValueError`` with a readable message for a bad date."""
    day = (as_of or "").strip()
    try:
        date_to = dt.date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise ValueError(f"“Published by” must be a date such as 2022-03-31, not {day[:40]!r}.") from exc
    return Filters(source_ids=docs or [], kinds=kinds or [], date_to=date_to)  # type: ignore[arg-type]


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """(label, source id) of every indexed document, for the document filter."""
    return [(f"{m.title} ({m.outlet or 'unknown'}, {m.date or 'undated'})", m.source_id) for m in assistant.sources()]


def status_line(assistant: Assistant, answer: Answer | None = None) -> str:
    """Mode, index size and, after an answer, how long it took."""
    stats = assistant.stats()
    where = "Offline" if (answer.mode if answer else stats["mode"]) == "extractive" else "LLM"
    mode = answer.mode if answer else stats["mode"]
    text = f"{where} · {mode} mode · {stats['documents']} documents · {stats['passages']} passages"
    if answer is not None:
        text += f" · answered in {answer.timings_ms.get('total', 0):.0f} ms"
    return text


def ask_streaming(
    assistant: Assistant, message: str, turns: list[dict[str, str]], filters: Filters, mode: str
) -> Iterator[str | Answer]:
    """Yield the model's text as it arrives (LLM mode), then the checked :class:`Answer`."""
    tokens: queue.Queue[str | None] = queue.Queue()
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["answer"] = assistant.ask(message, history=turns, filters=filters, mode=mode, on_token=tokens.put)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc
        finally:
            tokens.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (token := tokens.get()) is not None:
        yield token
    if "error" in result:
        raise result["error"]
    yield result["answer"]


class Exports:
    """The answers' download files: one folder per page, created on first use, removed at exit, and pruned
    to the newest ``kept`` files under a lock, since concurrent answers write to it."""

    def __init__(self, kept: int = 200) -> None:
        self.kept = kept
        self._lock = threading.Lock()
        self._folder: Path | None = None

    def write(self, markdown: str) -> str:
        """Write one export; return its path for the download button."""
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="assistant-exports-"))
                atexit.register(shutil.rmtree, self._folder, True)
            path = self._folder / f"answer-{uuid.uuid4().hex[:12]}.md"
            path.write_text(markdown, encoding="utf-8")
            dated = []
            for p in self._folder.glob("answer-*.md"):
                with contextlib.suppress(FileNotFoundError):
                    dated.append((p.stat().st_mtime_ns, p))
            for _, old in sorted(dated)[: -self.kept]:
                old.unlink(missing_ok=True)
        return str(path)


BRIEF_SECTIONS = 6
"""Sections of a briefing (:func:`assistant.brief.briefing.sections`), each a panel of the briefing tab."""


class PageActions:
    """What the page's controls do. Every answer, briefing and upload comes from the service."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.exports = Exports()

    def brief_me(self, docs: list[str], kinds: list[str], as_of: str = "") -> tuple[Any, ...]:
        """The briefing in its own tab: a header, one collapsible section each, its sources in the panel."""
        try:
            briefing = self.assistant.brief(ui_filters(docs, kinds, as_of))
        except (ValueError, StorageError) as exc:
            empty = [gr.skip()] * (2 * BRIEF_SECTIONS)
            return gr.Tabs(selected="briefing"), f"> **{escape(str(exc))}**", *empty, gr.skip()
        parts: list[Any] = []
        for title, rows in sections(briefing):
            parts.append(gr.Accordion(label=f"{title} ({len(rows)})", open=bool(rows)))
            parts.append(section_markdown(rows, escape, link=lambda n: f"#src-{n}") or "_Nothing in the sources._")
        cards = sources_html(briefing_citations(briefing), self.assistant)
        return gr.Tabs(selected="briefing"), briefing_header(briefing, escape), *parts, cards

    def add_files(self, files: list[str] | None) -> tuple[Any, ...]:
        if not files:
            return "Choose .txt, .md, .html or .pdf files first.", gr.skip(), gr.skip()
        report = self.assistant.upload([Path(f) for f in files])
        return escape(report), gr.CheckboxGroup(choices=document_choices(self.assistant)), status_line(self.assistant)

    def respond(
        self,
        message: str,
        turns: list[dict[str, str]],
        chat: list[dict[str, Any]],
        docs: list[str],
        kinds: list[str],
        mode: str,
        as_of: str = "",
    ) -> Iterator[tuple[Any, ...]]:
        chat = [*chat, {"role": "user", "content": escape(message or "")}, {"role": "assistant", "content": ""}]
        skip = (gr.skip(), gr.skip(), gr.skip(), gr.skip())
        written = ""
        try:
            filters = ui_filters(docs, kinds, as_of)
            for item in ask_streaming(self.assistant, message, turns, filters, mode):
                if isinstance(item, str):  # text from the model, shown until the checked answer replaces it
                    written += item
                    chat[-1] = {"role": "assistant", "content": f"{escape(written)}\n\n_checking citations…_"}
                    yield "", turns, chat, *skip
                else:
                    answer = item
        except (ValueError, StorageError) as exc:  # a bad question, or an index server that is down
            chat[-1] = {"role": "assistant", "content": f"> **{escape(str(exc))}**"}
            yield "", turns, chat, *skip
            return
        for partial in stream(answer):
            chat[-1] = {"role": "assistant", "content": partial}
            yield "", turns, chat, *skip
        markdown = export_markdown(answer)
        turns = [*turns, {"question": answer.question, "answer": answer.answer}]
        yield (
            "",
            turns,
            chat,
            sources_html(answer.citations, self.assistant)
            if not answer.refused
            else sources_html(answer.closest, self.assistant, answers=False),
            status_line(self.assistant, answer),
            markdown,
            gr.DownloadButton(value=self.exports.write(markdown), interactive=True),
        )

    def clear(self) -> tuple[Any, ...]:
        """A new conversation: no turns, no chat, no sources, no export."""
        return [], [], EMPTY_SOURCES, status_line(self.assistant), "", gr.DownloadButton(value=None, interactive=False)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat page: chat and filters on the left, sources and export on the right."""
    with gr.Blocks(title="Research assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Research assistant\nEvery answer is made of verbatim quotes from the sources, each numbered; "
            "click a number to see its source. When the sources do not answer, it says so."
        )
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3), gr.Tabs(elem_id="tabs") as tabs:
                with gr.Tab("Chat", id="chat", elem_id="chat-tab"):
                    left = _chat_column(assistant)
                with gr.Tab("Briefing", id="briefing", elem_id="briefing-tab"):
                    left.briefing = _briefing_panel()
            with gr.Column(scale=2):
                right = _sources_column()
        left.tabs = tabs
        _wire(PageActions(assistant), turns, left, right)
    blocks: gr.Blocks = demo
    return blocks


def _chat_column(assistant: Assistant) -> SimpleNamespace:
    """The chat, the question box, its buttons, examples, mode, filters, uploads and the status line."""
    c = SimpleNamespace()
    # The chat grows with the window, so a question and its answer stay in view together.
    c.chat = gr.Chatbot(label="Chat", height="calc(100vh - 330px)", min_height=360, elem_id="chat", sanitize_html=True)
    c.question = gr.Textbox(placeholder="Ask about the corpus…", show_label=False, submit_btn=True, elem_id="question")
    with gr.Row():
        c.clear = gr.Button("New conversation", variant="secondary", size="sm", elem_id="clear")
        c.brief = gr.Button("Brief me", variant="secondary", size="sm", elem_id="brief")
    if examples := assistant.examples():
        gr.Examples(examples, inputs=c.question, label="Try")
    llm = "llm" in assistant.modes
    c.mode = gr.Radio(
        [("Quotes only (offline)", "extractive"), ("Written by a language model, checked", "llm")]
        if llm
        else [("Quotes only (offline)", "extractive")],
        value=assistant.settings.mode or "extractive",
        label="Answer mode",
        elem_id="mode",
        visible=llm,
    )
    with gr.Accordion("Filters", open=False, elem_id="filters"):
        c.docs = gr.CheckboxGroup(
            document_choices(assistant), label="Search only these documents", elem_id="filter-docs"
        )
        c.kinds = gr.CheckboxGroup(KINDS, label="Kind of source", elem_id="filter-kinds")
        c.as_of = gr.Textbox(
            label="Published by (YYYY-MM-DD): answer as of that day", elem_id="filter-as-of", max_lines=1
        )
    with gr.Accordion("Add documents", open=False, elem_id="add-documents"):
        c.upload = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload")
        c.add = gr.Button("Add to the corpus", size="sm", elem_id="add")
        c.added = gr.Markdown(elem_id="added")
    c.status = gr.Markdown(status_line(assistant), elem_id="status")
    return c


def _briefing_panel() -> list[Any]:
    """The briefing tab: a header, then each section in a panel of its own that folds away."""
    parts: list[Any] = [gr.Markdown("Press **Brief me** for a cited briefing on the corpus.", elem_id="brief-header")]
    for i in range(BRIEF_SECTIONS):
        with gr.Accordion(f"Section {i + 1}", open=True, elem_id=f"brief-section-{i}") as panel:
            parts.extend([panel, gr.Markdown(elem_id=f"brief-text-{i}")])
    return parts


def _sources_column() -> SimpleNamespace:
    """The sources panel and the export of the last answer."""
    s = SimpleNamespace()
    gr.Markdown("### Sources")
    s.sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
    with gr.Accordion("Export", open=False, elem_id="export"):
        s.markdown = gr.Textbox(label="Markdown", lines=8, buttons=["copy"], elem_id="export-md")
        s.download = gr.DownloadButton("Download (.md)", interactive=False, elem_id="download")
    return s


def _wire(actions: PageActions, turns: gr.State, c: SimpleNamespace, s: SimpleNamespace) -> None:
    """Connect the controls to the actions (the API names are what ``gradio_client`` calls)."""
    c.question.submit(
        actions.respond,
        [c.question, turns, c.chat, c.docs, c.kinds, c.mode, c.as_of],
        [c.question, turns, c.chat, s.sources, c.status, s.markdown, s.download],
        concurrency_limit=None,
        api_name="chat",
    )
    c.brief.click(actions.brief_me, [c.docs, c.kinds, c.as_of], [c.tabs, *c.briefing, s.sources], api_name="brief")
    # One ingest at a time: the index has a single writer.
    c.add.click(
        actions.add_files, [c.upload], [c.added, c.docs, c.status], concurrency_limit=1, api_name="add_documents"
    )
    c.clear.click(
        actions.clear, None, [turns, c.chat, s.sources, c.status, s.markdown, s.download], api_visibility="private"
    )
