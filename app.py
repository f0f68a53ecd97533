"""Serve the chat page and the HTTP API: ``python app.py [--host 127.0.0.1] [--port 7860]``.

Binds to loopback unless told otherwise (flags, or GRADIO_SERVER_NAME / GRADIO_SERVER_PORT).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: the app runs offline

import gradio as gr
import uvicorn

from assistant.api import create_api
from assistant.ui import CSS, HEAD, build_ui
from assistant.wiring import build_assistant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    args = parser.parse_args()
    assistant = build_assistant()
    assistant.ensure_index(progress=True)
    app = gr.mount_gradio_app(create_api(assistant), build_ui(assistant), path="/", css=CSS, head=HEAD)
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
