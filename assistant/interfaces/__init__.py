"""Interfaces over the Assistant service: the command line, the HTTP API and the page."""
