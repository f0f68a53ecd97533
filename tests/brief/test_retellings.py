"""Retellings: copies, paraphrases and year-less retellings of one event are one event."""

from __future__ import annotations

import numpy as np

from assistant.backends.store import sentence_id
from assistant.brief.actors import Sentence
from assistant.brief.retellings import Vectors, group_events, typical
from assistant.types import DocumentMeta, Span


def _sentences(*texts: str, source: str = "a.txt", date: str | None = "2022-03-12") -> list[Sentence]:
    meta = DocumentMeta(source_id=source, path=source, title=source, date=date)
    out, at = [], 0
    for text in texts:
        out.append(Sentence(meta, Span(start=at, end=at + len(text)), text))
        at += len(text) + 1
    return out


def _vectors(sentences: list[Sentence], *directions: list[float]) -> Vectors:
    """Each sentence's vector: the given direction, normalised."""
    return {
        sentence_id(s.meta.source_id, s.span): np.asarray(d, dtype=np.float32) / np.linalg.norm(d)
        for s, d in zip(sentences, directions, strict=True)
    }


def _told(by_date: dict) -> dict[str, list[int]]:
    return {iso: sorted(len(e.tellings) for e in day) for iso, day in by_date.items()}


def test_a_copy_and_a_retelling_with_the_same_figure_are_one_event() -> None:
    sentences = _sentences(
        "On March 10, 2022, the council closed the old bridge over the river.",
        "On March 10, 2022, the museum opened a new wing for modern art.",
        "So far in 2022, nearly 60,000 checks were made by the agency, officials said.",
        "So far in 2022, nearly 60,000 checks have been made by member countries.",
    )
    assert _told(group_events(sentences)) == {"2022-03-10": [1, 1], "2022": [2]}


def test_tellings_that_mean_the_same_are_one_event_even_in_other_words() -> None:
    sentences = _sentences(
        "Pundits are betting on 5 May.",
        "The vote is widely tipped to fall on 5 May.",
        "The museum opened its new wing on 5 May.",
        date=None,
    )
    assert _told(group_events(sentences)) == {"--05-05": [1, 1, 1]}, "no words in common, no vectors"
    vectors = _vectors(sentences, [1, 0.1, 0], [1, 0, 0.1], [0, 0, 1])
    assert _told(group_events(sentences, vectors)) == {"--05-05": [1, 2]}


def test_alike_tellings_never_chain_into_one_event() -> None:
    sentences = _sentences(
        "Shares in the firm rose sharply in 2004.",
        "Profits at the bank were strong in 2004.",
        "Rainfall in the valley was low in 2004.",
    )
    # first and second alike (0.80), second and third alike (0.81), first and third not (0.30)
    vectors = _vectors(sentences, [1, 0, 0], [0.8, 0.6, 0], [0.3, 0.95, 0.1])
    assert _told(group_events(sentences, vectors)) == {"2004": [1, 2]}


def test_a_year_less_day_joins_the_dated_day_it_retells() -> None:
    dated = _sentences("On 17 March 2003 the minister gave the advice in a written answer.", source="a.txt")
    undated = _sentences(
        "The minister then gave that advice on 17 March in a written answer.",
        "The museum opened its new wing on 17 March.",
        source="b.txt",
        date=None,
    )
    vectors = _vectors([*dated, *undated], [1, 0], [0.95, 0.3], [0, 1])
    assert _told(group_events([*dated, *undated], vectors)) == {"2003-03-17": [2], "--03-17": [1]}


def test_the_words_beside_the_date_join_retellings_of_a_year() -> None:
    sentences = _sentences(
        "Next month's Budget will be his eighth since Labour came to power in 1997.",
        "He said taxes had risen 66 times since Labour won power in 1997.",
        "The agency was set up in 1997 to promote exports.",
    )
    assert _told(group_events(sentences)) == {"1997": [1, 2]}


def test_the_shown_telling_has_a_whole_clause_that_names_its_subject() -> None:
    told = [
        ("widely expected to be held", *_sentences("The poll, widely expected to be held on 5 May.")),
        ("He had then changed his mind", *_sentences("He had then changed his mind on 5 May.")),
        ("The election is expected", *_sentences("The election is expected on 5 May.")),
    ]
    rows = [(heading, s, frozenset(s.text.lower().split())) for heading, s in told]
    assert typical(rows)[0] == "The election is expected"


def test_an_event_with_no_vector_joins_nothing_and_nothing_joins_it() -> None:
    sentences = _sentences(
        "Pundits are betting on 5 May.",
        "The vote is widely tipped to fall on 5 May.",
        "The museum opened its new wing on 5 May.",
        date=None,
    )
    vectors = dict(list(_vectors(sentences, [1, 0], [1, 0], [1, 0]).items())[1:])  # the first has none
    assert _told(group_events(sentences, vectors)) == {"--05-05": [1, 2]}
