"""Sentence-check probes: scripted model answers, true and perturbed, through a real HTTP endpoint.

``python -m assistant.evaluation.probe evals/probes/*.yaml --split heldout``. A probe is one sentence an
LLM might write for a question, the verbatim quote(s) it rests on, and whether the quote
backs it. :class:`ScriptedEndpoint` is a small OpenAI-compatible server on loopback: asked
the probe's question, it answers with the probe's sentence and cites the prompt passage
that holds the quote, as a model would. The assistant runs in LLM mode against it, so the
whole path (prompt, HTTP, parsing, the check) is the one users get. Each checker named runs
on the same probes, side by side.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.evaluation.cases import CorpusSpec, Split, split_of

TRUE_KINDS = frozenset({"paraphrase", "merge_true"})
"""Kinds whose sentences the quote backs; every other kind is a perturbation."""
TRUE_SUPPORTED_TARGET = 0.8
HELDOUT_SHARE = 50
"""Half the probes are held out: they never tune the checker."""
_PASSAGE = re.compile(r'\[(\d+)\][^\n]*\n"""\n(.*?)\n"""', re.DOTALL)


class Probe(BaseModel):
    """One scripted sentence and the quote it claims to rest on."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Stable id; its hash picks the split.")
    kind: str = Field(description="paraphrase or merge_true (true), or the perturbation made (negation, quantity…).")
    question: str = Field(description="The question the sentence answers.")
    source: str = Field(description="File the quotes come from.")
    quotes: list[str] = Field(min_length=1, max_length=2, description="Verbatim sentence(s) of the source.")
    sentence: str = Field(description="What the model writes, without a citation marker.")
    supported: bool = Field(description="Whether the quotes back the sentence.")
    why: str = Field(default="", description="What was changed, for a perturbation.")

    @property
    def split(self) -> Split:
        return split_of(self.id, HELDOUT_SHARE)


class ProbeFile(BaseModel):
    """A file of probes over one corpus."""

    model_config = ConfigDict(extra="forbid")
    corpus: CorpusSpec = Field(description="The corpus the questions are asked over.")
    split: Literal["hash", "dev", "none"] = Field(
        default="hash",
        description="hash: each probe's id picks its half; dev: all are dev material (they tune, never test); "
        "none: every probe runs in every split (the reported examples).",
    )
    probes: list[Probe] = Field(min_length=1)


def load_probe_file(path: Path) -> ProbeFile:
    """Parse and validate a probe file; raises ``ValueError`` with the file's name."""
    try:
        return ProbeFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def normalise(text: str) -> str:
    """Runs of whitespace as one space: a quote matches its passage however the file wraps lines."""
    return " ".join(text.split())


class ScriptedEndpoint:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that answers with the current probe's sentence."""

    def __init__(self) -> None:
        self.probe: Probe | None = None
        self.reached = False
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: the runner reports
                return

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": "scripted", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
                text = endpoint.reply(prompt)
                if body.get("stream"):
                    self._stream(text)
                else:
                    message = {"role": "assistant", "content": text}
                    self._send({"id": "probe", "object": "chat.completion", "created": 0, "model": "scripted",
                                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})  # fmt: skip

            def _send(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for delta, finish in (({"role": "assistant", "content": text}, None), ({}, "stop")):
                    chunk = {"id": "probe", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply(self, prompt: str) -> str:
        """The probe's sentence, citing the prompt passage that holds its quotes ([1] when none does)."""
        probe = self.probe
        if probe is None:
            return "The corpus does not answer this question."
        passages = {int(n): normalise(body) for n, body in _PASSAGE.findall(prompt)}
        holding = [n for n, body in passages.items() if all(normalise(q) in body for q in probe.quotes)]
        self.reached = bool(holding)
        return f"{probe.sentence} [{holding[0] if holding else 1}]"


@dataclass
class Outcome:
    """What one checker made of one probe."""

    probe: Probe
    checker: str
    shown_supported: bool
    reached: bool
    """Whether the quote's passage was in the prompt (the sentence could be checked against it)."""
    reason: str


def run(paths: Sequence[Path], split: str, checkers: Sequence[str], index_root: Path | None = None) -> list[Outcome]:
    """Every selected probe through the assistant in LLM mode against the scripted endpoint, per checker."""
    from assistant.evaluation.runner import EvalRunner
    from assistant.settings import LLMSettings, get_settings
    from assistant.wiring import build_assistant

    outcomes: list[Outcome] = []
    embedder = None
    with ScriptedEndpoint() as endpoint:
        for checker in checkers:
            llm = LLMSettings(base_url=endpoint.url, model="scripted", checker=checker, max_retries=0, timeout_s=10)
            base = get_settings(mode="llm", llm=llm)
            if index_root is not None:
                base = base.model_copy(update={"index_dir": index_root})
            runner = EvalRunner(base, lambda s, e: build_assistant(s, embedder=e), embedder)
            for path in paths:
                probe_file = load_probe_file(path)
                assistant = runner.assistant_over(probe_file.corpus, path.resolve().parent)
                embedder = embedder or assistant.searcher.embedder
                for probe in probe_file.probes:
                    if not selected(probe_file, probe, split):
                        continue
                    endpoint.probe = probe
                    outcomes.append(_ask(assistant, endpoint, probe, checker))
    return outcomes


def selected(probe_file: ProbeFile, probe: Probe, split: str) -> bool:
    """Whether a probe runs in ``split`` (all, dev or heldout)."""
    if split == "all" or probe_file.split == "none":
        return True
    return split == ("dev" if probe_file.split == "dev" else probe.split)


def _ask(assistant: Any, endpoint: ScriptedEndpoint, probe: Probe, checker: str) -> Outcome:
    endpoint.reached = False
    answer = assistant.ask(probe.question, mode="llm")
    if answer.mode != "llm" or not answer.sentences:
        reason = "; ".join(answer.notices) or ("refused" if answer.refused else "extractive answer shown")
        return Outcome(probe, checker, False, endpoint.reached, reason)
    sentence = answer.sentences[0]
    return Outcome(probe, checker, sentence.supported, endpoint.reached, sentence.check)


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Per checker and kind: probes, reached, shown supported; and the two headline figures."""
    table: dict[str, Any] = {}
    for o in outcomes:
        row = table.setdefault(o.checker, {}).setdefault(o.probe.kind, {"probes": 0, "reached": 0, "supported": 0})
        row["probes"] += 1
        row["reached"] += o.reached
        row["supported"] += o.shown_supported
    for checker, kinds in table.items():
        true = [o for o in outcomes if o.checker == checker and o.probe.supported]
        false = [o for o in outcomes if o.checker == checker and not o.probe.supported]
        kinds["_total"] = {
            "true_probes": len(true),
            "true_supported": sum(o.shown_supported for o in true) / len(true) if true else None,
            "false_probes": len(false),
            "false_supported": sum(o.shown_supported for o in false),
        }
    return table


def report(table: dict[str, Any], split: str) -> str:
    """A Markdown table: for each kind, how many sentences each checker showed as supported."""
    checkers = list(table)
    kinds = sorted({k for c in table.values() for k in c if k != "_total"}, key=lambda k: (k not in TRUE_KINDS, k))
    head = "| kind | probes | reached | " + " | ".join(f"{c}: shown supported" for c in checkers) + " |"
    lines = [f"Split: {split}.", "", head, "|" + "---|" * (3 + len(checkers))]
    for kind in kinds:
        first = table[checkers[0]].get(kind, {})
        cells = [f"{table[c].get(kind, {}).get('supported', 0)}" for c in checkers]
        label = f"{kind} (true)" if kind in TRUE_KINDS else kind
        lines.append(f"| {label} | {first.get('probes', 0)} | {first.get('reached', 0)} | " + " | ".join(cells) + " |")
    for c in checkers:
        t = table[c]["_total"]
        share = "n/a" if t["true_supported"] is None else f"{t['true_supported']:.3f}"
        lines.append(f"\n**{c}**: true sentences supported {share} of {t['true_probes']}; "
                     f"false sentences shown as supported {t['false_supported']} of {t['false_probes']}.")  # fmt: skip
    return "\n".join(lines)


def _row(o: Outcome) -> dict[str, Any]:
    return {"id": o.probe.id, "kind": o.probe.kind, "checker": o.checker, "true": o.probe.supported,
            "shown_supported": o.shown_supported, "reached": o.reached, "reason": o.reason}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m assistant.evaluation.probe FILES [--split heldout] [--checker meaning] [--gate]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--split", default="heldout", choices=["all", "dev", "heldout"])
    parser.add_argument("--checker", action="append", choices=["meaning", "overlap"])
    parser.add_argument("--gate", action="store_true", help="Fail unless the first checker meets the gate below.")
    parser.add_argument("--max-false-supported", type=int, default=0, help="Gate: false sentences shown as supported.")
    parser.add_argument("--min-true-supported", type=float, default=TRUE_SUPPORTED_TARGET,
                        help="Gate: least share of true sentences supported.")  # fmt: skip
    parser.add_argument("--json", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    checkers = args.checker or ["meaning", "overlap"]
    try:
        outcomes = run(args.files, args.split, checkers)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = summary(outcomes)
    text = report(table, args.split)
    print(text)
    failed = [o for o in outcomes if o.checker == checkers[0] and o.shown_supported and not o.probe.supported]
    for o in failed:
        print(f"FALSE SUPPORTED {o.probe.id} [{o.probe.kind}] {o.probe.sentence!r}: {o.reason}", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        rows = [_row(o) for o in outcomes]
        args.json.write_text(json.dumps({"split": args.split, "summary": table, "probes": rows}, indent=1))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n")
    total = table[checkers[0]]["_total"]
    share = total["true_supported"]
    too_many = total["false_supported"] > args.max_false_supported
    if args.gate and (too_many or (share is not None and share < args.min_true_supported)):
        print(f"FAIL: {total['false_supported']} false sentence(s) shown as supported; true supported {share}",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
