"""Retrieval: lexical and dense search over the index, then sentence-level evidence."""
