"""How the sentence check reads a text: tokens, names, verbs and clauses."""

from __future__ import annotations

from assistant.provenance.consistency import tokens
from assistant.provenance.reading import Reading, is_name, mark_names, verbish


def test_names_inside_a_sentence_and_at_its_start() -> None:
    toks = tokens("Russia asked Interpol to act.")
    assert not is_name(toks, 0)  # any sentence opens with a capital
    assert is_name(toks, 2)
    assert is_name(mark_names(toks, {"russia"}), 0)  # the other text writes it inside a sentence


def test_rough_verbs_and_clauses() -> None:
    toks = tokens("The request was rejected and the notice has expired.")
    verbs = [t.text for i, t in enumerate(toks) if verbish(toks, i)]
    assert verbs == ["rejected", "expired"]
    clauses = [" ".join(t.text for t in c) for c in Reading(toks).clauses()]
    assert clauses == ["The request was rejected", "the notice has expired"]


def test_a_leading_no_reaches_nouns_joined_by_or() -> None:
    clauses = Reading(tokens("No department or agency may extradite anyone.")).clauses()
    assert len(clauses) == 1
