"""How a citation reads to a person: its provenance line, the paragraph around its quote, the fact-check memo."""

from __future__ import annotations

import datetime as dt

from assistant.types import Answer, Citation


def label(citation: Citation) -> str:
    """One line of provenance: the speaker where the text names one, then outlet, date and title."""
    parts = [citation.outlet or "Unknown outlet", citation.date or "undated", f"“{citation.title}”"]
    if citation.author:
        parts.insert(1, citation.author)
    text = ", ".join(parts)
    speaker = citation.attribution.speaker
    if speaker and speaker != citation.outlet:
        text = f"{speaker} ({citation.attribution.basis}), in {text}"
    return f"{text} (photo caption)" if citation.caption else text


def paragraph_around(text: str, start: int, end: int, limit: int = 600) -> tuple[str, str, str]:
    """The quote's surrounding paragraph, split as (before, quote, after), each side at most ``limit`` chars."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end == -1 else para_end
    before = text[max(para_start, start - limit) : start]
    after = text[end : min(para_end, end + limit)]
    return before, text[start:end], after


def export_markdown(answer: Answer, exported_at: dt.datetime | None = None) -> str:
    """A fact-check memo: the question, the answer, then every citation with what a checker needs.

    For each citation: the quote, its speaker, outlet, author, date, file, character
    offsets, URL where known, and other files carrying the same sentence.
    """
    when = (exported_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    lines = ["# Fact-check memo", "", f"Exported: {when}", "", "## Question", "", answer.question, ""]
    lines += ["## Answer", "", answer.answer, ""]
    if answer.citations:
        lines += [f"Independent sources: {answer.independent_sources} (copies count once; repeats do not count).", ""]
    lines += [f"- Note: {n}" for n in answer.notices]
    if answer.closest:
        lines += ["", "## Closest passages (they do not answer the question)", ""]
        lines += [f"- “{c.quote}” ({label(c)}; `{c.path}`, characters {c.start}–{c.end})" for c in answer.closest]
    if answer.citations:
        lines += ["", "## Sources", ""]
    for c in answer.citations:
        speaker = c.attribution.speaker or "the document itself"
        lines += [
            f"### [{c.n}] “{c.quote}”",
            "",
            f"- Speaker: {speaker} ({c.attribution.basis})",
            f"- Outlet: {c.outlet or 'unknown'}; author: {c.author or 'unknown'}; kind: {c.kind}",
            f"- Date: {c.date or 'undated'}",
            f"- File: `{c.path}`, characters {c.start}–{c.end}" + (" (photo caption)" if c.caption else ""),
            f"- URL: {c.url or 'not known'}",
        ]
        if c.copies:
            lines.append("- Same sentence also in: " + ", ".join(f"`{p}`" for p in c.copies))
        lines.append("")
    return "\n".join(lines).strip() + "\n"
