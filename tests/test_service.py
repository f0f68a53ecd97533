"""The Assistant service: uploads of user documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant import Assistant
from tests.ingest.test_extract import HTML, make_pdf


def test_uploads_are_checked_stored_safely_and_indexed(
    seed_copy: Path, tmp_path: Path, make_light_assistant: Callable[..., Assistant]
) -> None:
    assistant = make_light_assistant(corpus_dir=seed_copy)
    assistant.ingest(progress=False)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    files = {
        "zebra.html": HTML.encode(),
        "zebra-report.pdf": make_pdf("The zebra crossing in Lyon was repainted in May 2021 by the council."),
        "tool.exe": b"MZ\x90\x00",
        "fake.pdf": b"\x00\x01 not a pdf",
        "..%2F..%2Fescape.txt": b"Zebra escape attempt text.\n",
    }
    paths = []
    for name, data in files.items():
        (incoming / name).write_bytes(data)
        paths.append(incoming / name)
    report = assistant.upload(paths)
    assert "uploads/zebra.html: added" in report
    assert "uploads/zebra-report.pdf: added" in report
    assert "tool.exe: not added, only" in report
    assert "fake.pdf: not added, it is not a readable PDF" in report
    stored = sorted(p.relative_to(seed_copy).as_posix() for p in (seed_copy / "uploads").iterdir())
    assert stored == ["uploads/2F.._2Fescape.txt", "uploads/zebra-report.pdf", "uploads/zebra.html"]
    assert not list(tmp_path.glob("escape*"))  # nothing written outside the corpus folder
    answer = assistant.ask("Who repainted the zebra crossing in Lyon?")
    assert not answer.refused
    assert {c.source_id for c in answer.citations} & {"uploads/zebra.html", "uploads/zebra-report.pdf"}
    answer = assistant.ask("Who opened the zebra crossing in Lyon?")  # only the HTML page says
    html_citation = next(c for c in answer.citations if c.source_id == "uploads/zebra.html")
    assert html_citation.outlet == "The Lyon Daily"
    assert html_citation.url == "https://example.org/zebra"
    assert assistant.document_text("uploads/zebra.html")[html_citation.start : html_citation.end] == html_citation.quote
    assert "already in the corpus" in assistant.upload([incoming / "zebra.html"])
