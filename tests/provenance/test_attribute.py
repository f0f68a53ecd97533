"""Who says what: speakers of quotes and reported statements."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.corpus import build_document, load_corpus
from assistant.provenance.attribute import Attributor
from assistant.types import Document, DocumentMeta

ROOT = Path(__file__).resolve().parents[2]


def _document(prefix: str) -> Document:
    files, metadata, _ = load_corpus(ROOT / "corpus")
    f = next(f for f in files if f.rel.startswith(prefix))
    return build_document(f, metadata.get(f.rel))


def _speakers(doc: Document) -> dict[str, tuple[str | None, str]]:
    attributor = Attributor(doc.meta, doc.text, doc.spans)
    out = {}
    for span in doc.spans:
        if span.quotable:
            a = attributor.attribution(span)
            out[doc.text[span.start : span.end]] = (a.speaker, a.basis)
    return out


def test_quoted_expert_with_affiliation_and_continued_quotes() -> None:
    speakers = _speakers(_document("000_"))
    bromund = ("Ted R. Bromund, Heritage Foundation", "direct quote")
    said = [s for s, who in speakers.items() if who == bromund]
    assert any(s.startswith("“It sounds like the Executive Committee") for s in said)
    assert any(s.endswith("” he said.") for s in said)  # "he" is the last person named
    assert "“Oversight measures will not have the same impact." in said  # the quote goes on, unattributed


def test_reported_statements_name_the_group_or_report() -> None:
    speakers = _speakers(_document("000_"))
    checks = next(s for s in speakers if s.startswith("So far in 2022, nearly 60,000 similar checks"))
    assert speakers[checks] == ("Interpol officials", "reported")
    freedom_house = next(s for s in speakers if s.startswith("A 2021 report from the British nonprofit Freedom House"))
    assert speakers[freedom_house] == ("Freedom House report", "reported")


def test_plain_narration_has_no_speaker_and_statements_speak_for_their_publisher() -> None:
    news = _speakers(_document("000_"))
    assert news["Bromund previously predicted this was exactly the easy path Interpol would take."][0] is None
    statement = _speakers(_document("002_"))
    assert set(statement.values()) == {("INTERPOL General Secretariat", "document")}


def test_pronouns_and_surnames_resolve_to_the_full_name() -> None:
    text = (
        "Jane Q. Public, a lawyer at the Open Courts Project, filed the appeal. "
        "“We will win,” she said. Later, Public told reporters the hearing was unfair."
    )
    meta = DocumentMeta(source_id="x.txt", path="x.txt", title="x", outlet="Daily", kind="news")
    from assistant.ingest.clean import segment

    speakers = _speakers(Document(meta=meta, text=text, fingerprint="f", spans=segment(text)))
    assert speakers["“We will win,” she said."] == ("Jane Q. Public, Open Courts Project", "direct quote")
    assert speakers["Later, Public told reporters the hearing was unfair."][0] == "Jane Q. Public, Open Courts Project"
