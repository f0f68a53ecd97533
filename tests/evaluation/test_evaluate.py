"""`assistant eval`: schema errors, gates, reports and baselines, run in-process on the seed corpus."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import Assistant
from assistant.evaluation.cases import CorpusSpec, assemble_corpus, split_of
from assistant.evaluation.evaluate import AnyOf, EvalFileError, Thresholds, gate, includes, load_eval_file
from assistant.interfaces.cli import app
from assistant.provenance.cite import check_citation, citation
from tests.conftest import ROOT, SEED_CORPUS
from tests.ingest.test_extract import HTML, make_pdf

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = """version: 1
defaults: {k: 3}
thresholds: {source_hit: 1.0, fact_coverage: 1.0, refusal_accuracy: 1.0, citation_validity: 1.0}
cases:
  - id: checks
    question: How many checks are made against INTERPOL's databases every minute?
    expected_sources: [001_260ff6241a862400.txt, 002_76ed5c8f565d0e67.txt]
    must_include: ["9,000", {any_of: ["nearly 9,000", "9000"]}]
  - id: capital
    question: What is the capital of Australia?
    answerable: false
"""


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, light_env: None) -> Path:
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(SEED_CORPUS))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ncases:\n  - id: a\n    qestion: typo\n", ":4: cases[0].qestion"),
        ("version: 1\ncases:\n  - id: a\n    question: ok\n  - id: b\n", ":5: cases[1].question: Field required"),
        ("version: 2\ncases: []\n", ":1: version"),
        ("version: 1\ncases:\n  - id: a\n    question: [unclosed\n", "not valid YAML"),
        ("version: 1\nthresholds: {source_hits: 1}\ncases:\n  - {id: a, question: q}\n", "thresholds.source_hits"),
        ("version: 1\ncases:\n  - {id: a, question: q}\n  - {id: a, question: r}\n", "duplicate case ids: a"),
    ],
)
def test_malformed_files_name_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(EvalFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_eval_file(path)


def test_the_team_eval_set_is_valid() -> None:
    parsed = load_eval_file(ROOT / "evals" / "seed.yaml")
    assert len(parsed.cases) >= 50
    assert sum(not c.answerable for c in parsed.cases) >= 10


def test_fact_matching_is_normalised() -> None:
    assert includes("INTERPOL’s  “Rules” — checked", 'interpol\'s "rules" - checked')
    assert includes("nearly 9,000 checks", AnyOf(any_of=["9000", "9,000"]))
    assert not includes("nearly 9,000 checks", "90,000")


def test_gate_directions() -> None:
    thresholds = Thresholds(source_hit=0.9, false_refusal_rate=0.05)
    assert gate({"source_hit": 0.95, "false_refusal_rate": 0.01}, thresholds) == []
    assert len(gate({"source_hit": 0.5, "false_refusal_rate": 0.2}, thresholds)) == 2


def test_passing_run_writes_every_report(cli_env: Path) -> None:
    cases = cli_env / "small.yaml"
    cases.write_text(SMALL)
    out = cli_env / "out"
    code, stdout, stderr = run(str(cases), "--json", f"{out}.json", "--junit", f"{out}.xml", "--report", f"{out}.md")
    assert code == 0, stdout + stderr
    assert "small.yaml: PASS" in stdout
    report = json.loads(Path(f"{out}.json").read_text())
    assert report["passed"] is True
    assert set(report["fingerprint"]) >= {
        "corpus_sha256",
        "embedding_model",
        "mode",
        "prompts_sha256",
        "package_version",
    }
    assert report["files"][0]["metrics"]["source_hit"] == 1.0
    suite = ET.parse(f"{out}.xml").getroot().find("testsuite")
    assert suite is not None
    assert [c.get("name") for c in suite.findall("testcase")] == ["checks", "capital"]
    assert suite.get("failures") == "0"
    assert "# Evaluation report" in Path(f"{out}.md").read_text()


def test_impossible_fact_exits_1_with_reasons(cli_env: Path) -> None:
    xml = cli_env / "out.xml"
    code, stdout, _ = run(str(DATA / "failing.yaml"), "--junit", str(xml))
    assert code == 1
    assert "FAIL" in stdout
    assert "fact_coverage" in stdout
    failure = ET.parse(xml).getroot().find(".//testcase[@name='impossible-fact']/failure")
    assert failure is not None
    assert "purple elephants" in failure.get("message", "")
    assert "answer:" in (failure.text or "")


def test_malformed_file_exits_2(cli_env: Path) -> None:
    bad = cli_env / "bad.yaml"
    bad.write_text("version: 1\ncases:\n  - id: a\n")
    code, _, stderr = run(str(bad))
    assert code == 2
    assert "bad.yaml:3" in stderr
    assert "question" in stderr


def test_baseline_catches_a_regression(cli_env: Path) -> None:
    cases = cli_env / "small.yaml"
    cases.write_text(SMALL)
    first = cli_env / "first.json"
    assert run(str(cases), "--json", str(first))[0] == 0
    code, stdout, _ = run(str(cases), "--baseline", str(first))
    assert code == 0
    assert "vs baseline" in stdout
    # Pretend the previous run retrieved better: this run is now a regression.
    inflated = json.loads(first.read_text())
    inflated["files"][0]["metrics"]["mrr"] = 2.0
    first.write_text(json.dumps(inflated))
    code, stdout, _ = run(str(cases), "--baseline", str(first), "--tolerance", "0.01")
    assert code == 1
    assert "mrr regressed" in stdout


def test_bad_baseline_exits_2(cli_env: Path) -> None:
    cases = cli_env / "small.yaml"
    cases.write_text(SMALL)
    junk = cli_env / "junk.json"
    junk.write_text("[]")
    code, _, stderr = run(str(cases), "--baseline", str(junk))
    assert code == 2
    assert "baseline" in stderr


JUDGED = """version: 1
thresholds: {judge_faithfulness: 1.01}
cases:
  - id: checks
    question: How many checks are made against INTERPOL's databases every minute?
    expected_sources: [001_260ff6241a862400.txt, 002_76ed5c8f565d0e67.txt]
    must_include: ["9,000"]
    expected_answer: Nearly 9,000 checks every minute.
"""


@pytest.mark.llm
def test_judge_against_the_real_server_is_cached_and_gates_only_on_request(
    cli_env: Path, llama_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server.url)  # type: ignore[attr-defined]
    cases = cli_env / "judged.yaml"
    cases.write_text(JUDGED)
    out = cli_env / "judged.json"
    code, stdout, stderr = run(
        str(cases), "--mode", "extractive", "--judge", "--judge-model", "smollm2", "--json", str(out)
    )
    assert code == 0, stdout + stderr
    assert "judge:" in stdout
    assert "0 answered from the cache" in stdout
    report = json.loads(out.read_text())
    assert report["fingerprint"]["judge_model"] == "smollm2"
    case = report["files"][0]["cases"][0]
    assert case["judge_faithfulness"] is not None or case["judge_correctness"] is not None
    code, stdout, _ = run(str(cases), "--mode", "extractive", "--judge", "--judge-model", "smollm2", "--gate-judge")
    assert code == 1, "an impossible judge threshold fails when gated"
    assert " 0 calls" in stdout, "the second run is answered from the cache"


NO_THRESHOLDS = """version: 1
cases:
  - id: impossible
    question: What is a diffusion?
    expected_sources: [001_260ff6241a862400.txt]
    must_include: ["purple elephants"]
"""


def test_a_failing_case_fails_a_file_without_thresholds(cli_env: Path) -> None:
    cases = cli_env / "plain.yaml"
    cases.write_text(NO_THRESHOLDS)
    code, stdout, _ = run(str(cases))
    assert code == 1
    assert "plain.yaml: FAIL" in stdout
    assert "every case must pass" in stdout


def test_html_and_pdf_citations_are_checked_against_their_extracted_text(
    make_light_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    corpus = tmp_path / "formats"
    corpus.mkdir()
    (corpus / "zebra.html").write_text(HTML, encoding="utf-8")
    (corpus / "report.pdf").write_bytes(
        make_pdf("The zebra crossing in Lyon was repainted in May 2021 by the council.")
    )
    assistant = make_light_assistant(corpus)
    assistant.ingest(progress=False)
    cited = 0
    for source in ("zebra.html", "report.pdf"):
        text = assistant.document_text(source)
        for e in assistant.index.document_sentences(source):
            c = citation(1, e.meta, e.span, e.text)
            assert check_citation(c, corpus) is None
            assert c.quote == text[c.start : c.end]
            cited += 1
        raw = (corpus / source).read_bytes().decode("latin-1")
        wrong = citation(1, e.meta, e.span, raw[e.span.start : e.span.end])
        assert check_citation(wrong, corpus) is not None, "offsets refer to the extracted text, not the raw file"
    assert cited >= 2


def test_splits_are_stable_and_about_sixty_forty() -> None:
    ids = [f"case-{i}" for i in range(2000)]
    first = [split_of(i) for i in ids]
    assert first == [split_of(i) for i in ids]
    assert 0.35 < first.count("heldout") / len(ids) < 0.45


def test_a_corpus_is_assembled_from_its_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b" / "inner"
    a.mkdir()
    b.mkdir(parents=True)
    (a / "one.txt").write_text("One.")
    (a / "README.md").write_text("About the folder.")
    (b / "two.txt").write_text("Two.")
    spec = CorpusSpec(name="mixed", folders=["a", "b"], exclude=["README.md"])
    target = tmp_path / "work"
    assemble_corpus(spec, tmp_path, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*.txt")) == ["inner/two.txt", "one.txt"]
    assert not (target / "README.md").exists()
    (a / "one.txt").unlink()
    (target / "stale.txt").write_text("left over")
    assemble_corpus(spec, tmp_path, target)
    assert sorted(p.name for p in target.rglob("*.txt")) == ["two.txt"]
    with pytest.raises(EvalFileError, match="does not exist"):
        assemble_corpus(CorpusSpec(name="gone", folders=["missing"]), tmp_path, target)
