"""Adding files to the corpus folder: copied documents, and uploads checked and stored under safe names.

Nothing here indexes; the service runs an ingest afterwards.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from assistant.ingest.corpus import MAX_FILE_BYTES, decode
from assistant.ingest.extract import SUPPORTED_SUFFIXES, extract

UPLOAD_FOLDER = "uploads"
"""Where uploaded files are kept, under the corpus folder."""


def safe_name(name: str) -> str:
    """A file name with no folders, no leading dots and only letters, digits, '.', '-' and '_'."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._") or "upload"
    stem, suffix = Path(cleaned).stem[:100], Path(cleaned).suffix.lower()[:10]
    return f"{stem or 'upload'}{suffix}"


def check_upload(path: Path, name: str) -> str | None:
    """Why an uploaded file cannot be added, or None when it can."""
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"only {', '.join(sorted(SUPPORTED_SUFFIXES))} files are accepted"
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return f"{size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit"
    try:
        text = extract(Path(name).suffix, path.read_bytes(), decode).text
    except ValueError as exc:
        return str(exc)
    if not text.strip():
        return "it has no text"
    return None


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, numbered when taken, so an upload never overwrites another."""
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def copy_into_corpus(corpus: Path, paths: Sequence[Path]) -> list[str]:
    """Copy the supported files among ``paths`` (files or folders) into ``corpus``; warnings for the rest."""
    warnings: list[str] = []
    corpus.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if not path.exists():
            warnings.append(f"{path}: skipped, no such file or folder")
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.suffix.lower() not in SUPPORTED_SUFFIXES:
                warnings.append(f"{f}: skipped, only {', '.join(sorted(SUPPORTED_SUFFIXES))} files are supported")
                continue
            target = corpus / (f.relative_to(path.parent) if path.is_dir() else Path(f.name))
            if f.resolve() == target.resolve():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
    return warnings


def store_uploads(corpus: Path, files: Sequence[Path]) -> tuple[list[str], list[str]]:
    """Check each uploaded file and store the good ones under ``uploads/`` with safe, unused names.

    Returns a line for each file not stored (with the reason), and the corpus-relative
    paths of those stored. Nothing outside ``corpus`` is written.
    """
    target = corpus / UPLOAD_FOLDER
    lines: list[str] = []
    accepted: list[str] = []
    for path in files:
        name = safe_name(path.name)
        problem = check_upload(path, name)
        if problem:
            lines.append(f"{name}: not added, {problem}")
            continue
        existing = target / name
        if existing.is_file() and existing.read_bytes() == path.read_bytes():
            lines.append(f"{name}: already in the corpus")
            continue
        target.mkdir(parents=True, exist_ok=True)
        destination = _free_name(target, name)
        shutil.copyfile(path, destination)
        accepted.append(destination.relative_to(corpus).as_posix())
    return lines, accepted
