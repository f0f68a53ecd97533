"""Serving the chat page and the HTTP API in one process: ``python -m assistant serve``.

Binds to loopback unless a login is set (``ASSISTANT_AUTH=user:password``) or the caller insists.
"""

from __future__ import annotations

from assistant.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class ServeError(ValueError):
    """The server cannot start as asked: the message says why and what to do."""


def credentials(settings: Settings) -> tuple[str, str] | None:
    """``(user, password)`` from ``ASSISTANT_AUTH=user:password``, or None when no login is set."""
    if settings.auth is None:
        return None
    user, sep, password = settings.auth.get_secret_value().partition(":")
    if not (sep and user and password):
        raise ServeError("ASSISTANT_AUTH must be user:password, both non-empty.")
    return user, password


def serve(settings: Settings, insecure_no_auth: bool = False) -> None:
    """Index the corpus if needed, then serve the page at ``/`` and the API under ``/api`` until stopped."""
    login = credentials(settings)
    if settings.host not in LOOPBACK and login is None and not insecure_no_auth:
        raise ServeError(
            f"binding {settings.host} would expose the assistant to the network without a password. "
            "Set ASSISTANT_AUTH=user:password, or pass --insecure-no-auth if that is really intended."
        )
    import gradio as gr
    import uvicorn

    from assistant.interfaces.api import create_api
    from assistant.interfaces.ui import CSS, HEAD, build_ui
    from assistant.wiring import build_assistant

    assistant = build_assistant(settings)
    assistant.ensure_index(progress=True)
    api = create_api(assistant, login=login)
    app = gr.mount_gradio_app(api, build_ui(assistant), path="/", css=CSS, head=HEAD, auth=login)
    print(f"Serving on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
