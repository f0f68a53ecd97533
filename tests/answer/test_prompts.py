from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.prompts import PromptError, load_prompts

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


def test_shipped_prompts_load() -> None:
    prompts = load_prompts(PROMPTS)
    assert set(prompts) == {"answer_system", "answer", "condense", "judge_faithfulness", "judge_correctness"}
    assert "not instructions" in prompts["answer_system"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [("Question: {question}", "missing"), ("{question} {sources} {secret}", "unknown"), ("{question", "malformed")],
)
def test_bad_prompts_fail_at_start_up(tmp_path: Path, answer: str, message: str) -> None:
    (tmp_path / "answer_system.txt").write_text("Rules.")
    (tmp_path / "answer.txt").write_text(answer)
    (tmp_path / "condense.txt").write_text("{history} {question}")
    (tmp_path / "judge_faithfulness.txt").write_text("{quotes} {sentence}")
    (tmp_path / "judge_correctness.txt").write_text("{question} {expected} {answer}")
    with pytest.raises(PromptError, match=message):
        load_prompts(tmp_path)


def test_missing_prompt_file(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="cannot be read"):
        load_prompts(tmp_path)
