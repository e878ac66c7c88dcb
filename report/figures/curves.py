"""Line plots and histograms: training loss (post I) and number distributions and radii (post II)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike

from report.figures.style import PALETTE, TEXT_WIDTH, as_indices, distinct_colors, grid_axes, new_figure, styled, zlabel


@styled
def loss_curve(loss: ArrayLike, val_loss: ArrayLike | None = None, log: bool = False) -> Figure:
    """Training (and validation) loss per epoch.

    loss, val_loss: (epochs,) floats; epoch k (1-based) is drawn at x = k. log: log-scaled y axis.
    Returns a Figure with one axes holding one line per given series (training first).
    """
    train = np.asarray(loss, dtype=float).ravel()
    fig = new_figure(4.5, 2.8)
    ax = fig.subplots()
    ax.plot(np.arange(1, len(train) + 1), train, marker="o", ms=3, color=PALETTE["train"], label="training")
    if val_loss is not None:
        val = np.asarray(val_loss, dtype=float).ravel()
        ax.plot(np.arange(1, len(val) + 1), val, marker="s", ms=3, color=PALETTE["validation"],
                label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        finite = np.concatenate([train, val if val_loss is not None else train])
        finite = finite[np.isfinite(finite) & (finite > 0)]
        if finite.size and finite.max() < 10 * finite.min():  # less than a decade: label the minor ticks
            ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.grid(which="minor", axis="y", alpha=0.2)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def _centres(edges: ArrayLike, counts: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    edges = np.asarray(edges, dtype=float).ravel()
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or edges.shape[0] != counts.shape[1] + 1:
        raise ValueError(f"expected edges (bins+1,) and counts (N, bins), got {edges.shape} and {counts.shape}")
    return (edges[:-1] + edges[1:]) / 2, counts


@styled
def component_histograms(edges: ArrayLike, counts: ArrayLike, highlight: Sequence[int] | None = None,
                         ylabel: str = "number of z-points") -> Figure:
    """All N number distributions (one curve per component) in one axes.

    edges: (bins+1,) common bin edges; counts: (N, bins), row j = histogram of component j.
    highlight: component indices drawn in colour on top, with a legend; the others are thin blue
    lines. Returns a Figure with one axes: a LineCollection of the N curves, plus one Line2D per
    highlighted component.
    """
    x, counts = _centres(edges, counts)
    fig = new_figure(TEXT_WIDTH, 3.4)
    ax = fig.subplots()
    curves = LineCollection([np.column_stack([x, row]) for row in counts], colors=PALETTE["data"],
                            linewidths=0.6, alpha=0.3, label=f"all {len(counts)} components")
    ax.add_collection(curves)
    ax.autoscale_view()
    ax.set_ylim(bottom=0)
    handles = [Line2D([], [], color=PALETTE["data"], lw=1.0, alpha=0.6, label=f"all {len(counts)} components")]
    if highlight is not None:
        chosen = as_indices(highlight)
        for color, j in zip(distinct_colors(len(chosen)), chosen):
            handles += ax.plot(x, counts[j], color=color, lw=1.3, label=zlabel(j))
    ncols = 1 if len(handles) <= 12 else 2
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=ncols, handlelength=1.5)
    ax.set_xlabel("component value")
    ax.set_ylabel(ylabel)
    return fig


@styled
def dominant_histograms(edges: ArrayLike, counts: ArrayLike, dominant: Sequence[int], means: ArrayLike,
                        half_widths: ArrayLike, columns: int = 4,
                        width_kind: Literal["fwhm", "hwhm"] = "fwhm") -> Figure:
    """The dominant components apart: one small panel each, with mean and half-width marked.

    edges: (bins+1,); counts: (N, bins) for all components; dominant: indices into N;
    means, half_widths: (N,) for all components (only the dominant entries are used).
    width_kind: what half_widths holds, 'fwhm' (the project's half_width) or 'hwhm'; the width is
    drawn as a bar at half the peak height, the mean as a dashed line, 0 as a thin grey line.
    Returns a Figure with len(dominant) axes sharing x and y, titled 'z[j]' with mu and hw.
    """
    x, counts = _centres(edges, counts)
    means = np.asarray(means, dtype=float).ravel()
    widths = np.asarray(half_widths, dtype=float).ravel()
    if len(means) != len(counts) or len(widths) != len(counts):
        raise ValueError(f"means and half_widths need shape ({len(counts)},), got {means.shape}, {widths.shape}")
    dominant = as_indices(dominant)
    n = len(dominant)
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    fig = new_figure(TEXT_WIDTH, 0.6 + 1.45 * rows)
    half_span = widths / 2 if width_kind == "fwhm" else widths
    occupied = np.flatnonzero(counts[dominant].sum(axis=0) > 0)
    step = x[1] - x[0] if len(x) > 1 else 1.0
    lims = (x[occupied[0]] - step, x[occupied[-1]] + step) if occupied.size else (x[0], x[-1])
    for ax, j in zip(grid_axes(fig, n, columns, sharex=True, sharey=True), dominant):
        ax.axvline(0, color=PALETTE["guide"], lw=0.6)
        ax.fill_between(x, counts[j], color=PALETTE["data"], alpha=0.25, lw=0)
        ax.plot(x, counts[j], color=PALETTE["data"], lw=1.0)
        peak = counts[j].max()
        ax.axvline(means[j], color=PALETTE["chosen"], lw=1.0, ls="--")
        ax.plot([means[j] - half_span[j], means[j] + half_span[j]], [peak / 2, peak / 2],
                color=PALETTE["uniform"], lw=1.6, solid_capstyle="butt")
        ax.set_title(f"{zlabel(j)}\nμ = {means[j]:.2f}, hw = {widths[j]:.2f}", pad=2, linespacing=1.15,
                     fontsize=8)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.set_xlim(*lims)
    width_name = "FWHM" if width_kind == "fwhm" else "HWHM"
    fig.legend(handles=[Line2D([], [], color=PALETTE["chosen"], ls="--", lw=1.0, label="mean μ"),
                        Line2D([], [], color=PALETTE["uniform"], lw=1.6, label=f"hw ({width_name}) at half maximum"),
                        Line2D([], [], color=PALETTE["guide"], lw=0.6, label="0")],
               loc="outside upper center", ncols=3)
    fig.supxlabel("component value", fontsize=9)
    fig.supylabel("number of z-points", fontsize=9)
    return fig


@styled
def radius_histograms(data_radii: ArrayLike, uniform_radii: Mapping[float, ArrayLike],
                      expected: Mapping[float, float] | None = None, bins: int = 160) -> Figure:
    """Radius distribution R = ||z|| of the data with the radii of uniform vectors per b overlaid.

    data_radii: (M,); uniform_radii: {b: (K,) radii of vectors with components uniform on [-b, b]};
    expected: {b: analytic mean radius b*sqrt(N/3)}, drawn as dashed lines (None: none drawn).
    All histograms share the same bins and are normalised to densities, so counts may differ.
    Returns a Figure with one axes: the data histogram first, then one step histogram per b
    (ascending b), in shades of red.
    """
    data = np.asarray(data_radii, dtype=float).ravel()
    bs = sorted(uniform_radii)
    samples = [np.asarray(uniform_radii[b], dtype=float).ravel() for b in bs]
    low = min([data.min()] + [s.min() for s in samples if s.size])
    high = max([data.max()] + [s.max() for s in samples if s.size])
    edges = np.linspace(max(0.0, low - 0.5), high + 0.5, bins + 1)
    fig = new_figure(TEXT_WIDTH, 3.2)
    ax = fig.subplots()
    ax.hist(data, bins=edges, density=True, color=PALETTE["data"], alpha=0.55, label="data")
    cmap = mpl.colormaps[PALETTE["sequential_cmap"]]
    shades = [cmap(v) for v in np.linspace(0.45, 0.95, max(len(bs), 2))]
    for color, b, sample in zip(shades, bs, samples):
        ax.hist(sample, bins=edges, density=True, histtype="step", lw=1.3, color=color, label=f"uniform, b = {b:g}")
        if expected is not None and b in expected:
            ax.axvline(expected[b], color=color, ls="--", lw=1.0)
    ax.set_xlabel(r"radius $R = \|z\|_2$")
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0)
    title = "dashed: b·√(N/3)" if expected else None
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title=title)
    return fig
