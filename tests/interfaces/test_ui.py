"""The chat page: escaping in unit tests, then the real page in Debian's Chromium via Playwright."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from assistant import Answer, Assistant
from assistant.brief.briefing import sections
from assistant.interfaces.ui import PageActions, build_ui, escape, to_markdown
from assistant.types import Citation
from tests.conftest import ARTIFACTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_escape_neutralises_markdown_and_html() -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) & ok'
    escaped = escape(hostile)
    assert re.search(r"(?<!\\)[<>\[\]()&\"]", escaped) is None
    assert escaped.replace("\\", "") == hostile.replace("\\", "")


def test_citation_markers_link_to_the_sources_panel() -> None:
    answer = Answer(
        question="q",
        answer="A quote. [1]",
        refused=False,
        citations=[Citation(n=1, source_id="x", path="x", title="t", kind="news", quote="A quote.", start=0, end=8)],
    )
    assert "[**[1]**](#src-1)" in to_markdown(answer)


def _llm_answer() -> Answer:
    from assistant.types import AnswerSentence

    quote = "Effective immediately, diffusions can no longer be sent directly by NCB Moscow to member countries."
    return Answer(
        question="q",
        answer="NCB Moscow can no longer send diffusions directly. [1] [unsupported] They can now be sent.",
        refused=False,
        mode="llm",
        citations=[Citation(n=1, source_id="x", path="x", title="t", kind="news", quote=quote, start=0, end=98)],
        sentences=[
            AnswerSentence(
                text="NCB Moscow can no longer send diffusions directly.",
                supported=True,
                citations=[1],
                check="names found: Moscow, NCB; no contradiction cue",
            ),
            AnswerSentence(text="They can now be sent.", supported=False, check="negated in the quote only ('no')"),
        ],
    )


def test_llm_answers_show_why_each_sentence_passed_or_failed() -> None:
    shown = to_markdown(_llm_answer()).replace("\\", "")  # markdown escapes
    assert "1. supported: names found: Moscow, NCB; no contradiction cue" in shown
    assert "2. unsupported: negated in the quote only" in shown


def test_refusal_is_shown_differently() -> None:
    shown = to_markdown(Answer(question="q", answer="The corpus does not answer this question.", refused=True))
    assert shown.startswith("> **Not in the corpus.**")


def test_ui_builds_over_the_service(light_seed_assistant: Assistant) -> None:
    page = build_ui(light_seed_assistant)
    assert isinstance(page, gr.Blocks)
    assert "Why didn't Interpol suspend Russia?" in json.dumps(page.get_config_file(), default=str)


def test_brief_me_opens_the_briefing_tab_with_a_panel_per_section(light_seed_assistant: Assistant) -> None:
    tabs, header, *parts, cards = PageActions(light_seed_assistant).brief_me([], [], [])
    assert tabs.selected == "briefing"
    assert "5 documents" in header
    panels, texts = parts[0::2], parts[1::2]
    briefing = light_seed_assistant.brief()
    assert [p.label for p in panels] == [f"{title} ({len(rows)})" for title, rows in sections(briefing)]
    message = "\n".join(texts)
    numbers = set(re.findall(r"\[\*\*\[(\d+)\]\*\*\]\(#src-\1\)", message))
    assert len(numbers) >= 10, message[:500]
    assert {n for n in numbers if f"id='src-{n}'" not in cards} == set(), "a number without its card"
    assert "## Sources" not in message, "the page lists the sources in its panel, not in the briefing"
    assert escape(briefing.who[0].citation.quote) in message, "quotes are escaped for the page's Markdown"


def test_the_examples_come_from_the_corpus_not_the_code(make_light_assistant: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bridge.txt").write_text("Bridge repairs\n\nThe council repaired the old bridge in May 2021.\n")
    page = json.dumps(build_ui(make_light_assistant(corpus)).get_config_file(), default=str)
    assert "Interpol" not in page
    assert "Try" not in page
    (corpus / "examples.yaml").write_text('- "When was the bridge repaired?"\n', encoding="utf-8")
    assert "When was the bridge repaired?" in json.dumps(
        build_ui(make_light_assistant(corpus)).get_config_file(), default=str
    )


# -- the real page -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):  # type: ignore[attr-defined]
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server) or r.url.startswith("data:") else page.outside.append(r.url),
    )
    page.goto(live_server)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def ask(page: Any, question: str) -> None:
    before = page.locator("#chat .message-row, #chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll(\"#chat .message-row, #chat [data-testid='bot']\").length > n", arg=before
    )
    page.wait_for_function("() => !document.querySelector('#chat .generating, .progress-text')", timeout=30_000)
    page.wait_for_timeout(300)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)


def test_answer_with_citations_and_highlighted_sources(page: Any, live_server: str) -> None:
    question = "Why didn't Interpol suspend Russia?"
    ask(page, question)
    page.wait_for_selector("#sources .src-card")
    expected = httpx.post(f"{live_server}/api/ask", json={"question": question}, timeout=30).json()
    markers = page.locator("#chat a[href^='#src-']")
    assert markers.count() == len(expected["citations"]) >= 1
    for citation in expected["citations"]:
        mark = page.locator(f"#src-{citation['n']} mark")
        assert mark.inner_text().strip() == citation["quote"]
    assert "Offline" in page.inner_text("#status")
    assert "ms" in page.inner_text("#status")
    shot(page, "answer")

    last = len(expected["citations"])
    page.locator(f"#chat a[href='#src-{last}']").first.click()
    page.wait_for_function(f"() => document.getElementById('src-{last}').classList.contains('active')")

    with page.context.expect_page() as opened:
        page.locator(f"#src-{last} a.open-doc").click()
    document = opened.value
    document.wait_for_load_state()
    assert document.locator("mark#quote").inner_text() == expected["citations"][-1]["quote"]
    in_view = "() => { const r = document.querySelector('mark#quote').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"  # noqa: E501
    assert document.evaluate(in_view), "the quote is scrolled into view"
    document.screenshot(path=str(ARTIFACTS / "ui-document.png"))


def test_brief_me_opens_the_briefing_in_its_own_tab(page: Any, live_server: str) -> None:
    page.click("#brief")
    page.wait_for_selector("#briefing-tab #brief-text-1 li")
    assert page.locator("#briefing-tab").is_visible()
    assert not page.locator("#chat").is_visible(), "the briefing has a tab of its own, not a chat bubble"
    labels = page.locator("#briefing-tab .label-wrap").all_inner_texts()
    assert any(label.startswith("Who's who (") for label in labels), labels
    briefing = httpx.post(f"{live_server}/api/brief", json={}, timeout=60).json()
    first = briefing["who"][0]["citation"]
    assert first["quote"] in page.locator("#brief-text-1").inner_text()
    page.wait_for_selector(f"#sources #src-{first['n']}")
    page.locator("#briefing-tab .label-wrap").nth(1).click()  # a section folds away
    page.wait_for_function(
        "() => !document.querySelector('#brief-text-1') || !document.querySelector('#brief-text-1').offsetParent"
    )
    shot(page, "briefing")


def test_the_chat_grows_with_the_window(browser: Any, live_server: str) -> None:
    heights = []
    for height in (800, 1200):
        context = browser.new_context(viewport={"width": 1400, "height": height})
        tab = context.new_page()
        tab.goto(live_server)
        tab.wait_for_selector("#chat")
        heights.append(tab.locator("#chat").bounding_box()["height"])
        context.close()
    assert heights[1] > heights[0] + 300, heights


def test_follow_up_and_new_conversation(page: Any) -> None:
    ask(page, "What is a diffusion?")
    ask(page, "Who can no longer send them directly?")
    assert "NCB Moscow" in page.locator("#chat").inner_text()
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#sources .src-card')")
    assert "NCB Moscow" not in page.locator("#chat").inner_text()


def test_refusal(page: Any) -> None:
    ask(page, "Did Interpol suspend Belarus?")
    chat = page.locator("#chat").inner_text()
    assert "Not in the corpus." in chat
    assert "does not answer this question" in chat
    assert "Closest passages in the corpus (they do not answer the question)" in chat
    sources = page.locator("#sources").inner_text()
    assert "they do not answer the question" in sources
    assert 1 <= page.locator("#sources .src-card").count() <= 3
    shot(page, "refusal")


def test_export(page: Any) -> None:
    ask(page, "How many checks are made against INTERPOL's databases every minute?")
    page.click("#export button, #export .label-wrap")
    markdown = page.locator("#export-md textarea").input_value()
    assert markdown.startswith("# Fact-check memo")
    assert "## Sources" in markdown
    assert "9,000" in markdown
    assert "characters" in markdown
    assert "- Speaker: " in markdown
    assert "Exported: " in markdown
    with page.expect_download() as download:
        page.click("#download")
    path = download.value.path()
    assert "9,000" in Path(path).read_text(encoding="utf-8")


def test_hostile_markup_runs_nothing(page: Any) -> None:
    ask(page, "What about the zebra crossings?")
    page.wait_for_selector("#sources .src-card")
    shown = page.locator("#sources").inner_text()
    assert "<script>" in shown or "<img src=x" in shown, "the markup is shown as text"
    shot(page, "hostile-document")
    ask(page, '<img src=x onerror="window.__xss=3"> [x](javascript:alert(4)) zebra crossings?')
    page.wait_for_timeout(500)
    shot(page, "hostile")
    assert page.dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#chat a[href*='203.0.113.9']").count() == 0
    for selector in [
        "#chat img[src='x']",
        "#sources img",
        "#chat script",
        "#sources script",
        "a[href^='javascript']",
        "#sources b",
    ]:
        assert page.locator(selector).count() == 0, selector
    assert "<img src=x" in page.locator("#chat").inner_text()
    assert page.outside == []


@pytest.mark.llm
def test_page_in_llm_mode(browser: Any, llama_server: Any, tmp_path: Path) -> None:
    """With OPENAI_BASE_URL set the page offers the LLM mode and shows a checked, cited answer."""
    from tests.conftest import SEED_CORPUS, AppServer

    app = AppServer(tmp_path, SEED_CORPUS, OPENAI_BASE_URL=llama_server.url, OPENAI_MODEL="smollm2")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(app.url)
        page.wait_for_selector("#question textarea")
        assert page.locator("#mode input[value='llm']").is_checked()
        ask(page, "Who was Russia's candidate to head Interpol?")
        page.wait_for_selector("#sources .src-card", timeout=120_000)
        status = page.inner_text("#status")
        assert "llm mode" in status or "extractive mode" in status
        assert page.locator("#chat a[href^='#src-']").count() >= 1
        shot(page, "llm")
    finally:
        context.close()
        app.stop()


def test_exports_survive_concurrent_answers() -> None:
    """Many answers at once write and prune download files without failing one another."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.interfaces.ui import Exports

    exports = Exports(kept=20)
    with ThreadPoolExecutor(16) as pool:
        paths = list(pool.map(lambda i: exports.write(f"answer {i}"), range(400)))
    assert len(set(paths)) == 400
    kept = list(Path(paths[-1]).parent.glob("answer-*.md"))
    assert len(kept) == 20
    assert Path(paths[-1]) in kept
