"""Benchmark corpora, built at run time from ``../shared`` and never committed.

- ``bbc``: the BBC articles (all 2,225 by default, or a seeded random sample).
- ``scaled``: copies of the BBC articles, enough for at least 100,000 chunks. Copy 0 is the
  article as published; copy ``k`` keeps the headline and shuffles the paragraphs with
  ``random.Random(k)``. Sentences repeat across copies, chunks (runs of sentences) differ.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
BBC = SHARED / "corpora" / "bbc"


def bbc_files(limit: int | None = None) -> list[Path]:
    """BBC article files in a fixed shuffled order (seed 7); all of them when ``limit`` is None."""
    files = sorted(p for p in BBC.rglob("*.txt") if p.parent != BBC)
    random.Random(7).shuffle(files)
    return files[:limit] if limit else files


def copy_bbc(target: Path, limit: int | None = None) -> Path:
    """Copy BBC articles under ``target``, keeping their category/name paths."""
    for f in bbc_files(limit):
        out = target / f.relative_to(BBC)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, out)
    return target


def shuffled_copy(raw: bytes, seed: int) -> bytes:
    """The article with its headline first and its paragraphs in a seeded random order."""
    if seed == 0:
        return raw
    headline, _, body = raw.partition(b"\n")
    paragraphs = [p for p in body.split(b"\n\n") if p.strip()]
    random.Random(seed).shuffle(paragraphs)
    return headline + b"\n\n" + b"\n\n".join(p.strip(b"\n") for p in paragraphs) + b"\n"


def build_scaled(target: Path, copies: int) -> Path:
    """``copies`` paragraph-shuffled copies of every BBC article, as ``copyNN/category/name.txt``."""
    for k in range(copies):
        for f in bbc_files():
            out = target / f"copy{k:02d}" / f.relative_to(BBC)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(shuffled_copy(f.read_bytes(), k))
    return target
