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
    ],
)
def test_dates_keep_their_precision(sentence: str, document_date: str | None, expected: list[tuple[str, str]]) -> None:
    assert [(d.iso, d.precision) for d in dates_in(sentence, document_date)] == expected


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
