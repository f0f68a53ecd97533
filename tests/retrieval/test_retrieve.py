from __future__ import annotations

import datetime as dt

import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from assistant import Assistant
from assistant.answer.chain import AskRequest
from assistant.retrieval.lexical import key_terms, stems_match
from assistant.retrieval.retrieve import diversify, reciprocal_rank_fusion
from assistant.types import Filters


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"], ["b"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 2 / 61)


def test_rrf_of_one_ranking_keeps_its_order() -> None:
    assert [i for i, _ in reciprocal_rank_fusion([["x", "y", "z"]])] == ["x", "y", "z"]


def test_diversify_gives_other_documents_a_seat() -> None:
    ranked = [("a#0", 5.0), ("a#1", 4.0), ("a#2", 3.0), ("b#0", 2.0), ("c#0", 1.0), ("b#1", 0.5)]
    picked = diversify(ranked, 2, lambda cid: cid.split("#")[0])
    assert [c for c, _ in picked] == ["a#0", "a#1", "b#0"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("china", "chines", True),
        ("russia", "russian", True),
        ("suspend", "suspens", True),
        ("suspend", "suspici", False),
    ],
)
def test_stems_match(a: str, b: str, same: bool) -> None:
    assert stems_match(a, b) is same


def test_key_terms_flag_names_and_numbers() -> None:
    terms = {t.surface: t.entity for t in key_terms("Why didn't Interpol suspend Russia in 2022 with 195 members?")}
    assert terms == {"Interpol": True, "suspend": False, "Russia": True, "2022": False, "195": True, "members": False}


def test_years_and_months_steer_but_are_not_required() -> None:
    terms = {t.surface: t for t in key_terms("What happened in March 2022 to the measures?")}
    assert terms["March"].temporal
    assert terms["2022"].temporal
    assert not terms["March"].entity
    assert not terms["measures"].temporal


def test_hybrid_search_finds_lexical_and_semantic_matches(seed_assistant: Assistant) -> None:
    passages = seed_assistant.searcher.search("nearly 9,000 checks every minute")
    assert passages[0].chunk.meta.source_id in {"001_260ff6241a862400.txt", "002_76ed5c8f565d0e67.txt"}
    assert "9,000" in passages[0].chunk.text
    ranks = [p.rank for p in passages]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (Filters(source_ids=["003_843109544dbca18f.txt"]), {"003_843109544dbca18f.txt"}),
        (Filters(kinds=["official_statement"]), {"001_260ff6241a862400.txt", "002_76ed5c8f565d0e67.txt"}),
        (Filters(outlets=["Fair Trials"]), {"004_6c588545a29af66f.txt"}),
        (Filters(date_to=dt.date(2018, 12, 31)), {"003_843109544dbca18f.txt", "004_6c588545a29af66f.txt"}),
        (Filters(date_from=dt.date(2022, 3, 11)), {"000_a047a924873d7924.txt", "001_260ff6241a862400.txt"}),
    ],
)
def test_filters_restrict_every_retriever(seed_assistant: Assistant, filters: Filters, allowed: set[str]) -> None:
    passages = seed_assistant.searcher.search("Interpol Russia abuse", filters=filters)
    assert passages
    assert {p.chunk.meta.source_id for p in passages} <= allowed
    answer = seed_assistant.ask("What did Interpol do about Russia?", filters=filters)
    assert {c.source_id for c in answer.citations} <= allowed


def test_langchain_retriever(seed_assistant: Assistant) -> None:
    retriever = seed_assistant.retriever(k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("What is a diffusion?")
    assert len(docs) == 3, "k is how many documents come back"
    assert len(seed_assistant.retriever(k=2).invoke("Prokopchuk")) == 2
    assert all(isinstance(d, LCDocument) for d in docs)
    text = seed_assistant.document_text(docs[0].metadata["source_id"])
    assert docs[0].metadata["start"] < docs[0].metadata["end"] <= len(text)
    assert any("diffusion" in d.page_content.lower() for d in docs)


def test_sentence_evidence_is_verbatim(seed_assistant: Assistant) -> None:
    searcher = seed_assistant.searcher
    question = "Who can no longer send diffusions directly?"
    vector = searcher.embed_query(question)
    state = seed_assistant.pipeline.prepare(AskRequest(question))
    evidence = searcher.evidence(state.question, vector, searcher.search(question, vector=vector))
    best = max(evidence, key=lambda e: e.dense)
    assert best.text.startswith("Effective immediately, diffusions can no longer be sent directly")
    assert set(best.signals) >= {"dense", "coverage", "entity_passage", "bm25"}
    for e in evidence:
        assert seed_assistant.document_text(e.meta.source_id)[e.span.start : e.span.end] == e.text


def test_concurrent_queries_are_batched_and_each_gets_its_own_vector(embedder: object) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from assistant.backends.embed import QueryBatcher

    calls: list[int] = []

    class Counting:
        name, dimension = "counting", 384

        def embed(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return embedder.embed(texts)  # type: ignore[attr-defined]

    batcher = QueryBatcher(Counting())  # type: ignore[arg-type]
    texts = [f"question number {i} about Interpol" for i in range(32)]
    barrier = threading.Barrier(16)

    def ask(i: int) -> np.ndarray:
        barrier.wait() if i < 16 else None
        return batcher.embed_query(texts[i])

    with ThreadPoolExecutor(16) as pool:
        vectors = list(pool.map(ask, range(32)))
    expected = embedder.embed(texts)  # type: ignore[attr-defined]
    for got, want in zip(vectors, expected, strict=True):
        assert np.allclose(got, want, atol=1e-5)
    assert sum(calls) == 32
    assert len(calls) < 32, "concurrent queries share encoder calls"
