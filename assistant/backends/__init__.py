"""Backends behind small interfaces: embedders and vector storage."""
