"""An optional LLM judge for eval runs: faithfulness of sentences to their quotes, and
agreement with a reference answer. Reported, and gated only when asked.

Every call is cached on disk, keyed by a hash of (model, prompt template, inputs), so a
re-run costs nothing and scores the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.types import Answer

_VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


class Judge:
    """Asks a chat model yes/no questions about answers, through a disk cache."""

    def __init__(self, model: BaseChatModel, model_name: str, prompts: dict[str, str], cache_dir: Path) -> None:
        self.model = model
        self.model_name = model_name
        self.prompts = prompts
        self.cache_dir = cache_dir
        self.calls = 0
        self.cache_hits = 0

    def score(self, answer: Answer, expected_answer: str | None) -> dict[str, float | None]:
        """Faithfulness (share of sentences judged supported by their quotes) and correctness (0/1)."""
        quotes = {c.n: c.quote for c in answer.citations}
        verdicts = [
            self._ask(
                "judge_faithfulness",
                quotes=" ".join(quotes[n] for n in s.citations if n in quotes),
                sentence=s.text,
            )
            for s in answer.sentences
            if s.citations
        ]
        known = [v for v in verdicts if v is not None]
        correctness = None
        if expected_answer and not answer.refused:
            correctness = self._ask("judge_correctness", question=answer.question, expected=expected_answer,
                                    answer=answer.answer)  # fmt: skip
        return {
            "judge_faithfulness": sum(known) / len(known) if known else None,
            "judge_correctness": correctness,
        }

    def _ask(self, template: str, **inputs: str) -> float | None:
        prompt = self.prompts[template].format(**inputs)
        key = hashlib.sha256(json.dumps([self.model_name, self.prompts[template], inputs]).encode()).hexdigest()
        path = self.cache_dir / f"{key}.json"
        if path.exists():
            self.cache_hits += 1
            cached: float | None = json.loads(path.read_text(encoding="utf-8"))["verdict"]
            return cached
        self.calls += 1
        reply = str(self.model.invoke(prompt).content)
        match = _VERDICT.search(reply)
        verdict = None if match is None else (1.0 if match.group(1).lower() == "yes" else 0.0)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"verdict": verdict, "reply": reply[:500]}), encoding="utf-8")
        return verdict
