from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.ingest.clean import segment, split_sentences
from assistant.ingest.corpus import decode
from assistant.ingest.extract import extract

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
BBC = ROOT.parent / "shared" / "corpora" / "bbc"

FURNITURE = [
    "Thank you! Your submission has been received!",
    "Oops! Something went wrong",
    "I would like to help today and donate",
    "sign up to our newsletter",
    "Dear Jack: Which Historic Battle",
    "West Point Time Capsule",
    "Ouija",
    "click to share",
    "All Rights Reserved",
    "Privacy Policy",
    "Read Next:",
    "please telephone Fair Trials’ press department",
    "Receive updates on our work",
    "More information about INTERPOL’s system of Notices and Diffusions is available here",
]


def _kept(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    return text, "\n".join(text[s.start : s.end] for s in segment(text) if s.kind != "furniture")


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_spans_are_exact_trimmed_slices_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spans = segment(text)
    assert spans, "every seed has content"
    for previous, span in itertools.pairwise(spans):
        assert previous.end <= span.start
    for span in spans:
        piece = text[span.start : span.end]
        assert piece
        assert piece == piece.strip()


@pytest.mark.parametrize("snippet", FURNITURE)
def test_furniture_is_never_kept(snippet: str) -> None:
    kept = "\n".join(_kept(p)[1] for p in SEEDS)
    assert snippet.lower() not in kept.lower()


PROSE_WITH_CUES = """Charity gift to flood victims

A bank has said it will donate more than $8m to victims of the floods.
The party received £2m in donations, its newsletter reported last week.
"Please donate what you can," the mayor said on Tuesday.
The commission says capping donations would mean taxpayers giving parties more cash. It made the case again.
"""

PAGE_FURNITURE = """Flood appeal

The river rose two metres overnight.
Donate now
Sign up to our newsletter for updates.
If you are a journalist, please call our press office on 020 7946 0000. Follow us on Twitter.
Related articles
A teaser for another story.
"""


def test_running_prose_with_furniture_words_is_kept() -> None:
    kinds = {PROSE_WITH_CUES[s.start : s.end]: s.kind for s in segment(PROSE_WITH_CUES)}
    assert "furniture" not in kinds.values()
    assert kinds["A bank has said it will donate more than $8m to victims of the floods."] == "body"


def test_standalone_calls_to_action_and_the_tail_are_left_out_as_furniture() -> None:
    spans = segment(PAGE_FURNITURE)
    left_out = [PAGE_FURNITURE[s.start : s.end] for s in spans if s.kind == "furniture"]
    assert left_out[:3] == [
        "Donate now",
        "Sign up to our newsletter for updates.",
        "If you are a journalist, please call our press office on 020 7946 0000. Follow us on Twitter.",
    ]
    assert left_out[3].startswith("Related articles")
    assert left_out[3].endswith("another story.")
    kept = [PAGE_FURNITURE[s.start : s.end] for s in spans if s.kind == "body"]
    assert kept == ["The river rose two metres overnight."]


@pytest.mark.e2e  # every BBC article: a few seconds, so not in the unit run
def test_no_sentence_of_the_bbc_articles_is_left_out() -> None:
    """The BBC set is plain news text with no page furniture: cleaning must keep every sentence."""
    if not BBC.is_dir():
        pytest.fail("../shared/corpora/bbc is not beside this checkout")
    left_out = []
    for path in sorted(BBC.rglob("*.txt")):
        text = extract(path.suffix, path.read_bytes(), decode).text
        left_out += [f"{path.name}: {text[s.start : s.end][:80]}" for s in segment(text) if s.kind == "furniture"]
    assert len(list(BBC.rglob("*.txt"))) == 2225
    assert left_out == []


def test_real_text_next_to_furniture_is_kept() -> None:
    kept = "\n".join(_kept(p)[1] for p in SEEDS)
    assert "Fair Trials has been campaigning since 2012" in kept
    assert "Carl Prine is a former senior editor at Coffee or Die Magazine." in kept
    assert "We wait and watch." in kept


def test_captions_are_marked_and_their_credits_never_quoted() -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    spans = segment(text)
    kinds = {text[s.start : s.end]: s.kind for s in spans}
    assert kinds["Photo by Daniel Leal/AFP via Getty Images."] == "credit"
    assert kinds["Ukraine Ministry of Defense photo."] == "credit"
    assert kinds[
        "Following orders from Russian President Vladimir Putin, Russian forces invaded Ukraine Feb. 24, 2022."
    ] == ("caption")
    assert kinds["Bromund previously predicted this was exactly the easy path Interpol would take."] == "body"
    assert not any(s.quotable or s.indexed for s in spans if s.kind == "credit")


@pytest.mark.parametrize("authors", [[], ["Carl Prine"]], ids=["from the heading", "from the metadata"])
def test_the_authors_box_is_a_bio_not_story(authors: list[str]) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    bio = [text[s.start : s.end] for s in segment(text, authors) if s.kind == "bio"]
    assert bio[0] == "Carl Prine is a former senior editor at Coffee or Die Magazine."
    assert "He served in the Marine Corps and the Pennsylvania Army National Guard." in bio
    assert len(bio) == 4


def test_a_name_in_running_text_is_not_a_bio() -> None:
    text = "The council met on Monday.\n\nJane Roe is the mayor, officials said on Monday night.\n"
    assert [s.kind for s in segment(text, ["John Doe"])] == ["body", "body"]
    assert [s.kind for s in segment(text, ["Jane Roe"])] == ["body", "bio"]


def test_a_provenance_line_is_a_label() -> None:
    text = "SOURCE: github.com/example/repo path a.md (commit 0123)\n\nThe council met on Monday.\n"
    assert [s.kind for s in segment(text)] == ["label", "body"]


def test_scraped_prefixes_become_labels() -> None:
    text = SEEDS[1].read_text(encoding="utf-8")
    first = next(s for s in segment(text) if s.quotable)
    assert text[first.start : first.end].startswith("To prevent any potential misuse")
    fair = SEEDS[4].read_text(encoding="utf-8")
    labels = [fair[s.start : s.end] for s in segment(fair) if s.kind == "label"]
    assert labels == ["Interpol states"]


def test_headings_are_not_quotable() -> None:
    text = SEEDS[2].read_text(encoding="utf-8")
    headings = [text[s.start : s.end] for s in segment(text) if s.kind == "heading"]
    assert "Global databases" in headings
    assert all(not s.quotable for s in segment(text) if s.kind == "heading")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Forces invaded Ukraine Feb. 24, 2022. Then more.", ["Forces invaded Ukraine Feb. 24, 2022.", "Then more."]),
        ("Ted R. Bromund wrote. He said “No.” Then left.", ["Ted R. Bromund wrote.", "He said “No.”", "Then left."]),
        ("Mr Meng went. Mr. Stock stayed! Why? Because.", ["Mr Meng went.", "Mr. Stock stayed!", "Why?", "Because."]),
        ("No terminal punctuation", ["No terminal punctuation"]),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    text = "This long sentence was wrapped by an editor at a fixed width and\ncontinues on the next line. Next."
    spans = segment(text)
    assert next(text[s.start : s.end] for s in spans).endswith("next line.")
