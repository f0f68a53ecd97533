"""Text, HTML and PDF extraction, and the metadata files carry."""

from __future__ import annotations

import pytest

from assistant.ingest.corpus import decode
from assistant.ingest.extract import extract, extract_html, extract_pdf, extract_text

HTML = """<html><head><title>Zebra crossings</title><meta name="author" content="Jane Roe">
<meta property="og:site_name" content="The Lyon Daily"><meta property="article:published_time" content="2021-05-04">
<link rel="canonical" href="https://example.org/zebra"></head><body><nav>Home | About | Subscribe</nav>
<article><h1>Zebra crossings repainted</h1><p>The zebra crossing in Lyon was repainted in May 2021 by the city
council, officials said on Tuesday.</p><p>“We are proud of it,” said Mayor Jean Dupont, who opened the crossing.</p>
</article><footer>Copyright 2021 The Lyon Daily</footer></body></html>"""


def make_pdf(text: str, title: str = "Zebra report", author: str = "Jane Roe") -> bytes:
    """A one-page PDF with ``text`` in Helvetica and an information dictionary."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author ({author}) /CreationDate (D:20210504120000Z) >>".encode(),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_front_matter_gives_metadata_and_is_never_quoted() -> None:
    text = (
        'SOURCE: copied from a blog\n---\ntitle: "Big News"\ndate: 2026-01-26T00:15:03\nauthor: badely\n---\n\nBody.\n'
    )
    got = extract_text(text)
    assert got.fields == {"title": "Big News", "date": "2026-01-26", "author": "badely"}
    assert text[got.body_start :].strip() == "Body."


def test_text_without_front_matter_is_left_alone() -> None:
    got = extract_text("Just a title\n\n---\nnot: front matter\n---\n")
    assert got.body_start == 0
    assert got.fields == {}


def test_html_main_text_and_meta_tags() -> None:
    got = extract_html(HTML)
    assert "repainted in May 2021" in got.text
    assert "Subscribe" not in got.text
    assert "Copyright" not in got.text
    assert got.fields["author"] == "Jane Roe"
    assert got.fields["date"] == "2021-05-04"
    assert got.fields["url"] == "https://example.org/zebra"
    assert got.fields["outlet"] == "The Lyon Daily"


def test_pdf_text_and_information() -> None:
    got = extract_pdf(make_pdf("The zebra crossing in Lyon was repainted in May 2021."))
    assert "zebra crossing in Lyon" in got.text
    assert got.fields == {"title": "Zebra report", "author": "Jane Roe", "date": "2021-05-04"}


@pytest.mark.parametrize(
    ("suffix", "data", "reason"),
    [
        (".pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        (".pdf", b"\x00\x01\x02 binary", "not a readable PDF"),
        (".html", b"<html><head><title>Empty</title></head><body></body></html>", "no article text"),
        (".txt", b"\x00\x00\x00binary", "binary"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(suffix: str, data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        extract(suffix, data, decode)
