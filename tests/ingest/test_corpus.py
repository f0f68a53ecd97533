from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.corpus import (
    CorpusError,
    build_document,
    decode,
    infer_date,
    infer_title,
    load_corpus,
    load_examples,
    scan,
)

ROOT = Path(__file__).resolve().parents[2]


def test_seed_corpus_bytes_match_shared_seeds() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for seed in shared.iterdir():
        assert (ROOT / "corpus" / seed.name).read_bytes() == seed.read_bytes()


def test_seed_metadata_is_complete() -> None:
    files, metadata, warnings = load_corpus(ROOT / "corpus")
    assert warnings == []
    docs = {f.rel: build_document(f, metadata.get(f.rel)).meta for f in files}
    assert len(docs) == 5
    assert docs["002_76ed5c8f565d0e67.txt"].title == "Ukraine: INTERPOL General Secretariat statement"
    assert docs["002_76ed5c8f565d0e67.txt"].date == "2022-03-10"
    assert docs["000_a047a924873d7924.txt"].author == "Carl Prine"
    assert docs["000_a047a924873d7924.txt"].outlet == "Coffee or Die Magazine"
    assert docs["004_6c588545a29af66f.txt"].date == "2017-12-19"
    assert docs["003_843109544dbca18f.txt"].kind == "op_ed"
    assert {d.kind for d in docs.values()} == {"news", "official_statement", "op_ed", "ngo_news"}


def test_file_without_metadata_gets_title_and_date_from_text(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("A Title Line\n\nPublished 3 April 2021. Interpol met in Lyon.\n")
    files, metadata, _ = load_corpus(tmp_path)
    meta = build_document(files[0], metadata.get("note.txt")).meta
    assert (meta.title, meta.date, meta.kind) == ("A Title Line", "2021-04-03", "document")


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("March 12, 2022Carl Prine", "2022-03-12"),
        ("editor - December 19, 2017 - #INTERPOL", "2017-12-19"),
        (" date 2022-03-12 To prevent", "2022-03-12"),
        ("10 March 2022", "2022-03-10"),
        ("Feb. 24, 2022", "2022-02-24"),
        ("No date here", None),
        ("Profile\n\nAfter the election, the attacks on 11 September 2001 " + "heightened concern " * 4, None),
        ("A Title\n\n" + "Prose that runs on " * 8 + "\n12 March 2022\n", "2022-03-12"),
    ],
)
def test_infer_date(text: str, date: str | None) -> None:
    assert infer_date(text) == date


def test_infer_title_skips_scraped_prefix() -> None:
    assert infer_title("\n date 2022-03-12 To prevent misuse.") == "To prevent misuse."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(128, 256)) * 20, "not valid UTF-8"),
    ],
)
def test_decode_rejects_bad_files_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode(data)


def test_decode_keeps_a_stray_latin1_byte() -> None:
    text = "Arsenal beat Chelsea at the Stade de France. " * 10 + "The café was full."
    assert decode(text.encode("latin-1")) == text


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        scan(tmp_path / "nope")


def test_symlink_outside_corpus_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Private text that must not be indexed.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(outside)
    files, warnings = scan(corpus)
    assert files == []
    assert "link.txt" in warnings[0]
    assert "outside" in warnings[0]


def test_bad_metadata_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.yaml").write_text("- just\n- a list\n")
    with pytest.raises(CorpusError, match=r"metadata\.yaml"):
        load_corpus(tmp_path)


def test_example_questions_come_from_the_corpus_folder(tmp_path: Path) -> None:
    assert load_examples(tmp_path) == []
    (tmp_path / "examples.yaml").write_text('- "What  was\n decided?"\n- Who asked?\n', encoding="utf-8")
    assert load_examples(tmp_path) == ["What was decided?", "Who asked?"]
    assert "examples.yaml" not in {f.rel for f in scan(tmp_path)[0]}
    for bad in ("{a: 1}", "- [nested]", "- ''", ":\n\t:"):
        (tmp_path / "examples.yaml").write_text(bad, encoding="utf-8")
        with pytest.raises(CorpusError, match=r"examples\.yaml"):
            load_examples(tmp_path)


def test_the_seed_corpus_suggests_its_own_questions() -> None:
    assert "What is a diffusion?" in load_examples(ROOT / "corpus")
