"""HTTP API over the Assistant service (FastAPI). The chat page is mounted beside it by ``serve``.

- ``POST /api/ask`` ``{"question", "history", "filters"}`` → the JSON of ``python -m assistant ask --json``
- ``GET /api/health`` → status, mode, documents and passages indexed
- ``GET /api/sources`` → the documents with their metadata
- ``GET /document/{source_id}?start=&end=`` → the whole document as a page, the quote highlighted
"""

from __future__ import annotations

import html
import logging
import secrets
import uuid
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.backends.store import StorageError
from assistant.service import Assistant
from assistant.types import Answer, Briefing, DocumentMeta, Filters

log = logging.getLogger(__name__)

MAX_BODY_QUESTION_CHARS = 1_000_000
"""Questions longer than this are refused outright (the assistant truncates shorter ones)."""


class AskRequest(BaseModel):
    """Body of ``POST /api/ask``."""

    question: str = Field(max_length=MAX_BODY_QUESTION_CHARS, description="The question.")
    history: list[dict[str, Any] | str] = Field(default_factory=list, description="Earlier turns.")
    filters: Filters | None = Field(default=None, description="Which documents to answer from.")
    id: Any = Field(default=None, description="Echoed back in the answer.")
    mode: str | None = Field(default=None, description="Answer mode for this question (extractive, llm).")


class BriefRequest(BaseModel):
    """Body of ``POST /api/brief``."""

    filters: Filters | None = Field(default=None, description="Which documents to brief on.")


BASIC = HTTPBasic(auto_error=False)
"""Reads HTTP Basic credentials (None when absent or malformed); the middleware decides."""
PROTECTED = ("/api/", "/document/")
"""Paths the API guards itself; the page's own routes are guarded by Gradio's login."""


def create_api(assistant: Assistant, login: tuple[str, str] | None = None) -> FastAPI:
    """The FastAPI application serving the assistant; with ``login``, the API needs HTTP Basic credentials."""
    api = FastAPI(title="Research assistant", docs_url="/api/docs", openapi_url="/api/openapi.json")

    if login is not None:

        @api.middleware("http")
        async def require_login(request: Request, call_next: Any) -> Any:
            if request.url.path.startswith(PROTECTED) and not _authorised(await _credentials(request), login):
                return JSONResponse(
                    status_code=401,
                    content={"error": "Log in: this server needs a user name and password (HTTP Basic)."},
                    headers={"WWW-Authenticate": 'Basic realm="research assistant"'},
                )
            return await call_next(request)

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(status_code=422, content={"error": f"{where or 'body'}: {first.get('msg', 'invalid')}"})

    @api.post("/api/ask")
    async def ask(request: AskRequest) -> Answer:
        try:
            return await run_in_threadpool(
                assistant.ask, request.question, request.history, request.filters, id=request.id, mode=request.mode
            )
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc

    @api.post("/api/brief")
    async def brief(request: BriefRequest) -> Briefing:
        return await run_in_threadpool(assistant.brief, request.filters)

    @api.get("/api/health")
    def health() -> dict[str, Any]:
        return assistant.health()

    @api.get("/api/sources")
    def sources() -> list[DocumentMeta]:
        return assistant.sources()

    @api.get("/document/{source_id:path}", response_class=HTMLResponse)
    def document(source_id: str, start: int = Query(default=0, ge=0), end: int = Query(default=0, ge=0)) -> str:
        try:
            text = assistant.document_text(source_id)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=f"No indexed document {source_id!r}.") from exc
        return document_page(assistant.index.documents[source_id], text, start, end)

    @api.exception_handler(StorageError)
    async def storage_down(request: Request, exc: StorageError) -> JSONResponse:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(status_code=503, content={"error": str(exc)})

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        ref = uuid.uuid4().hex[:12]
        log.error("unexpected error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
        message = f"Unexpected server error (id {ref}); the server's log has the details under that id."
        return JSONResponse(status_code=500, content={"error": message, "id": ref})

    # Starlette's own HTTPException (e.g. a body that is not UTF-8 JSON) gets the same {"error"} shape.
    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"error": exc.detail})

    return api


async def _credentials(request: Request) -> HTTPBasicCredentials | None:
    """The request's HTTP Basic credentials; None when absent or malformed (FastAPI raises for bad base64)."""
    try:
        return await BASIC(request)
    except HTTPException:
        return None


def _authorised(given: HTTPBasicCredentials | None, login: tuple[str, str]) -> bool:
    """HTTP Basic credentials that match, compared in constant time."""
    if given is None:
        return False
    return secrets.compare_digest(given.username.encode(), login[0].encode()) & secrets.compare_digest(
        given.password.encode(), login[1].encode()
    )


def document_page(meta: DocumentMeta, text: str, start: int, end: int) -> str:
    """A self-contained page with the escaped document and the span [start:end] highlighted."""
    start, end = min(start, len(text)), min(max(end, start), len(text))
    body = (
        html.escape(text[:start])
        + (f'<mark id="quote">{html.escape(text[start:end])}</mark>' if end > start else "")
        + html.escape(text[end:])
    )
    details = " · ".join(html.escape(x) for x in (meta.outlet, meta.author, meta.date, meta.path) if x)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{html.escape(meta.title)}</title>
<style>
body {{ font: 16px/1.6 Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
.meta {{ font: 14px system-ui, sans-serif; color: #555; }}
pre {{ white-space: pre-wrap; font: inherit; }}
mark {{ background: #ffe27a; padding: 0 .1em; scroll-margin-top: 40vh; }}
</style></head>
<body><h1>{html.escape(meta.title)}</h1><p class="meta">{details}</p><pre>{body}</pre></body></html>"""
