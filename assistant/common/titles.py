"""Titles that stand before a person's name ("Secretary General Anna Smith", "Dr. Lee"): general
English offices and honorifics, one list for every stage that reads names and who speaks."""

from __future__ import annotations

OFFICES = (
    "Secretary General",
    "President",
    "Prime Minister",
    "Minister",
    "Chief Executive",
    "Legal and Policy Officer",
    "Policy Officer",
    "Director",
    "Senator",
    "Judge",
    "Mayor",
    "Professor",
)
"""Offices, longest wording first where one contains another ("Prime Minister" before "Minister")."""
MORE_OFFICES = (
    "Home Secretary",
    "Foreign Secretary",
    "Chief Secretary",
    "Secretary of State",
    "Chancellor",
    "Chairman",
    "Chairwoman",
    "Governor",
    "Ambassador",
    "Commissioner",
)
"""Offices the briefing also takes off a name ("Chancellor Anna Smith"). The speaker attribution of
answers keeps to ``OFFICES``, since its speakers are features the answer model was trained on."""
HONORIFICS = ("Dr.", "Mr.", "Mrs.", "Ms.")
SPOKESPEOPLE = ("spokesperson", "spokesman", "spokeswoman")


def alternatives(words: tuple[str, ...], optional_dot: bool = False) -> str:
    """A regular-expression alternative of ``words`` (dots escaped; optional with ``optional_dot``)."""
    dot = r"\.?" if optional_dot else r"\."
    return "|".join(w.replace(".", dot) for w in words)
