"""Rule-based names and dates."""

from __future__ import annotations

import pytest

from assistant.brief.entities import collect_entities, dates_in, names_in


@pytest.mark.parametrize(
    ("sentence", "document_date", "expected"),
    [
        ("Russian forces invaded Ukraine Feb. 24, 2022.", None, [("2022-02-24", "day")]),
        ("A statement sent Thursday, March 10, said so.", "2022-03-12", [("2022-03-10", "day")]),
        ("The defeat in the fall 2021 Interpol elections.", None, [("2021", "year")]),
        ("Fair Trials has been campaigning since 2012 to improve it.", None, [("2012", "year")]),
        ("It was issued on 10 and 12 March 2022.", None, [("2022-03-10", "day"), ("2022-03-12", "day")]),
        ("The vote is in November 2018.", None, [("2018-11", "month")]),
        ("As the Assembly sits today, there is a risk.", "2018-11", [("2018-11", "month")]),
        ("As the Assembly sits today, there is a risk.", None, []),
        ("Nothing dated here, only 9,000 checks a minute.", None, []),
        # A day or month without a year: the document's year, or none at all rather than a guess.
        ("The poll is widely expected on 5 May.", None, [("--05-05", "day-no-year")]),
        ("Voters must register by 11 March.", "2005-02-01", [("2005-03-11", "day")]),
        ("He recalled what he was told on 15 December.", "2005-01-10", [("2004-12-15", "day")]),
        ("Mr Smith quit in December after an inquiry.", None, [("--12", "month-no-year")]),
        ("In March the board resigned.", "2005-01-20", [("2005-03", "month")]),
        ("Prices may 5 times rise, or by may 5.", None, []),
    ],
)
def test_dates_keep_their_precision(sentence: str, document_date: str | None, expected: list[tuple[str, str]]) -> None:
    assert [(d.iso, d.precision) for d in dates_in(sentence, document_date)] == expected


def test_a_hyphenated_name_is_a_person_and_its_spellings_are_one() -> None:
    sentences = [
        ("a", 0, "On 25 November 2021, Ahmed Naser Al-Raisi was elected president."),
        ("a", 100, "Ahmed Naser Al-Raisi, an inspector general, led the police."),
        ("b", 0, "Critics opposed Ahmed Nase Al-Raisi at the vote."),
        ("b", 100, "Al-Raisi said nothing."),
        ("c", 0, "Alexander Prokopchuk of Russia ran against him."),
        ("c", 100, "Alexander Prokopchuk lost the vote."),
    ]
    entities = {e.name: e for e in collect_entities(sentences)}
    assert entities["Ahmed Naser Al-Raisi"].person
    assert len(entities["Ahmed Naser Al-Raisi"].mentions) == 4, entities.keys()
    assert "Alexander Prokopchuk of Russia" not in entities


def test_names_drop_titles_openers_and_possessives() -> None:
    names = names_in("Effective immediately, Secretary General Jürgen Stock’s office told NCB Moscow and Interpol.")
    assert names == ["Jürgen Stock", "NCB Moscow", "Interpol"]


def test_entities_merge_acronyms_case_and_surnames() -> None:
    sentences = [
        ("a", 0, "The Commission for the Control of Files (CCF) reviews files for INTERPOL."),
        ("a", 100, "Bromund previously predicted it, and the CCF agreed with Interpol."),
        ("b", 0, "“It is weak,” Ted R. Bromund, a scholar at the Heritage Foundation, wrote."),
    ]
    entities = {e.name: e for e in collect_entities(sentences)}
    assert len(entities["Commission for the Control of Files (CCF)"].mentions) == 2
    assert len(entities["INTERPOL"].mentions) == 2
    assert {s for s, _ in entities["Ted R. Bromund"].mentions} == {"a", "b"}
    assert "Bromund" not in entities


def test_a_name_keeps_its_inner_capitals() -> None:
    sentence = "Leonardo DiCaprio starred, and Sony said the PlayStation Portable and Paul McCartney's album sold."
    assert names_in(sentence) == ["Leonardo DiCaprio", "Sony", "PlayStation Portable", "Paul McCartney"]
    entities = collect_entities([("a", 0, sentence), ("a", 99, "Later DiCaprio won.")])
    dicaprio = next(e for e in entities if e.name == "Leonardo DiCaprio")
    assert dicaprio.person, "a capital inside a word does not stop a person's name"


def test_contractions_and_demonyms_name_no_one() -> None:
    assert names_in("He said: Now I've seen it all, and the Americans agreed with an American fan.") == []
