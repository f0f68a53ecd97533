"""The one percentile the evals, the benchmarks and the reliability run report."""

from __future__ import annotations

from assistant.common.stats import percentile


def test_nearest_rank_percentile() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 1.0) == 20.0
    assert percentile(values, 0.0) == 1.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) is None
