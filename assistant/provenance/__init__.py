"""Provenance: citations, what the sources are to each other, who speaks, and the sentence checks."""
