"""Sentence-check probes through a real HTTP endpoint: the scripted server, the runner, the probe files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.probe import TRUE_KINDS, ScriptedEndpoint, load_probe_file, normalise, run, summary
from assistant.settings import LLMSettings, Settings
from assistant.wiring import build_assistant
from tests.conftest import ROOT, SEED_CORPUS

PROBES = ROOT / "evals" / "probes"
EXAMPLES = PROBES / "examples.yaml"


@pytest.mark.integration  # real retrieval on the seeds, with the embedding model
def test_the_reported_examples_through_the_endpoint(tmp_path: Path) -> None:
    """Every perturbation once passed as supported is caught; the true paraphrases stay supported."""
    outcomes = run([EXAMPLES], "all", ["meaning", "overlap"], index_root=tmp_path)
    assert all(o.reached for o in outcomes), [o.probe.id for o in outcomes if not o.reached]
    meaning = [o for o in outcomes if o.checker == "meaning"]
    wrong = [(o.probe.id, o.reason) for o in meaning if o.shown_supported != o.probe.supported]
    assert not wrong
    table = summary(outcomes)
    # The earlier check passes most of the perturbations: the probes can fail a checker.
    assert table["overlap"]["_total"]["false_supported"] >= 8


@pytest.mark.integration
def test_the_endpoint_streams_and_cites_the_passage_with_the_quote(tmp_path: Path) -> None:
    probe = load_probe_file(EXAMPLES).probes[0]
    with ScriptedEndpoint() as endpoint:
        settings = Settings(corpus_dir=SEED_CORPUS, index_dir=tmp_path / "i", mode="llm",
                            llm=LLMSettings(base_url=endpoint.url, model="scripted", max_retries=0))  # fmt: skip
        assistant = build_assistant(settings)
        assistant.ingest(progress=False)
        endpoint.probe = probe
        tokens: list[str] = []
        answer = assistant.ask(probe.question, mode="llm", on_token=tokens.append)
    assert endpoint.reached
    assert "".join(tokens).startswith(probe.sentence)
    assert answer.mode == "extractive"  # the one sentence is a perturbation: nothing is supported
    assert any("negated in the quote only" in n for n in answer.notices)


def test_probe_files_quote_their_sources_verbatim() -> None:
    counts: Counter[str] = Counter()
    ids: set[str] = set()
    for path in sorted(PROBES.glob("*.yaml")):
        probe_file = load_probe_file(path)
        folders = [(path.parent / f).resolve() for f in probe_file.corpus.folders]
        for probe in probe_file.probes:
            assert probe.id not in ids, probe.id
            ids.add(probe.id)
            found = [f / probe.source for f in folders if (f / probe.source).is_file()]
            assert found, f"{probe.id}: {probe.source} is in none of {folders}"
            text = normalise(found[0].read_text(encoding="utf-8"))
            for quote in probe.quotes:
                assert normalise(quote) in text, f"{probe.id}: quote not verbatim in {probe.source}"
            assert (probe.kind in TRUE_KINDS) == probe.supported, probe.id
            if probe_file.split == "hash":
                counts["true" if probe.supported else "false"] += 1
    assert counts["true"] + counts["false"] >= 200
    assert counts["true"] >= 60


def test_a_broken_probe_file_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.evaluation.probe import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("corpus: {name: x, folders: [.]}\nprobes:\n  - id: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        load_probe_file(bad)
    assert main([str(bad)]) == 2
