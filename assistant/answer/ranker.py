"""The learned answer model: two calibrated logistic regressions, read from a small JSON file.

- **Evidence**: the probability that a candidate sentence answers the question, from the
  features of :mod:`assistant.answer.features`.
- **Answerability**: the probability that the corpus answers the question at all, from
  question-level features over the scored candidates.

Both are fitted on the dev split of the question bank by ``make train``
(:mod:`assistant.evaluation.train`, scikit-learn); the answer/refuse threshold is chosen on dev for a
stated false-refusal target. At run time the model is a dot product and a sigmoid: no
scikit-learn on the request path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

MODEL_FILE = Path(__file__).with_name("answer_model.json")


class ModelError(RuntimeError):
    """The model file is missing, unreadable or does not match the features the code computes."""


class LinearModel(BaseModel):
    """A standardised logistic regression: p = sigmoid(((x - mean) / scale) · coef + intercept)."""

    features: list[str] = Field(description="Feature names, in column order.")
    mean: list[float] = Field(description="Per-feature mean on the training data.")
    scale: list[float] = Field(description="Per-feature standard deviation on the training data (1 when constant).")
    coef: list[float] = Field(description="Weight of each standardised feature.")
    intercept: float = Field(description="Bias term.")

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Probabilities for the rows of ``x`` (one column per feature, in ``features`` order)."""
        if x.size == 0:
            return np.zeros(len(x))
        z = ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))

    def weights(self) -> dict[str, float]:
        """Each feature's weight, for reading the model."""
        return dict(zip(self.features, self.coef, strict=True))


class Bin(BaseModel):
    """One row of a reliability table: predicted probabilities in [low, high) against what was observed."""

    low: float
    high: float
    cases: int
    predicted: float = Field(description="Mean predicted probability in the bin.")
    observed: float = Field(description="Share of positives in the bin.")


class AnswerModel(BaseModel):
    """Everything ``make train`` fits: both models, the threshold and how it was chosen."""

    version: int = Field(description="Bumped when the feature set changes.")
    trained_on: str = Field(description="What the model was fitted on.")
    evidence: LinearModel = Field(description="P(a sentence answers the question).")
    answerable: LinearModel = Field(description="P(the corpus answers the question).")
    threshold: float = Field(description="Answer when P(answerable) is at least this; refuse below.")
    false_refusal_target: float = Field(description="The dev false-refusal rate the threshold was chosen for.")
    anchor_threshold: float = Field(description="The naive anchor's cosine threshold, chosen on dev.")
    reliability: list[Bin] = Field(default_factory=list, description="Answerability calibration on dev (out of fold).")
    dev: dict[str, float] = Field(default_factory=dict, description="Dev figures measured when fitting.")


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The fitted model, checked against the features the code computes.

    Raises :class:`ModelError` naming the file when it is missing, unreadable or stale.
    """
    from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES

    try:
        model = AnswerModel.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the answer model {path}: {exc}. Run `make train` to fit it.") from exc
    if model.evidence.features != EVIDENCE_FEATURES or model.answerable.features != ANSWERABLE_FEATURES:
        raise ModelError(
            f"the answer model {path} was fitted on other features than the code computes; run `make train`"
        )
    return model


def blank_model() -> AnswerModel:
    """A model with every weight zero, for collecting training features before any model is fitted."""
    from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES

    def zeros(names: list[str]) -> LinearModel:
        n = len(names)
        return LinearModel(features=names, mean=[0.0] * n, scale=[1.0] * n, coef=[0.0] * n, intercept=0.0)

    return AnswerModel(version=0, trained_on="nothing (blank)", evidence=zeros(EVIDENCE_FEATURES),
                       answerable=zeros(ANSWERABLE_FEATURES), threshold=0.5, false_refusal_target=0.0,
                       anchor_threshold=0.5)  # fmt: skip
