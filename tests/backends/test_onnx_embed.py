"""The ONNX Runtime embedder: the reference model's vectors, a self-repairing cache, no torch on the query path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.backends.embed import Embedder, EmbeddingError, HashingEmbedder, SentenceTransformerEmbedder
from assistant.backends.onnx_embed import OnnxEmbedder
from assistant.ingest.clean import split_sentences
from assistant.ingest.corpus import document_text, scan
from tests.conftest import MODEL_CACHE, ROOT, SEED_CORPUS, SHARED


def corpus_sentences(*folders: Path) -> list[str]:
    """Every sentence of the folders' documents, as ingest splits them."""
    out = []
    for folder in folders:
        for source in scan(folder)[0]:
            text = document_text(source.path)
            out += [text[a:b] for a, b in split_sentences(text)]
    return out


def test_onnx_vectors_match_the_sentence_transformers_model(
    embedder: OnnxEmbedder, reference_embedder: SentenceTransformerEmbedder
) -> None:
    sentences = corpus_sentences(SEED_CORPUS, SHARED / "corpora" / "interpol-extra")
    assert len(sentences) >= 500
    ours, reference = embedder.embed(sentences), reference_embedder.embed(sentences)
    assert ours.shape == reference.shape == (len(sentences), 384)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.9999, sentences[int(cosines.argmin())]
    one = embedder.embed([sentences[-1]])[0]  # alone, unpadded, the same vector as in a padded batch
    assert float(one @ ours[-1]) >= 0.99999


@pytest.mark.parametrize("kind", ["hashing", "onnx", "sentence-transformers"])
def test_every_embedder_keeps_the_contract(
    kind: str, embedder: OnnxEmbedder, reference_embedder: SentenceTransformerEmbedder
) -> None:
    chosen: Embedder = {"hashing": HashingEmbedder(), "onnx": embedder, "sentence-transformers": reference_embedder}[
        kind
    ]
    texts = [f"Sentence number {k} about {'a long subject ' * (k % 7)}the corpus." for k in range(70)]
    vectors = chosen.embed(texts)
    assert vectors.shape == (70, chosen.dimension)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reversed_order = chosen.embed(texts[::-1])[::-1]  # rows follow the input, whatever the batching
    assert np.allclose(vectors, reversed_order, atol=1e-5)
    assert chosen.embed([]).shape == (0, chosen.dimension)


def _cached_copy(embedder: OnnxEmbedder, tmp_path: Path) -> Path:
    embedder.embed(["make sure the shared export exists"])
    folder = tmp_path / "models"
    shutil.copytree(MODEL_CACHE, folder)
    return folder


def test_a_truncated_cache_is_exported_again(embedder: OnnxEmbedder, tmp_path: Path) -> None:
    folder = _cached_copy(embedder, tmp_path)
    (model,) = folder.glob("*.onnx")
    model.write_bytes(model.read_bytes()[:5000])
    vector = OnnxEmbedder(cache_dir=folder).embed(["Interpol refused to suspend Russia."])[0]
    assert float(vector @ embedder.embed(["Interpol refused to suspend Russia."])[0]) >= 0.99999
    assert model.stat().st_size > 1_000_000, "the damaged file was replaced"


def test_a_cache_with_altered_weights_is_caught_by_its_probe(embedder: OnnxEmbedder, tmp_path: Path) -> None:
    folder = _cached_copy(embedder, tmp_path)
    import onnx
    from onnx import numpy_helper

    (model,) = folder.glob("*.onnx")
    graph = onnx.load(str(model))
    weight = max(graph.graph.initializer, key=lambda t: int(np.prod(t.dims)) if len(t.dims) == 2 else 0)
    weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight) * 0.5, weight.name))
    onnx.save(graph, str(model))  # still a valid model, with other vectors
    altered = model.read_bytes()
    fresh = OnnxEmbedder(cache_dir=folder)
    text = ["The General Assembly elected a new president."]
    assert float(fresh.embed(text)[0] @ embedder.embed(text)[0]) >= 0.99999
    assert model.read_bytes() != altered, "the altered file was exported again"


def test_a_folder_of_another_kind_of_model_is_refused_plainly(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text(json.dumps([{"type": "some.OtherModel", "path": ""}]))
    with pytest.raises(EmbeddingError, match=r"not a sentence-transformers model folder|not a mean-pooled"):
        OnnxEmbedder(str(tmp_path), cache_dir=tmp_path / "cache")


QUERY_PATH = """
import json, sys
from typer.testing import CliRunner
from assistant import Settings, build_assistant
from assistant.interfaces.cli import app

settings = Settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2])
answer = build_assistant(settings).ask("Why did Interpol not suspend Russia?")
result = CliRunner().invoke(app, ["ask", "--json", "Who is the Secretary General?"])
print(json.dumps({"citations": len(answer.citations), "cli": result.exit_code,
                  "loaded": sorted(m for m in ("torch", "transformers", "sentence_transformers", "langchain_core")
                                   if m in sys.modules)}))
"""
NOTHING_CHANGED = """
import json, sys
from typer.testing import CliRunner
from assistant.interfaces.cli import app

result = CliRunner().invoke(app, ["ingest"])
heavy = ("onnxruntime", "chromadb", "langchain_core", "torch", "transformers")
print(json.dumps({"out": result.stdout, "cli": result.exit_code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def test_fresh_processes_load_only_what_their_command_needs(embedder: OnnxEmbedder, tmp_path: Path) -> None:
    embedder.embed(["make sure the shared export exists"])
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEED_CORPUS, corpus)
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(index)}

    def python(*args: str) -> dict[str, Any]:
        out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1]) if args[0] == "-c" else {}

    python("-m", "assistant", "ingest")
    asked = python("-c", QUERY_PATH, str(corpus), str(index))
    assert asked["citations"] > 0
    assert asked["cli"] == 0
    assert asked["loaded"] == [], f"the query path imported {asked['loaded']}"
    unchanged = python("-c", NOTHING_CHANGED)
    assert "unchanged 5" in unchanged["out"]
    assert unchanged["loaded"] == [], f"an ingest with nothing to do imported {unchanged['loaded']}"
    (corpus / "new.txt").write_text("A new document about the General Assembly vote in November.\n")
    changed = python("-c", NOTHING_CHANGED)  # the same command, with work to do, does it
    assert "added 1" in changed["out"]
    assert "unchanged 5" in changed["out"]
