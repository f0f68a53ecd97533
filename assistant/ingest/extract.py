"""Extract: the quotable text and the metadata a file carries, for each supported format.

- ``.txt`` / ``.md``: the text itself. A YAML front matter block (``---`` … ``---``, at the
  top or after one provenance line) gives title, author, date and url, and is never quoted.
  Offsets point into the file as it is.
- ``.html``: the main text as trafilatura extracts it (navigation, footers and ads left out),
  with title, author, date, site name and canonical URL from its meta tags.
- ``.pdf``: the text of every page through pypdf, with title, author and creation date from
  the document information.

For HTML and PDF, quotes and offsets refer to the extracted text; extraction is
deterministic, so the same file always gives the same text and offsets.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

_FRONT_MATTER = re.compile(r"\A(?:[^\n]*\n)?(---[ \t]*\n(?P<body>.*?)\n---[ \t]*)(?:\n|\Z)", re.DOTALL)
_FIELDS = {"title": "title", "author": "author", "date": "date", "url": "url", "outlet": "outlet"}


@dataclass
class Extracted:
    """Text to segment, where quoting may begin, and metadata found in the file itself."""

    text: str
    body_start: int = 0
    """Offset before which nothing is quoted (front matter and the line above it)."""
    fields: dict[str, Any] = field(default_factory=dict)


def extract(suffix: str, data: bytes, decode: Any) -> Extracted:
    """Dispatch on the file suffix. ``decode`` turns text bytes into str or raises ``ValueError``."""
    suffix = suffix.lower()
    if suffix in HTML_SUFFIXES:
        return extract_html(decode(data))
    if suffix in PDF_SUFFIXES:
        return extract_pdf(data)
    return extract_text(decode(data))


def extract_text(text: str) -> Extracted:
    """Plain text or Markdown, with its front matter read and set aside."""
    match = _FRONT_MATTER.match(text[:20_000])
    if not match:
        return Extracted(text=text)
    try:
        raw = yaml.safe_load(match.group("body"))
    except yaml.YAMLError:
        return Extracted(text=text)
    if not isinstance(raw, dict):
        return Extracted(text=text)
    return Extracted(text=text, body_start=match.end(), fields=_metadata(raw))


def extract_html(html: str) -> Extracted:
    """Main text and meta tags of an HTML page."""
    import trafilatura

    doc: Any = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        raise ValueError("no article text could be extracted from the HTML")
    # trafilatura separates paragraphs with one newline; a blank line keeps them paragraphs here.
    text = re.sub(r"\n+", "\n\n", text.strip()) + "\n"
    raw = {"title": doc.title, "author": doc.author, "date": doc.date, "url": doc.url, "outlet": doc.sitename}
    return Extracted(text=text, fields=_metadata(raw))


def extract_pdf(data: bytes) -> Extracted:
    """Page text and document information of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValueError("the PDF is encrypted")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, OSError, KeyError, TypeError) as exc:
        raise ValueError(f"it is not a readable PDF ({exc})") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise ValueError("the PDF has no extractable text (scanned pages need OCR first)")
    raw: dict[str, Any] = {}
    if info is not None:
        created = info.creation_date if info.get("/CreationDate") else None
        raw = {"title": info.title, "author": info.author, "date": created.date().isoformat() if created else None}
    return Extracted(text=text + "\n", fields=_metadata(raw))


def _metadata(raw: dict[str, Any]) -> dict[str, Any]:
    """Known fields with usable values; dates cut to an ISO day, month or year."""
    out: dict[str, Any] = {}
    for key, target in _FIELDS.items():
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "date":
            found = re.match(r"\d{4}(-[01]\d(-[0-3]\d)?)?", str(value))
            if not found:
                continue
            value = found.group(0)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[target] = str(value).strip()
    return out
