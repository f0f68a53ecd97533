"""Ingest: load, decode, clean and chunk the corpus, embed it and store it with a manifest."""
