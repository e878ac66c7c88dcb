"""Figures of posts VIII-X and the scoreboard: the cloud as a multivariate normal, in its principal frame.

Same layers and colours as the projections of posts III-VI (style.PALETTE): data blue and tiny,
centre an orange star, origin yellow; ellipses are drawn in the guide grey, darker for smaller k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from numpy.typing import ArrayLike
from scipy import stats as sps

from report.figures.projections import _draw, _legend, _panel_grid
from report.figures.style import MARKERS, PALETTE, TEXT_WIDTH, data_point_size, grid_axes, new_figure, styled

ELLIPSE_COLOURS = {1: "#d62728", 2: "#ff7f0e", 3: "#2ca02c"}  # k = 1, 2, 3 sigma


def _ellipse_colour(k: float) -> str:
    return ELLIPSE_COLOURS.get(round(k), PALETTE["guide"])


@styled
def mahalanobis_qq(observed: ArrayLike, expected: ArrayLike, dof: int) -> Figure:
    """Quantiles of squared Mahalanobis distances against those of chi-square(dof) (post VIII).

    observed, expected: the same probabilities' quantiles (`normal_fit.chi2_qq`).
    """
    observed, expected = np.asarray(observed, float), np.asarray(expected, float)
    fig = new_figure(TEXT_WIDTH * 0.6, 3.2)
    ax = fig.subplots()
    ax.plot(expected, observed, "o", ms=2.5, color=PALETTE["data"], label="z-points")
    top = float(max(expected.max(), observed.max()))
    low = float(min(expected.min(), observed.min()))
    ax.plot([low, top], [low, top], color=PALETTE["guide"], lw=1, ls="--", label="chi-square law")
    ax.set_xlabel(f"quantile of chi-square ({dof} degrees of freedom)")
    ax.set_ylabel("quantile of squared distance")
    ax.legend(loc="upper left")
    return fig


@styled
def ellipse_planes(z_sample: ArrayLike, planes: Sequence[Mapping], columns: int = 2) -> Figure:
    """Real z-points in component planes with their 1/2/3-sigma ellipses (post VIII).

    planes: dicts of `normal_fit.plane_ellipses` (i, j, centre, angle_deg, ellipses with k,
    semi_major, semi_minor, share).
    """
    data = np.asarray(z_sample, dtype=float)
    fig, axes = _panel_grid(len(planes), columns, title_height=0.15)
    for ax, plane in zip(axes, planes):
        i, j = plane["i"], plane["j"]
        _draw(ax, i, j, data, origin=True, equal=True)
        cx, cy = plane["centre"]
        for e in plane["ellipses"]:
            ax.add_patch(Ellipse((cx, cy), 2 * e["semi_major"], 2 * e["semi_minor"], angle=plane["angle_deg"],
                                 fill=False, lw=1.2, color=_ellipse_colour(e["k"]), zorder=4))
        ax.scatter([cx], [cy], c=PALETTE["centre"], **MARKERS["centre"])
        shares = ", ".join(f"{e['share']:.0%}" for e in plane["ellipses"])
        ax.set_title(f"inside: {shares}", pad=2)
    _legend(fig, [("data", f"data ({len(data)})"), ("centre", "centre"), ("origin", "origin")])
    return fig


@styled
def bic_curve(bic: Mapping[str, float], best_k: int) -> Figure:
    """BIC of Gaussian mixtures against their number of components; the lowest marked (post VIII)."""
    ks = sorted(int(k) for k in bic)
    values = np.array([bic[str(k)] for k in ks])
    fig = new_figure(TEXT_WIDTH * 0.6, 2.8)
    ax = fig.subplots()
    ax.plot(ks, values, "o-", color=PALETTE["data"], ms=4)
    ax.plot([best_k], [bic[str(best_k)]], "o", ms=9, mfc="none", mec=PALETTE["uniform"], mew=1.5,
            label=f"lowest BIC: K = {best_k}")
    ax.set_xticks(ks)
    ax.set_xlabel("mixture components K")
    ax.set_ylabel("BIC")
    ax.legend()
    return fig


@styled
def spectrum(eigenvalues: ArrayLike, components_for: Mapping[str, int]) -> Figure:
    """Covariance eigenvalues (log scale) and their cumulative share of the variance (post IX)."""
    values = np.asarray(eigenvalues, dtype=float)
    k = np.arange(1, len(values) + 1)
    cumulative = np.cumsum(values) / values.sum()
    fig = new_figure(TEXT_WIDTH, 2.8)
    left, right = fig.subplots(1, 2)
    positive = values > 0
    left.semilogy(k[positive], values[positive], "o-", ms=2, lw=0.8, color=PALETTE["data"])
    left.set_xlabel("principal axis")
    left.set_ylabel("eigenvalue (variance)")
    right.plot(k, cumulative, "-", color=PALETTE["data"])
    for n, (share, count) in enumerate(sorted(components_for.items(), key=lambda item: float(item[0]))):
        colour = ("#d62728", "#2ca02c", "#9467bd")[n % 3]
        right.axhline(float(share), color=colour, lw=0.8, ls="--")
        right.axvline(count, color=colour, lw=0.8, ls="--", label=f"{float(share):.0%}: {count} axes")
    right.set_xlabel("leading principal axes")
    right.set_ylabel("cumulative share of variance")
    right.set_ylim(0, 1.02)
    right.legend(loc="lower right")
    return fig


@styled
def principal_histograms(coords: ArrayLike, eigenvalues: ArrayLike, columns: int = 4) -> Figure:
    """Histograms of the leading principal coordinates, each with the normal N(0, lambda_k) (post IX)."""
    coords = np.asarray(coords, dtype=float)
    n = coords.shape[1]
    rows = -(-n // columns)
    fig = new_figure(TEXT_WIDTH, 0.3 + 1.5 * rows)
    for a, ax in enumerate(grid_axes(fig, n, columns)):
        sd = float(np.sqrt(max(eigenvalues[a], 1e-300)))
        ax.hist(coords[:, a], bins=60, density=True, color=PALETTE["data"], alpha=0.7)
        x = np.linspace(-4 * sd, 4 * sd, 200)
        ax.plot(x, sps.norm.pdf(x, scale=sd), color=PALETTE["uniform"], lw=1)
        ax.set_title(f"axis {a}", pad=2)
        ax.set_yticks([])
        ax.tick_params(labelsize=8)
    return fig


@styled
def principal_scatter(coords: ArrayLike, pairs: Sequence[Sequence[int]], eigenvalues: ArrayLike,
                      origin: ArrayLike, columns: int = 2) -> Figure:
    """Pairs of principal coordinates with their axis-aligned 1/2/3-sigma ellipses, centre and origin (post IX).

    coords: (m, n) principal coordinates of real z-points; origin: the origin's coordinates (z_dim,).
    """
    coords = np.asarray(coords, dtype=float)
    origin = np.asarray(origin, dtype=float)
    fig, axes = _panel_grid(len(pairs), columns)
    s = data_point_size(len(coords))
    for ax, (a, b) in zip(axes, pairs):
        ax.scatter(coords[:, a], coords[:, b], s=s, c=PALETTE["data"], linewidths=0, rasterized=True)
        for k in (1, 2, 3):
            ax.add_patch(Ellipse((0, 0), 2 * k * np.sqrt(eigenvalues[a]), 2 * k * np.sqrt(eigenvalues[b]),
                                 fill=False, lw=1.2, color=_ellipse_colour(k), zorder=4))
        ax.scatter([0], [0], c=PALETTE["centre"], **MARKERS["centre"])
        ax.scatter([origin[a]], [origin[b]], c=PALETTE["origin"], **MARKERS["origin"])
        ax.set_xlabel(f"principal axis {a}", labelpad=1)
        ax.set_ylabel(f"principal axis {b}", labelpad=1)
        ax.set_aspect("equal", adjustable="datalim")
    _legend(fig, [("data", f"data ({len(coords)})"), ("centre", "centre"), ("origin", "origin")])
    return fig


@styled
def scoreboard(names: Sequence[str], values: Sequence[float], label: str, ceiling: float | None = None, *,
               intervals: Sequence[Sequence[float]] | None = None, groups: Sequence[int] | None = None) -> Figure:
    """One horizontal bar per generator, best first (the scoreboard).

    intervals: (low, high) per bar, drawn as error bars. groups: rank group per bar (never
    decreasing): every other group lies on a grey band, and each group's number stands at the
    right of its first row, so generators that cannot be told apart read as one block.
    """
    fig = new_figure(TEXT_WIDTH, 0.5 + 0.28 * len(names))
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    values = np.asarray(values, dtype=float)
    error = None
    if intervals is not None:
        bounds = np.asarray(intervals, dtype=float).reshape(len(values), 2)
        error = np.vstack([values - bounds[:, 0], bounds[:, 1] - values]).clip(min=0)
    ax.barh(y, values, color=PALETTE["data"], height=0.7, xerr=error,
            error_kw=dict(ecolor=PALETTE["edge"], elinewidth=1, capsize=2))
    ax.set_yticks(y, list(names))
    ax.set_ylim(-0.5, len(names) - 0.5)
    if groups is not None:
        groups = list(groups)
        for n, group in enumerate(groups):
            if group % 2 == 0:
                ax.axhspan(y[n] - 0.5, y[n] + 0.5, color=PALETTE["guide"], alpha=0.15, lw=0, zorder=0)
            if n == 0 or groups[n - 1] != group:
                ax.annotate(f"group {group}", (1, y[n]), xycoords=("axes fraction", "data"), xytext=(4, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=8,
                            color=PALETTE["edge"])
    if ceiling is not None:
        ax.axvline(ceiling, color=PALETTE["guide"], ls="--", lw=1)
    ax.set_xlabel(label)
    return fig
