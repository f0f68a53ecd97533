"""Entry point for ``python -m assistant``."""

from assistant.cli import app

app(prog_name="python -m assistant")
