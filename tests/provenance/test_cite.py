from __future__ import annotations

from pathlib import Path

from assistant.answer.extractive import Claim, Draft
from assistant.provenance.cite import check_citation, compose
from assistant.types import Citation, Evidence
from tests.conftest import make_evidence


def _evidence(path: Path, source: str, quote: str) -> Evidence:
    return make_evidence(source, path.read_text(encoding="utf-8").index(quote), quote, title="T")


def test_compose_numbers_quotes_and_groups_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One fact. Two facts.")
    (tmp_path / "b.txt").write_text("Other view.")
    quotes = [
        _evidence(tmp_path / "a.txt", "a.txt", "One fact."),
        _evidence(tmp_path / "a.txt", "a.txt", "Two facts."),
        _evidence(tmp_path / "b.txt", "b.txt", "Other view."),
    ]
    text, citations, sentences = compose(
        Draft(claims=[Claim(text=q.text, evidence=[q]) for q in quotes], refused=False)
    )
    assert text == "One fact. [1] Two facts. [2]\n\nOther view. [3]"
    assert [s.citations for s in sentences] == [[1], [2], [3]]
    assert all(s.supported for s in sentences)
    assert [c.n for c in citations] == [1, 2, 3]
    assert all(check_citation(c, tmp_path) is None for c in citations)


def test_check_citation_catches_a_wrong_offset(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One fact. Two facts.")
    citation = Citation(
        n=1, source_id="a.txt", path="a.txt", title="T", kind="news", quote="One fact.", start=1, end=10
    )
    assert "differs" in (check_citation(citation, tmp_path) or "")
    outside = citation.model_copy(update={"path": "../secret.txt"})
    assert "outside" in (check_citation(outside, tmp_path) or "")


def test_written_claims_are_flagged_when_unsupported(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One fact. Two facts.")
    fact = _evidence(tmp_path / "a.txt", "a.txt", "One fact.")
    draft = Draft(
        claims=[Claim("There is one fact.", [fact]), Claim("The moon is cheese.", [], supported=False)],
        refused=False,
        verbatim=False,
    )
    text, citations, sentences = compose(draft)
    assert text == "There is one fact. [1] [unsupported] The moon is cheese."
    assert [c.quote for c in citations] == ["One fact."]
    assert [(s.supported, s.citations) for s in sentences] == [(True, [1]), (False, [])]
