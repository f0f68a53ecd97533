"""The results table that BENCHMARKS.md reproduces."""

from __future__ import annotations

from typing import Any

LABELS = {"ours": "ours", "ours-server": "ours, Chroma server", "tutorial": "tutorial"}
ROWS: list[tuple[str, Any, Any]] = [
    ("ingest, chars/s (cold)", "ingest_chars_per_s", "ingest_chars_per_s"),
    ("chunks / sentence vectors / texts encoded", ("chunks", "sentences", "encoded_texts"), "chunks"),
    ("re-ingest unchanged, s", "reingest_s", "reingest_s"),
    ("retrieval p50 / p95, ms", ("retrieval_p50_ms", "retrieval_p95_ms"), None),
    ("full answer p50 / p95, ms", ("answer_p50_ms", "answer_p95_ms"), None),
    ("similarity_search(k=4) p50 / p95, ms", None, ("search_p50_ms", "search_p95_ms")),
    ("cold start to first answer (fresh CLI process), s", "cold_start_s", None),
    ("peak RSS, MB", "peak_rss_mb", "peak_rss_mb"),
    ("16 threads x 10 questions, answers/s (Python API)", "throughput_16_clients_per_s", None),
    ("16 HTTP clients x 20 questions, answers/s", "http_answers_per_s", None),
    ("HTTP p50 / p95 ms, errors", ("http_p50_ms", "http_p95_ms", "http_errors"), None),
    ("source hit@5 (ours) / hit@4 (tutorial)", "hit_at_5", "hit_at_4"),
]


def _cell(d: dict[str, Any], key: Any) -> str:
    if key is None or (not isinstance(key, tuple) and key not in d):
        return "–"
    if isinstance(key, tuple):
        return " / ".join(str(d.get(k, "–")) for k in key)
    return str(d[key])


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory']}; Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), ""]  # fmt: skip
    if "total_s" in results:
        lines += [f"Whole run: {results['total_s']} s.", ""]
    for name, data in results["corpora"].items():
        pipelines = [p for p in LABELS if p in data]
        lines += [f"### {name} ({data[pipelines[0]]['chars']:,} chars; runs: {data['repeats']}, medians)", "",
                  "| figure | " + " | ".join(LABELS[p] for p in pipelines) + " |",
                  "|---" * (len(pipelines) + 1) + "|"]  # fmt: skip
        for label, ours_key, tutorial_key in ROWS:
            cells = [_cell(data[p], tutorial_key if p == "tutorial" else ours_key) for p in pipelines]
            if any(c != "–" for c in cells):
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
        if "ratios" in data:
            lines += ["", "| ratio | value |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in data["ratios"].items()]
        lines.append("")
    lines += scale_lines(results["corpora"])
    return "\n".join(lines)


def scale_lines(corpora: dict[str, Any]) -> list[str]:
    """The scaled corpus against the seeds: the p95 ratio and peak RSS the targets name."""
    seeds = corpora.get("seeds", {}).get("ours")
    scaled = next((d["ours"] for n, d in corpora.items() if n.startswith("scaled")), None)
    if not seeds or not scaled:
        return []
    return [
        "| scale figure | value |",
        "|---|---|",
        f"| chunks in the scaled index | {scaled['chunks']:,} |",
        f"| retrieval p95 scaled / seeds | {scaled['retrieval_p95_ms'] / seeds['retrieval_p95_ms']:.2f} |",
        f"| full answer p95 scaled / seeds | {scaled['answer_p95_ms'] / seeds['answer_p95_ms']:.2f} |",
        f"| peak RSS scaled, MB | {scaled['peak_rss_mb']} |",
        "",
    ]
