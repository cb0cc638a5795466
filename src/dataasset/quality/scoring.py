"""Scores (GB/T 36344: satisfying elements ÷ evaluated elements). Pure.

* a check scores ``passed ÷ checked`` (row checks over the rows they apply to; table checks 1 or 0;
  1.0 when no row applied; 0 when the check could not run);
* a dimension scores the weighted mean of its checks × 100 (check weights default 1);
* the overall score is the weighted mean of the dimensions that have checks (dimension weights
  default 1, set per organisation and per rule set). A dimension whose checks all weigh 0, or whose
  weight is 0, does not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dataasset.quality.types import DIMENSIONS, CheckResult


def dimension_scores(results: Sequence[CheckResult]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for r in results:
        acc = sums.setdefault(r.check.dimension, [0.0, 0.0])
        acc[0] += r.check.weight * r.score
        acc[1] += r.check.weight
    return {d: sums[d][0] / sums[d][1] * 100 for d in DIMENSIONS if d in sums and sums[d][1] > 0}


def overall_score(
    dimensions: Mapping[str, float], weights: Mapping[str, float] | None = None
) -> float | None:
    weights = weights or {}
    total = sum(weights.get(d, 1.0) for d in dimensions)
    if not dimensions or total <= 0:
        return None
    return sum(score * weights.get(d, 1.0) for d, score in dimensions.items()) / total


def merge_weights(*layers: Mapping[str, float] | None) -> dict[str, float]:
    """Dimension weights: later layers override earlier ones (platform → organisation → rule set)."""
    out: dict[str, float] = {}
    for layer in layers:
        out.update(layer or {})
    return out
