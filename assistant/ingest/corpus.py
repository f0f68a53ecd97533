"""Corpus: find source files, decode them safely, attach metadata and clean them.

Files are never modified. Metadata comes from ``metadata.yaml`` in the corpus folder,
then from the file itself (front matter, HTML meta tags, PDF information; see
:mod:`assistant.ingest.extract`), then from the text: its first line as title and the first
date its opening gives.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.common.dates import MONTH_PATTERN, MONTHS
from assistant.ingest.clean import segment
from assistant.ingest.extract import SUPPORTED_SUFFIXES, extract
from assistant.types import Document, DocumentMeta

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are skipped with a warning rather than stalling ingest."""


class CorpusError(ValueError):
    """The corpus folder or its metadata file cannot be used."""


@dataclass(frozen=True)
class SourceFile:
    """A corpus file on disk, hashed but not yet decoded."""

    path: Path
    rel: str
    data: bytes

    @property
    def sha256(self) -> str:
        """Hash of the raw bytes."""
        return hashlib.sha256(self.data).hexdigest()


def scan(corpus_dir: Path, metadata_file: str = "metadata.yaml") -> tuple[list[SourceFile], list[str]]:
    """Read every supported file under ``corpus_dir``; return the files and warnings for skipped ones."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist. Create it and add documents (.txt .md .html .pdf)."
        )
    root = corpus_dir.resolve()
    files: list[SourceFile] = []
    warnings: list[str] = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts) or rel == metadata_file:
            continue
        if path.is_dir() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        if not path.resolve().is_relative_to(root):
            warnings.append(f"{rel}: skipped, it links outside the corpus folder")
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            warnings.append(f"{rel}: skipped, {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit")
            continue
        files.append(SourceFile(path=path, rel=rel, data=path.read_bytes()))
    return files, warnings


def document_text(path: Path) -> str:
    """The text a document's offsets refer to: for HTML and PDF, the extracted text, not the file's bytes.

    Cached until the file's modification time or size changes, so source cards and citation
    checks do not extract a document again for every quote. Raises ``OSError`` or ``ValueError``.
    """
    stat = path.stat()
    return _extracted(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _extracted(path: str, mtime_ns: int, size: int) -> str:
    return extract(Path(path).suffix, Path(path).read_bytes(), decode).text


def decode(data: bytes) -> str:
    """Decode file bytes as UTF-8, or as Windows-1252 when a few stray bytes break UTF-8.

    Raises ``ValueError`` with the reason for empty, binary or undecodable content.
    """
    if not data.strip():
        raise ValueError("the file is empty")
    if b"\x00" in data[:8192]:
        raise ValueError("it looks binary (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        high = sum(b >= 0x80 for b in data)
        # A mostly-ASCII file with a few Latin-1 bytes is real text; dense invalid bytes are not.
        if high > max(8, len(data) // 100):
            raise ValueError(f"it is not valid UTF-8 text (bad byte at offset {exc.start})") from exc
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc2:
            raise ValueError(f"it is not valid UTF-8 text (bad byte at offset {exc.start})") from exc2
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > len(text) // 100:
        raise ValueError("it looks binary (it contains control characters)")
    return text


def load_metadata(corpus_dir: Path, metadata_file: str = "metadata.yaml") -> dict[str, dict[str, Any]]:
    """Read the metadata file: a mapping of file path (relative to the corpus) to fields."""
    path = corpus_dir / metadata_file
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise CorpusError(f"{path}: expected a mapping of file name to a mapping of fields")
    return {str(k): {f: (str(v) if f == "date" else v) for f, v in fields.items()} for k, fields in raw.items()}


MAX_EXAMPLES = 12


def load_examples(corpus_dir: Path, examples_file: str = "examples.yaml") -> list[str]:
    """The example questions a corpus suggests: a YAML list of strings in its folder (none when absent).

    A malformed file is reported, never fatal: the page works without examples."""
    path = corpus_dir / examples_file
    if not path.is_file():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, list) or not all(isinstance(q, str) and q.strip() for q in raw):
        raise CorpusError(f"{path}: expected a list of questions")
    return [" ".join(q.split())[:300] for q in raw[:MAX_EXAMPLES]]


def load_corpus(
    corpus_dir: Path, metadata_file: str = "metadata.yaml"
) -> tuple[list[SourceFile], dict[str, dict[str, Any]], list[str]]:
    """Scan the corpus and read its metadata: what the indexer needs to decide what changed."""
    files, warnings = scan(corpus_dir, metadata_file)
    return files, load_metadata(corpus_dir, metadata_file), warnings


def fingerprint(source: SourceFile, fields: dict[str, Any] | None) -> str:
    """Hash of the file bytes and its metadata entry: either changing means re-indexing."""
    extra = json.dumps(fields or {}, sort_keys=True, default=str).encode()
    return hashlib.sha256(source.data + b"\x00" + extra).hexdigest()


def build_document(source: SourceFile, fields: dict[str, Any] | None) -> Document:
    """Decode, describe and clean one file. Raises ``ValueError`` naming what is wrong."""
    extracted = extract(source.path.suffix, source.data, decode)
    text, body = extracted.text, extracted.text[extracted.body_start :]
    inferred = {"title": infer_title(body), "date": infer_date(body)}
    given = {k: v for k, v in (fields or {}).items() if v is not None}
    try:
        meta = DocumentMeta(source_id=source.rel, path=source.rel, **{**inferred, **extracted.fields, **given})
    except ValidationError as exc:
        raise ValueError(f"its metadata entry is invalid: {exc.errors()[0]['msg']}") from exc
    authors = [meta.author] if meta.author else []
    spans = [s for s in segment(text, authors) if s.start >= extracted.body_start]
    if not any(span.story for span in spans):
        raise ValueError("it has no text to index once page furniture is removed")
    return Document(meta=meta, text=text, fingerprint=fingerprint(source, fields), spans=spans)


def explain(path: Path, corpus_dir: Path, metadata_file: str = "metadata.yaml") -> Document:
    """How cleaning reads one file, without indexing it: every span kept, marked or left out.

    A file inside the corpus folder is read with its metadata entry (its author marks a bio).
    Raises ``OSError`` or ``ValueError`` naming what is wrong.
    """
    resolved, corpus = path.resolve(), corpus_dir.resolve()
    inside = resolved.is_relative_to(corpus)
    rel = resolved.relative_to(corpus).as_posix() if inside else path.name
    fields = load_metadata(corpus_dir, metadata_file).get(rel) if inside else None
    return build_document(SourceFile(path=path, rel=rel, data=path.read_bytes()), fields)


def infer_title(text: str) -> str:
    """The first non-blank line, shortened to 200 characters."""
    for line in text.splitlines():
        line = re.sub(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*", "", line).strip()
        if line:
            return line if len(line) <= 200 else line[:199].rstrip() + "…"
    return "Untitled"


_MONTH = r"(?P<month>" + MONTH_PATTERN + r")\.?"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>(19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)"),
    re.compile(r"\b(?P<day>[0-3]?\d) " + _MONTH + r",? (?P<year>(19|20)\d\d)", re.IGNORECASE),
    re.compile(r"\b" + _MONTH + r" (?P<day>[0-3]?\d),? (?P<year>(19|20)\d\d)", re.IGNORECASE),
]


DATELINE_CHARS = 100
"""The longest line a written-out date may stand on and still date the document (a dateline or byline)."""


def infer_date(text: str, window: int = 600) -> str | None:
    """The first full date in the opening ``window`` characters, as ISO YYYY-MM-DD.

    A written-out date counts only on a short line: "10 March 2022" or "editor - December 19, 2017"
    dates the document, "The attacks on 11 September 2001 heightened concern…" in its first paragraph
    does not.
    """
    head = text[:window]
    found: list[tuple[int, str]] = []
    for k, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(head):
            start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
            if k > 0 and (len(text) if end < 0 else end) - start > DATELINE_CHARS:
                continue
            month = int(m.group("mnum")) if "mnum" in m.groupdict() else MONTHS[m.group("month").lower()]
            day = int(m.group("day"))
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append((m.start(), f"{int(m.group('year')):04d}-{month:02d}-{day:02d}"))
    return min(found)[1] if found else None
