"""Evaluation: eval cases, metrics, runs, reports, probes and fitting the answer model."""
