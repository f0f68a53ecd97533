"""Adding files to the corpus folder: safe upload names, copies, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.add import copy_into_corpus, safe_name, store_uploads


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\evil.TXT", "evil.txt"),
        (".hidden.md", "hidden.md"),
        ("report (final) <b>.pdf", "report_final_b_.pdf"),
        ("", "upload"),
    ],
)
def test_upload_names_are_sanitised(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_uploads_never_overwrite_and_name_the_reason_for_a_refusal(tmp_path: Path) -> None:
    corpus, incoming = tmp_path / "corpus", tmp_path / "in"
    incoming.mkdir()
    (incoming / "note.txt").write_text("The bridge was repaired in May.\n", encoding="utf-8")
    (incoming / "tool.exe").write_bytes(b"MZ\x00")
    lines, accepted = store_uploads(corpus, [incoming / "note.txt", incoming / "tool.exe"])
    assert accepted == ["uploads/note.txt"]
    assert lines == ["tool.exe: not added, only .htm, .html, .md, .pdf, .text, .txt files are accepted"]
    assert store_uploads(corpus, [incoming / "note.txt"]) == (["note.txt: already in the corpus"], [])
    (incoming / "note.txt").write_text("Another note.\n", encoding="utf-8")
    assert store_uploads(corpus, [incoming / "note.txt"])[1] == ["uploads/note-2.txt"]
    assert (corpus / "uploads" / "note.txt").read_text(encoding="utf-8").startswith("The bridge")


def test_copies_keep_folders_and_skip_what_cannot_be_read(tmp_path: Path) -> None:
    source = tmp_path / "new" / "sub"
    source.mkdir(parents=True)
    (source / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (source / "b.docx").write_bytes(b"PK")
    warnings = copy_into_corpus(tmp_path / "corpus", [tmp_path / "new", tmp_path / "missing.txt"])
    assert (tmp_path / "corpus" / "new" / "sub" / "a.md").is_file()
    assert any("b.docx: skipped" in w for w in warnings)
    assert any("missing.txt: skipped, no such file" in w for w in warnings)
