"""Figures rounded to what their range supports: the step is the power of ten at or below half the
range's width, so a figure carries no digit its P10-P90 range does not support."""

from __future__ import annotations

import math


def _round_half_up(value: float, step: float) -> float:
    return math.floor(value / step + 0.5) * step  # half up, as a reader rounds


def range_step(value: float, low: float, high: float) -> float:
    """The power of ten at or below half the range's width (of the value itself without a range)."""
    width = abs(high - low)
    return 10 ** math.floor(math.log10(width / 2)) if width > 0 else 10 ** math.floor(math.log10(abs(value) or 1))


def rounded_to_range(value: float, low: float, high: float) -> float:
    """``value`` rounded to :func:`range_step`."""
    step = range_step(value, low, high)
    return round(_round_half_up(value, step), max(0, -int(math.floor(math.log10(step)))))


def shown_with_range(value: float, low: float, high: float) -> tuple[str, str, str]:
    """The value and its range as text, each rounded to the range's step: ``("80", "40", "140")``."""
    step = range_step(value, low, high)
    decimals = max(0, -int(math.floor(math.log10(step))))
    shown, below, above = (f"{_round_half_up(x, step):,.{decimals}f}" for x in (value, low, high))
    return shown, below, above
