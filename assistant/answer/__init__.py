"""Answer: read the question, decide whether the evidence answers it, and compose or write the answer."""
