"""The CLI, run in-process with an isolated corpus and index."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.interfaces.cli import app


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, seed_copy: Path, tmp_path: Path, light_env: None) -> Path:
    """The seeds in a writable folder, indexed on disk with the hashing embedder."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(seed_copy))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "cli-index"))
    return seed_copy


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ask_prints_answer_and_numbered_sources(cli_env: Path) -> None:
    code, out, _ = run("ask", "Why didn't Interpol suspend Russia?")
    assert code == 0
    assert "[1]" in out
    assert "Sources:" in out
    assert "characters" in out


def test_ask_json_schema(cli_env: Path) -> None:
    code, out, _ = run("ask", "--json", "What is a diffusion?")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"id", "question", "answer", "refused", "mode", "citations", "timings_ms"}
    assert data["mode"] == "extractive"
    citation = data["citations"][0]
    assert set(citation) >= {"n", "source_id", "path", "title", "outlet", "date", "quote", "start", "end"}
    text = (cli_env / citation["path"]).read_text(encoding="utf-8")
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert "total" in data["timings_ms"]


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2(cli_env: Path, question: str) -> None:
    code, _, err = run("ask", question)
    assert code == 2
    assert "empty" in err


def test_batch_answers_every_line_in_order(cli_env: Path, tmp_path: Path) -> None:
    lines = [
        {"id": "a", "question": "What is a diffusion?"},
        {
            "id": "b",
            "question": "Who can no longer send them directly?",
            "history": [{"question": "What is a diffusion?"}],
        },
        {"id": 3, "question": "What is the capital of Australia?"},
        {"id": "bad", "question": "   "},
    ]
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    code, out, _ = run("ask", "--json", "--batch", str(batch))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", "b", 3, "bad", 5]
    assert "NCB Moscow" in results[1]["answer"]
    assert results[2]["refused"] is True
    assert "empty" in results[3]["error"]
    assert "line 5" in results[4]["error"]


def test_missing_batch_file_exits_2(cli_env: Path, tmp_path: Path) -> None:
    code, _, err = run("ask", "--batch", str(tmp_path / "nope.jsonl"))
    assert code == 2
    assert "cannot read" in err


def test_ingest_reports_and_is_incremental(cli_env: Path) -> None:
    code, out, _ = run("ingest")
    assert code == 0
    assert "added 5" in out
    assert re.search(r"left out \d+ furniture passages in [23] files", out), out
    code, out, _ = run("ingest")
    assert "unchanged 5" in out
    assert "embedded 0 chunks" in out
    assert "furniture" not in out, "nothing was read again"


def test_explain_shows_what_cleaning_kept_marked_and_left_out(cli_env: Path) -> None:
    page = next(cli_env.glob("004_*.txt"))
    code, out, _ = run("ingest", "--explain", str(page))
    assert code == 0, out
    text = page.read_text(encoding="utf-8")
    rows = [line.split(None, 3) for line in out.splitlines()[1:]]
    assert {row[0] for row in rows} >= {"kept", "marked", "left"}
    left_out = [line for line in out.splitlines() if line.lstrip().startswith("left out")]
    assert any("Thank you! Your submission has been received!" in line for line in left_out)
    start, end = (int(x) for x in left_out[0].split()[3].split("–"))
    assert text[start:end] == "I would like to help today and donate"
    assert not (cli_env.parent / "cli-index").exists(), "explaining indexes nothing"
    code, _, err = run("ingest", "--explain", str(cli_env / "missing.txt"))
    assert code == 2
    assert "missing.txt" in err


def test_empty_corpus_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cli_env: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(empty))
    code, _, err = run("ask", "What is a diffusion?")
    assert code == 2
    assert "no documents" in err


def test_bad_filter_exits_2(cli_env: Path) -> None:
    code, _, err = run("ask", "--date-from", "last week", "What is a diffusion?")
    assert code == 2
    assert "bad filter" in err


def test_brief_prints_a_cited_briefing(cli_env: Path) -> None:
    code, out, _ = run("brief")
    assert code == 0
    assert "## Who's who" in out
    assert "## Timeline" in out
    code, out, _ = run("brief", "--json", "--only", "official")
    assert code == 0
    briefing = json.loads(out)
    assert briefing["documents"] == 2


def test_ask_filters_by_voice_and_date(cli_env: Path) -> None:
    code, out, _ = run("ask", "--json", "--only", "official", "Why didn't Interpol suspend Russia?")
    assert code == 0
    answer = json.loads(out)
    assert answer["citations"]
    assert {c["kind"] for c in answer["citations"]} == {"official_statement"}
    code, out, _ = run("ask", "--json", "--as-of", "2018-12-31", "Why didn't Interpol suspend Russia?")
    assert code == 0
    assert all(c["date"] < "2019" for c in json.loads(out)["citations"])
    code, _, err = run("ask", "--only", "bloggers", "Why?")
    assert code == 2
    assert "unknown --only" in err


def test_ask_format_md_writes_a_fact_check_memo(cli_env: Path) -> None:
    code, out, _ = run("ask", "--format", "md", "What did Ted Bromund say about the Executive Committee?")
    assert code == 0
    assert out.startswith("# Fact-check memo")
    assert "Exported: " in out
    assert "- Speaker: Ted R. Bromund, Heritage Foundation (direct quote)" in out
    assert "characters" in out
    assert "- URL: " in out


def test_refusals_stay_correct_under_a_voice_filter(cli_env: Path) -> None:
    code, out, _ = run("ask", "--json", "--only", "official", "What did Ted Bromund say about the Executive Committee?")
    assert code == 0
    assert json.loads(out)["refused"]  # only the press quotes him
    code, out, _ = run("ask", "--json", "--only", "press", "What did Ted Bromund say about the Executive Committee?")
    answer = json.loads(out)
    assert not answer["refused"]
    assert {c["kind"] for c in answer["citations"]} <= {"news", "op_ed"}


def test_a_missing_answer_model_is_a_clear_error(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.answer import ranker

    missing, load = cli_env / "no-model.json", ranker.load_model
    monkeypatch.setattr(ranker, "load_model", lambda: load(missing))  # build_assistant imports it when it runs
    code, _, err = run("ask", "What is a diffusion?")
    assert code == 2
    assert "answer model" in err
    assert "make train" in err


def test_render_lists_each_written_sentence_with_its_check() -> None:
    from assistant.interfaces.text import render
    from tests.interfaces.test_ui import _llm_answer

    text = render(_llm_answer())
    assert "Checked: 1 of 2 sentences supported by their sources." in text
    assert "1. supported by [1]: names found: Moscow, NCB; no contradiction cue" in text
    assert "2. unsupported: negated in the quote only ('no')" in text
    assert "characters 0-98" in text


def test_chat_keeps_the_conversation_and_starts_over_on_new(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.service import Assistant

    histories: list[list[str]] = []
    ask = Assistant.ask

    def spy(self: Assistant, question: str, history: Any = None, *args: Any, **kwargs: Any) -> Any:
        histories.append([t.question for t in history or []])
        return ask(self, question, history, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask", spy)
    said = "What is a diffusion?\nWho can send them directly?\n\n/new\nWhy didn't Interpol suspend Russia?\n/quit\n"
    result = CliRunner().invoke(app, ["chat"], input=said)
    assert result.exit_code == 0, result.stderr
    assert histories == [[], ["What is a diffusion?"], []]
    assert result.stdout.count("Sources:") == 3
    assert "New conversation." in result.stdout
    assert "documents" in result.stdout.splitlines()[0]


def test_chat_ends_at_end_of_input_and_rejects_an_unknown_mode(cli_env: Path) -> None:
    assert CliRunner().invoke(app, ["chat"], input="").exit_code == 0
    code, _, err = run("chat", "--mode", "poetry")
    assert code == 2
    assert "unknown mode" in err


def test_serve_refuses_to_bind_beyond_loopback_without_a_login(cli_env: Path) -> None:
    code, _, err = run("serve", "--host", "0.0.0.0", "--port", "1")
    assert code == 2
    assert "ASSISTANT_AUTH" in err
