"""Plain text for a terminal: answers (the answer, its checks and notices, then numbered sources), and
how cleaning read a file."""

from __future__ import annotations

from assistant.provenance.cite import markers
from assistant.provenance.present import label
from assistant.types import Answer, Document


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


STATUS = {"body": "kept", "bio": "kept", "caption": "kept", "heading": "marked", "label": "marked",
          "credit": "marked", "furniture": "left out"}  # fmt: skip
"""What cleaning did with each kind of span: kept (quotable), marked (indexed or shown, never quoted), left out."""


def explanation(name: str, document: Document) -> str:
    """Every span of a cleaned file with its offsets: what is kept, what is marked, what is left out."""
    counts = {
        status: sum(STATUS[s.kind] == status for s in document.spans) for status in ("kept", "marked", "left out")
    }
    lines = [f"{name}: " + ", ".join(f"{n} {status}" for status, n in counts.items())]
    for span in document.spans:
        text = " ".join(document.text[span.start : span.end].split())
        shown = text if len(text) <= 100 else text[:99] + "…"
        lines.append(f"  {STATUS[span.kind]:<8} {span.kind:<9} {span.start:>6}–{span.end:<6} {shown}")
    return "\n".join(lines)
