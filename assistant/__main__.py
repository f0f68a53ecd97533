"""Entry point for ``python -m assistant``."""

from assistant.interfaces.cli import app

app(prog_name="python -m assistant")
