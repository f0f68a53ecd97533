"""Event headings: the clause that says what happened at a date, with its subject, and a verb in it."""

from __future__ import annotations

from assistant.brief.headings import event_heading, near_words


def test_the_heading_is_the_clause_that_says_what_happened() -> None:
    text = "Following orders from the president, the army invaded the country Feb. 24, 2022."
    assert event_heading(text, "Feb. 24, 2022") == "the army invaded the country"
    text = "In November 2016, Anna Smith, a lawyer from the capital, was elected president of the body."
    assert event_heading(text, "November 2016") == "Anna Smith … was elected president of the body"
    assert event_heading("In 2017, for example.", "In 2017") is None, "no verb, no event"


def test_a_heading_has_a_verb_and_a_subject() -> None:
    text = "In November 2016, Anna Smith, a lawyer, was elected president, and will serve in this capacity until 2020."
    assert event_heading(text, "2020") == "Anna Smith … will serve in this capacity"
    text = "In May 2015, within the framework of the report, the Committee on Legal Affairs organized a hearing."
    assert event_heading(text, "May 2015") == "the Committee on Legal Affairs organized a hearing"
    assert event_heading("By 2021, the Attorney General and the Secretary of State.", "2021") is None, "nouns only"


def test_a_subject_may_open_on_the_before_its_name() -> None:
    text = "In December the High Court, the country's top court, ruled that the measures broke the law."
    assert event_heading(text, "December") == "the High Court … ruled that the measures broke the law"


def test_any_verb_the_english_lexicon_knows_makes_an_event_not_a_closed_list() -> None:
    assert event_heading("The ban comes into force on 18 February.", "18 February") == "The ban comes into force"
    assert event_heading("The bridge collapsed on 3 May.", "3 May") == "The bridge collapsed"
    assert event_heading("The council shrank its budget in 2019.", "2019") == "The council shrank its budget"
    assert event_heading("The big storms of the winter of 2019.", "2019") is None, "nouns and adjectives only"
    assert event_heading("In 2019, the reports and the plans.", "2019") is None, "a determiner makes a noun"


def test_a_clause_about_another_year_does_not_head_the_event() -> None:
    text = "Growth was 1.1% in 2004, down from 2% in 2003."
    assert event_heading(text, "in 2003") is None


def test_the_words_beside_a_date_stay_in_its_clause() -> None:
    assert near_words("Next month's Budget is his eighth since Labour came to power in 1997.", "1997") == {
        "labour",
        "came",
        "power",
    }
    assert near_words("Growth slowed, in 2004, as exports fell.", "2004") == frozenset()
