"""The question bank: size, kinds, unanswerable share, and gold evidence that really stands in the corpora."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.cases import EvalFile, load_eval_file
from assistant.evaluation.evaluate import includes
from assistant.ingest.corpus import decode
from tests.conftest import ROOT

BANK = {p.stem: load_eval_file(p) for p in sorted((ROOT / "evals" / "bank").glob("*.yaml"))}
NEAR_MISSES = {"wrong_entity", "wrong_year", "wrong_number", "anticipated", "missing_detail", "ignore_instructions"}
KINDS = {
    "who", "what", "when", "where", "how_many", "why", "said", "definition", "summary", "comparison", "versions",
    "multi_part", "keyword", "misspelling", "paraphrase", "conversational", "follow_up",
}  # fmt: skip


def test_the_bank_is_large_and_spread_over_the_three_corpora() -> None:
    sizes = {name: len(f.cases) for name, f in BANK.items()}
    assert sum(sizes.values()) >= 400
    assert sizes["seeds"] >= 150
    assert sizes["extra"] >= 100
    assert sizes["bbc"] >= 150
    assert len(BANK["bbc"].sample) >= 60


def test_every_kind_is_asked_and_a_quarter_is_unanswerable() -> None:
    cases = [c for f in BANK.values() for c in f.cases]
    kinds = Counter(c.kind for c in cases)
    assert set(kinds) >= KINDS
    unanswerable = [c for c in cases if not c.answerable]
    assert len(unanswerable) >= 0.25 * len(cases)
    assert sum(c.kind in NEAR_MISSES for c in unanswerable) >= 0.5 * len(unanswerable)
    assert all(c.history for c in cases if c.kind == "follow_up")
    assert all(c.why_unanswerable for c in unanswerable)


def test_splits_hold_every_corpus() -> None:
    for f in BANK.values():
        splits = Counter(c.split for c in f.cases)
        assert 0.3 < splits["heldout"] / len(f.cases) < 0.5


def _files(eval_file: EvalFile, path: Path) -> dict[str, Path]:
    assert eval_file.corpus is not None
    out: dict[str, Path] = {}
    for folder in eval_file.corpus.folders:
        root = (path.parent / folder).resolve()
        if not root.is_dir():
            pytest.skip(f"{root} is absent")
        out |= {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
    return out


@pytest.mark.parametrize("name", sorted(BANK))
def test_gold_evidence_is_verbatim_and_holds_the_facts(name: str) -> None:
    path = ROOT / "evals" / "bank" / f"{name}.yaml"
    files = _files(BANK[name], path)
    texts: dict[str, str] = {}
    for case in BANK[name].cases:
        if not case.answerable:
            assert not case.evidence, case.id
            assert not case.must_include, case.id
            continue
        assert case.evidence, case.id
        assert case.must_include, case.id
        for gold in case.evidence:
            text = texts.setdefault(gold.source, decode(files[gold.source].read_bytes()))
            assert gold.text in text, f"{case.id}: evidence not in {gold.source}"
        sources = " ".join(texts[g.source] for g in case.evidence)
        assert all(includes(sources, fact) for fact in case.must_include), case.id
