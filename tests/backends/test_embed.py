"""The embedders: the deterministic hashing stand-in, and choosing one (and a store) from settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from assistant.backends.embed import HashingEmbedder
from tests.conftest import ROOT, SEED_CORPUS


def test_hashing_vectors_are_deterministic_unit_length_and_near_for_shared_words() -> None:
    embedder = HashingEmbedder()
    texts = [
        "Interpol refused to suspend Russia.",
        "Interpol refused to suspend Russia.",
        "The bridge was repaired.",
        "",
    ]
    vectors = embedder.embed(texts)
    assert vectors.shape == (4, embedder.dimension)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], HashingEmbedder().embed(texts[:1])[0])
    near = float(vectors[0] @ embedder.embed(["Why did Interpol not suspend Russia?"])[0])
    assert near > float(vectors[0] @ vectors[2]) + 0.3


SCRIPT = """
import json, sys
from assistant import Settings, build_assistant
settings = Settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2], storage="memory", embedding={"backend": "hashing"})
assistant = build_assistant(settings)
assistant.ensure_index(progress=False)
answer = assistant.ask("What is a diffusion?")
print(json.dumps({"citations": [c.model_dump(mode="json") for c in answer.citations],
                  "loaded": sorted(m for m in ("torch", "sentence_transformers", "chromadb") if m in sys.modules)}))
"""


def test_settings_choose_the_hashing_embedder_and_the_memory_store(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SEED_CORPUS), str(tmp_path / "index")],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "torch" not in result["loaded"]
    assert "sentence_transformers" not in result["loaded"]
    assert result["citations"], "an answer with citations, built without the model"
    for c in result["citations"]:
        assert (SEED_CORPUS / c["path"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
    assert not (tmp_path / "index" / "chroma").exists()
