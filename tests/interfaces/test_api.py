"""The HTTP API and Gradio's own API, against a real ``python app.py`` server."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from tests.conftest import ARTIFACTS, SEED_CORPUS

SCHEMA = {"id", "question", "answer", "refused", "mode", "citations", "timings_ms"}
CITATION = {"n", "source_id", "path", "title", "outlet", "date", "quote", "start", "end"}

# Questions with a fact only their own answer contains, so a mixed-up answer is caught.
LOAD_QUESTIONS = [
    ("How many checks are made against INTERPOL's databases every minute?", "9,000"),
    ("Who was Russia's candidate to head Interpol?", "Prokopchuk"),
    ("Since when has Fair Trials been campaigning on INTERPOL?", "2012"),
    ("Who is Ted R. Bromund?", "Heritage Foundation"),
    ("Where did Russia rank in the Press Freedom Index in 2021?", "150 out of 180"),
    ("Which former Soviet states issued abusive alerts against journalists in Ukraine?", "Azerbaijan"),
    ("What did the National Central Bureau in Ukraine decide?", "disconnect"),
    ("How many member countries does INTERPOL have?", "195"),
    ("Who from Fair Trials met INTERPOL representatives in Lyon?", "Jago Russell"),
    ("What did British officials do about extradition agreements with the Kremlin?", "nixed"),
]


def test_health_and_sources(live_server: str) -> None:
    health = httpx.get(f"{live_server}/api/health").json()
    assert health["status"] == "ok"
    assert health["documents"] == 6
    assert health["passages"] > 40
    assert health["mode"] == "extractive"
    sources = httpx.get(f"{live_server}/api/sources").json()
    assert {s["source_id"] for s in sources} >= {p.name for p in SEED_CORPUS.glob("*.txt")}
    assert all({"title", "outlet", "date", "kind", "path"} <= set(s) for s in sources)


def test_ask_returns_the_cli_schema(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}/api/ask",
        json={"question": "Who can no longer send them directly?", "history": ["What is a diffusion?"], "id": 7},
        timeout=30,
    )
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) >= SCHEMA
    assert answer["id"] == 7
    assert "NCB Moscow" in answer["answer"]
    for c in answer["citations"]:
        assert set(c) >= CITATION
        assert (SEED_CORPUS / c["path"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]


def test_ask_with_filters(live_server: str) -> None:
    answer = httpx.post(
        f"{live_server}/api/ask",
        json={"question": "What did Interpol do about Russia?", "filters": {"kinds": ["official_statement"]}},
        timeout=30,
    ).json()
    assert answer["citations"]
    assert {c["kind"] for c in answer["citations"]} == {"official_statement"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"question": "   "}, 400, "empty"),
        ({}, 422, "question"),
        ({"question": 5}, 422, "question"),
        ({"question": "x", "filters": {"date_from": "yesterday"}}, 422, "date_from"),
        ({"question": "x", "history": [{"nope": 1}]}, 400, "History"),
    ],
)
def test_bad_input_gets_4xx_with_a_message(
    live_server: str, body: dict[str, object], status: int, message: str
) -> None:
    response = httpx.post(f"{live_server}/api/ask", json=body, timeout=30)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_not_json_gets_4xx(live_server: str) -> None:
    response = httpx.post(f"{live_server}/api/ask", content=b"\xff\x00not json", timeout=30)
    assert 400 <= response.status_code < 500


def test_document_page_is_escaped_and_highlighted(live_server: str) -> None:
    page = httpx.get(f"{live_server}/document/zz_hostile_markup.txt", params={"start": 0, "end": 24}).text
    assert "<script>window" not in page
    assert "&lt;script&gt;" in page
    assert '<mark id="quote">Hostile markup test page</mark>' in page
    assert httpx.get(f"{live_server}/document/../../etc/passwd").status_code == 404
    assert httpx.get(f"{live_server}/document/nope.txt").status_code == 404


def test_gradio_client(live_server: str) -> None:
    client = Client(live_server, verbose=False)
    result = client.predict("What is a diffusion?", [], [], [], "extractive", "", api_name="/chat")
    chat = result[1]
    assert chat[-1]["role"] == "assistant"
    text = json.dumps(chat[-1]["content"])
    assert "[1]" in text
    assert "diffusion" in text
    assert "src-card" in result[2]


def test_sixteen_concurrent_clients(live_server: str) -> None:
    """16 clients x 10 questions: no errors, and every answer belongs to its own question."""

    def client(worker: int) -> list[float]:
        latencies = []
        with httpx.Client(base_url=live_server, timeout=60) as http:
            for i in range(10):
                question, fact = LOAD_QUESTIONS[(worker + i) % len(LOAD_QUESTIONS)]
                started = time.perf_counter()
                response = http.post("/api/ask", json={"question": question, "id": f"{worker}-{i}"})
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                answer = response.json()
                assert answer["id"] == f"{worker}-{i}"
                assert answer["question"] == question
                assert fact in answer["answer"], (question, answer["answer"])
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        latencies = sorted(ms for worker in pool.map(client, range(16)) for ms in worker)
    elapsed = time.perf_counter() - started
    assert len(latencies) == 160
    report = {
        "clients": 16,
        "questions": 160,
        "errors": 0,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
        "answers_per_second": round(160 / elapsed, 1),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    Path(ARTIFACTS / "load-16x10.json").write_text(json.dumps(report, indent=2))
    print(report)


def test_brief_endpoint(live_server: str) -> None:
    response = httpx.post(f"{live_server}/api/brief", json={"filters": {"kinds": ["official_statement"]}}, timeout=60)
    assert response.status_code == 200
    body = response.json()
    assert body["documents"] == 2
    assert any(line["heading"] == "NCB Moscow" for line in body["who"])
    bad = httpx.post(f"{live_server}/api/brief", json={"filters": {"kinds": ["blog"]}}, timeout=60)
    assert bad.status_code == 422
    assert "error" in bad.json()


def test_gradio_client_brief_and_add_documents(live_server: str, tmp_path: Path) -> None:
    from gradio_client import handle_file

    client = Client(live_server, verbose=False)
    # The client gets the page's text outputs (the tab and its panels are layout): header, sections, sources.
    header, *sections, sources = client.predict([], [], "", api_name="/brief")
    assert "documents" in header
    assert len(sections) == 6
    assert "src-card" in sources
    page = "\n".join(sections)
    briefing = httpx.post(f"{live_server}/api/brief", json={}, timeout=60).json()
    quotes = [row["citation"] for name in ("about", "who", "timeline", "open_questions") for row in briefing[name]]
    assert quotes
    for c in quotes:  # the page shows the briefing the JSON gives, number for number
        assert f"[**[{c['n']}]**](#src-{c['n']})" in page, c
        assert f"id='src-{c['n']}'" in sources
    upload = tmp_path / "notes.md"
    upload.write_text("Ghent zoo notes\n\nThe giraffe enclosure in Ghent was rebuilt by the city zoo in 2019.\n")
    added, _, _ = client.predict([handle_file(str(upload))], api_name="/add_documents")
    assert "uploads/notes.md: added" in added.replace("\\", "")
    answer = httpx.post(
        f"{live_server}/api/ask", json={"question": "Who rebuilt the giraffe enclosure in Ghent?"}, timeout=60
    )
    assert "uploads/notes.md" in {c["source_id"] for c in answer.json()["citations"]}
