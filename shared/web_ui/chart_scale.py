"""The arithmetic behind the charts' axes and labels, kept apart from the SVG so it is easy to check.

Readers compare bars against round numbers (0, 5, 10, 15), never against 0, 7, 14, so an axis
runs from zero to the first "nice" value at or above the largest one.
"""
from __future__ import annotations

import math

# Tick steps are 1, 2 or 5 times a power of ten: the steps people count in.
_NICE_MULTIPLES = (1, 2, 5, 10)


def nice_ticks(maximum: int, *, about: int = 5) -> list[int]:
    """Tick values from 0 to the first nice value >= `maximum`, about `about` steps apart.

    A zero maximum (nothing counted yet) still gets an axis, [0, 1], so the chart is not
    a degenerate drawing with every bar at an undefined scale.
    """
    if maximum <= 0:
        return [0, 1]
    raw_step = maximum / about
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    step = next(multiple * magnitude for multiple in _NICE_MULTIPLES if multiple * magnitude >= raw_step)
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def format_count(value: int, unit: str = "") -> str:
    """`12,500` or `12,500 meetings`: grouped digits so large figures read at a glance."""
    return f"{value:,} {unit}" if unit else f"{value:,}"


def shorten(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars` with an ellipsis, for labels that must fit a fixed width
    (the full text stays in a tooltip and in the data table)."""
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 1)] + "…"
