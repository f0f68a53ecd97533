"""Briefing: names, dates and a cited overview of the corpus for a newcomer."""
