"""Fitting helpers for ``make train`` (scikit-learn, a development dependency; never imported to answer).

Deterministic: the solver is L-BFGS from a zero start, folds are fixed by a hash of each
question's id, so the same table always gives the same model.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from assistant.answer.ranker import Bin, LinearModel

Array = npt.NDArray[np.float64]
FOLDS = 5
C = 1.0
"""Inverse L2 strength (standardised features)."""


def fit_logistic(
    x: Array, y: npt.NDArray[np.int_], names: Sequence[str], signs: dict[str, int] | None = None
) -> LinearModel:
    """A standardised, L2-regularised logistic regression as a :class:`LinearModel`.

    ``signs`` fixes the direction of some weights (+1: the feature can only raise the
    probability, -1: only lower it): on a few hundred examples, correlated features
    otherwise trade weights of absurd sign. With signs the fit is scipy's bounded L-BFGS
    on the same objective as scikit-learn's.
    """
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
    z = (x - scaler.mean_) / scale
    if signs:
        coef, intercept = _bounded_logistic(z, y, [signs.get(n, 0) for n in names])
    else:
        model = LogisticRegression(C=C, max_iter=5000, tol=1e-8).fit(z, y)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    return LinearModel(
        features=list(names),
        mean=[round(float(v), 8) for v in scaler.mean_],
        scale=[round(float(v), 8) for v in scale],
        coef=[round(float(v), 8) + 0.0 for v in coef],
        intercept=round(float(intercept), 8),
    )


def _bounded_logistic(z: Array, y: npt.NDArray[np.int_], signs: Sequence[int]) -> tuple[Array, float]:
    """Minimise C * log-loss + ||w||² / 2 with sign bounds on w (the intercept is free)."""
    target = y.astype(np.float64)

    def loss(theta: Array) -> tuple[float, Array]:
        w, b = theta[:-1], theta[-1]
        margin = z @ w + b
        p = expit(margin)
        value = C * float(np.sum(np.logaddexp(0.0, margin) - target * margin)) + 0.5 * float(w @ w)
        residual = C * (p - target)
        return value, np.concatenate([z.T @ residual + w, [residual.sum()]])

    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    result = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 5000, "gtol": 1e-9})  # fmt: skip
    return result.x[:-1], float(result.x[-1])


def fold_of(group: str) -> int:
    """A question's fold, from a hash of its id (stable across runs and machines)."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def out_of_fold(
    x: Array, y: npt.NDArray[np.int_], groups: Sequence[str], names: Sequence[str], signs: dict[str, int] | None = None
) -> Array:
    """Each row's probability from a model fitted without its question's fold."""
    folds = np.asarray([fold_of(g) for g in groups])
    out = np.zeros(len(y))
    for k in range(FOLDS):
        held = folds == k
        if not held.any() or len(set(y[~held])) < 2:
            continue
        out[held] = fit_logistic(x[~held], y[~held], names, signs).predict(x[held])
    return out


def threshold_for(positive_scores: Array, false_refusal_target: float) -> float:
    """The highest threshold that refuses at most ``false_refusal_target`` of the positives."""
    ordered = np.sort(positive_scores)
    allowed = int(np.floor(false_refusal_target * len(ordered)))
    return round(float(ordered[allowed]) - 1e-6, 6) if len(ordered) else 0.5


def reliability(probs: Array, y: npt.NDArray[np.int_], bins: int = 5) -> list[Bin]:
    """Predicted against observed, in equal-width probability bins."""
    out = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for low, high in itertools.pairwise(edges):
        inside = (probs >= low) & ((probs < high) if high < 1.0 else (probs <= high))
        if inside.any():
            out.append(Bin(low=round(float(low), 2), high=round(float(high), 2), cases=int(inside.sum()),
                           predicted=round(float(probs[inside].mean()), 4),
                           observed=round(float(y[inside].mean()), 4)))  # fmt: skip
    return out
