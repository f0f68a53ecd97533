"""Facts every stage uses, each kept in one place: calendar dates and percentiles."""
