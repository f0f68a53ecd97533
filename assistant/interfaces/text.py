"""Answers as plain text for a terminal: the answer, its checks and notices, then numbered sources."""

from __future__ import annotations

from assistant.provenance.cite import markers
from assistant.provenance.present import label
from assistant.types import Answer


def render(answer: Answer) -> str:
    """Human-readable answer with its numbered sources."""
    lines = [answer.answer, ""]
    if answer.mode == "llm" and answer.sentences:
        supported = sum(s.supported for s in answer.sentences)
        lines.append(f"Checked: {supported} of {len(answer.sentences)} sentences supported by their sources.")
        for i, s in enumerate(answer.sentences, 1):
            backed = f"supported by {markers(s.citations)}" if s.supported else "unsupported"
            lines.append(f"  {i}. {backed}: {s.check}")
    for notice in answer.notices:
        lines.append(f"Note: {notice}")
    if answer.closest:
        lines.append("Closest passages (they do not answer the question):")
        for c in answer.closest:
            lines.append(f"  [{c.n}] “{c.quote}”")
            lines.append(f"      {label(c)}; {c.path}, characters {c.start}-{c.end}")
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {label(c)}")
            lines.append(f"      {c.path}, characters {c.start}-{c.end}")
    lines.append(f"({answer.mode}, {answer.timings_ms.get('total', 0):.0f} ms)")
    return "\n".join(lines).strip()
