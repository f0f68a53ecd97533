"""The briefing's learned choice: which events make the timeline, and how many.

``make train`` fits two logistic regressions on the dev briefing keys
(:mod:`assistant.evaluation.train_brief`): P(an event is in the key at all) and P(it is one a
newcomer must meet). The timeline ranks events by the second and stops where the expected F1
of the briefing, must events found against entries in the key, is highest
(:func:`assistant.brief.events.expected_length`): no threshold is fitted. The columns the
models read are named here and computed where the timeline is built
(:func:`assistant.brief.events.candidates`). Who's who keeps its hand-set ranking: a model
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
    "support",
    "lead",
)
"""What the event models see of a dated sentence and its retellings."""
EVENT_SIGNS = {"told_by": 1, "named": 1, "central": 1, "support": 1, "lead": 1}
"""Weights fixed in direction: more sources, more actors, a more central sentence, more sources saying the
same and a place nearer the document's opening never count against."""


class EventModels(BaseModel):
    """P(an event belongs in the timeline's key), and P(it is one a newcomer must meet)."""

    key: LinearModel = Field(description="P(the event is in the key, must or not): the timeline's precision.")
    must: LinearModel = Field(description="P(the event is one the key says a newcomer must meet): its recall.")
    key_reliability: list[Bin] = Field(description="Out-of-fold P(key) against observed, by probability bin.")
    must_reliability: list[Bin] = Field(description="Out-of-fold P(must) against observed, by probability bin.")


class BriefModel(BaseModel):
    """Everything ``make train`` fits for the briefing."""

    version: int = Field(description="Bumped when the feature set or the models change.")
    trained_on: str = Field(description="What the models were fitted on.")
    events: EventModels = Field(description="The timeline's two event models.")


@lru_cache(maxsize=2)
def brief_model(path: Path = MODEL_FILE) -> BriefModel:
    """The committed model; :class:`ModelError` naming the file when it is missing or stale."""
    try:
        model = BriefModel.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the briefing model {path}: {exc}. Run `make train` to fit it.") from exc
    if any(tuple(m.features) != EVENT_FEATURES for m in (model.events.key, model.events.must)):
        raise ModelError(
            f"the briefing model {path} was fitted on other features than the code computes; run `make train`"
        )
    return model
