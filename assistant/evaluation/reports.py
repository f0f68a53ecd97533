"""Reports of an eval run: terminal table, JUnit XML, JSON and Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from assistant.evaluation.evaluate import METRICS, CaseResult

METRIC_ORDER = list(METRICS)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _label(run: dict[str, Any]) -> str:
    return str(run.get("label") or Path(run["file"]).name)


def summary_table(runs: list[dict[str, Any]]) -> str:
    """One column per eval file, one row per metric, then the gates."""
    names = [_label(r) for r in runs]
    width = max(len(m) for m in METRIC_ORDER) + 2
    cols = [max(len(n), 8) + 2 for n in names]
    lines = ["metric".ljust(width) + "".join(n.rjust(c) for n, c in zip(names, cols, strict=True))]
    lines.append("-" * len(lines[0]))
    for metric in METRIC_ORDER:
        row = metric.ljust(width)
        row += "".join(_fmt(r["metrics"].get(metric)).rjust(c) for r, c in zip(runs, cols, strict=True))
        lines.append(row)
    for run in runs:
        if run.get("system", "assistant") != "assistant":
            continue  # baselines are shown, never gated
        verdict = "PASS" if not run["gate_failures"] and not run.get("regressions") else "FAIL"
        lines.append(f"{_label(run)}: {verdict}")
        lines += [f"  threshold: {f}" for f in run["gate_failures"]]
        lines += [f"  baseline: {f}" for f in run.get("regressions", [])]
    return "\n".join(lines)


def kinds_table(kinds: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: per kind of question, cases, cited-source hit, facts and refusals."""
    rows = ["| kind | cases | cited source hit | facts | refused |", "|---|---:|---:|---:|---:|"]
    for kind, v in sorted(kinds.items(), key=lambda kv: (not kv[1]["answerable"], kv[0])):
        rows.append(
            f"| {kind} | {v['cases']} | {_fmt(v['cited_source_hit'])} | {_fmt(v['fact_coverage'])} | "
            f"{_fmt(v['refused'])} |"
        )
    return "\n".join(rows)


def write_json(path: Path, report: dict[str, Any]) -> None:
    """All metrics, per-case details and the fingerprint."""
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def write_junit(path: Path, runs: list[dict[str, Any]]) -> None:
    """One <testsuite> per eval file, one <testcase> per question, failures with reasons."""
    suites = ET.Element("testsuites", name="assistant eval")
    for run in runs:
        results: list[CaseResult] = run["results"]
        failures = sum(not r.passed for r in results)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=_label(run),
            tests=str(len(results)),
            failures=str(failures),
            errors="0",
            time=f"{sum(r.latency_ms for r in results) / 1000:.3f}",
        )
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=_label(run), name=r.id, time=f"{r.latency_ms / 1000:.3f}")
            if not r.passed:
                failure = ET.SubElement(case, "failure", message=r.failures[0], type="AssertionError")
                cited = "; ".join(f"[{c['n']}] {c['source_id']}: {c['quote']}" for c in r.citations) or "nothing"
                failure.text = "\n".join(
                    [*r.failures, f"question: {r.question}", f"answer: {r.answer}", f"cited: {cited}"]
                )
        for message in run["gate_failures"] + run.get("regressions", []):
            case = ET.SubElement(suite, "testcase", classname=_label(run), name=f"gate: {message}")
            ET.SubElement(case, "failure", message=message, type="ThresholdFailure")
            suite.set("tests", str(int(suite.get("tests", "0")) + 1))
            suite.set("failures", str(int(suite.get("failures", "0")) + 1))
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def write_markdown(path: Path, runs: list[dict[str, Any]], fingerprint: dict[str, Any]) -> None:
    """Aggregates first, then every failing case with its answer and citations."""
    lines = ["# Evaluation report", "", "```", summary_table(runs), "```", ""]
    lines += ["Fingerprint: " + ", ".join(f"{k} `{v}`" for k, v in fingerprint.items() if v is not None), ""]
    for run in runs:
        if run.get("kinds"):
            lines += [f"## {_label(run)}: by kind of question", "", kinds_table(run["kinds"]), ""]
    for run in runs:
        failing = [r for r in run["results"] if not r.passed]
        lines += [f"## {_label(run)}: {len(failing)} failing case(s)", ""]
        for r in failing:
            lines += [f"### {r.id}", "", f"**Question:** {r.question}", ""]
            lines += [f"- {f}" for f in r.failures]
            lines += ["", f"**Answer:** {r.answer}", ""]
            lines += [f"> [{c['n']}] `{c['source_id']}` ({c['start']}–{c['end']}): {c['quote']}" for c in r.citations]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
