"""The briefing's learned choice: which events make the timeline.

``make train`` fits it on the dev briefing keys (:mod:`assistant.evaluation.train_brief`); the
columns the model reads are named here and computed where the timeline is built
(:func:`assistant.brief.events.event_matrix`). Who's who keeps its hand-set ranking: a model
fitted the same way found fewer of the keys' must actors on every dev corpus.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.answer.ranker import Bin, LinearModel, ModelError

MODEL_FILE = Path(__file__).with_name("brief_model.json")

EVENT_FEATURES = (
    "told_by",
    "tellings",
    "named",
    "day",
    "month",
    "no_year",
    "central",
    "date_told_by",
    "heading_words",
    "first_person",
    "fragment",
    "figure",
    "other_dates",
    "distance",
    "echo",
    "said",
    "future",
)
"""What the event model sees of a dated sentence and its retellings."""
EVENT_SIGNS = {"told_by": 1, "named": 1, "central": 1}
"""Weights fixed in direction: more sources, more actors and a more central sentence never count against."""


class Choice(BaseModel):
    """One learned choice: P(an item belongs in its section), and the threshold below which it stays out."""

    model: LinearModel = Field(description="A standardised logistic regression over the section's features.")
    threshold: float = Field(description="Items below this probability stay out (past the section's floor).")
    reliability: list[Bin] = Field(description="Out-of-fold predicted against observed, by probability bin.")


class BriefModel(BaseModel):
    """Everything ``make train`` fits for the briefing."""

    version: int = Field(description="Bumped when the feature set changes.")
    trained_on: str = Field(description="What the model was fitted on.")
    events: Choice = Field(description="P(a dated sentence tells an event the key lists).")


@lru_cache(maxsize=2)
def brief_model(path: Path = MODEL_FILE) -> BriefModel:
    """The committed model; :class:`ModelError` naming the file when it is missing or stale."""
    try:
        model = BriefModel.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the briefing model {path}: {exc}. Run `make train` to fit it.") from exc
    if tuple(model.events.model.features) != EVENT_FEATURES:
        raise ModelError(
            f"the briefing model {path} was fitted on other features than the code computes; run `make train`"
        )
    return model
