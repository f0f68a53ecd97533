"""Question analysis: kinds, parts, focus, names by corpus use, and repaired misspellings."""

from __future__ import annotations

import pytest

from assistant.answer.question import analyse, question_kind, split_parts
from assistant.retrieval.lexical import LexicalIndex
from assistant.types import Chunk, DocumentMeta, Span

TEXT = (
    "Secretary General Jürgen Stock ordered heightened supervision. Ted R. Bromund, a scholar at the "
    "Heritage Foundation, said the Executive Committee was unwilling. The committee met in Lyon."
)


@pytest.fixture(scope="module")
def lexicon() -> LexicalIndex:
    meta = DocumentMeta(source_id="a.txt", path="a.txt", title="A")
    chunk = Chunk(id="a.txt#0", meta=meta, index=0, text=TEXT, spans=[Span(start=0, end=len(TEXT))])
    return LexicalIndex.from_texts([chunk.text])


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why didn't the committee act?", "why"),
        ("how come nobody acted", "why"),
        ("How many checks are made every minute?", "how_many"),
        ("When did the measures start?", "when"),
        ("In which city is the headquarters?", "where"),
        ("Who is the Secretary General?", "who"),
        ("What is a diffusion?", "definition"),
        ("What did the scholar say about the decision?", "said"),
        ("Summarise the statement", "summary"),
        ("Do the two versions of the statement differ?", "versions"),
        ("Do the sources agree on the number of members?", "comparison"),
        ("Did the committee suspend anyone?", "yesno"),
        ("measures taken in March", "what"),
    ],
)
def test_kinds_come_from_question_words(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_multi_part_questions_split_into_parts() -> None:
    assert split_parts("Who is Jürgen Stock and what did he order?") == ["Who is Jürgen Stock", "what did he order"]
    assert split_parts("Who ordered it? When did the measures start?") == [
        "Who ordered it",
        "When did the measures start",
    ]
    assert split_parts("What did Stock and Bromund say?") == []


def test_lower_case_names_are_names_when_the_corpus_capitalises_them(lexicon: LexicalIndex) -> None:
    question = analyse("who is jürgen stock", lexicon)
    assert {t.surface for t in question.entities} == {"jürgen", "stock"}
    assert question.unknown_entities == 0.0


def test_misspelt_words_are_read_as_the_nearest_corpus_word(lexicon: LexicalIndex) -> None:
    question = analyse("who is jurgen stok", lexicon)
    assert question.corrections == {"stok": "stock"}
    assert {t.stem for t in question.entities} >= {"jurgen", "stock"}
    assert "stock" in question.search_query
    assert analyse("what did ted bromnd say about the executive comittee", lexicon).corrections == {
        "bromnd": "bromund",
        "comittee": "committe",
    }


def test_names_the_corpus_never_uses_are_counted(lexicon: LexicalIndex) -> None:
    question = analyse("Did the committee suspend Belarus?", lexicon)
    assert question.unknown_entities == 1.0
    assert question.corrections == {}


def test_focus_is_the_thing_asked_about(lexicon: LexicalIndex) -> None:
    assert [t.surface for t in analyse("Which city hosted the committee?", lexicon).focus] == ["city"]
    assert [t.surface for t in analyse("How many checks were made?", lexicon).focus] == ["checks"]
    assert analyse("Why did the committee refuse?", lexicon).focus == []


def test_voice_and_author_questions(lexicon: LexicalIndex) -> None:
    official = analyse(
        "What did the General Secretariat say about it?", lexicon, official_names=["General Secretariat"]
    )
    assert official.voice == "official"
    assert analyse("What do critics say?", lexicon).voice == "others"
    assert analyse("Who wrote the story?", lexicon).about_author
    assert analyse("Who is Carl Prine?", lexicon, authors=["Carl Prine"]).about_author
    # What the author reported is the story, not the author's bio.
    assert not analyse("What did Carl Prine report about the committee?", lexicon, authors=["Carl Prine"]).about_author


def test_follow_ups_inherit_the_earlier_terms_but_not_as_names(lexicon: LexicalIndex) -> None:
    question = analyse("Who ordered them?", lexicon, previous="What did Jürgen Stock order?")
    assert question.search_query.startswith("What did Jürgen Stock order?")
    assert "stock" in {t.stem for t in question.terms}
    assert "stock" not in {t.stem for t in question.entities}
