"""The one style place for every figure: colours, fonts, sizes, and the helpers that apply them.

Figures are designed at their final size: at most ``TEXT_WIDTH`` inches wide (the text width of an
A4 page with 25 mm margins), fonts of 8 pt or more. Shown at that width (CSS ``image-resolution:
150dpi`` or ``width: <inches>in``), or scaled up, every label stays at 8 pt or more.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import TypeVar

import matplotlib as mpl
import matplotlib.style
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

TEXT_WIDTH = 6.3  # inches: A4 (210 mm) minus 2 x 25 mm margins = 160 mm
MIN_FONT_PT = 8.0
# The PDF prints figures at their design size (CSS image-resolution: 150dpi) and shrinks only those taller
# than this, so that a figure and its caption fit on one A4 page; templates/style.css uses the same value.
PRINT_MAX_HEIGHT_MM = 170

# Colours of the original posts: data blue, artificial (uniform) points red, a chosen data point
# orange, the origin yellow (drawn with a dark edge so it shows on white), centre orange, path red.
PALETTE: dict[str, str] = {
    "data": "#1f77b4",
    "uniform": "#d62728",
    "chosen": "#ff7f0e",
    "origin": "#ffe119",
    "origin_edge": "#222222",
    "centre": "#ff7f0e",
    "path": "#d62728",
    "edge": "#222222",
    "train": "#1f77b4",
    "validation": "#ff7f0e",
    "guide": "#7f7f7f",
    # Frames by verdict (Okabe-Ito bluish green and orange, and a dark grey-red): told apart by
    # colour-blind readers as well, and by lightness in grey print.
    "face": "#009e73",  # frame of a clear face
    "faint_face": "#e69f00",  # a faint face
    "not_face": "#6b3a3f",  # no face
    "diverging_cmap": "RdBu_r",
    "sequential_cmap": "YlOrRd",
}

# Font sizes (pt) and the few other rcParams every figure uses; applied on top of matplotlib's
# defaults, so a notebook's own style changes nothing in the files.
RC: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 10,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.2,
    "legend.frameon": False,
    "svg.hashsalt": "latent-report",
    "svg.fonttype": "path",
}

# Marker sizes (points^2) of the special points; the origin and centre stay above everything.
MARKERS = {
    "uniform": dict(s=16, marker="o", linewidths=0.4, edgecolors="#7a0c0c", zorder=3),
    "chosen": dict(s=40, marker="o", linewidths=0.8, edgecolors=PALETTE["edge"], zorder=4),
    "centre": dict(s=110, marker="*", linewidths=0.8, edgecolors=PALETTE["edge"], zorder=5),
    "origin": dict(s=45, marker="o", linewidths=1.0, edgecolors=PALETTE["origin_edge"], zorder=6),
}

F = TypeVar("F", bound=Callable[..., object])


@contextmanager
def style_context():
    """matplotlib's defaults plus RC, for the duration of the block only (nothing global stays)."""
    with mpl.rc_context():
        matplotlib.style.use(["default", RC])
        yield


def styled(func: F) -> F:
    """Build the figure inside style_context, so fonts and sizes never depend on the caller."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style_context():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout Figure, no wider than the A4 text width."""
    return Figure(figsize=(min(width, TEXT_WIDTH), height), layout="constrained")


def zlabel(index: int) -> str:
    """Axis label of latent component `index`: 'z[151]'."""
    return f"z[{int(index)}]"


def grid_axes(fig: Figure, n: int, columns: int, **subplot_kw) -> list[Axes]:
    """n axes in a grid of `columns` columns (row-major); the unused cells of the last row are removed.

    With shared x axes, the axes left without a neighbour below get their x tick labels back.
    """
    if n < 1:
        raise ValueError("need at least one panel")
    columns = max(1, min(int(columns), n))
    rows = math.ceil(n / columns)
    axes = fig.subplots(rows, columns, squeeze=False, **subplot_kw)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.remove()
    if subplot_kw.get("sharex") and rows > 1:
        for index in range(n - columns, n):
            if index >= 0 and index + columns >= n:
                flat[index].xaxis.set_tick_params(labelbottom=True)
    return flat[:n]


def data_point_size(m: int) -> float:
    """Marker area (pt^2) for m data points: tiny for thousands, visible for a few dozen."""
    return float(np.clip(1500.0 / max(m, 1), 1.0, 14.0))


def legend_handle(kind: str, label: str) -> Line2D:
    """A legend entry with a readable marker, whatever size the plotted markers have."""
    if kind == "data":
        return Line2D([], [], ls="", marker="o", ms=4, mfc=PALETTE["data"], mec="none", label=label)
    if kind == "path":
        return Line2D([], [], ls="-", lw=1.2, marker="o", ms=4, color=PALETTE["path"], label=label)
    style = MARKERS[kind]
    marker = style["marker"]
    size = 9 if marker == "*" else 6
    return Line2D([], [], ls="", marker=marker, ms=size, mfc=PALETTE[kind], mec=style["edgecolors"],
                  mew=style["linewidths"], label=label)


def distinct_colors(k: int) -> list:
    """k colours for highlighted curves, none of them the data blue."""
    cmap = mpl.colormaps["tab10" if k <= 9 else "tab20"]
    colors = [cmap(i) for i in range(cmap.N)]
    colors = [c for c in colors if not np.allclose(c[:3], mpl.colors.to_rgb(PALETTE["data"]), atol=0.05)]
    return [colors[i % len(colors)] for i in range(k)]


def as_indices(values: Sequence[int]) -> list[int]:
    return [int(v) for v in values]
