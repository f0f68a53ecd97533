"""Serve the chat page and the HTTP API: ``python app.py [--host 127.0.0.1] [--port 7860]``.

Binds to loopback unless told otherwise (flags, or GRADIO_SERVER_NAME / GRADIO_SERVER_PORT).
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: the app runs offline

import gradio as gr
import uvicorn

from assistant.answer.ranker import ModelError
from assistant.interfaces.api import create_api
from assistant.interfaces.ui import CSS, HEAD, build_ui
from assistant.settings import get_settings
from assistant.wiring import build_assistant

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def credentials(auth: str | None) -> tuple[str, str] | None:
    """``(user, password)`` from ``user:password``; exits with a message when it is malformed."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not (sep and user and password):
        sys.exit("error: ASSISTANT_AUTH must be user:password, both non-empty.")
    return user, password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument(
        "--insecure-no-auth", action="store_true", help="Serve beyond loopback without a password (not recommended)."
    )
    args = parser.parse_args()
    settings = get_settings()
    login = credentials(settings.auth.get_secret_value() if settings.auth else None)
    if args.host not in LOOPBACK and login is None and not args.insecure_no_auth:
        sys.exit(
            f"error: binding {args.host} would expose the assistant to the network without a password. "
            "Set ASSISTANT_AUTH=user:password, or pass --insecure-no-auth if that is really intended."
        )
    try:
        assistant = build_assistant(settings)
    except ModelError as exc:
        sys.exit(f"error: {exc}")
    assistant.ensure_index(progress=True)
    api = create_api(assistant, login=login)
    app = gr.mount_gradio_app(api, build_ui(assistant), path="/", css=CSS, head=HEAD, auth=login)
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
