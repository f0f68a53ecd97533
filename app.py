"""Serve the chat page and the HTTP API: ``python app.py [--host H] [--port P]``, the same as
``python -m assistant serve``."""

import sys

from assistant.interfaces.cli import app

if __name__ == "__main__":
    app(["serve", *sys.argv[1:]], prog_name="app.py")
